/**
 * exec and attach over WebSocket with Kubernetes' channel protocol (one byte of channel before each
 * payload: 0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize, 255 close in v5), and
 * port-forward (two channels per port, each opened by the port number).
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { PassThrough, Writable, type Readable } from "node:stream";
import { ConnectionError, KubeApiError, TimeoutError, UsageError, type Status } from "../errors.js";
import type { QueryParams } from "../transport/query.js";
import type { Transport } from "../transport/transport.js";

type UndiciWebSocket = Awaited<ReturnType<Transport["webSocket"]>>;
import type { ExecResult, PodExecOptions } from "./types.js";

const CHANNEL_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

function frame(channel: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = channel;
  out.set(payload, 1);
  return out;
}

/** The exit code a Status on the error channel reports (0 for Success). @example exitCodeOf({ status: "Success" }); // 0 */
export function exitCodeOf(status: Status): number {
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = cause?.message !== undefined ? Number.parseInt(cause.message, 10) : Number.NaN;
  return Number.isFinite(code) ? code : 1;
}

/** An interactive exec or attach: streams to and from the process, and how it ended. */
export interface ExecSession {
  /** Write to the process's standard input; `end()` closes it (needs `v5.channel.k8s.io`). */
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** The WebSocket subprotocol in use. */
  protocol: string;
  /** Resolves with the exit status when the session ends. */
  done: Promise<{ exitCode: number; status: Status }>;
  /** Tell a TTY its new size. */
  resize(width: number, height: number): void;
  /** End the session. */
  close(): void;
}

/** The WebSocket failed before it opened. */
class RefusedUpgrade extends Error {}

/** Why a WebSocket to a pod path was refused: the pod's typed API error, else a connection error. */
async function explainRefusal(transport: Transport, path: string, err: RefusedUpgrade, signal: AbortSignal | undefined): Promise<never> {
  // The WebSocket API hides the HTTP answer to the upgrade; ask for the pod to learn why.
  const podPath = path.slice(0, path.lastIndexOf("/"));
  const res = await transport.request({ path: podPath, returnErrors: true, ...(signal ? { signal } : {}) });
  if (res instanceof KubeApiError) throw res;
  throw new ConnectionError(`the server refused the WebSocket for ${transport.server}${path}${err.message ? `: ${err.message}` : ""}`, transport.server, { cause: err.cause });
}

/** Open a WebSocket and resolve once it is open (or reject with the reason it was refused). */
async function openSocket(
  transport: Transport,
  path: string,
  protocols: string[],
  query: QueryParams,
  options: { signal?: AbortSignal; headers?: Record<string, string> },
): Promise<UndiciWebSocket> {
  const ws = await transport.webSocket(path, {
    protocols,
    ...(query ? { query } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  ws.binaryType = "arraybuffer";
  try {
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener(
        "error",
        (event) => {
          const cause = (event as unknown as { error?: unknown }).error;
          reject(new RefusedUpgrade(cause instanceof Error ? cause.message : "", { cause }));
        },
        { once: true },
      );
    });
  } catch (err) {
    if (err instanceof RefusedUpgrade) return explainRefusal(transport, path, err, options.signal);
    throw err;
  }
  return ws;
}

/**
 * Start an exec (with `command`) or attach (without) session with streams for standard input,
 * output and error.
 *
 * @example
 * const s = await openSession(transport, "/api/v1/namespaces/a/pods/p/exec", ["sh"], { stdin: "" });
 */
export async function openSession(transport: Transport, path: string, command: readonly string[] | undefined, options: PodExecOptions & { interactive?: boolean }): Promise<ExecSession> {
  const wantStdin = options.interactive === true || options.stdin !== undefined;
  const ws = await openSocket(
    transport,
    path,
    CHANNEL_PROTOCOLS,
    {
      ...(command ? { command: [...command] } : {}),
      container: options.container,
      stdin: wantStdin,
      stdout: true,
      stderr: !options.tty,
      tty: options.tty ?? false,
    },
    options,
  );
  const protocol = ws.protocol;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let status: Status | undefined;
  const done = new Promise<{ exitCode: number; status: Status }>((resolve, reject) => {
    ws.addEventListener("message", (event) => {
      const data = new Uint8Array(event.data as ArrayBuffer);
      if (!data.length) return;
      const payload = data.subarray(1);
      if (data[0] === STDOUT) stdout.write(payload);
      else if (data[0] === STDERR) stderr.write(payload);
      else if (data[0] === ERROR) {
        const text = new TextDecoder().decode(payload);
        try {
          status = JSON.parse(text) as Status;
        } catch {
          status = { status: "Failure", message: text };
        }
      }
    });
    ws.addEventListener("error", (event) => {
      const cause = (event as unknown as { error?: unknown }).error;
      stdout.end();
      stderr.end();
      reject(new ConnectionError(`the connection to ${transport.server}${path} failed${cause instanceof Error && cause.message ? `: ${cause.message}` : ""}`, transport.server, { cause }));
    });
    ws.addEventListener("close", () => {
      stdout.end();
      stderr.end();
      const final: Status = status ?? { status: "Success" };
      resolve({ exitCode: exitCodeOf(final), status: final });
    });
  });
  done.catch(() => undefined);
  const stdin = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (ws.readyState === ws.OPEN) ws.send(frame(STDIN, chunk));
      callback();
    },
    final(callback) {
      // v5 can tell the process its input ended; v4 has no way to say so.
      if (protocol === "v5.channel.k8s.io" && ws.readyState === ws.OPEN) ws.send(new Uint8Array([CLOSE, STDIN]));
      callback();
    },
  });
  return {
    stdin,
    stdout,
    stderr,
    protocol,
    done,
    resize(width, height) {
      if (ws.readyState === ws.OPEN) ws.send(frame(RESIZE, new TextEncoder().encode(JSON.stringify({ Width: width, Height: height }))));
    },
    close() {
      ws.close();
    },
  };
}

