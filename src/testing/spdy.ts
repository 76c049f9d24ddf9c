/**
 * SPDY/3.1 as Kubernetes speaks it (k8s.io/apimachinery/pkg/util/httpstream/spdy on
 * github.com/moby/spdystream): the frame format, header blocks compressed with zlib and the SPDY/3
 * dictionary in one context per direction, and the server side of a connection whose streams the
 * client opens (port-forward, and exec of kubectl before 1.30).
 */
import { Duplex } from "node:stream";
import zlib from "node:zlib";

/** SPDY control frame types. */
export const SPDY_FRAME = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

/** The FIN flag of data frames and of SYN_STREAM, SYN_REPLY and HEADERS. */
export const SPDY_FLAG_FIN = 0x01;

/** RST_STREAM status codes used here. */
export const SPDY_RST = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6, streamAlreadyClosed: 9 } as const;

const HEADER_WORDS = [
  "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding", "accept-language",
  "accept-ranges", "age", "allow", "authorization", "cache-control", "connection", "content-base", "content-encoding",
  "content-language", "content-length", "content-location", "content-md5", "content-range", "content-type", "date", "etag",
  "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
  "last-modified", "location", "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
  "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
  "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
];
const HEADER_TAIL =
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
  "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
  "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
  "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
  "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript," +
  "publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

/** The zlib dictionary of SPDY/3 header blocks (the protocol's fixed 1423 bytes). */
export const SPDY_HEADER_DICTIONARY: Buffer = Buffer.concat([
  ...HEADER_WORDS.map((w) => {
    const b = Buffer.alloc(4 + w.length);
    b.writeUInt32BE(w.length);
    b.write(w, 4, "latin1");
    return b;
  }),
  Buffer.from(HEADER_TAIL, "latin1"),
]);

/** Header names (lowercase, as on the wire) to their values. */
export type SpdyHeaders = Record<string, string[]>;

/**
 * A decoded SPDY frame. Header blocks are decoded (see {@link SpdyFramer}).
 *
 * @example
 * const ping: SpdyFrame = { type: "ping", id: 1 };
 */
export type SpdyFrame =
  | { type: "data"; streamId: number; flags: number; data: Buffer }
  | { type: "synStream"; streamId: number; associatedTo: number; priority: number; flags: number; headers: SpdyHeaders }
  | { type: "synReply"; streamId: number; flags: number; headers: SpdyHeaders }
  | { type: "rstStream"; streamId: number; status: number }
  | { type: "settings"; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: "ping"; id: number }
  | { type: "goAway"; lastGoodStreamId: number; status: number }
  | { type: "headers"; streamId: number; flags: number; headers: SpdyHeaders }
  | { type: "windowUpdate"; streamId: number; delta: number }
  | { type: "unknown"; frameType: number; flags: number; payload: Buffer };

/** A frame as it is on the wire, its header block (if any) still compressed. */
export interface RawSpdyFrame {
  control: boolean;
  /** Control frames: the frame type; data frames: the stream id. */
  typeOrStream: number;
  version: number;
  flags: number;
  payload: Buffer;
}

/**
 * Split bytes into whole frames; the remainder (an incomplete frame) is returned.
 *
 * @example
 * const { frames, rest } = splitSpdyFrames(buffer);
 */
export function splitSpdyFrames(buffer: Buffer): { frames: RawSpdyFrame[]; rest: Buffer } {
  const frames: RawSpdyFrame[] = [];
  let at = 0;
  while (buffer.length - at >= 8) {
    const length = buffer.readUInt32BE(at + 4) & 0xffffff;
    if (buffer.length - at < 8 + length) break;
    const first = buffer.readUInt32BE(at);
    const control = (first & 0x80000000) !== 0;
    frames.push({
      control,
      typeOrStream: control ? first & 0xffff : first & 0x7fffffff,
      version: control ? (first >>> 16) & 0x7fff : 0,
      flags: buffer[at + 4]!,
      payload: Buffer.from(buffer.subarray(at + 8, at + 8 + length)),
    });
    at += 8 + length;
  }
  return { frames, rest: buffer.subarray(at) };
}

/**
 * An uncompressed SPDY/3 header block: a 32-bit count, then length-prefixed names and values
 * (several values of one name joined by NUL). Names are lowercased, as the protocol requires.
 *
 * @example
 * encodeHeaderBlock({ streamtype: ["data"], port: ["8080"] });
 */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), "utf8");
    const v = Buffer.from(values.join("\0"), "utf8");
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/**
 * Decode an uncompressed header block; refuses what spdystream refuses (upper-case or repeated names).
 *
 * @example
 * decodeHeaderBlock(encodeHeaderBlock({ port: ["80"] })); // { port: ["80"] }
 */
