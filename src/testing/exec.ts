/**
 * `pods/exec` over WebSocket with the Kubernetes channel protocols (`v5.channel.k8s.io`,
 * `v4.channel.k8s.io`): stdin (0), stdout (1), stderr (2), the error channel (3) carrying the exit
 * status, and v5's close signal (255). Commands are answered by a handler the test supplies, or by
 * a few canned commands.
 */
import { createHash } from "node:crypto";
import { PassThrough, type Duplex } from "node:stream";
import { FileSystem } from "./pod-runtime.js";
import { runCommand, type ShellCommand } from "./shell.js";

/**
 * A container's files, as exec handlers see them (the built-in `ls`, `cat`, `tar` work on them).
 *
 * @example
 * const handler: ExecHandler = ({ files }) => ({ stdout: files.read("/etc/hostname") ?? "" });
 */
export interface PodFiles {
  /** A file's content, or undefined when there is no such file. */
  read(path: string): Buffer | undefined;
  /** Write a file (parent directories are created). */
  write(path: string, data: string | Uint8Array): void;
  /** Names inside a directory. */
  list(path: string): string[];
}

const FILE_SYSTEM = Symbol("file system");

/** The files of a container, for handlers. */
export function podFiles(fs: FileSystem): PodFiles {
  return Object.assign(
    {
      read: (path: string) => {
        const e = fs.get(path);
        return e?.type === "file" ? e.data : undefined;
      },
      write: (path: string, data: string | Uint8Array) => fs.write(path, Buffer.from(data)),
      list: (path: string) => fs.children(path),
    },
    { [FILE_SYSTEM]: fs },
  );
}

/**
 * What an exec asks to run.
 *
 * @example
 * const handler: ExecHandler = (r: ExecRequest) => ({ stdout: r.command.join(" ") });
 */
export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** Everything the client wrote to stdin, as text (empty when stdin was not requested). */
  stdin: string;
  /** The same input as bytes (a tar stream for `kubectl cp`). */
  stdinBytes: Uint8Array;
  tty: boolean;
  /** The container's files. */
  files: PodFiles;
  /** The container's environment (its literal env values, HOSTNAME, PATH, HOME). */
  env: Record<string, string>;
}

/**
 * What a command produced.
 *
 * @example
 * const failed: ExecResult = { stderr: "no such file\n", exitCode: 2 };
 */
export interface ExecResult {
  stdout?: string | Uint8Array;
  stderr?: string | Uint8Array;
  exitCode?: number;
}

/**
 * Runs an exec'd command.
 *
 * @example
 * await startTestServer({ exec: ({ command }) => ({ stdout: `ran ${command[0]}\n` }) });
 */
export type ExecHandler = (request: ExecRequest) => ExecResult | Promise<ExecResult>;

function filesOf(request: Partial<ExecRequest>): FileSystem {
  const fs = (request.files as unknown as Record<symbol, unknown> | undefined)?.[FILE_SYSTEM];
  return fs instanceof FileSystem ? fs : new FileSystem();
}

/** Run a command with the built-in commands, test-supplied ones first. */
export function builtinExec(request: ExecRequest, commands?: Record<string, ExecHandler>): ExecResult | Promise<ExecResult> {
  const fs = filesOf(request);
  const input = Buffer.from(request.stdinBytes ?? Buffer.from(request.stdin ?? ""));
  // A supplied handler for the command itself may be asynchronous; inside scripts they run synchronously.
  const direct = commands?.[request.command[0] ?? ""];
  if (direct) return direct(request);
  const shellCommands = commands
    ? Object.fromEntries(
        Object.entries(commands).map(([name, handler]): [string, ShellCommand] => [
          name,
          (argv, stdin) => {
            const r = handler({ ...request, command: argv, stdin: stdin.toString(), stdinBytes: stdin });
            return r instanceof Promise ? { stderr: `${name}: cannot run an asynchronous handler inside a script\n`, exitCode: 126 } : r;
          },
        ]),
      )
    : undefined;
  const r = runCommand(request.command, { fs, env: request.env ?? { HOSTNAME: request.pod }, hostname: request.pod, ...(shellCommands ? { commands: shellCommands } : {}) }, input);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
}