async function collect(stream: Readable): Promise<string> {
  const decoder = new TextDecoder();
  let out = "";
  for await (const chunk of stream) out += decoder.decode(chunk as Uint8Array, { stream: true });
  return out + decoder.decode();
}

/**
 * Run a command over an exec WebSocket and collect its output and exit code.
 *
 * @example
 * const r = await execCommand(transport, "/api/v1/namespaces/a/pods/p/exec", ["date"], {});
 */
export async function execCommand(transport: Transport, path: string, command: readonly string[], options: PodExecOptions): Promise<ExecResult> {
  if (!command.length) throw new UsageError("exec needs a command");
  const session = await openSession(transport, path, command, options);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = options.timeoutMs
    ? new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          session.close();
          reject(new TimeoutError(`exec did not finish within ${options.timeoutMs} ms (${transport.server}${path})`, transport.server, options.timeoutMs!));
        }, options.timeoutMs);
      })
    : undefined;
  if (options.stdin !== undefined) session.stdin.end(typeof options.stdin === "string" ? Buffer.from(options.stdin) : options.stdin);
  try {
    const [stdout, stderr, ended] = await Promise.race([
      Promise.all([collect(session.stdout), collect(session.stderr), session.done]),
      ...(timeout ? [timeout] : []),
    ]);
    return { stdout, stderr, exitCode: ended.exitCode, status: ended.status, protocol: session.protocol };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** A running port-forward: a local listener whose connections reach a pod's port. */
export interface PortForward {
  /** The local port connections are accepted on. */
  localPort: number;
  /** The local address (default 127.0.0.1). */
  address: string;
  /** Stop listening and close forwarded connections. */
  close(): Promise<void>;
}

/**
 * Forward a local port to a pod's port: each local connection opens a WebSocket to the pod's
 * `portforward` subresource (a data and an error channel, each starting with the port number).
 *
 * @example
 * const fwd = await forwardPort(transport, "/api/v1/namespaces/a/pods/p/portforward", 8080, {});
 */
export async function forwardPort(
  transport: Transport,
  path: string,
  remotePort: number,
  options: { localPort?: number; address?: string; headers?: Record<string, string>; onError?: (error: unknown) => void },
): Promise<PortForward> {
  if (!Number.isInteger(remotePort) || remotePort < 1 || remotePort > 65535) throw new UsageError(`invalid port ${remotePort}`);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    void pipe(socket).catch((err: unknown) => {
      options.onError?.(err);
      socket.destroy();
    });
  });
  const pipe = async (socket: Socket) => {
    socket.pause();
    const ws = await openSocket(transport, path, ["v4.channel.k8s.io"], { ports: String(remotePort) }, options);
    let seen = { data: false, error: false };
    ws.addEventListener("message", (event) => {
      const data = new Uint8Array(event.data as ArrayBuffer);
      if (!data.length) return;
      const channel = data[0]!;
      let payload = data.subarray(1);
      // The first message on each channel is the port number (uint16, little endian).
      if (channel === 0 && !seen.data) {
        seen = { ...seen, data: true };
        payload = payload.subarray(2);
      } else if (channel === 1 && !seen.error) {
        seen = { ...seen, error: true };
        payload = payload.subarray(2);
      }
      if (!payload.length) return;
      if (channel === 0) socket.write(payload);
      else if (channel === 1) socket.destroy(new Error(new TextDecoder().decode(payload)));
    });
    ws.addEventListener("close", () => socket.end());
    ws.addEventListener("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(0, chunk));
    });
    socket.on("end", () => ws.close());
    socket.on("close", () => ws.close());
    socket.resume();
  };
  const address = options.address ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.localPort ?? 0, address, () => resolve());
  });
  return {
    localPort: (server.address() as AddressInfo).port,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