export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  let at = 0;
  const u32At = (): number => {
    if (block.length - at < 4) throw new Error("spdy: truncated header block");
    at += 4;
    return block.readUInt32BE(at - 4);
  };
  // A length-prefixed string, as both names and values are written.
  const text = (): string => {
    const n = u32At();
    if (block.length - at < n) throw new Error("spdy: truncated header block");
    at += n;
    return block.toString("utf8", at - n, at);
  };
  const count = u32At();
  for (let i = 0; i < count; i++) {
    const name = text();
    const value = text();
    if (name !== name.toLowerCase()) throw new Error("spdy: header was not lowercased");
    if (Object.hasOwn(headers, name)) throw new Error("spdy: multiple headers with same name");
    headers[name] = value.split("\0");
  }
  return headers;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE((0x80000000 | (3 << 16) | type) >>> 0);
  head.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([head, payload]);
}

/**
 * A data frame (the payload at most 2^24-1 bytes).
 *
 * @example
 * encodeDataFrame(1, Buffer.from("hi"), SPDY_FLAG_FIN);
 */
export function encodeDataFrame(streamId: number, data: Buffer, flags = 0): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff);
  head.writeUInt32BE(((flags << 24) | data.length) >>> 0, 4);
  return Buffer.concat([head, data]);
}

/** The most a header block may inflate to: a small compressed block must not become gigabytes. */
const MAX_HEADER_BLOCK_BYTES = 1024 * 1024;

/** One direction of zlib, kept across header blocks with sync flushes, as SPDY requires. */
class ZlibContext {
  private readonly out: Buffer[] = [];
  private outBytes = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private failed: Error | undefined;
  constructor(private readonly stream: zlib.Deflate | zlib.Inflate) {
    stream.on("data", (c: Buffer) => {
      this.outBytes += c.length;
      if (this.outBytes > MAX_HEADER_BLOCK_BYTES) {
        this.failed ??= new Error(`spdy: header block larger than ${MAX_HEADER_BLOCK_BYTES} bytes`);
        stream.destroy(this.failed);
        return;
      }
      this.out.push(c);
    });
    stream.on("error", (e: Error) => (this.failed = e));
  }
  /** Push bytes through and flush; in call order. */
  run(input: Buffer): Promise<Buffer> {
    const next = this.chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.failed) return reject(this.failed);
          // A corrupt stream fails with an error event; the flush callback may then never run.
          const fail = (e: Error) => reject(e);
          this.stream.once("error", fail);
          this.stream.write(input);
          this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.stream.off("error", fail);
            if (this.failed) return reject(this.failed);
            this.outBytes = 0;
            resolve(Buffer.concat(this.out.splice(0)));
          });
        }),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }
  close(): void {
    this.stream.destroy();
  }
}

/**
 * Encodes and decodes the frames of one connection: it holds the two zlib contexts (one per
 * direction) that SPDY/3 header blocks share for the connection's life. Calls complete in order.
 *
 * @example
 * const framer = new SpdyFramer();
 * const bytes = await framer.encode({ type: "synReply", streamId: 1, flags: 0, headers: {} });
 */
export class SpdyFramer {
  private readonly compressor = new ZlibContext(zlib.createDeflate({ level: 9, dictionary: SPDY_HEADER_DICTIONARY }));
  private readonly decompressor = new ZlibContext(zlib.createInflate({ dictionary: SPDY_HEADER_DICTIONARY }));

  /** The bytes of a frame. */
  async encode(frame: SpdyFrame): Promise<Buffer> {
    const block = async (h: SpdyHeaders) => this.compressor.run(encodeHeaderBlock(h));
    switch (frame.type) {
      case "data":
        return encodeDataFrame(frame.streamId, frame.data, frame.flags);
      case "synStream": {
        const head = Buffer.alloc(10);
        head.writeUInt32BE(frame.streamId & 0x7fffffff);
        head.writeUInt32BE(frame.associatedTo & 0x7fffffff, 4);
        head[8] = (frame.priority & 7) << 5;
        return control(SPDY_FRAME.synStream, frame.flags, Buffer.concat([head, await block(frame.headers)]));
      }
      case "synReply":
        return control(SPDY_FRAME.synReply, frame.flags, Buffer.concat([u32(frame.streamId & 0x7fffffff), await block(frame.headers)]));
      case "headers":
        return control(SPDY_FRAME.headers, frame.flags, Buffer.concat([u32(frame.streamId & 0x7fffffff), await block(frame.headers)]));
      case "rstStream":
        return control(SPDY_FRAME.rstStream, 0, Buffer.concat([u32(frame.streamId & 0x7fffffff), u32(frame.status)]));
      case "settings":
        return control(
          SPDY_FRAME.settings,
          frame.flags,
          Buffer.concat([u32(frame.entries.length), ...frame.entries.flatMap((e) => [u32(((e.flags << 24) | (e.id & 0xffffff)) >>> 0), u32(e.value)])]),
        );
      case "ping":
        return control(SPDY_FRAME.ping, 0, u32(frame.id));
      case "goAway":
        return control(SPDY_FRAME.goAway, 0, Buffer.concat([u32(frame.lastGoodStreamId & 0x7fffffff), u32(frame.status)]));
      case "windowUpdate":
        return control(SPDY_FRAME.windowUpdate, 0, Buffer.concat([u32(frame.streamId & 0x7fffffff), u32(frame.delta & 0x7fffffff)]));
      case "unknown":
        return control(frame.frameType, frame.flags, frame.payload);
    }
  }

