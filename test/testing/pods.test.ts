/**
 * Pods users script: logs as the kubelet serves them, exec with built-in commands on the
 * container's files and handlers by command name, the ephemeralcontainers subresource.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { readTar, writeTar } from "../../src/testing/tar.js";
import { client, execWs, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({
    kubernetesVersion: "1.32",
    exec: { date: () => ({ stdout: "Thu Jan  1 00:00:00 UTC 2026\n" }) },
    controllers: {
      pods: (pod) =>
        pod.metadata.name === "chatty"
          ? { logs: { app: "one\ntwo\nthree\n", side: "side line\n" }, restartCount: 1, previousLogs: "before the restart\n", files: { "/etc/app.conf": "mode=fast\n" } }
          : pod.metadata.name === "waiting"
            ? { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } }
            : undefined,
    },
  });
  api = client(server);
  const pod = (name: string, containers: string[]) => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: containers.map((c) => ({ name: c, image: "busybox" })) } });
  await api.post("/api/v1/namespaces/default/pods", pod("chatty", ["app", "side"]));
  await api.post("/api/v1/namespaces/default/pods", pod("waiting", ["app"]));
  await server.settle();
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const exec = (pod: string, command: string[], stdin?: string) =>
  execWs(server, `/api/v1/namespaces/default/pods/${pod}/exec?container=app&${command.map((c) => `command=${encodeURIComponent(c)}`).join("&")}&stdout=true&stderr=true${stdin !== undefined ? "&stdin=true" : ""}`, stdin !== undefined ? { stdin } : {});

describe("logs", () => {
  it("serves each container's log, tailLines, and the previous instance's", async () => {
    expect((await api.get("/api/v1/namespaces/default/pods/chatty/log?container=app")).text).toBe("one\ntwo\nthree\n");
    expect((await api.get("/api/v1/namespaces/default/pods/chatty/log?container=side")).text).toBe("side line\n");
    expect((await api.get("/api/v1/namespaces/default/pods/chatty/log?container=app&tailLines=1")).text).toBe("three\n");
    expect((await api.get("/api/v1/namespaces/default/pods/chatty/log?container=app&previous=true")).text).toBe("before the restart\n");
  });

  it("answers as the kubelet for containers without a log to read", async () => {
    const waiting = await api.get("/api/v1/namespaces/default/pods/waiting/log");
    expect(waiting.status).toBe(400);
    expect(waiting.json.message).toBe('container "app" in pod "waiting" is waiting to start: ImagePullBackOff');
    const noPrevious = await api.get("/api/v1/namespaces/default/pods/waiting/log?previous=1");
    expect(noPrevious.json.message).toBe('previous terminated container "app" in pod "waiting" not found');
    const which = await api.get("/api/v1/namespaces/default/pods/chatty/log");
    expect(which.json.message).toBe("a container name must be specified for pod chatty, choose one of: [app side]");
  });

  it("follows a log until the container exits", async () => {
    const res = fetchText("/api/v1/namespaces/default/pods/chatty/log?container=app&follow=true&tailLines=0");
    for (let i = 0; i < 200 && !server.requests.some((r) => r.subresource === "log" && r.query.follow === "true"); i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    server.appendPodLog("default", "chatty", "four\n", "app");
    server.scriptPod("default", "chatty", { exitCode: 0 });
    expect(await res).toBe("four\n");
  });
});

async function fetchText(path: string): Promise<string> {
  const { Agent, request } = await import("undici");
  const dispatcher = new Agent({ connect: { ca: server.caCertificate } });
  const res = await request(`${server.url}${path}`, { dispatcher, headers: { authorization: `Bearer ${server.kubeconfig.users[0]!.user.token!}` }, bodyTimeout: 0 });
  const text = await res.body.text();
  await dispatcher.close();
  return text;
}

describe("exec", () => {
  it("runs built-in commands on the container's files", async () => {
    expect((await exec("waiting", ["cat", "/etc/app.conf"])).channels[2]).toBe("cat: can't open '/etc/app.conf': No such file or directory\n");
    const r = await exec("chatty", ["sh", "-c", "cat /etc/app.conf && mkdir -p /srv/x && echo hi > /srv/x/f && ls /srv/x; test -d /srv/x || echo missing"]);
    expect(r.channels[1]).toBe("mode=fast\nf\n");
    const failed = await exec("chatty", ["sh", "-c", "exit 3"]);
    expect(JSON.parse(failed.channels[3]!)).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "3" }] } });
    expect((await exec("chatty", ["nosuchtool"])).channels[2]).toBe("sh: nosuchtool: not found\n");
  });

  it("speaks v4.base64.channel.k8s.io: text messages of the channel's digit and base64 data, both ways", async () => {
    const path = "/api/v1/namespaces/default/pods/chatty/exec?container=app&command=sh&command=-c&command=cat%20%3E%20%2Ftmp%2Fin%3B%20cat%20%2Ftmp%2Fin%3B%20exit%202&stdin=true&stdout=true&stderr=true";
    const r = await execWs(server, path, { protocol: "v4.base64.channel.k8s.io", stdin: "héllo\n" });
    expect(r.protocol).toBe("v4.base64.channel.k8s.io");
    expect(r.channels[1]).toBe("héllo\n");
    expect(JSON.parse(r.channels[3]!)).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "2" }] } });
    // The client's first offer the kubelet supports wins (wsstream's handshake).
    expect((await execWs(server, path, { protocol: "v4.base64.channel.k8s.io, v4.channel.k8s.io", stdin: "x" })).protocol).toBe("v4.base64.channel.k8s.io");
    expect((await execWs(server, path, { protocol: "v4.channel.k8s.io, v4.base64.channel.k8s.io", stdin: "x" })).protocol).toBe("v4.channel.k8s.io");
  });

  it("uses the test's handler for its command, also inside scripts", async () => {
    expect((await exec("chatty", ["date"])).channels[1]).toBe("Thu Jan  1 00:00:00 UTC 2026\n");
    expect((await exec("chatty", ["sh", "-c", "date | wc -l"])).channels[1]).toBe("1\n");
  });

  it("extracts and creates tar archives as kubectl cp needs", async () => {
    const archive = writeTar([
      { name: "copied", type: "dir", mode: 0o755, mtime: 0, data: Buffer.alloc(0) },
      { name: "copied/a.txt", type: "file", mode: 0o644, mtime: 0, data: Buffer.from("A\n") },
      { name: `copied/${"long-".repeat(30)}name.txt`, type: "file", mode: 0o644, mtime: 0, data: Buffer.from("L\n") },
    ]);
    const put = await execWs(server, "/api/v1/namespaces/default/pods/chatty/exec?container=app&command=tar&command=-xmf&command=-&command=-C&command=%2Ftmp&stdin=true&stdout=true&stderr=true", { stdin: archive.toString("latin1") });
    expect(put.channels[2] ?? "").toBe("");
    expect((await exec("chatty", ["cat", "/tmp/copied/a.txt"])).channels[1]).toBe("A\n");
    const listing = (await exec("chatty", ["ls", "/tmp/copied"])).channels[1];
    expect(listing).toBe(`a.txt\n${"long-".repeat(30)}name.txt\n`);
  });
});

describe("tar", () => {
  it("reads what it writes, long names included", () => {
    const entries = [
      { name: "d", type: "dir" as const, mode: 0o755, mtime: 1_000_000, data: Buffer.alloc(0) },
      { name: `d/${"x".repeat(150)}`, type: "file" as const, mode: 0o600, mtime: 1_000_000, data: Buffer.from("data") },
    ];
    expect(readTar(writeTar(entries)).map((e) => [e.name, e.type, e.mode, e.data.toString()])).toEqual([
      ["d/", "dir", 0o755, ""],
      [`d/${"x".repeat(150)}`, "file", 0o600, "data"],
    ]);
  });
});

describe("ephemeral containers", () => {
  it("adds a debug container, which the kubelet starts; existing ones cannot change", async () => {
    const added = await api.patch(
      "/api/v1/namespaces/default/pods/chatty/ephemeralcontainers",
      { spec: { ephemeralContainers: [{ name: "debugger", image: "busybox", targetContainerName: "app", stdin: true, tty: true }] } },
      "strategic",
    );
    expect(added.status).toBe(200);
    expect(added.json.spec.ephemeralContainers[0]).toMatchObject({ name: "debugger", imagePullPolicy: "Always", terminationMessagePolicy: "File" });
    await server.settle();
    const pod = (await api.get("/api/v1/namespaces/default/pods/chatty")).json;
    expect(pod.status.ephemeralContainerStatuses[0]).toMatchObject({ name: "debugger", state: { running: {} } });
    const changed = await api.patch("/api/v1/namespaces/default/pods/chatty/ephemeralcontainers", { spec: { ephemeralContainers: [{ name: "debugger", image: "alpine" }] } }, "strategic");
    expect(changed.status).toBe(422);
    const ports = await api.patch("/api/v1/namespaces/default/pods/chatty/ephemeralcontainers", { spec: { ephemeralContainers: [{ name: "d2", image: "busybox", ports: [{ containerPort: 80 }] }] } }, "strategic");
    expect(ports.status).toBe(422);
    expect(ports.json.message).toMatch(/spec\.ephemeralContainers\[\d\]\.ports: Forbidden: cannot be set for an Ephemeral Container/);
  });
});

describe("graceful deletion", () => {
  const base = "/api/v1/namespaces/default/pods";
  const at = (t: string) => Date.parse(t) / 1000;

  it("keeps a running pod for its grace period until the kubelet stops it and deletes it with period 0", async () => {
    await api.post(base, { apiVersion: "v1", kind: "Pod", metadata: { name: "graceful" }, spec: { containers: [{ name: "app", image: "busybox" }] } });
    await server.settle();
    const from = server.resourceVersion;
    const before = Math.floor(Date.now() / 1000);
    const res = await api.del(`${base}/graceful`);
    // 200 with the pod: deletionTimestamp now + terminationGracePeriodSeconds (30 by default).
    expect(res.status).toBe(200);
    expect(res.json.kind).toBe("Pod");
    expect(res.json.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(at(res.json.metadata.deletionTimestamp) - before).toBeGreaterThanOrEqual(29);
    expect(at(res.json.metadata.deletionTimestamp) - before).toBeLessThanOrEqual(31);
    await server.settle();
    expect((await api.get(`${base}/graceful`)).status).toBe(404);
    const w = await api.watch(`${base}?watch=true&resourceVersion=${from}&fieldSelector=metadata.name%3Dgraceful`);
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const e = await w.next();
      seen.push([e.type, e.object.metadata.deletionGracePeriodSeconds]);
    }
    w.close();
    expect(seen).toEqual([["MODIFIED", 30], ["MODIFIED", 0], ["DELETED", 0]]);
    const events = await api.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dgraceful,reason%3DKilling");
    expect(events.json.items.map((e: { message: string }) => e.message)).toEqual(["Stopping container app"]);
  });
});
