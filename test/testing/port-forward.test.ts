/**
 * `kubectl port-forward` of several versions against the local API server, carrying real bytes:
 * kubectl up to 1.30 upgrades to SPDY/3.1, 1.31+ tunnels SPDY through a WebSocket.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pod } from "kubezod/k8s";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectRun, kubectlDir, kubectlVersions, type KubectlRun } from "../support/kubectl.js";
import { echoPortForward, startTestServer, type TestServer } from "../../src/testing/index.js";
import { parsePortForwardFlags, portForwardHandler, spdyPortForward } from "../../src/testing/port-forward.js";
import { SPDY_FLAG_FIN, SpdyFramer, splitSpdyFrames, type SpdyFrame } from "../../src/testing/spdy.js";

const VERSIONS = kubectlVersions(["1.28", "1.30", "1.33"]);

let server: TestServer;
let dir: string;
let kubeconfig: string;
let target: net.Server;
const children = new Set<ChildProcessWithoutNullStreams>();

function kubectl(version: string, args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(join(kubectlDir, `kubectl.${version}`), ["--cache-dir", join(dir, "cache"), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
  children.add(child);
  child.on("close", () => children.delete(child));
  return child;
}

function run(version: string, args: string[], input = ""): Promise<KubectlRun> {
  return collectRun(kubectl(version, args), input);
}

interface Forward {
  port: number;
  remote: number;
  stderr: () => string;
  /** Resolves with kubectl's exit code. */
  exited: Promise<number>;
  stop: () => Promise<void>;
}

/** Start `kubectl port-forward` and wait for its "Forwarding from 127.0.0.1:<local> -> <remote>". */
function portForward(version: string, args: string[]): Promise<Forward> {
  const child = kubectl(version, ["port-forward", "--address", "127.0.0.1", ...args]);
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const exited = new Promise<number>((r) => child.on("close", (code) => r(code ?? -1)));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      const m = /Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/.exec(stdout);
      if (m) {
        resolve({
          port: Number(m[1]),
          remote: Number(m[2]),
          stderr: () => stderr,
          exited,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.on("close", () => done());
              child.kill();
            }),
        });
      }
    });
    child.on("close", (code) => reject(new Error(`kubectl ${version} port-forward exited ${String(code)}: ${stderr}`)));
  });
}

/**
 * Connect to a local port, send bytes, half-close, and collect everything until the other side
 * closes (with `reset`, a reset counts as closing: kubectl may exit while the connection is open).
 */
function exchange(port: number, data: Buffer, reset = false): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.connect(port, "127.0.0.1", () => sock.end(data));
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("close", () => resolve(Buffer.concat(chunks)));
    sock.on("error", (e) => (reset ? undefined : reject(e)));
  });
}

/** Connect, send bytes without closing, and take the first reply (or nothing, when the connection closes first). */
function firstReply(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1", () => sock.write(data));
    sock.once("data", (d: Buffer) => {
      sock.destroy();
      resolve(d);
    });
    sock.on("close", () => resolve(Buffer.alloc(0)));
    sock.on("error", reject);
  });
}

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

describe("port-forward streams as the kubelet pairs them (a SPDY client in the test)", () => {
  async function session(option: Parameters<typeof portForwardHandler>[0], port: number, send: string) {
    const client = new SpdyFramer();
    const out: Buffer[] = [];
    const conn = spdyPortForward({ write: (b) => out.push(b), close: () => undefined }, { namespace: "default", pod: "x", uid: "u-1" }, portForwardHandler(option));
    const headers = (type: string) => ({ streamtype: [type], port: [String(port)], requestid: ["0"] });
    for (const f of [
      { type: "synStream", streamId: 1, associatedTo: 0, priority: 0, flags: 0, headers: headers("error") },
      { type: "data", streamId: 1, flags: SPDY_FLAG_FIN, data: Buffer.alloc(0) },
      { type: "synStream", streamId: 3, associatedTo: 0, priority: 0, flags: 0, headers: headers("data") },
      { type: "data", streamId: 3, flags: 0, data: Buffer.from(send) },
      { type: "data", streamId: 3, flags: SPDY_FLAG_FIN, data: Buffer.alloc(0) },
    ] satisfies SpdyFrame[]) conn.receive(await client.encode(f));
    // Until both streams are finished by the server.
    const fins = () => splitSpdyFrames(Buffer.concat(out)).frames.filter((f) => !f.control && f.flags & SPDY_FLAG_FIN).length;
    while (fins() < 2) await new Promise((r) => setImmediate(r));
    const reader = new SpdyFramer();
    const frames = await Promise.all(splitSpdyFrames(Buffer.concat(out)).frames.map((f) => reader.decode(f)));
    client.close();
    reader.close();
    conn.abort();
    const text = (id: number) => Buffer.concat(frames.flatMap((f) => (f.type === "data" && f.streamId === id ? [f.data] : []))).toString();
    return { replies: frames.filter((f) => f.type === "synReply").map((f) => f.type === "synReply" && f.streamId), data: text(3), error: text(1) };
  }

  it("the default target echoes; the error stream stays empty", async () => {
    expect(await session(undefined, 8080, "ping")).toEqual({ replies: [1, 3], data: "ping", error: "" });
  });

  it("a handler per port; a port not named refuses with the kubelet's message", async () => {
    expect(await session({ 80: echoPortForward }, 80, "named")).toEqual({ replies: [1, 3], data: "named", error: "" });
    const refused = await session({ 80: echoPortForward }, 81, "nobody");
    expect(refused.data).toBe("");
    expect(refused.error).toBe("error forwarding port 81 to pod x_default, uid u-1: dial tcp4 127.0.0.1:81: connect: connection refused");
  });
});

