/**
 * The WebSocket subprotocols of `pods/exec`, `pods/attach` and `pods/portforward`, over real
 * WebSockets, as the kubelet's remotecommand and portforward WebSocket handlers and
 * kube-apiserver's v5 stream translator serve them:
 *
 * - exec and attach speak `v5.channel.k8s.io`, `v4.channel.k8s.io`, `v4.base64.channel.k8s.io`,
 *   `channel.k8s.io`, `base64.channel.k8s.io`, and no subprotocol (binary, pre-v4); v5 wins when
 *   offered, otherwise the client's first offer the kubelet supports (`wsstream`'s handshake);
 * - the error channel carries a JSON Status for v4 and v5 (`v4WriteStatusFunc`), and for the older
 *   protocols nothing on success and only the failure's message (`v1WriteStatusFunc`);
 * - only v5 has the close signal (255); every version accepts the resize channel (4);
 * - port-forward speaks `v4.channel.k8s.io`, `v4.base64.channel.k8s.io` and no subprotocol, not
 *   `channel.k8s.io`.
 */
import { randomBytes } from "node:crypto";
import * as https from "node:https";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { errorChannelMessage, execProtocols, execStatus, negotiateProtocol, EXEC_PROTOCOLS, PORT_FORWARD_PROTOCOLS } from "../../src/testing/exec.js";
import { client, tokenOf, wsClientFrame, wsFrameReader, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.33", exec: { fail: () => ({ stderr: "boom\n", exitCode: 7 }) } });
  api = client(server);
  expect((await api.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "box" }, spec: { containers: [{ name: "app", image: "busybox" }] } })).status).toBe(201);
  await server.settle();
});
afterAll(async () => {
  await api.close();
  await server.close();
});

interface Session {
  status: number;
  /** The `Sec-WebSocket-Protocol` of the answer (undefined when absent), or the refusal's body. */
  protocol: string | undefined;
  body: string;
  /** Messages received, decoded: [channel, data]. */
  messages: Array<[number, Buffer]>;
  /** Raw frames: opcode and payload. */
  frames: Array<[number, Buffer]>;
  send(channel: number, data: Buffer | string): void;
  /** Send one frame as it is. */
  sendRaw(opcode: number, payload: Buffer): void;
  closed: Promise<void>;
  close(): void;
}

/** Open a WebSocket to the server offering `protocols` (no header at all when undefined). */
function open(path: string, protocols: string | undefined): Promise<Session> {
  const url = new URL(`${server.url}${path}`);
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      ca: server.caCertificate,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        Authorization: `Bearer ${tokenOf(server)}`,
        ...(protocols !== undefined ? { "Sec-WebSocket-Protocol": protocols } : {}),
      },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, protocol: undefined, body, messages: [], frames: [], send: () => undefined, sendRaw: () => undefined, closed: Promise.resolve(), close: () => undefined }),
      );
    });
    req.on("upgrade", (res, socket: Duplex) => {
      const header = res.headers["sec-websocket-protocol"];
      const protocol = header === undefined ? undefined : String(header);
      const base64 = (protocol ?? "").includes("base64");
      const messages: Array<[number, Buffer]> = [];
      const frames: Array<[number, Buffer]> = [];
      socket.on(
        "data",
        wsFrameReader((opcode, payload) => {
          frames.push([opcode, payload]);
          if (opcode === 2 && payload.length) messages.push([payload[0]!, payload.subarray(1)]);
          if (opcode === 1 && payload.length) messages.push([payload[0]! - 48, Buffer.from(payload.subarray(1).toString(), "base64")]);
        }),
      );
      const write = (opcode: number, payload: Buffer) => socket.write(wsClientFrame(opcode, payload));
      const closed = new Promise<void>((r) => socket.once("close", () => r()));
      socket.on("end", () => socket.destroy());
      socket.on("error", () => undefined);
      resolve({
        status: res.statusCode ?? 101,
        protocol,
        body: "",
        messages,
        frames,
        send: (channel, data) => {
          if (base64) write(1, Buffer.from(`${String.fromCharCode(48 + channel)}${Buffer.from(data).toString("base64")}`));
          else write(2, Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
        },
        sendRaw: write,
        closed,
        close: () => {
          write(8, Buffer.from([0x03, 0xe8]));
          socket.end();
        },
      });
    });
    req.on("error", reject);
    req.end();
  });
}

