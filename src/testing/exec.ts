/**
 * `pods/exec` and `pods/attach` over WebSocket with the Kubernetes channel protocols: stdin (0),
 * stdout (1), stderr (2), the error channel (3), the resize channel (4), and v5's close signal
 * (255). As the kubelet's remotecommand WebSocket handler and kube-apiserver's v5 stream
 * translator serve them:
 *
 * - `v5.channel.k8s.io` (kube-apiserver's translator): the error channel carries a JSON `Status`,
 *   and the client ends its stdin with the close signal `[255, 0]`;
 * - `v4.channel.k8s.io` and `v4.base64.channel.k8s.io`: a JSON `Status` on the error channel;
 * - `channel.k8s.io`, `base64.channel.k8s.io` and no subprotocol at all (the kubelet's `""`, binary):
 *   nothing on the error channel when the command succeeds, the Status's message as plain text when
 *   it fails (`v1WriteStatusFunc`).
 *
 * Every version has the resize channel; none but v5 has the close signal. The `base64` protocols
 * send text messages of the channel's ASCII digit and the data in base64. Commands are answered
 * by a handler the test supplies, or by a few canned commands.
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

/** The subprotocol with the close signal, which kube-apiserver's stream translator serves itself. */
export const V5_PROTOCOL = "v5.channel.k8s.io";

/**
 * The subprotocols exec and attach are served with over WebSocket: v5 (kube-apiserver's stream
 * translator, chosen whenever the client offers it) and those of the kubelet's remotecommand
 * handler — `v4.channel.k8s.io`, `v4.base64.channel.k8s.io` and the pre-v4 `channel.k8s.io` and
 * `base64.channel.k8s.io` — plus `""`, what a client that offers no subprotocol gets (binary,
 * pre-v4). Among the kubelet's, the client's first offer it supports wins (`wsstream`'s handshake).
 */
export const EXEC_PROTOCOLS = [V5_PROTOCOL, "v4.channel.k8s.io", "v4.base64.channel.k8s.io", "channel.k8s.io", "base64.channel.k8s.io", ""];

/**
 * The exec and attach subprotocols of a Kubernetes minor: v5 from 1.30, where kube-apiserver's
 * `TranslateStreamCloseWebsocketRequests` feature is on by default (1.29 has it off; before, a v5
 * request reaches the kubelet, which knows only v4 and older); the kubelet's protocols at every minor.
 *
 * @example
 * execProtocols("1.29").includes("v5.channel.k8s.io"); // false
 */
export function execProtocols(kubernetesVersion: string): readonly string[] {
  const minor = Number(/^v?1\.(\d+)/.exec(kubernetesVersion)?.[1] ?? NaN);
  return Number.isNaN(minor) || minor >= 30 ? EXEC_PROTOCOLS : EXEC_PROTOCOLS.filter((p) => p !== V5_PROTOCOL);
}

/** Whether a channel protocol carries base64 text messages (`wsstream`'s non-binary protocols). */
function isBase64Protocol(protocol: string): boolean {
  return protocol === "v4.base64.channel.k8s.io" || protocol === "base64.channel.k8s.io";
}

/**
 * Whether the error channel of a protocol carries the Status as JSON (v4 and v5, `v4WriteStatusFunc`)
 * rather than only a failure's message as text (`v1WriteStatusFunc`: `channel.k8s.io`,
 * `base64.channel.k8s.io` and no subprotocol).
 */
export function writesStatusAsJson(protocol: string): boolean {
  return protocol === V5_PROTOCOL || protocol === "v4.channel.k8s.io" || protocol === "v4.base64.channel.k8s.io";
}

/**
 * What a protocol writes to the error channel for a Status: the JSON Status (v4, v5), or for the
 * older protocols nothing on success and the message text on failure; undefined when nothing is written.
 *
 * @example
 * errorChannelMessage("channel.k8s.io", execStatus(["false"], 1)); // "command terminated with non-zero exit code: …"
 */
export function errorChannelMessage(protocol: string, status: Record<string, unknown>): string | undefined {
  if (writesStatusAsJson(protocol)) return JSON.stringify(status);
  return status.status === "Success" ? undefined : String(status.message ?? "");
}

/**
 * The subprotocol a handshake settles on (`wsstream`'s `handshake`): with none offered, `""` where
 * the server supports it; otherwise v5 whenever offered and supported (kube-apiserver hands such a
 * request to its stream translator), else the client's first offer that the server supports.
 */
export function negotiateProtocol(offered: readonly string[], supported: readonly string[]): string | undefined {
  if (!offered.length) return supported.includes("") ? "" : undefined;
  if (offered.includes(V5_PROTOCOL) && supported.includes(V5_PROTOCOL)) return V5_PROTOCOL;
  return offered.find((p) => p !== "" && supported.includes(p));
}

