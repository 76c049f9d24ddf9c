/**
 * SPDY/3.1 framing as spdystream (Kubernetes' SPDY) writes and reads it. The recorded bytes are what
 * kubectl 1.28 sent to open a port-forward (an error stream, then a data stream carrying "hi").
 */
import { describe, expect, it } from "vitest";
import {
  decodeHeaderBlock,
  encodeHeaderBlock,
  SPDY_FLAG_FIN,
  SPDY_HEADER_DICTIONARY,
  SpdyFramer,
  SpdyServerConnection,
  isSpdyUpgrade,
  spdyHandshake,
  splitSpdyFrames,
  type SpdyFrame,
  type SpdyStream,
} from "../../src/testing/spdy.js";

/** kubectl 1.28 `port-forward pod/x 18128:8080`, one local connection writing "hi" and closing. */
const KUBECTL_1_28 = Buffer.from(
  "80030001" + "0000003e" + "00000001" + "00000000" + "0000" +
    "78f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45e01c60616061c0c0c0c0590489c64c50f2663400000000ffff" +
    "00000001" + "01000000" +
    "80030001" + "00000018" + "00000003" + "00000000" + "0000" + "c2aa19540e2512d60b000000ffff" +
    "00000003" + "00000002" + "6869" +
    "00000003" + "01000000",
  "hex",
);

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

async function decodeAll(framer: SpdyFramer, bytes: Buffer): Promise<SpdyFrame[]> {
  const { frames, rest } = splitSpdyFrames(bytes);
  expect(rest.length).toBe(0);
  return Promise.all(frames.map((f) => framer.decode(f)));
}

describe("SPDY/3.1 framing", () => {
  it("the header dictionary is SPDY/3's (its id is the one in kubectl's zlib header)", () => {
    expect(SPDY_HEADER_DICTIONARY.length).toBe(1423);
    // Bytes 2..5 of the first header block are the zlib FDICT id (adler32 of the dictionary).
    expect(adler32(SPDY_HEADER_DICTIONARY)).toBe(KUBECTL_1_28.readUInt32BE(20));
  });

  it("decodes what kubectl sends: two SYN_STREAMs sharing one zlib context, data and FIN", async () => {
    const framer = new SpdyFramer();
    const frames = await decodeAll(framer, KUBECTL_1_28);
    framer.close();
    expect(frames).toEqual([
      { type: "synStream", streamId: 1, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: ["error"], port: ["8080"], requestid: ["0"] } },
      { type: "data", streamId: 1, flags: SPDY_FLAG_FIN, data: Buffer.alloc(0) },
      { type: "synStream", streamId: 3, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: ["data"], port: ["8080"], requestid: ["0"] } },
      { type: "data", streamId: 3, flags: 0, data: Buffer.from("hi") },
      { type: "data", streamId: 3, flags: SPDY_FLAG_FIN, data: Buffer.alloc(0) },
    ]);
  });

  it("splits a byte stream at frame boundaries whatever the chunking", () => {
    for (const cut of [1, 7, 8, 30, KUBECTL_1_28.length - 1]) {
      const first = splitSpdyFrames(KUBECTL_1_28.subarray(0, cut));
      const second = splitSpdyFrames(Buffer.concat([first.rest, KUBECTL_1_28.subarray(cut)]));
      expect(first.frames.length + second.frames.length).toBe(5);
      expect(second.rest.length).toBe(0);
    }
  });

  it("round-trips every frame type between two framers (header contexts continue across frames)", async () => {
    const writer = new SpdyFramer();
    const reader = new SpdyFramer();
    const frames: SpdyFrame[] = [
      { type: "synStream", streamId: 5, associatedTo: 0, priority: 3, flags: 0, headers: { streamtype: ["data"], port: ["80"], requestid: ["7"] } },
      { type: "synReply", streamId: 5, flags: 0, headers: {} },
      { type: "synStream", streamId: 7, associatedTo: 5, priority: 0, flags: SPDY_FLAG_FIN, headers: { streamtype: ["error"], port: ["80"], requestid: ["7"] } },
      { type: "headers", streamId: 7, flags: 0, headers: { multi: ["a", "b"] } },
      { type: "data", streamId: 5, flags: SPDY_FLAG_FIN, data: Buffer.from([0, 1, 2, 255]) },
      { type: "rstStream", streamId: 7, status: 5 },
      { type: "settings", flags: 0, entries: [{ flags: 1, id: 7, value: 65536 }] },
      { type: "ping", id: 3 },
      { type: "goAway", lastGoodStreamId: 7, status: 0 },
      { type: "windowUpdate", streamId: 5, delta: 1024 },
    ];
    const bytes = Buffer.concat(await Promise.all(frames.map((f) => writer.encode(f))));
    expect(await decodeAll(reader, bytes)).toEqual(frames);
    writer.close();
    reader.close();
  });

  it("a header block that inflates past 1 MiB is refused, not inflated whole", async () => {
    const writer = new SpdyFramer();
    const reader = new SpdyFramer();
    const bomb = await writer.encode({ type: "synStream", streamId: 1, associatedTo: 0, priority: 0, flags: 0, headers: { big: ["a".repeat(4 * 1024 * 1024)] } });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const [raw] = splitSpdyFrames(bomb).frames;
    await expect(reader.decode(raw!)).rejects.toThrow(/header block larger than 1048576 bytes/);
    writer.close();
    reader.close();
  });

  it("header blocks: names lowercased on the wire; upper-case or repeated names refused as spdystream does", () => {
    expect(decodeHeaderBlock(encodeHeaderBlock({ StreamType: ["error"] }))).toEqual({ streamtype: ["error"] });
    const upper = Buffer.from("00000001" + "00000001" + "41" + "00000000", "hex");
    expect(() => decodeHeaderBlock(upper)).toThrow("header was not lowercased");
    const twice = Buffer.concat([Buffer.from("00000002", "hex"), encodeHeaderBlock({ a: ["1"] }).subarray(4), encodeHeaderBlock({ a: ["2"] }).subarray(4)]);
    expect(() => decodeHeaderBlock(twice)).toThrow("multiple headers with same name");
    expect(() => decodeHeaderBlock(Buffer.from("00000001", "hex"))).toThrow("truncated");
  });
});