const EXEC = "/api/v1/namespaces/default/pods/box/exec?container=app&stdout=true&stderr=true";
const cmd = (...words: string[]) => `${EXEC}&${words.map((w) => `command=${encodeURIComponent(w)}`).join("&")}`;
const text = (s: Session, channel: number) => Buffer.concat(s.messages.filter(([c]) => c === channel).map(([, d]) => d)).toString();
const has = (s: Session, channel: number) => s.messages.some(([c]) => c === channel);

/** Run a command to its end. */
async function run(path: string, protocols: string | undefined, stdin?: string): Promise<Session> {
  const s = await open(path, protocols);
  if (stdin !== undefined) s.send(0, stdin);
  await s.closed;
  return s;
}

describe("the subprotocol a handshake settles on", () => {
  it("v5 whenever offered (kube-apiserver's translator); otherwise the client's first offer the kubelet supports; nothing offered is the binary pre-v4 protocol", () => {
    expect(negotiateProtocol(["v4.channel.k8s.io", "v5.channel.k8s.io"], EXEC_PROTOCOLS)).toBe("v5.channel.k8s.io");
    expect(negotiateProtocol(["base64.channel.k8s.io", "v4.channel.k8s.io"], EXEC_PROTOCOLS)).toBe("base64.channel.k8s.io");
    expect(negotiateProtocol(["x.example.com", "channel.k8s.io"], EXEC_PROTOCOLS)).toBe("channel.k8s.io");
    expect(negotiateProtocol([], EXEC_PROTOCOLS)).toBe("");
    expect(negotiateProtocol(["x.example.com"], EXEC_PROTOCOLS)).toBeUndefined();
    // Port-forward: v4 and v4.base64 and none, not the pre-v4 channel.k8s.io.
    expect(negotiateProtocol(["channel.k8s.io"], PORT_FORWARD_PROTOCOLS)).toBeUndefined();
    expect(negotiateProtocol(["v4.base64.channel.k8s.io"], PORT_FORWARD_PROTOCOLS)).toBe("v4.base64.channel.k8s.io");
    expect(negotiateProtocol([], PORT_FORWARD_PROTOCOLS)).toBe("");
  });

  it("v5 from 1.30, where kube-apiserver translates it by default; before, only the kubelet's protocols", () => {
    expect(execProtocols("1.30")).toContain("v5.channel.k8s.io");
    expect(execProtocols("1.29")).not.toContain("v5.channel.k8s.io");
    expect(negotiateProtocol(["v5.channel.k8s.io", "v4.channel.k8s.io"], execProtocols("1.28"))).toBe("v4.channel.k8s.io");
    expect(negotiateProtocol(["v5.channel.k8s.io"], execProtocols("1.29"))).toBeUndefined();
  });

  it("the error channel: JSON for v4 and v5, the failure's message alone for the older protocols (v1WriteStatusFunc)", () => {
    const failed = execStatus(["sh", "-c", "exit 3"], 3);
    expect(errorChannelMessage("v4.channel.k8s.io", failed)).toBe(JSON.stringify(failed));
    expect(errorChannelMessage("v5.channel.k8s.io", execStatus(["true"], 0))).toBe('{"metadata":{},"status":"Success"}');
    for (const p of ["channel.k8s.io", "base64.channel.k8s.io", ""]) {
      expect(errorChannelMessage(p, failed)).toBe("command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3");
      expect(errorChannelMessage(p, execStatus(["true"], 0))).toBeUndefined();
    }
  });
});