describe("a SPDY client sending garbage", () => {
  it("gets a GOAWAY and a closed connection; the server carries on", async () => {
    const plain = await startTestServer({ https: false, anonymous: true, authorize: () => true });
    try {
      const kube = await plain.connect();
      await kube.create(Pod, { metadata: { name: "x", namespace: "default" }, spec: { containers: [{ name: "app", image: "nginx" }] } });
      await plain.settle();
      const { port } = new URL(plain.url);
      const received = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const sock = net.connect(Number(port), "127.0.0.1", () =>
          sock.write("POST /api/v1/namespaces/default/pods/x/portforward HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n"),
        );
        sock.on("data", (d: Buffer) => {
          chunks.push(d);
          // After the 101, a SYN_STREAM whose header block is not zlib.
          if (chunks.length === 1) sock.write(Buffer.from("80030001000000110000000100000000000001020304050607", "hex"));
        });
        sock.on("close", () => resolve(Buffer.concat(chunks)));
        sock.on("error", reject);
      });
      const text = received.toString("latin1");
      expect(text.startsWith("HTTP/1.1 101 Switching Protocols\r\n")).toBe(true);
      const frames = splitSpdyFrames(received.subarray(text.indexOf("\r\n\r\n") + 4)).frames;
      expect(frames.map((f) => [f.control, f.typeOrStream])).toEqual([[true, 7]]);
      expect((await kube.get(Pod, "x")).metadata?.name).toBe("x");
    } finally {
      await plain.close();
    }
  });
});

describe("kubezod serve --port-forward", () => {
  it("names targets per pod port", () => {
    expect(parsePortForwardFlags(["5432=db.local:15432", "8080=echo", "9000=[::1]:9000"])).toEqual({
      5432: { host: "db.local", port: 15432 },
      8080: echoPortForward,
      9000: { host: "::1", port: 9000 },
    });
    expect(parsePortForwardFlags(["8080"])).toBe('--port-forward takes POD_PORT=HOST:PORT or POD_PORT=echo, got "8080"');
    expect(parsePortForwardFlags(["0=echo"])).toMatch(/^--port-forward takes/);
    expect(parsePortForwardFlags(["80=host:70000"])).toMatch(/^--port-forward takes/);
  });
});

