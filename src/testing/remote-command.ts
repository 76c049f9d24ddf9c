/**
 * `pods/exec` and `pods/attach` over SPDY/3.1, as kubectl before 1.30 speaks them
 * (`v4.channel.k8s.io`): the client opens one stream per standard stream (`streamType: error`,
 * `stdin`, `stdout`, `stderr`, `resize`), the command runs once every expected stream is there
 * (and stdin is closed, when asked for), and the error stream carries the exit `Status`.
 */
import type { Duplex } from "node:stream";
import { execStatus, MAX_EXEC_STDIN_BYTES, stdinTooLarge, writeBounded, type ExecHandler, type ExecRequest, type ExecResult } from "./exec.js";
import { spdyHandshake, SpdyServerConnection, type SpdyStream } from "./spdy.js";
import { statusError } from "./status.js";

/** The stream protocols served over SPDY. */
export const SPDY_EXEC_PROTOCOLS = ["v4.channel.k8s.io"];

/** Which standard streams the request asked for (its `stdin`, `stdout`, `stderr`, `tty` parameters). */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * Answer an exec or attach upgraded to SPDY on its socket; returns the status sent. Throws the
 * handshake's error when no protocol is shared.
 */
export function serveSpdyExec(
  headers: Record<string, string | string[] | undefined>,
  socket: Duplex,
  request: Omit<ExecRequest, "stdin" | "stdinBytes">,
  options: StreamOptions,
  handler: ExecHandler,
): number {
  const shake = spdyHandshake(headers, SPDY_EXEC_PROTOCOLS);
  if ("status" in shake) throw statusError(shake.status, shake.status === 403 ? "Forbidden" : "BadRequest", shake.message);
  socket.write(shake.response);
  // As the kubelet: stderr is not used with a TTY, and a TTY brings a resize stream.
  const wanted = new Set(["error", ...(options.stdin ? ["stdin"] : []), ...(options.stdout ? ["stdout"] : []), ...(options.stderr && !options.tty ? ["stderr"] : []), ...(options.tty ? ["resize"] : [])]);
  const streams = new Map<string, SpdyStream>();
  const input: Buffer[] = [];
  let stdinDone = !options.stdin;
  let started = false;

  const start = async () => {
    if (started || streams.size < wanted.size || !stdinDone) return;
    started = true;
    let result: ExecResult;
    try {
      const bytes = Buffer.concat(input);
      result = await handler({ ...request, stdin: bytes.toString("utf8"), stdinBytes: bytes });
    } catch (e) {
      result = { stderr: `${(e as Error).message}\n`, exitCode: 1 };
    }
    const out = streams.get("stdout");
    const err = streams.get("stderr");
    if (out && result.stdout?.length) out.write(Buffer.from(result.stdout));
    if (err && result.stderr?.length) err.write(Buffer.from(result.stderr));
    out?.end();
    err?.end();
    const errors = streams.get("error")!;
    errors.end(JSON.stringify(execStatus(request.command, result.exitCode ?? 0)));
    conn.close();
  };

  const conn = new SpdyServerConnection(
    { write: (b) => void writeBounded(socket, b), close: () => socket.end() },
    (stream) => {
      stream.on("error", () => undefined);
      const type = stream.header("streamtype") ?? "";
      if (!wanted.has(type) || streams.has(type)) return stream.reset();
      streams.set(type, stream);
      if (type === "stdin") {
        let inputBytes = 0;
        stream.on("data", (d: Buffer) => {
          if (started) return;
          inputBytes += d.length;
          if (inputBytes <= MAX_EXEC_STDIN_BYTES) return void input.push(d);
          started = true;
          input.length = 0;
          streams.get("error")?.end(JSON.stringify(stdinTooLarge()));
          conn.close();
        });
        stream.on("end", () => {
          stdinDone = true;
          void start();
        });
      } else {
        stream.resume();
      }
      void start();
    },
  );
  socket.on("data", (chunk: Buffer) => conn.receive(chunk));
  socket.on("end", () => conn.close());
  socket.on("close", () => conn.abort());
  return 101;
}
