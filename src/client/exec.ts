/**
 * exec and attach over WebSocket with Kubernetes' channel protocol (one byte of channel before each
 * payload: 0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize, 255 close in v5), and
 * port-forward (two channels per port, each opened by the port number).
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { PassThrough, Writable, type Readable } from "node:stream";
import { apiErrorFor, ConnectionError, KubeApiError, ResponseTooLargeError, statusOf, TimeoutError, UsageError, type Status } from "../errors.js";
import { parseRetryAfter } from "../transport/retry.js";
import { refusedUpgradeOf } from "../transport/transport.js";
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

/**
 * The exit code a Status on the error channel reports: 0 for Success; for a failure the `ExitCode`
 * cause's message when it is a number from 0 to 255 (client-go reads it with
 * `strconv.ParseUint(message, 10, 8)`), else 1.
 *
 * @example
 * exitCodeOf({ status: "Success" }); // 0
 */
export function exitCodeOf(status: Status): number {
  if (typeof status !== "object" || status === null) return 1;
  if (status.status === "Success") return 0;
  const causes: unknown = status.details?.causes;
  if (!Array.isArray(causes)) return 1;
  const cause = causes.find((c: unknown) => typeof c === "object" && c !== null && (c as { reason?: unknown }).reason === "ExitCode") as { message?: unknown } | undefined;
  const text = typeof cause?.message === "string" ? cause.message : "";
  const code = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  return code <= 255 ? code : 1;
}

/**
 * Most output of an exec or attach session held for a reader that does not read (standard output
 * and standard error each): a WebSocket cannot be paused, so beyond it the session is closed with
 * `ResponseTooLargeError`.
 */
export const MAX_UNREAD_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Longest error-channel message read (a Status is a few hundred bytes). */
const MAX_STATUS_BYTES = 64 * 1024;

/** The Status of an error-channel message: JSON with every field of its type, or text as the failure's message. */
function errorChannelStatus(payload: Uint8Array): Status {
  const text = new TextDecoder().decode(payload.subarray(0, MAX_STATUS_BYTES));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // v1-style text errors ("container not found"), or a cut-off Status: the text is the message.
    return { status: "Failure", message: text.length > 4096 ? `${text.slice(0, 4096)}… (truncated)` : text };
  }
  return statusOf(parsed, 500) ?? { status: "Failure", message: `error stream protocol error: the status is not an object (${text.slice(0, 64)})` };
}