describe.skipIf(!VERSIONS.length)("kubectl port-forward against the local API server", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubezod-port-forward-"));
    // A target the test names: it answers the first bytes of a connection and closes it (the
    // v4 channel protocol has no half-close, so the reply cannot wait for the client's end).
    target = net.createServer((sock) => {
      sock.once("data", (d: Buffer) => sock.end(Buffer.concat([Buffer.from("target got: "), d])));
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
    const targetPort = (target.address() as net.AddressInfo).port;
    server = await startTestServer({ kubernetesVersion: "1.33", portForward: { 8080: echoPortForward, 9000: { host: "127.0.0.1", port: targetPort } } });
    kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    writeFileSync(join(dir, "web.yaml"), MANIFESTS);
    const applied = await run(VERSIONS.at(-1)!, ["apply", "-f", join(dir, "web.yaml")]);
    expect(applied.code).toBe(0);
    const pod = await run(VERSIONS.at(-1)!, ["run", "x", "--image=nginx", "--port=8080"]);
    expect(pod.code).toBe(0);
    await server.settle();
  });
  afterAll(async () => {
    for (const c of children) c.kill();
    await server?.close();
    await new Promise((r) => target?.close(r));
  });

  it("kubezod's own client (v4.channel.k8s.io over WebSocket) reaches the same targets; a refused port closes the connection", async () => {
    const kube = await server.connect();
    const fwd = await kube.portForward(Pod, "x", 9000);
    const refused = await kube.portForward(Pod, "x", 7000);
    try {
      // The v4 channel protocol cannot half-close, so the client sends without ending.
      expect((await firstReply(fwd.localPort, Buffer.from("from kubezod"))).toString()).toBe("target got: from kubezod");
      expect((await firstReply(refused.localPort, Buffer.from("anyone?"))).length).toBe(0);
    } finally {
      await fwd.close();
      await refused.close();
    }
  });

  describe.each(VERSIONS)("kubectl %s", (version) => {
    it("pod/x :8080 echoes bytes, several connections in turn and at once", async () => {
      const fwd = await portForward(version, ["pod/x", ":8080"]);
      try {
        expect(fwd.remote).toBe(8080);
        const payload = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
        expect((await exchange(fwd.port, payload)).equals(payload)).toBe(true);
        expect((await exchange(fwd.port, Buffer.from(`hello ${version}`))).toString()).toBe(`hello ${version}`);
        const many = await Promise.all([1, 2, 3].map((i) => exchange(fwd.port, Buffer.from(`conn ${i}`))));
        expect(many.map(String)).toEqual(["conn 1", "conn 2", "conn 3"]);
        expect(fwd.stderr()).not.toMatch(/error/i);
        // kubectl up to 1.30 upgrades to SPDY; 1.31+ tunnels it through a WebSocket (no fallback needed).
        const upgrades = server.requests.filter((r) => r.subresource === "portforward" && String(r.headers["user-agent"]).startsWith(`kubectl.${version}/`));
        const tunnels = Number(version.split(".")[1]) >= 31;
        expect(upgrades.map((r) => [r.method, r.headers.upgrade, r.status])).toEqual([tunnels ? ["GET", "websocket", 101] : ["POST", "SPDY/3.1", 101]]);
        if (tunnels) expect(upgrades[0]!.headers["sec-websocket-protocol"]).toBe("SPDY/3.1+portforward.k8s.io");
      } finally {
        await fwd.stop();
      }
    });

    it("a port the test names goes to its target; two ports in one command", async () => {
      const fwd = await portForward(version, ["pod/x", ":9000", ":8080"]);
      try {
        expect((await exchange(fwd.port, Buffer.from("over the tunnel"))).toString()).toBe("target got: over the tunnel");
        expect(fwd.stderr()).toBe("");
      } finally {
        await fwd.stop();
      }
    });

    it("a port nothing listens on: the connection closes and kubectl reports the kubelet's error", async () => {
      const fwd = await portForward(version, ["pod/x", ":7000"]);
      try {
        expect((await exchange(fwd.port, Buffer.from("anyone?"), true)).length).toBe(0);
        // An error on the error stream ends kubectl: "lost connection to pod".
        expect(await fwd.exited).toBe(1);
        expect(fwd.stderr()).toMatch(/an error occurred forwarding \d+ -> 7000: error forwarding port 7000 to pod x_default, uid [0-9a-f-]{36}: dial tcp4 127\.0\.0\.1:7000: connect: connection refused/);
        expect(fwd.stderr()).toMatch(/error: lost connection to pod\n$/);
      } finally {
        await fwd.stop();
      }
    });

    it.runIf(Number(version.split(".")[1]) >= 31)("falls back to the SPDY upgrade when the WebSocket upgrade is refused", async () => {
      server.faults.inject({ match: { method: "GET", subresource: "portforward" }, status: 400, times: 1 });
      const seen = server.requests.length;
      const fwd = await portForward(version, ["pod/x", ":8080"]);
      try {
        expect((await exchange(fwd.port, Buffer.from("after fallback"))).toString()).toBe("after fallback");
        const upgrades = server.requests.slice(seen).filter((r) => r.subresource === "portforward");
        expect(upgrades.map((r) => [r.method, r.headers.upgrade])).toEqual([
          ["GET", "websocket"],
          ["POST", "SPDY/3.1"],
        ]);
      } finally {
        await fwd.stop();
      }
    });

    it("svc/ and deploy/ resolve (client-side) to the pod and its target port", async () => {
      const svc = await portForward(version, ["svc/web", ":80"]);
      try {
        expect(svc.remote).toBe(8080);
        expect((await exchange(svc.port, Buffer.from("via service"))).toString()).toBe("via service");
      } finally {
        await svc.stop();
      }
      const deploy = await portForward(version, ["deploy/web", ":8080"]);
      try {
        expect((await exchange(deploy.port, Buffer.from("via deployment"))).toString()).toBe("via deployment");
      } finally {
        await deploy.stop();
      }
    });
  });
});