  /** A frame from its wire form (header blocks decompressed in this connection's context). */
  async decode(raw: RawSpdyFrame): Promise<SpdyFrame> {
    const p = raw.payload;
    if (!raw.control) return { type: "data", streamId: raw.typeOrStream, flags: raw.flags, data: p };
    const need = (n: number) => {
      if (p.length < n) throw new Error("spdy: invalid control frame");
    };
    const headers = async (from: number) => decodeHeaderBlock(await this.decompressor.run(p.subarray(from)));
    switch (raw.typeOrStream) {
      case SPDY_FRAME.synStream:
        need(10);
        return {
          type: "synStream",
          streamId: p.readUInt32BE(0) & 0x7fffffff,
          associatedTo: p.readUInt32BE(4) & 0x7fffffff,
          priority: p[8]! >> 5,
          flags: raw.flags,
          headers: await headers(10),
        };
      case SPDY_FRAME.synReply:
        need(4);
        return { type: "synReply", streamId: p.readUInt32BE(0) & 0x7fffffff, flags: raw.flags, headers: await headers(4) };
      case SPDY_FRAME.headers:
        need(4);
        return { type: "headers", streamId: p.readUInt32BE(0) & 0x7fffffff, flags: raw.flags, headers: await headers(4) };
      case SPDY_FRAME.rstStream:
        need(8);
        return { type: "rstStream", streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
      case SPDY_FRAME.settings: {
        need(4);
        const n = p.readUInt32BE(0);
        need(4 + 8 * n);
        const entries = Array.from({ length: n }, (_, i) => {
          const fid = p.readUInt32BE(4 + 8 * i);
          return { flags: fid >>> 24, id: fid & 0xffffff, value: p.readUInt32BE(8 + 8 * i) };
        });
        return { type: "settings", flags: raw.flags, entries };
      }
      case SPDY_FRAME.ping:
        need(4);
        return { type: "ping", id: p.readUInt32BE(0) };
      case SPDY_FRAME.goAway:
        need(8);
        return { type: "goAway", lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
      case SPDY_FRAME.windowUpdate:
        need(8);
        return { type: "windowUpdate", streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
      default:
        return { type: "unknown", frameType: raw.typeOrStream, flags: raw.flags, payload: p };
    }
  }

  /** Release the zlib contexts. */
  close(): void {
    this.compressor.close();
    this.decompressor.close();
  }
}

/** Largest data frame sent (spdystream reads any size up to 2^24-1). */
const MAX_DATA = 32 * 1024;

/**
 * A stream the client opened: a Duplex of its data frames. Ending it sends FIN; the readable side
 * ends on the client's FIN; a RST_STREAM destroys it.
 */
export class SpdyStream extends Duplex {
  /** Set when the client's FIN arrived. */
  remoteClosed = false;
  constructor(
    readonly id: number,
    readonly headers: SpdyHeaders,
    private readonly connection: SpdyServerConnection,
  ) {
    super({ allowHalfOpen: true });
  }
  /** One header value. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    for (let at = 0; at < chunk.length; at += MAX_DATA) this.connection.send({ type: "data", streamId: this.id, flags: 0, data: chunk.subarray(at, at + MAX_DATA) });
    done();
  }
  override _final(done: (error?: Error | null) => void): void {
    this.connection.send({ type: "data", streamId: this.id, flags: SPDY_FLAG_FIN, data: Buffer.alloc(0) });
    done();
  }
  /** Abort the stream (RST_STREAM with CANCEL). */
  reset(): void {
    this.connection.send({ type: "rstStream", streamId: this.id, status: SPDY_RST.cancel });
    this.destroy();
  }
}

/** Where a server connection's bytes go, and how it is closed. */
export interface SpdyTransport {
  write(bytes: Buffer): void;
  close(): void;
}

/**
 * The server side of a SPDY connection: it answers every stream the client opens (SYN_REPLY, as
 * apimachinery's server does once the stream is accepted), echoes pings and closes on GOAWAY.
 *
 * @example
 * const conn = new SpdyServerConnection({ write: (b) => socket.write(b), close: () => socket.end() }, (stream) => stream.pipe(stream));
 * socket.on("data", (chunk) => conn.receive(chunk));
 */
export class SpdyServerConnection {
  private readonly framer = new SpdyFramer();
  private readonly streams = new Map<number, SpdyStream>();
  private buffer: Buffer = Buffer.alloc(0);
  private incoming: Promise<void> = Promise.resolve();
  private outgoing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly transport: SpdyTransport,
    private readonly onStream: (stream: SpdyStream) => void,
  ) {}

  /** Bytes from the client. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const { frames, rest } = splitSpdyFrames(this.buffer);
    this.buffer = Buffer.from(rest);
    for (const raw of frames) {
      // Header blocks share one zlib context, so frames are decoded strictly in order.
      const decoded = this.framer.decode(raw);
      this.incoming = this.incoming.then(async () => {
        if (this.closed) return;
        try {
          this.handle(await decoded);
        } catch {
          this.send({ type: "goAway", lastGoodStreamId: 0, status: 1 });
          this.close();
        }
      });
    }
  }

  /** Queue a frame (frames leave in the order they were queued). */
  send(frame: SpdyFrame): void {
    if (this.closed) return;
    const bytes = this.framer.encode(frame);
    this.outgoing = this.outgoing.then(async () => {
      try {
        const b = await bytes;
        if (!this.closed) this.transport.write(b);
      } catch {
        /* the connection is gone */
      }
    });
  }

  private handle(frame: SpdyFrame): void {
    switch (frame.type) {
      case "synStream": {
        if (this.streams.has(frame.streamId)) return this.send({ type: "rstStream", streamId: frame.streamId, status: SPDY_RST.protocolError });
        const stream = new SpdyStream(frame.streamId, frame.headers, this);
        this.streams.set(frame.streamId, stream);
        stream.on("close", () => this.streams.delete(frame.streamId));
        this.send({ type: "synReply", streamId: frame.streamId, flags: 0, headers: {} });
        if (frame.flags & SPDY_FLAG_FIN) this.remoteFin(stream);
        this.onStream(stream);
        return;
      }
      case "data": {
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        if (frame.data.length) stream.push(frame.data);
        if (frame.flags & SPDY_FLAG_FIN) this.remoteFin(stream);
        return;
      }
      case "headers": {
        const stream = this.streams.get(frame.streamId);
        if (stream && frame.flags & SPDY_FLAG_FIN) this.remoteFin(stream);
        return;
      }
      case "rstStream":
        this.streams.get(frame.streamId)?.destroy();
        return;
      case "ping":
        return this.send(frame);
      case "goAway":
        return this.close();
      default:
        return;
    }
  }

  private remoteFin(stream: SpdyStream): void {
    if (stream.remoteClosed) return;
    stream.remoteClosed = true;
    stream.push(null);
  }

  /** Close the connection: every stream is destroyed, queued frames are sent first. */
  close(): void {
    if (this.closed) return;
    void this.outgoing.then(() => {
      this.closed = true;
      for (const s of this.streams.values()) s.destroy();
      this.streams.clear();
      this.framer.close();
      this.transport.close();
    });
  }

  /** The transport went away. */
  abort(): void {
    this.closed = true;
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    this.framer.close();
  }
}

/** Whether an upgrade request asks for SPDY/3.1 (`Upgrade: SPDY/3.1`). */
export function isSpdyUpgrade(headers: Record<string, string | string[] | undefined>): boolean {
  return headerList(headers, "upgrade").some((u) => u.toLowerCase() === "spdy/3.1");
}

function headerList(headers: Record<string, string | string[] | undefined>, name: string): string[] {
  const v = headers[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
}

/**
 * Negotiate the stream protocol as apimachinery's `httpstream.Handshake` does (the first of the
 * client's `X-Stream-Protocol-Version` values the server supports) and switch protocols; returns
 * the protocol, or the error (status and message) to answer with instead.
 */
export function spdyHandshake(
  headers: Record<string, string | string[] | undefined>,
  supported: readonly string[],
): { protocol: string; response: string } | { status: number; message: string } {
  const offered = headerList(headers, "x-stream-protocol-version");
  if (!offered.length) return { status: 400, message: "unable to upgrade: X-Stream-Protocol-Version is required" };
  const protocol = offered.find((p) => supported.includes(p));
  if (!protocol) {
    return { status: 403, message: `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${supported.join(" ")}]` };
  }
  return { protocol, response: `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n` };
}
