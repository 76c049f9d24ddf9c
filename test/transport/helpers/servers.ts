/**
 * Small HTTP/HTTPS servers for the transport and config tests: they record every request (with the
 * time it arrived and the client certificate presented) and answer through a handler.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import type { TLSSocket } from "node:tls";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  rawHeaders: string[];
  body: string;
  /** performance.now() when the request arrived. */
  at: number;
  /** Subject CN of the client certificate, if one was presented. */
  clientCN?: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface TestServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Change the handler. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export interface ServerOptions {
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  host?: string;
}

export async function startServer(handler: Handler, options: ServerOptions = {}): Promise<TestServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const onRequest = (raw: IncomingMessage, res: ServerResponse) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", () => {
      const rec: RecordedRequest = { method: raw.method ?? "", url: raw.url ?? "", headers: raw.headers, rawHeaders: raw.rawHeaders, body: Buffer.concat(chunks).toString("utf8"), at };
      const peer = (raw.socket as TLSSocket).getPeerCertificate?.();
      if (peer && peer.subject) rec.clientCN = peer.subject.CN as string;
      requests.push(rec);
      Promise.resolve(current(rec, res, raw)).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, ...(options.tls.ca ? { ca: options.tls.ca } : {}), requestCert: options.tls.requestCert ?? false, rejectUnauthorized: false }, onRequest)
    : createHttpServer(onRequest);
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("secureConnection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `${options.tls ? "https" : "http"}://${shownHost}:${port}`,
    port,
    requests,
    handle(h) {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answer JSON. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** A Kubernetes `Status` error body. */
export function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

export interface TestProxy {
  url: string;
  /** `host:port` targets of CONNECT requests, and absolute URLs of plain proxied requests. */
  seen: string[];
  /** `Proxy-Authorization` values received. */
  auth: string[];
  close(): Promise<void>;
}

/**
 * A forward proxy: CONNECT tunnels and absolute-form HTTP requests. `resolve` maps a requested
 * host to the address actually dialled (so tests can use names that do not resolve).
 */
export async function startProxy(resolve: (host: string) => string = (h) => h, tls?: { cert: string; key: string }): Promise<TestProxy> {
  const seen: string[] = [];
  const auth: string[] = [];
  const sockets = new Set<Socket>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? "");
    if (req.headers["proxy-authorization"]) auth.push(req.headers["proxy-authorization"]);
    const target = new URL(req.url ?? "");
    const upstream = netConnect(Number(target.port || 80), resolve(target.hostname), () => {
      const head = [`${req.method} ${target.pathname}${target.search} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (/^proxy-/i.test(req.rawHeaders[i]!) || /^connection$/i.test(req.rawHeaders[i]!)) continue;
        head.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      head.push("connection: close");
      upstream.write(`${head.join("\r\n")}\r\n\r\n`);
      req.pipe(upstream);
      upstream.pipe(res.socket!);
    });
    upstream.on("error", () => res.destroy());
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(req.url ?? "");
    if (req.headers["proxy-authorization"]) auth.push(req.headers["proxy-authorization"]);
    const [host, port] = splitHostPort(req.url ?? "");
    const upstream = netConnect(Number(port), resolve(host), () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    sockets.add(client);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  server.on("connection", (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    seen,
    auth,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function splitHostPort(hp: string): [string, string] {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(hp) ?? /^([^:]+):(\d+)$/.exec(hp);
  return m ? [m[1]!, m[2]!] : [hp, "443"];
}

/** Collects transports so a suite can close them all at the end. */
export function transportTracker<T extends { close(): Promise<void> }>(): { track(t: T): T; closeAll(): Promise<void> } {
  const open: T[] = [];
  return {
    track: (t) => (open.push(t), t),
    closeAll: async () => {
      await Promise.all(open.map((t) => t.close()));
    },
  };
}

/** A SOCKS5 proxy (no authentication, CONNECT only) recording the `host:port` targets it dialled. */
export async function startSocksProxy(): Promise<TestProxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((client) => {
    sockets.add(client);
    client.on("error", () => undefined);
    client.once("data", (greeting: Buffer) => {
      if (greeting[0] !== 5) return client.destroy();
      client.write(Buffer.from([5, 0])); // version 5, no authentication
      client.once("data", (req: Buffer) => {
        let host: string;
        let offset: number;
        if (req[3] === 1) {
          host = [...req.subarray(4, 8)].join(".");
          offset = 8;
        } else if (req[3] === 3) {
          const len = req[4]!;
          host = req.subarray(5, 5 + len).toString();
          offset = 5 + len;
        } else return client.destroy();
        const port = req.readUInt16BE(offset);
        seen.push(`${host}:${port}`);
        const upstream = netConnect(port, host, () => {
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
          upstream.pipe(client);
          client.pipe(upstream);
        });
        sockets.add(upstream);
        upstream.on("error", () => client.destroy());
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `socks5://127.0.0.1:${port}`,
    seen,
    auth: [],
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