/** How a WebSocket closed, in words. */
function closeReason(event: { code?: number; reason?: string; wasClean?: boolean }): string {
  const code = event.code ?? 1006;
  return `code ${code}${event.reason ? `, ${event.reason.slice(0, 200)}` : ""}${event.wasClean === false ? ", not cleanly" : ""}`;
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

/**
 * Why a WebSocket to a pod path was refused: the server's own answer to the upgrade when it was an
 * error (a 403 for an exec RBAC does not allow, a 404 for a missing pod, as its typed error); else
 * the pod's typed API error; else a connection error.
 */
async function explainRefusal(transport: Transport, path: string, err: RefusedUpgrade, signal: AbortSignal | undefined, ws: object): Promise<never> {
  const answer = refusedUpgradeOf(ws);
  const request = { method: "GET", url: `${transport.server}${path}` };
  if (answer && answer.status >= 400) {
    let body: unknown = answer.body;
    if (/^\s*\{/.test(answer.body)) {
      try {
        body = JSON.parse(answer.body);
      } catch {
        // a cut-off Status: its text is described instead
      }
    }
    throw apiErrorFor(answer.status, body, request, parseRetryAfter(answer.headers["retry-after"]));
  }
  if (answer) {
    throw new ConnectionError(`the server answered HTTP ${answer.status} instead of switching protocols for ${transport.server}${path}${answer.status >= 300 && answer.status < 400 ? " (a redirect: check the server address, or a proxy in the way)" : ""}`, transport.server);
  }
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
  options: { signal?: AbortSignal; headers?: Record<string, string>; timeoutMs?: number },
  end?: AbortSignal,
): Promise<UndiciWebSocket> {
  // Aborting closes the socket, and drops its connection when the server does not answer the close.
  const signal = options.signal && end ? AbortSignal.any([options.signal, end]) : (options.signal ?? end);
  // The call's time limit (the transport's by default) bounds getting credentials (an exec plugin
  // may hang) and the upgrade (a server may accept the connection and never answer it).
  const timeoutMs = options.timeoutMs ?? transport.timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onTimeout: () => void = () => undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        // Rejected before the socket is closed, so the race ends with the timeout, not the close.
        reject(new TimeoutError(`${transport.server} did not open the WebSocket within ${timeoutMs} ms (${transport.server}${path})`, transport.server, timeoutMs));
        onTimeout();
      }, timeoutMs);
    }
  });
  timedOut.catch(() => undefined);
  const pending = transport.webSocket(path, {
    protocols,
    ...(query ? { query } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(signal ? { signal } : {}),
  });
  let ws: UndiciWebSocket;
  try {
    ws = await Promise.race([pending, timedOut]);
  } catch (err) {
    clearTimeout(timer);
    // A socket made after the time ran out is closed at once.
    pending.then((late) => late.close(), () => undefined);
    throw err;
  }
  ws.binaryType = "arraybuffer";
  onTimeout = () => ws.close();
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        ws.addEventListener("open", () => resolve(), { once: true });
        ws.addEventListener(
          "error",
          (event) => {
            const cause = (event as unknown as { error?: unknown }).error;
            reject(new RefusedUpgrade(cause instanceof Error ? cause.message : "", { cause }));
          },
          { once: true },
        );
      }),
      timedOut,
    ]);
  } catch (err) {
    // Closed by our side before it opened (the local connection of a port-forward went away).
    if (err instanceof RefusedUpgrade && end?.aborted && !options.signal?.aborted) throw new ConnectionError(`the WebSocket for ${transport.server}${path} was closed before it opened`, transport.server);
    if (err instanceof RefusedUpgrade) return explainRefusal(transport, path, err, options.signal, ws);
    throw err;
  } finally {
    clearTimeout(timer);
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
  const end = new AbortController();
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
    end.signal,
  );
  const protocol = ws.protocol;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let status: Status | undefined;
  // A WebSocket cannot be paused: output nobody reads is held in memory, up to a bound.
  let overflow: ResponseTooLargeError | undefined;
  let failOverflow: (err: Error) => void = () => undefined;
  let settle: (outcome: { exitCode: number; status: Status } | Error) => void = () => undefined;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  const output = (stream: PassThrough, name: string, payload: Uint8Array) => {
    stream.write(payload);
    if (stream.writableLength + stream.readableLength > MAX_UNREAD_OUTPUT_BYTES) {
      overflow = new ResponseTooLargeError(`${name} of ${transport.server}${path} left unread passed ${MAX_UNREAD_OUTPUT_BYTES} bytes, and the session was closed (read stdout and stderr as they arrive)`, MAX_UNREAD_OUTPUT_BYTES);
      end.abort();
      stdout.end();
      stderr.end();
      // Settled now: a server that does not answer the close must not hold the session open.
      failOverflow(overflow);
    }
  };
  const done = new Promise<{ exitCode: number; status: Status }>((resolve, reject) => {
    failOverflow = reject;
    settle = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
    ws.addEventListener("message", (event) => {
      // Text frames are not part of the channel protocol: only binary ones are read.
      if (overflow || !(event.data instanceof ArrayBuffer)) return;
      const data = new Uint8Array(event.data);
      if (!data.length) return;
      const payload = data.subarray(1);
      if (data[0] === STDOUT) output(stdout, "standard output", payload);
      else if (data[0] === STDERR) output(stderr, "standard error", payload);
      else if (data[0] === ERROR) status ??= errorChannelStatus(payload);
      // Other channels (resize and close are the client's; anything else is unknown) are ignored.
    });
    // An error is always followed by a close event, which settles the session; the error's cause
    // is kept for it. After the command's status a broken close changes nothing.
    let failure: unknown;
    ws.addEventListener("error", (event) => {
      failure = (event as unknown as { error?: unknown }).error ?? failure;
    });
    ws.addEventListener("close", (event) => {
      clearTimeout(closeTimer);
      stdout.end();
      stderr.end();
      if (overflow) {
        reject(overflow);
        return;
      }
      if (status) {
        resolve({ exitCode: exitCodeOf(status), status });
        return;
      }
      // No status: a normal close means the command succeeded (client-go reads an empty error
      // stream as success); any other close lost the outcome, and perhaps output.
      const { code, wasClean } = event as unknown as { code?: number; wasClean?: boolean };
      if (wasClean !== false && (code === 1000 || code === 1005)) {
        const success: Status = { status: "Success" };
        resolve({ exitCode: 0, status: success });
        return;
      }
      const why = failure instanceof Error && failure.message ? `: ${failure.message}` : "";
      reject(
        new ConnectionError(
          `the connection to ${transport.server}${path} closed before the command's status arrived (${closeReason(event as unknown as { code?: number; reason?: string; wasClean?: boolean })})${why}`,
          transport.server,
          failure !== undefined ? { cause: failure } : undefined,
        ),
      );
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
      end.abort();
      // A server that never answers the close must not leave `done` pending.
      closeTimer ??= setTimeout(() => {
        stdout.end();
        stderr.end();
        settle(status ? { exitCode: exitCodeOf(status), status } : new ConnectionError(`${transport.server} did not answer the close of ${path} within ${CLOSE_GRACE_MS} ms`, transport.server));
      }, CLOSE_GRACE_MS);
      closeTimer.unref?.();
    },
  };
}

/** How long a closed session waits for the server's close frame before `done` settles without it. */
const CLOSE_GRACE_MS = 2_000;

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
      // A local connection that went away before its WebSocket opened is nobody's error.
      if (!socket.destroyed) options.onError?.(err);
      socket.destroy();
    });
  });
  const pipe = async (socket: Socket) => {
    socket.pause();
    const end = new AbortController();
    socket.once("close", () => end.abort());
    const ws = await openSocket(transport, path, ["v4.channel.k8s.io"], { ports: String(remotePort) }, options, end.signal);
    let seen = { data: false, error: false };
    ws.addEventListener("message", (event) => {
      // Only binary frames carry channels (a text frame "5" would read as five zero bytes).
      if (!(event.data instanceof ArrayBuffer)) return;
      const data = new Uint8Array(event.data);
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
    socket.on("end", () => end.abort());
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