describe("exec over the pre-v4 protocols", () => {
  it("channel.k8s.io: binary channels, stdin ends when the client goes quiet, nothing on the error channel on success", async () => {
    const s = await run(`${cmd("cat")}&stdin=true`, "channel.k8s.io", "piped in\n");
    expect(s.protocol).toBe("channel.k8s.io");
    expect(text(s, 1)).toBe("piped in\n");
    expect(has(s, 3)).toBe(false);
    expect(s.frames.every(([op]) => op === 2 || op === 8)).toBe(true);
  });

  it("channel.k8s.io: a failing command's error channel carries the Status's message as text, not JSON", async () => {
    const s = await run(cmd("sh", "-c", "echo out; exit 3"), "channel.k8s.io");
    expect(text(s, 1)).toBe("out\n");
    expect(text(s, 3)).toBe("command terminated with non-zero exit code: error executing command [sh -c echo out; exit 3], exit code 3");
    const handled = await run(cmd("fail"), "channel.k8s.io");
    expect(text(handled, 2)).toBe("boom\n");
    expect(text(handled, 3)).toBe("command terminated with non-zero exit code: error executing command [fail], exit code 7");
  });

  it("base64.channel.k8s.io: text messages of the channel's digit and base64 data, both ways; the message text on failure", async () => {
    const s = await run(`${cmd("sh", "-c", "cat; exit 2")}&stdin=true`, "base64.channel.k8s.io", "héllo\n");
    expect(s.protocol).toBe("base64.channel.k8s.io");
    expect(s.frames.filter(([op]) => op !== 8).every(([op]) => op === 1)).toBe(true);
    expect(text(s, 1)).toBe("héllo\n");
    expect(text(s, 3)).toBe("command terminated with non-zero exit code: error executing command [sh -c cat; exit 2], exit code 2");
    const ok = await run(cmd("true"), "base64.channel.k8s.io");
    expect(has(ok, 3)).toBe(false);
  });

  it("no subprotocol offered: the kubelet's binary default, answered with an empty Sec-WebSocket-Protocol (Go's websocket server)", async () => {
    const s = await run(cmd("echo", "plain"), undefined);
    expect(s.status).toBe(101);
    expect(s.protocol).toBe("");
    expect(text(s, 1)).toBe("plain\n");
    expect(has(s, 3)).toBe(false);
    const failed = await run(cmd("false"), undefined);
    expect(text(failed, 3)).toBe("command terminated with non-zero exit code: error executing command [false], exit code 1");
  });

  it("a resize message (channel 4) is accepted by every version and the session goes on", async () => {
    for (const protocol of ["channel.k8s.io", "v4.channel.k8s.io"]) {
      const s = await open(`${cmd("cat")}&stdin=true&tty=true`, protocol);
      s.send(4, JSON.stringify({ Width: 80, Height: 24 }));
      s.send(0, "after resize\n");
      await s.closed;
      expect(text(s, 1)).toBe("after resize\n");
    }
  });

  it("the close signal (255) is v5's: to a v4 or older session it names no channel and is dropped", async () => {
    // With v5, [255, 0] ends stdin at once: the command runs on what was sent.
    const v5 = await open(`${cmd("cat")}&stdin=true`, "v5.channel.k8s.io");
    v5.send(0, "a");
    v5.send(255, Buffer.from([0]));
    await v5.closed;
    expect(text(v5, 1)).toBe("a");
    // With channel.k8s.io the same bytes are no close: stdin sent after them still counts.
    const v1 = await open(`${cmd("cat")}&stdin=true`, "channel.k8s.io");
    v1.send(0, "a");
    v1.send(255, Buffer.from([0]));
    v1.send(0, "b");
    await v1.closed;
    expect(text(v1, 1)).toBe("ab");
  });

  it("a base64 message whose data does not decode is dropped and the session reads on (wsstream)", async () => {
    const s = await open(`${cmd("cat")}&stdin=true`, "v4.base64.channel.k8s.io");
    s.send(0, "one ");
    // Channel '0', data that is not base64: dropped.
    s.sendRaw(1, Buffer.from("0***"));
    s.send(0, "two\n");
    await s.closed;
    expect(text(s, 1)).toBe("one two\n");
  });

  it("attach speaks the same protocols", async () => {
    const s = await run("/api/v1/namespaces/default/pods/box/attach?container=app&stdin=true&stdout=true", "base64.channel.k8s.io", "to the process\n");
    expect(s.protocol).toBe("base64.channel.k8s.io");
    expect(text(s, 1)).toBe("to the process\n");
    expect(has(s, 3)).toBe(false);
  });

  it("every protocol opens with an empty message on the lowest channel the client reads; channels it did not ask for carry nothing", async () => {
    for (const protocol of ["v5.channel.k8s.io", "v4.channel.k8s.io", "channel.k8s.io", "base64.channel.k8s.io"]) {
      const both = await run(cmd("fail"), protocol);
      expect(both.messages[0]).toEqual([1, Buffer.alloc(0)]);
      expect(text(both, 2)).toBe("boom\n");
      // Only stderr asked for: the opening message is on stderr, and stdout is an ignored channel.
      const errOnly = await run(`/api/v1/namespaces/default/pods/box/exec?container=app&stderr=true&command=sh&command=-c&command=${encodeURIComponent("echo out; nosuchtool")}`, protocol);
      expect(errOnly.messages[0]).toEqual([2, Buffer.alloc(0)]);
      expect(has(errOnly, 1)).toBe(false);
      expect(text(errOnly, 2)).toBe("sh: nosuchtool: not found\n");
      // Neither: the error channel opens, and carries the status as the protocol writes it.
      const none = await run("/api/v1/namespaces/default/pods/box/exec?container=app&command=true", protocol);
      expect(none.messages[0]).toEqual([3, Buffer.alloc(0)]);
      expect(none.messages.filter(([c]) => c !== 3)).toEqual([]);
    }
  });

  it("with a TTY stderr is no channel of its own: the command's errors reach the terminal (stdout)", async () => {
    const s = await run(`${cmd("fail")}&tty=true`, "v4.channel.k8s.io");
    expect(has(s, 2)).toBe(false);
    expect(text(s, 1)).toBe("boom\n");
  });

  it("a protocol nobody speaks is refused as Go's websocket server refuses it: 403 Forbidden, no body", async () => {
    const s = await open(cmd("true"), "v9.channel.k8s.io");
    expect(s.status).toBe(403);
    expect(s.body).toBe("");
  });
});