/**
 * The built-in commands on the container's files: `sh -c` scripts, `echo`, `cat`, `ls`, `tar`
 * (so `kubectl cp` works), `test`, `mkdir`, `rm`, `env`, `hostname` and more; anything else exits
 * 127 with a shell's message.
 *
 * @example
 * await startTestServer({ exec: (r) => (r.command[0] === "date" ? { stdout: "today\n" } : cannedExec(r)) });
 */
export const cannedExec: ExecHandler = (request) => builtinExec(request);

/**
 * The default `pods/attach` target: a process that echoes its standard input, as `cat` would.
 *
 * @example
 * await startTestServer({ attach: cannedAttach });
 */
export const cannedAttach: ExecHandler = ({ stdinBytes }) => ({ stdout: stdinBytes });

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The largest WebSocket message read from a client: golang.org/x/net/websocket's `DefaultMaxPayloadBytes`. */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 32 * 1024 * 1024;
/** The most standard input one exec or attach session keeps for its command. */
export const MAX_EXEC_STDIN_BYTES = 64 * 1024 * 1024;
/** The most output left unread by a streaming client (exec, attach, port-forward) before it is dropped. */
export const MAX_STREAM_BACKLOG_BYTES = 16 * 1024 * 1024;

/**
 * Write to a streaming client, dropping the connection instead when it has left more than
 * {@link MAX_STREAM_BACKLOG_BYTES} unread, as a watcher that stops reading is dropped. Returns
 * false when the socket is gone or full (the caller may pause its source until `drain`).
 */
export function writeBounded(socket: Duplex, bytes: Buffer): boolean {
  if (!socket.writable) return false;
  if (socket.writableLength + bytes.length > MAX_STREAM_BACKLOG_BYTES) {
    socket.destroy();
    return false;
  }
  return socket.write(bytes);
}

/**
 * The subprotocols the server speaks, in order of preference: binary channels, and
 * `v4.base64.channel.k8s.io` (text messages: the channel as an ASCII digit, the data base64, as
 * browsers and the dashboard speak it).
 */
export const EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io", "v4.base64.channel.k8s.io"];

/** Whether a channel protocol carries base64 text messages (`wsstream`'s non-binary protocols). */
function isBase64Protocol(protocol: string): boolean {
  return protocol === "v4.base64.channel.k8s.io" || protocol === "base64.channel.k8s.io";
}

