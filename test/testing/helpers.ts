/**
 * A tiny HTTP client for the local API server's tests: requests with the admin token over the
 * server's TLS, watch streams read line by line, and a WebSocket exec client.
 */
import { randomBytes } from "node:crypto";
import * as https from "node:https";
import * as http from "node:http";
import type { Duplex } from "node:stream";
import { Agent, request } from "undici";
import type { TestServer } from "../../src/testing/index.js";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface Client {
  req(method: string, path: string, options?: { body?: unknown; contentType?: string; accept?: string; token?: string | null; headers?: Record<string, string> }): Promise<Reply>;
  get(path: string, accept?: string): Promise<Reply>;
  post(path: string, body: unknown): Promise<Reply>;
  put(path: string, body: unknown): Promise<Reply>;
  patch(path: string, body: unknown, type: "json" | "merge" | "strategic" | "apply"): Promise<Reply>;
  del(path: string, body?: unknown): Promise<Reply>;
  watch(path: string): Promise<WatchStream>;
  close(): Promise<void>;
}

export interface WatchStream {
  status: number;
  /** The next event (waits up to `timeoutMs`). */
  next(timeoutMs?: number): Promise<any>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

export function tokenOf(server: TestServer): string {
  return server.kubeconfig.users[0]!.user.token!;
}

export function client(server: TestServer, token: string | null = tokenOf(server)): Client {
  const dispatcher = new Agent({ connect: { ca: server.caCertificate, rejectUnauthorized: !!server.caCertificate }, pipelining: 0 });
  const req: Client["req"] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { accept: options.accept ?? "application/json", ...options.headers };
    const tok = options.token === undefined ? token : options.token;
    if (tok) headers.authorization = `Bearer ${tok}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["content-type"] = options.contentType ?? "application/json";
    }
    const res = await request(`${server.url}${path}`, { method: method as "GET", headers, body, dispatcher });
    const text = await res.body.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers as Reply["headers"], text, json };
  };
  return {
    req,
    get: (path, accept) => req("GET", path, accept ? { accept } : {}),
    post: (path, body) => req("POST", path, { body }),
    put: (path, body) => req("PUT", path, { body }),
    patch: (path, body, type) => req("PATCH", path, { body, contentType: PATCH_TYPES[type] }),
    del: (path, body) => req("DELETE", path, body === undefined ? {} : { body }),
    async watch(path) {
      const headers: Record<string, string> = { accept: "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await request(`${server.url}${path}`, { method: "GET", headers, dispatcher, bodyTimeout: 0 });
      const queue: any[] = [];
      const waiters: Array<(v: any) => void> = [];
      let buffer = "";
      let endResolve!: () => void;
      const ended = new Promise<void>((r) => (endResolve = r));
      res.body.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line);
          const w = waiters.shift();
          if (w) w(ev);
          else queue.push(ev);
        }
      });
      res.body.on("end", () => endResolve());
      res.body.on("error", () => endResolve());
      return {
        status: res.statusCode,
        ended,
        next(timeoutMs = 5000) {
          const queued = queue.shift();
          if (queued !== undefined) return Promise.resolve(queued);
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no watch event within ${timeoutMs} ms`)), timeoutMs);
            waiters.push((v) => {
              clearTimeout(timer);
              resolve(v);
            });
          });
        },
        close() {
          res.body.destroy();
        },
      };
    },
    close: () => dispatcher.close(),
  };
}

/** A client's WebSocket frame (masked, as RFC 6455 requires of clients), payloads under 64 KiB. */
export function wsClientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, 0x80 | payload.length]) : Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, mask, masked]);
}

/** A reader of a server's WebSocket frames (unmasked, under 64 KiB): feed it socket data; it calls `onFrame` per whole frame. */
export function wsFrameReader(onFrame: (opcode: number, payload: Buffer) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      }
      if (buf.length < off + len) return;
      const opcode = buf[0]! & 0x0f;
      const payload = Buffer.from(buf.subarray(off, off + len));
      buf = buf.subarray(off + len);
      onFrame(opcode, payload);
    }
  };
}

/** Run a command through pods/exec over WebSocket; returns the data per channel. */
export function execWs(
  server: TestServer,
  path: string,
  options: { protocol?: string; stdin?: string; token?: string } = {},
): Promise<{ status: number; protocol?: string; channels: Record<number, string>; body?: string }> {
  const url = new URL(`${server.url}${path}`);
  const key = randomBytes(16).toString("base64");
  const mod = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: "GET",
      ca: server.caCertificate,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Protocol": options.protocol ?? "v5.channel.k8s.io",
        Authorization: `Bearer ${options.token ?? tokenOf(server)}`,
      },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, channels: {}, body }));
    });
    req.on("upgrade", (res, socket: Duplex) => {
      const channels: Record<number, string> = {};
      // Base64 protocols send text messages: the channel's digit, then the data in base64.
      const base64 = String(res.headers["sec-websocket-protocol"] ?? "").includes("base64");
      const send = (raw: Buffer) =>
        socket.write(base64 ? wsClientFrame(1, Buffer.from(`${String.fromCharCode(48 + raw[0]!)}${raw.subarray(1).toString("base64")}`)) : wsClientFrame(2, raw));
      if (options.stdin !== undefined) {
        send(Buffer.concat([Buffer.from([0]), Buffer.from(options.stdin)]));
        if ((options.protocol ?? "v5.channel.k8s.io") === "v5.channel.k8s.io") send(Buffer.from([255, 0]));
      }
      socket.on(
        "data",
        wsFrameReader((opcode, payload) => {
          if (opcode === 2 && payload.length) channels[payload[0]!] = (channels[payload[0]!] ?? "") + payload.subarray(1).toString();
          if (opcode === 1 && payload.length && base64) {
            const channel = payload[0]! - 48;
            channels[channel] = (channels[channel] ?? "") + Buffer.from(payload.subarray(1).toString(), "base64").toString();
          }
        }),
      );
      socket.on("close", () => resolve({ status: res.statusCode ?? 101, protocol: String(res.headers["sec-websocket-protocol"]), channels }));
      socket.on("end", () => socket.destroy());
    });
    req.on("error", reject);
    req.end();
  });
}

export const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

export const configMap = (name: string, data: Record<string, string> = { a: "1" }, labels?: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

export const deployment = (name: string, replicas = 1) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image: "nginx:1.25" }] } },
  },
});

export const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { containers: [{ name: "main", image: "busybox" }], ...extra },
});

/**
 * The conversion webhook of the tests' two-version CRD: v1 `spec.hostPort` ⇄ v2 `spec.host` and
 * `spec.port`.
 */
export function convertHostPort(obj: Record<string, any>, desired: string): Record<string, any> {
  const out: Record<string, any> = { ...obj, apiVersion: desired, spec: { ...obj.spec } };
  if (desired.endsWith("/v2") && typeof obj.spec?.hostPort === "string") {
    const [host, port] = obj.spec.hostPort.split(":");
    delete out.spec.hostPort;
    out.spec.host = host;
    out.spec.port = Number(port);
  } else if (desired.endsWith("/v1") && obj.spec?.host !== undefined) {
    out.spec = { hostPort: `${obj.spec.host}:${obj.spec.port}` };
  }
  return out;
}

/** The answer of a test admission webhook that allows a request, with a JSON Patch when given. */
export function allowedReview(uid: string, patch?: unknown[]): string {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: { uid, allowed: true, ...(patch ? { patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") } : {}) },
  });
}

/** Polls `read` until it returns something (controllers act on their own timers), for up to ten seconds. */
export async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("timed out");
}
