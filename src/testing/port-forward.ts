/**
 * `pods/portforward` as clients speak it: the SPDY/3.1 upgrade of kubectl up to 1.30 (and of 1.31+
 * when WebSockets fail), the SPDY-over-WebSocket tunnel of kubectl 1.31+
 * (`SPDY/3.1+portforward.k8s.io`), and the `v4.channel.k8s.io` channel protocol. Each forwarded
 * connection goes to a target the test names; every port echoes by default.
 */
import * as net from "node:net";
import type * as http from "node:http";
import { Duplex } from "node:stream";
import {
  acceptWebSocket,
  echoPortForward,
  webSocketRefusal,
  PORT_FORWARD_PROTOCOLS,
  readWebSocketFrames,
  runPortForwardSession,
  webSocketFrame,
  writeBounded,
  type PortForwardHandler,
  type PortForwardRequest,
} from "./exec.js";
import { isSpdyUpgrade, spdyHandshake, SpdyServerConnection, type SpdyStream } from "./spdy.js";
import { badRequest, statusError } from "./status.js";

/** The protocol of port-forward streams (`X-Stream-Protocol-Version`). */
export const PORT_FORWARD_STREAM_PROTOCOL = "portforward.k8s.io";
/** The WebSocket subprotocol of SPDY tunnelled through a WebSocket (kubectl 1.31+). */
export const PORT_FORWARD_TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io";

/**
 * Where one pod port goes: a handler, or a TCP address to connect to.
 *
 * @example
 * const target: PortForwardTarget = { host: "127.0.0.1", port: 5432 };
 */
export type PortForwardTarget = PortForwardHandler | { host: string; port: number };

/**
 * The `portForward` option: one handler for every port, or the targets of some pod ports (a
 * port not named refuses connections, as a port nothing listens on does).
 *
 * @example
 * await startTestServer({ portForward: { 8080: { host: "127.0.0.1", port: 3000 }, 9090: echoPortForward } });
 */
export type PortForwardOption = PortForwardHandler | Record<number, PortForwardTarget>;

/** A stream that fails as a refused connection does. */
function refused(port: number): Duplex {
  const d = new Duplex({ read() {}, write(_c, _e, done) { done(); } });
  process.nextTick(() => d.destroy(new Error(`dial tcp4 127.0.0.1:${port}: connect: connection refused`)));
  return d;
}

/**
 * The handler an option stands for.
 *
 * @example
 * const handler = portForwardHandler({ 8080: { host: "127.0.0.1", port: 3000 } });
 */
export function portForwardHandler(option: PortForwardOption | undefined): PortForwardHandler {
  if (option === undefined) return echoPortForward;
  if (typeof option === "function") return option;
  return (request) => {
    const target = option[request.port];
    if (target === undefined) return refused(request.port);
    if (typeof target === "function") return target(request);
    return net.connect({ host: target.host, port: target.port });
  };
}

/** The pod a session forwards to. */
export interface PortForwardPod {
  namespace: string;
  pod: string;
  uid: string;
}

