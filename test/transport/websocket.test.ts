import { createHash } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTransport, defineCluster } from "../../src/index.js";
import { clientCertificate } from "../../src/config/public.js";
import { hasOpenssl, needsOpenssl, testCerts } from "./helpers/certs.js";

interface Upgrade {
  url: string;
  headers: IncomingMessage["headers"];
  rawHeaders: string[];
  clientCN: string | undefined;
}

describe("WebSockets" + needsOpenssl, () => {
  let server: Server;
  let url: string;
  const upgrades: Upgrade[] = [];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    if (!hasOpenssl) return;
    const certs = testCerts();
    server = createServer({ cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true, rejectUnauthorized: false });
    // Just enough of RFC 6455 to accept one connection and send one binary frame on channel 1 (stdout).
    server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
      sockets.add(socket);
      const peer = (socket as TLSSocket).getPeerCertificate();
      upgrades.push({ url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders, clientCN: peer?.subject?.CN as string | undefined });
      const accept = createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      const offered = String(req.headers["sec-websocket-protocol"] ?? "").split(/,\s*/);
      const chosen = offered.includes("v5.channel.k8s.io") ? "v5.channel.k8s.io" : offered[0];
      socket.write(["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Accept: ${accept}`, `Sec-WebSocket-Protocol: ${chosen}`, "", ""].join("\r\n"));
      const payload = Buffer.concat([Buffer.from([1]), Buffer.from("hello from the pod\n")]);
      socket.write(Buffer.concat([Buffer.from([0x82, payload.length]), payload]));
      socket.on("data", () => undefined);
      socket.on("error", () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it.runIf(hasOpenssl)("opens a WebSocket with the cluster's TLS, credentials, impersonation and subprotocols", async () => {
    const certs = testCerts();
    const transport = createTransport(
      defineCluster({ server: url, ca: certs.ca, credentials: clientCertificate({ cert: certs.clientCert, key: certs.clientKey }), impersonate: { user: "jane", groups: ["devs", "qa, ops"], extra: { scopes: ["view", "edit"] } } }),
    );
    const ws = await transport.webSocket("/api/v1/namespaces/web/pods/api/exec", {
      protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"],
      query: { command: ["sh", "-c", "echo hello"], stdout: true, stderr: true },
    });
    ws.binaryType = "arraybuffer";
    const message = await new Promise<Uint8Array>((resolve, reject) => {
      ws.addEventListener("message", (e) => resolve(new Uint8Array(e.data as ArrayBuffer)));
      ws.addEventListener("error", () => reject(new Error("websocket error")));
    });
    expect(ws.protocol).toBe("v5.channel.k8s.io");
    expect(message[0]).toBe(1);
    expect(Buffer.from(message.subarray(1)).toString()).toBe("hello from the pod\n");
    const up = upgrades.at(-1)!;
    expect(up.url).toBe("/api/v1/namespaces/web/pods/api/exec?command=sh&command=-c&command=echo+hello&stdout=true&stderr=true");
    expect(up.clientCN).toBe("alice");
    expect(up.headers["impersonate-user"]).toBe("jane");
    // one header line per group, as the API server reads them (a comma inside a group survives)
    const lines = (name: string) => up.rawHeaders.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [up.rawHeaders[i + 1]] : []));
    expect(lines("impersonate-group")).toEqual(["devs", "qa, ops"]);
    expect(lines("impersonate-extra-scopes")).toEqual(["view", "edit"]);
    expect(Object.keys(up.headers).filter((h) => h.startsWith("x-kubezod"))).toEqual([]);
    ws.close();
    await transport.close();
  });

  it.runIf(hasOpenssl)("sends the bearer token on the upgrade request", async () => {
    const transport = createTransport(defineCluster({ server: url, ca: testCerts().ca, token: "ws-token" }));
    const ws = await transport.webSocket("/api/v1/namespaces/web/pods/api/attach", { protocols: "v4.channel.k8s.io" });
    await new Promise((resolve) => ws.addEventListener("open", resolve));
    expect(upgrades.at(-1)!.headers.authorization).toBe("Bearer ws-token");
    ws.close();
    await transport.close();
  });
});