/** A channel message in a protocol's encoding: binary `[channel, …data]`, or text of the channel's digit and base64 data. */
export function channelFrame(protocol: string, channel: number, data: Buffer | string): Buffer {
  if (isBase64Protocol(protocol)) return webSocketFrame(1, Buffer.from(`${String.fromCharCode(48 + channel)}${Buffer.from(data).toString("base64")}`));
  return webSocketFrame(2, Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
}

/**
 * A received message as `[channel, …data]`: base64 protocols' text decoded; undefined for a message
 * whose data does not decode (`wsstream` drops it and reads on).
 */
export function decodeChannelMessage(protocol: string, message: Buffer): Buffer | undefined {
  if (!isBase64Protocol(protocol)) return message;
  const digit = (message[0]! - 48) & 0xff;
  const text = message.subarray(1).toString("latin1");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.concat([Buffer.from([digit]), Buffer.from(text, "base64")]);
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

/**
 * Complete the WebSocket handshake on an upgraded socket; returns the chosen protocol (see
 * {@link negotiateProtocol}), or undefined after refusing as Go's websocket server does (the
 * kubelet's answer, which kube-apiserver relays): `400 Bad Request` without a
 * `Sec-WebSocket-Key`, `403 Forbidden` with an empty body when no offered protocol is supported.
 * The answer always names the protocol, `Sec-WebSocket-Protocol` empty for `""` as Go writes it.
 */
export function acceptWebSocket(socket: Duplex, key: string | undefined, offered: string | undefined, supported: readonly string[] = EXEC_PROTOCOLS): string | undefined {
  const refusal = webSocketRefusal(key, offered, supported);
  if (refusal === 400) {
    socket.end("HTTP/1.1 400 Bad Request\r\n\r\nmismatch challenge/response");
    return undefined;
  }
  if (refusal === 403) {
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    return undefined;
  }
  const protocol = negotiateProtocol(offeredProtocols(offered), supported)!;
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  return protocol;
}

const offeredProtocols = (offered: string | undefined): string[] => (offered ?? "").split(",").map((p) => p.trim()).filter(Boolean);

/**
 * The status a WebSocket upgrade is refused with, or undefined when it is accepted: 400 without a
 * key (Go's `ReadHandshake`), 403 when no offered subprotocol is supported (the handshake function).
 */
export function webSocketRefusal(key: string | undefined, offered: string | undefined, supported: readonly string[]): 400 | 403 | undefined {
  if (!key) return 400;
  return negotiateProtocol(offeredProtocols(offered), supported) === undefined ? 403 : undefined;
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

/** The output streams a client asked for (`stdout`, `stderr` query parameters). */
export interface ExecStreams {
  stdout: boolean;
  stderr: boolean;
}

/**
 * Run one exec session on an accepted WebSocket. With `streams`, as the kubelet and kube-apiserver's
 * translator do: an empty message first on the lowest channel the client can read (stdout, else
 * stderr, else the error channel) to say the session is open, and output only on the channels it
 * asked for (the others are `wsstream` IgnoreChannels); with a TTY, stderr is not a channel of its
 * own and the command's errors reach the terminal, stdout.
 */
export function runExecSession(socket: Duplex, protocol: string, request: Omit<ExecRequest, "stdin" | "stdinBytes">, wantsStdin: boolean, handler: ExecHandler, streams?: ExecStreams): void {
  const stdin: Buffer[] = [];
  let started = false;
  let idle: NodeJS.Timeout | undefined;

  // Base64 protocols: a text message of the channel's digit and the data encoded (`wsstream` Conn.write).
  const send = (channel: number, data: Buffer | string) => writeBounded(socket, channelFrame(protocol, channel, data));
  // The error channel: a JSON Status (v4, v5), or only a failure's message (older protocols).
  const sendStatus = (status: Record<string, unknown>) => {
    const message = errorChannelMessage(protocol, status);
    if (message !== undefined) send(3, message);
  };
  let stdinBytes = 0;
  // remotecommand's NewOptions: a TTY bypasses stderr.
  const wants = streams && { stdout: streams.stdout, stderr: streams.stderr && !request.tty };
  if (wants) send(wants.stdout ? 1 : wants.stderr ? 2 : 3, Buffer.alloc(0));

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
    if (!wants) {
      if (result.stdout?.length) send(1, Buffer.from(result.stdout));
      if (result.stderr?.length) send(2, Buffer.from(result.stderr));
    } else {
      const toTerminal = request.tty && streams!.stdout;
      const out = toTerminal ? Buffer.concat([Buffer.from(result.stdout ?? ""), Buffer.from(result.stderr ?? "")]) : Buffer.from(result.stdout ?? "");
      if (wants.stdout && out.length) send(1, out);
      if (wants.stderr && result.stderr?.length) send(2, Buffer.from(result.stderr));
    }
    sendStatus(execStatus(request.command, result.exitCode ?? 0));
    if (socket.writable) socket.end(webSocketFrame(8, Buffer.from([0x03, 0xe8])));
  };

  readWebSocketFrames(socket, (message) => {
    // Base64 protocols: the channel digit, then base64 data; undecodable data is dropped (wsstream logs it and reads on).
    const payload = decodeChannelMessage(protocol, message);
    if (!payload) return;
    const channel = payload[0]!;
    if (channel === 0) {
      if (started) return;
      stdinBytes += payload.length - 1;
      if (stdinBytes > MAX_EXEC_STDIN_BYTES) {
        started = true;
        sendStatus(stdinTooLarge());
        if (socket.writable) socket.end(webSocketFrame(8, Buffer.from([0x03, 0xe8])));
        return;
      }
      stdin.push(payload.subarray(1));
      if (protocol !== V5_PROTOCOL && !started) {
        if (idle) clearTimeout(idle);
        idle = setTimeout(() => void start(), 200);
      }
    } else if (channel === 255 && payload[1] === 0 && protocol === V5_PROTOCOL) {
      // Only v5 has the close signal: to the others 255 names no channel, and the message is dropped.
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

/**
 * The subprotocols of port-forward over WebSocket (the kubelet's portforward WebSocket handler):
 * `v4.channel.k8s.io`, `v4.base64.channel.k8s.io` (text messages of the channel's digit and base64
 * data) and no subprotocol (`""`, binary). The pre-v4 `channel.k8s.io` is not among them.
 */
export const PORT_FORWARD_PROTOCOLS = ["v4.channel.k8s.io", "v4.base64.channel.k8s.io", ""];

/**
 * Run a port-forward session: for the i-th requested port, channel 2i carries data and 2i+1
 * errors; the first message on each channel is the port number (uint16, little endian).
 */
export function runPortForwardSession(socket: Duplex, namespace: string, pod: string, ports: number[], handler: PortForwardHandler, uid = "", protocol = "v4.channel.k8s.io"): void {
  // One frame per write, the next once the previous has gone out: each frame is then its own TLS
  // record, as the kubelet's separate writes are. Node joins writes queued behind one in flight
  // into one record, and a client that waits on select() for the socket while a decrypted frame
  // sits in its TLS buffer (the Python client's port-forward proxy) waits forever for it.
  const queue: Buffer[] = [];
  let queued = 0;
  let writing = false;
  const waiting = new Set<Duplex>();
  const resumeBelow = 1024 * 1024;
  let closing = false;
  const pump = (): void => {
    if (writing) return;
    const frame = queue.shift();
    if (!frame) {
      if (closing && socket.writable) socket.end(webSocketFrame(8, Buffer.from([0x03, 0xe8])));
      closing = false;
      return;
    }
    queued -= frame.length;
    if (!socket.writable) return;
    writing = true;
    socket.write(frame, () => {
      writing = false;
      if (queued <= resumeBelow) {
        for (const t of waiting) t.resume();
        waiting.clear();
      }
      pump();
    });
  };
  /** Queue a frame; false when the backlog is over `resumeBelow` (the source should pause). */
  const send = (frame: Buffer): boolean => {
    if (!socket.writable) return false;
    if (queued + socket.writableLength + frame.length > MAX_STREAM_BACKLOG_BYTES) {
      socket.destroy();
      return false;
    }
    queue.push(frame);
    queued += frame.length;
    pump();
    return queued <= resumeBelow;
  };
  const targets = ports.map((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(channelFrame(protocol, 2 * i, portBytes));
    send(channelFrame(protocol, 2 * i + 1, portBytes));
    const target = handler({ namespace, pod, port });
    target.on("data", (chunk: Buffer) => {
      if (!send(channelFrame(protocol, 2 * i, chunk)) && !target.isPaused()) {
        target.pause();
        waiting.add(target);
      }
    });
    target.on("error", (err: Error) => {
      send(channelFrame(protocol, 2 * i + 1, `error forwarding port ${port} to pod ${pod}_${namespace}, uid ${uid}: ${err.message}`));
    });
    return target;
  });
  const closeAll = () => {
    for (const t of targets) t.end();
    // The close frame goes after the frames still queued.
    closing = true;
    pump();
  };
  readWebSocketFrames(
    socket,
    (message) => {
      const payload = decodeChannelMessage(protocol, message);
      if (!payload) return;
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