describe("SPDY upgrade handshake (apimachinery's httpstream.Handshake)", () => {
  it("picks the client's first protocol the server accepts, from repeated or comma-separated headers", () => {
    expect(isSpdyUpgrade({ upgrade: "SPDY/3.1" })).toBe(true);
    expect(isSpdyUpgrade({ upgrade: "websocket" })).toBe(false);
    const shake = spdyHandshake({ "x-stream-protocol-version": "v4.channel.k8s.io, v3.channel.k8s.io" }, ["v3.channel.k8s.io", "v4.channel.k8s.io"]);
    expect(shake).toEqual({
      protocol: "v4.channel.k8s.io",
      response: "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n",
    });
  });

  it("refuses without a protocol header (400) or without a common protocol (403)", () => {
    expect(spdyHandshake({}, ["portforward.k8s.io"])).toEqual({ status: 400, message: "unable to upgrade: X-Stream-Protocol-Version is required" });
    expect(spdyHandshake({ "x-stream-protocol-version": ["channel.k8s.io", "v2.channel.k8s.io"] }, ["v4.channel.k8s.io"])).toEqual({
      status: 403,
      message: "unable to upgrade: unable to negotiate protocol: client supports [channel.k8s.io v2.channel.k8s.io], server accepts [v4.channel.k8s.io]",
    });
  });
});

describe("SPDY server connection", () => {
  it("replies to each stream, carries data both ways, echoes pings and half-closes", async () => {
    const client = new SpdyFramer();
    const out: Buffer[] = [];
    let closed = false;
    const conn = new SpdyServerConnection({ write: (b) => out.push(b), close: () => (closed = true) }, (stream: SpdyStream) => {
      expect(stream.header("streamType")).toBe("data");
      stream.on("data", (d: Buffer) => stream.write(Buffer.from(d.toString().toUpperCase())));
      stream.on("end", () => stream.end());
    });
    for (const f of [
      { type: "synStream", streamId: 1, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: ["data"] } },
      { type: "data", streamId: 1, flags: 0, data: Buffer.from("abc") },
      { type: "ping", id: 1 },
      { type: "data", streamId: 1, flags: SPDY_FLAG_FIN, data: Buffer.alloc(0) },
    ] satisfies SpdyFrame[]) {
      const bytes = await client.encode(f);
      // One byte at a time: frames arrive split anywhere.
      for (const b of bytes) conn.receive(Buffer.from([b]));
    }
    // The reply, the echoed data, its FIN and the ping: wait for the four frames.
    await until(() => splitSpdyFrames(Buffer.concat(out)).frames.length === 4);
    expect(closed).toBe(false);
    conn.receive(await client.encode({ type: "goAway", lastGoodStreamId: 0, status: 0 }));
    await until(() => closed);
    const reader = new SpdyFramer();
    const frames = await decodeAll(reader, Buffer.concat(out));
    expect(frames.filter((f) => f.type !== "ping")).toEqual([
      { type: "synReply", streamId: 1, flags: 0, headers: {} },
      { type: "data", streamId: 1, flags: 0, data: Buffer.from("ABC") },
      { type: "data", streamId: 1, flags: SPDY_FLAG_FIN, data: Buffer.alloc(0) },
    ]);
    expect(frames.filter((f) => f.type === "ping")).toEqual([{ type: "ping", id: 1 }]);
    expect(closed).toBe(true);
    client.close();
    reader.close();
  });
});