describe("exec against a 1.29 server", () => {
  let old: TestServer;
  beforeAll(async () => {
    old = await startTestServer({ kubernetesVersion: "1.29" });
    const oldApi = client(old);
    expect((await oldApi.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "box" }, spec: { containers: [{ name: "app", image: "busybox" }] } })).status).toBe(201);
    await oldApi.close();
    await old.settle();
  });
  afterAll(async () => {
    await old?.close();
  });

  it("v5 alone is refused (a client then falls back to SPDY); offered with v4, v4 is spoken", async () => {
    const saved = server;
    server = old;
    try {
      expect((await open(cmd("true"), "v5.channel.k8s.io")).status).toBe(403);
      const s = await run(cmd("echo", "hi"), "v5.channel.k8s.io, v4.channel.k8s.io");
      expect(s.protocol).toBe("v4.channel.k8s.io");
      expect(text(s, 1)).toBe("hi\n");
      expect(JSON.parse(text(s, 3))).toEqual({ metadata: {}, status: "Success" });
    } finally {
      server = saved;
    }
  });
});

describe("port-forward over its WebSocket protocols", () => {
  const PF = "/api/v1/namespaces/default/pods/box/portforward?ports=8080";
  const port = Buffer.from([0x90, 0x1f]);

  for (const protocols of ["v4.channel.k8s.io", "v4.base64.channel.k8s.io", undefined]) {
    it(`${protocols ?? "no subprotocol"}: each channel opens with the port, data echoes on the data channel`, async () => {
      const s = await open(PF, protocols);
      expect(s.status).toBe(101);
      expect(s.protocol).toBe(protocols ?? "");
      s.send(0, "ping");
      for (let i = 0; i < 200 && text(s, 0).length < 6; i++) await new Promise((r) => setTimeout(r, 5));
      s.close();
      await s.closed;
      expect(s.messages.slice(0, 2)).toEqual([
        [0, port],
        [1, port],
      ]);
      expect(text(s, 0)).toBe(`${port.toString()}ping`);
      if (protocols?.includes("base64")) expect(s.frames.filter(([op]) => op !== 8).every(([op]) => op === 1)).toBe(true);
    });
  }

  it("channel.k8s.io is not a port-forward protocol", async () => {
    const s = await open(PF, "channel.k8s.io");
    expect(s.status).toBe(403);
  });
});