/** A server (unmasked) WebSocket frame. */
export function webSocketFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]) : Buffer.alloc(10);
  if (len >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Complete the WebSocket handshake on an upgraded socket; returns the chosen protocol, or undefined after refusing. */
export function acceptWebSocket(socket: Duplex, key: string | undefined, offered: string | undefined, supported: readonly string[] = EXEC_PROTOCOLS): string | undefined {
  const protocols = (offered ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  const protocol = supported.find((p) => protocols.includes(p));
  if (!key || !protocol) {
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nunable to upgrade: no supported subprotocol; supported: ${supported.join(", ")}\n`);
    return undefined;
  }
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  return protocol;
}

/** The `Status` the kubelet writes to the error channel when a command ends (v4 and later). */
export function execStatus(command: string[], code: number): Record<string, unknown> {
  return code === 0
    ? { metadata: {}, status: "Success" }
    : {
        metadata: {},
        status: "Failure",
        message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${code}`,
        reason: "NonZeroExitCode",
        details: { causes: [{ reason: "ExitCode", message: String(code) }] },
      };
}

/** The error-channel `Status` of a session whose standard input outgrew {@link MAX_EXEC_STDIN_BYTES}. */
export function stdinTooLarge(): Record<string, unknown> {
  return { metadata: {}, status: "Failure", message: `standard input exceeds the local server's limit of ${MAX_EXEC_STDIN_BYTES} bytes`, reason: "RequestEntityTooLarge", code: 413 };
}

/** Run one exec session on an accepted WebSocket. */
export function runExecSession(socket: Duplex, protocol: string, request: Omit<ExecRequest, "stdin" | "stdinBytes">, wantsStdin: boolean, handler: ExecHandler): void {
  const stdin: Buffer[] = [];
  let started = false;
  let idle: NodeJS.Timeout | undefined;

  const base64 = isBase64Protocol(protocol);
  const send = (channel: number, data: Buffer | string) => {
    // Base64 protocols: a text message of the channel's digit and the data encoded (`wsstream` Conn.write).
    if (base64) writeBounded(socket, webSocketFrame(1, Buffer.from(`${String.fromCharCode(48 + channel)}${Buffer.from(data).toString("base64")}`)));
    else writeBounded(socket, webSocketFrame(2, Buffer.concat([Buffer.from([channel]), Buffer.from(data)])));
  };
  let stdinBytes = 0;

  const start = async () => {
    if (started) return;
    started = true;
    if (idle) clearTimeout(idle);
    let result: ExecResult;
    try {
      const input = Buffer.concat(stdin);
      result = await handler({ ...request, stdin: input.toString("utf8"), stdinBytes: input });
    } catch (e) {
      result = { stderr: `${(e as Error).message}\n`, exitCode: 1 };
    }
    if (result.stdout?.length) send(1, Buffer.from(result.stdout));
    if (result.stderr?.length) send(2, Buffer.from(result.stderr));
    send(3, JSON.stringify(execStatus(request.command, result.exitCode ?? 0)));
    if (socket.writable) socket.end(webSocketFrame(8, Buffer.from([0x03, 0xe8])));
  };

  readWebSocketFrames(socket, (message) => {
    let payload = message;
    if (base64) {
      // The channel digit, then base64 data; undecodable data ends the session as wsstream does.
      const digit = message[0]! - 48;
      const text = message.subarray(1).toString("latin1");
      if (digit < 0 || digit > 9 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
        if (socket.writable) socket.end(webSocketFrame(8, Buffer.from([0x03, 0xef])));
        return;
      }
      payload = Buffer.concat([Buffer.from([digit]), Buffer.from(text, "base64")]);
    }
    const channel = payload[0]!;
    if (channel === 0) {
      if (started) return;
      stdinBytes += payload.length - 1;
      if (stdinBytes > MAX_EXEC_STDIN_BYTES) {
        started = true;
        send(3, JSON.stringify(stdinTooLarge()));
        if (socket.writable) socket.end(webSocketFrame(8, Buffer.from([0x03, 0xe8])));
        return;
      }
      stdin.push(payload.subarray(1));
      if (protocol !== "v5.channel.k8s.io" && !started) {
        if (idle) clearTimeout(idle);
        idle = setTimeout(() => void start(), 200);
      }
    } else if (channel === 255 && payload[1] === 0) {
      void start();
    }
  }, () => void start());
  socket.on("error", () => socket.destroy());
  if (!wantsStdin) void start();
}

/**
 * Read WebSocket frames from a client: data messages (non-empty) go to `onMessage`, a close frame
 * to `onClose`; pings are answered. A frame announcing more than {@link MAX_WEBSOCKET_MESSAGE_BYTES}
 * is answered with close code 1009 (message too big) and the connection ends.
 */
export function readWebSocketFrames(socket: Duplex, onMessage: (payload: Buffer) => void, onClose: () => void): void {
  let buffer = Buffer.alloc(0);
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  // Bytes the frame being read needs in all; chunks are only gathered until then.
  let needed = 2;
  let closed = false;
  socket.on("data", (chunk: Buffer) => {
    if (closed) return;
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (buffer.length + pendingBytes < needed) return;
    buffer = Buffer.concat([buffer, ...pending]);
    pending.length = 0;
    pendingBytes = 0;
    for (;;) {
      needed = 2;
      if (buffer.length < 2) return;
      const opcode = buffer[0]! & 0x0f;
      const masked = (buffer[1]! & 0x80) !== 0;
      let len = buffer[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        needed = 4;
        if (buffer.length < 4) return;
        len = buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        needed = 10;
        if (buffer.length < 10) return;
        const announced = buffer.readBigUInt64BE(2);
        len = announced > BigInt(MAX_WEBSOCKET_MESSAGE_BYTES) ? Infinity : Number(announced);
        offset = 10;
      }
      if (len > MAX_WEBSOCKET_MESSAGE_BYTES) {
        closed = true;
        buffer = Buffer.alloc(0);
        if (socket.writable) socket.end(webSocketFrame(8, Buffer.from([0x03, 0xf1])));
        setTimeout(() => socket.destroy(), 500).unref();
        return;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      needed = offset + len;
      if (buffer.length < needed) return;
      const payload = Buffer.from(buffer.subarray(offset, offset + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buffer[maskAt + (i % 4)]!;
      buffer = buffer.subarray(offset + len);
      if (opcode === 8) {
        onClose();
        return;
      }
      if (opcode === 9) {
        writeBounded(socket, webSocketFrame(10, payload));
        continue;
      }
      if ((opcode === 1 || opcode === 2 || opcode === 0) && payload.length) onMessage(payload);
    }
  });
}

/** What a port-forward connection asks for. */
export interface PortForwardRequest {
  namespace: string;
  pod: string;
  port: number;
}

/** Connects a forwarded port to something that answers: a stream for the connection's bytes. */
export type PortForwardHandler = (request: PortForwardRequest) => Duplex;

/**
 * The default port-forward target: every port echoes what it receives.
 *
 * @example
 * await startTestServer({ portForward: echoPortForward });
 */
export const echoPortForward: PortForwardHandler = () => new PassThrough();

/** The subprotocol of port-forward over WebSocket. */
export const PORT_FORWARD_PROTOCOLS = ["v4.channel.k8s.io"];

/**
 * Run a port-forward session: for the i-th requested port, channel 2i carries data and 2i+1
 * errors; the first message on each channel is the port number (uint16, little endian).
 */
export function runPortForwardSession(socket: Duplex, namespace: string, pod: string, ports: number[], handler: PortForwardHandler, uid = ""): void {
  const targets = ports.map((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    socket.write(webSocketFrame(2, Buffer.concat([Buffer.from([2 * i]), portBytes])));
    socket.write(webSocketFrame(2, Buffer.concat([Buffer.from([2 * i + 1]), portBytes])));
    const target = handler({ namespace, pod, port });
    target.on("data", (chunk: Buffer) => {
      if (!writeBounded(socket, webSocketFrame(2, Buffer.concat([Buffer.from([2 * i]), chunk]))) && !target.isPaused()) {
        target.pause();
        socket.once("drain", () => target.resume());
      }
    });
    target.on("error", (err: Error) => {
      if (socket.writable) socket.write(webSocketFrame(2, Buffer.concat([Buffer.from([2 * i + 1]), Buffer.from(`error forwarding port ${port} to pod ${pod}_${namespace}, uid ${uid}: ${err.message}`)])));
    });
    return target;
  });
  const closeAll = () => {
    for (const t of targets) t.end();
    if (socket.writable) socket.end(webSocketFrame(8, Buffer.from([0x03, 0xe8])));
  };
  readWebSocketFrames(
    socket,
    (payload) => {
      const channel = payload[0]!;
      const target = channel % 2 === 0 ? targets[channel / 2] : undefined;
      if (target && !target.destroyed && !target.write(payload.subarray(1)) && !socket.isPaused()) {
        socket.pause();
        target.once("drain", () => socket.resume());
      }
    },
    closeAll,
  );
  socket.on("close", () => {
    for (const t of targets) t.destroy();
  });
}