function headerValues(req: http.IncomingMessage, name: string): string[] {
  const v = req.headers[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
}

/**
 * Answer a `pods/portforward` upgrade on its socket; returns the status sent (101 when a session
 * started). Throws the apiserver's errors for bad requests.
 */
export function servePortForward(req: http.IncomingMessage, socket: Duplex, query: URLSearchParams, pod: PortForwardPod, handler: PortForwardHandler): number {
  if (isSpdyUpgrade(req.headers)) {
    const shake = spdyHandshake(req.headers, [PORT_FORWARD_STREAM_PROTOCOL]);
    if ("status" in shake) throw statusError(shake.status, shake.status === 403 ? "Forbidden" : "BadRequest", shake.message);
    socket.write(shake.response);
    const conn = spdyPortForward({ write: (b) => writeBounded(socket, b), close: () => socket.end() }, pod, handler);
    socket.on("data", (chunk: Buffer) => conn.receive(chunk));
    socket.on("end", () => conn.close());
    socket.on("close", () => conn.abort());
    return 101;
  }
  const offered = headerValues(req, "sec-websocket-protocol");
  if (offered.includes(PORT_FORWARD_TUNNEL_PROTOCOL)) {
    const protocol = acceptWebSocket(socket, req.headers["sec-websocket-key"], PORT_FORWARD_TUNNEL_PROTOCOL, [PORT_FORWARD_TUNNEL_PROTOCOL]);
    if (!protocol) return 400;
    // The tunnel carries the SPDY byte stream in binary messages, both ways.
    const conn = spdyPortForward(
      {
        write: (b) => writeBounded(socket, webSocketFrame(2, b)),
        close: () => socket.writable && socket.end(webSocketFrame(8, Buffer.from([0x03, 0xe8]))),
      },
      pod,
      handler,
    );
    readWebSocketFrames(socket, (payload) => conn.receive(payload), () => conn.close());
    socket.on("close", () => conn.abort());
    return 101;
  }
  const ports = query.getAll("ports").flatMap((p) => p.split(",")).map((p) => Number(p.trim()));
  if (!ports.length) throw badRequest("at least 1 port must be specified");
  const bad = ports.find((p) => !Number.isInteger(p) || p < 1 || p > 65535);
  if (bad !== undefined) throw badRequest(`invalid port ${String(bad)}`);
  const asked = req.headers["sec-websocket-protocol"] as string | undefined;
  const protocol = acceptWebSocket(socket, req.headers["sec-websocket-key"], asked, PORT_FORWARD_PROTOCOLS);
  if (protocol === undefined) return webSocketRefusal(req.headers["sec-websocket-key"], asked, PORT_FORWARD_PROTOCOLS) ?? 400;
  runPortForwardSession(socket, pod.namespace, pod.pod, ports, handler, pod.uid, protocol);
  return 101;
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
}

/**
 * Port-forward on a SPDY connection, as the kubelet serves it: the client opens an `error` and a
 * `data` stream per forwarded connection (paired by `requestID`, the pod port in `port`); the data
 * stream is joined to the target, and a failure is written to the error stream. Both streams are
 * closed when the target is done.
 */
export function spdyPortForward(transport: { write(b: Buffer): unknown; close(): void }, pod: PortForwardPod, handler: PortForwardHandler): SpdyServerConnection {
  const pairs = new Map<string, Pair>();
  const conn = new SpdyServerConnection(
    { write: (b) => void transport.write(b), close: () => transport.close() },
    (stream) => {
      stream.on("error", () => undefined);
      const type = stream.header("streamtype");
      if (type !== "data" && type !== "error") return stream.reset();
      // Clients older than the requestID header: the error stream's id is the data stream's id - 2.
      const requestID = stream.header("requestid") ?? String(type === "error" ? stream.id : stream.id - 2);
      const pair = pairs.get(requestID) ?? {};
      if (pair[type]) return stream.reset();
      pair[type] = stream;
      pairs.set(requestID, pair);
      if (pair.data && pair.error) {
        pairs.delete(requestID);
        forward(pair.data, pair.error, pod, handler);
      }
    },
  );
  return conn;
}

function forward(data: SpdyStream, errors: SpdyStream, pod: PortForwardPod, handler: PortForwardHandler): void {
  const port = Number(data.header("port"));
  let done = false;
  const finish = (message?: string) => {
    if (done) return;
    done = true;
    if (message) errors.write(message);
    errors.end();
    data.end();
  };
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return finish(`error forwarding port ${data.header("port") ?? ""} to pod ${pod.pod}_${pod.namespace}, uid ${pod.uid}: invalid port`);
  }
  let target: Duplex;
  try {
    target = handler({ namespace: pod.namespace, pod: pod.pod, port } satisfies PortForwardRequest);
  } catch (e) {
    return finish(`error forwarding port ${port} to pod ${pod.pod}_${pod.namespace}, uid ${pod.uid}: ${(e as Error).message}`);
  }
  target.on("error", (e: Error) => finish(`error forwarding port ${port} to pod ${pod.pod}_${pod.namespace}, uid ${pod.uid}: ${e.message}`));
  target.on("end", () => finish());
  target.on("close", () => finish());
  target.on("data", (chunk: Buffer) => {
    if (!done) data.write(chunk);
  });
  data.on("data", (chunk: Buffer) => {
    if (!target.destroyed) target.write(chunk);
  });
  data.on("end", () => {
    if (!target.destroyed) target.end();
  });
  data.on("close", () => {
    if (!done) target.destroy();
  });
}

/**
 * Targets from `kubezod serve --port-forward POD_PORT=HOST:PORT` flags (`POD_PORT=echo` echoes);
 * an error message for a malformed flag.
 *
 * @example
 * parsePortForwardFlags(["5432=127.0.0.1:5432", "8080=echo"]);
 */
export function parsePortForwardFlags(flags: string[]): Record<number, PortForwardTarget> | string {
  const targets: Record<number, PortForwardTarget> = {};
  for (const flag of flags) {
    const m = /^(\d+)=(?:(echo)|(.+):(\d+))$/.exec(flag);
    const podPort = Number(m?.[1]);
    const port = Number(m?.[4]);
    if (!m || podPort < 1 || podPort > 65535 || (!m[2] && (port < 1 || port > 65535))) {
      return `--port-forward takes POD_PORT=HOST:PORT or POD_PORT=echo, got ${JSON.stringify(flag)}`;
    }
    targets[podPort] = m[2] ? echoPortForward : { host: m[3]!.replace(/^\[(.*)\]$/, "$1"), port };
  }
  return targets;
}
