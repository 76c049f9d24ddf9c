/**
 * `pods/exec` over WebSocket with Kubernetes' channel protocol: one byte of channel (0 stdin,
 * 1 stdout, 2 stderr, 3 error/status, 255 close in v5) before each message's payload.
 */
import { ConnectionError, KubeApiError, TimeoutError, type Status } from "../errors.js";
import type { Transport } from "../transport/index.js";
import type { PodExecOptions, ExecResult } from "./types.js";

const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE = 255;

function frame(channel: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = channel;
  out.set(payload, 1);
  return out;
}

/** The exit code a Status on the error channel reports (0 for Success). */
export function exitCodeOf(status: Status): number {
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = cause?.message !== undefined ? Number.parseInt(cause.message, 10) : Number.NaN;
  return Number.isFinite(code) ? code : 1;
}

/**
 * Run a command over an exec WebSocket and collect its output and exit code.
 *
 * @example
 * const r = await execCommand(transport, "/api/v1/namespaces/a/pods/p/exec", ["date"], {});
 */
export async function execCommand(transport: Transport, path: string, command: readonly string[], options: PodExecOptions): Promise<ExecResult> {
  try {
    return await run(transport, path, command, options);
  } catch (err) {
    if (!(err instanceof RefusedUpgrade)) throw err;
    // The WebSocket API hides the HTTP answer to the upgrade; ask for the pod to learn why.
    const podPath = path.slice(0, path.lastIndexOf("/"));
    const res = await transport.request({ path: podPath, returnErrors: true, ...(options.signal ? { signal: options.signal } : {}) });
    if (res instanceof KubeApiError) throw res;
    throw new ConnectionError(`the server refused the exec WebSocket for ${transport.server}${path}${err.message ? `: ${err.message}` : ""}`, transport.server, { cause: err.cause });
  }
}

/** The WebSocket failed before it opened. */
class RefusedUpgrade extends Error {}

async function run(transport: Transport, path: string, command: readonly string[], options: PodExecOptions): Promise<ExecResult> {
  if (!command.length) throw new TypeError("exec needs a command");
  const stdinBytes = options.stdin === undefined ? undefined : typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin;
  const ws = await transport.webSocket(path, {
    protocols: PROTOCOLS,
    query: {
      command: [...command],
      container: options.container,
      stdin: stdinBytes !== undefined,
      stdout: true,
      stderr: !options.tty,
      tty: options.tty ?? false,
    },
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  ws.binaryType = "arraybuffer";
  const url = `${transport.server}${path}`;
  return new Promise<ExecResult>((resolve, reject) => {
    const decoder = { out: new TextDecoder(), err: new TextDecoder() };
    let stdout = "";
    let stderr = "";
    let status: Status | undefined;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      fn();
    };
    if (options.timeoutMs) {
      timer = setTimeout(() => {
        finish(() => reject(new TimeoutError(`exec did not finish within ${options.timeoutMs} ms (${url})`, transport.server, options.timeoutMs!)));
        ws.close();
      }, options.timeoutMs);
    }
    ws.addEventListener("open", () => {
      if (stdinBytes === undefined) return;
      if (stdinBytes.length) ws.send(frame(STDIN, stdinBytes));
      // v5 can close stdin so the command sees end-of-file; v4 has no way to say so.
      if (ws.protocol === "v5.channel.k8s.io") ws.send(new Uint8Array([CLOSE, STDIN]));
    });
    ws.addEventListener("message", (event) => {
      const data = new Uint8Array(event.data as ArrayBuffer);
      if (!data.length) return;
      const payload = data.subarray(1);
      switch (data[0]) {
        case STDOUT:
          stdout += decoder.out.decode(payload, { stream: true });
          break;
        case STDERR:
          stderr += decoder.err.decode(payload, { stream: true });
          break;
        case ERROR:
          try {
            status = JSON.parse(new TextDecoder().decode(payload)) as Status;
          } catch {
            status = { status: "Failure", message: new TextDecoder().decode(payload) };
          }
          break;
        default:
          break;
      }
    });
    let opened = false;
    ws.addEventListener("open", () => (opened = true));
    ws.addEventListener("error", (event) => {
      const cause = (event as unknown as { error?: unknown }).error;
      const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : "";
      finish(() =>
        reject(opened ? new ConnectionError(`exec connection to ${url} failed${detail}`, transport.server, { cause }) : new RefusedUpgrade(detail.slice(2), { cause })),
      );
    });
    ws.addEventListener("close", () => {
      finish(() => {
        stdout += decoder.out.decode();
        stderr += decoder.err.decode();
        const final: Status = status ?? { status: "Success" };
        resolve({ stdout, stderr, exitCode: exitCodeOf(final), status: final, protocol: ws.protocol });
      });
    });
  });
}
