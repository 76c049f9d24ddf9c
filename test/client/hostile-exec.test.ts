/**
 * exec against broken and hostile servers, over a raw socket speaking just enough RFC 6455: a
 * server that never answers the upgrade (TimeoutError), one that picks a subprotocol never
 * offered (refused), frames on unknown channels and text frames (ignored), error-channel
 * statuses of the wrong shape (an exit code, never a TypeError thrown from an event listener),
 * connections cut before the status or mid-frame (ConnectionError, not success), a frame larger
 * than the WebSocket limit.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect as netConnect, type AddressInfo, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Pod } from "kubezod/k8s";
import { connect, ConnectionError, defineCluster, ForbiddenError, NotFoundError, ResponseTooLargeError, TimeoutError, type Kube } from "../../src/index.js";
import { exitCodeOf, MAX_UNREAD_OUTPUT_BYTES } from "../../src/client/exec.js";

type Accept = (protocol?: string) => void;
let behave: (req: IncomingMessage, socket: Socket, accept: Accept) => void = () => undefined;
let server: Server;
let url: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((_req, res) => {
    // The pod, for a client that asks why an upgrade was refused.
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "d" } }));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.on("data", () => undefined);
    const key = createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    behave(req, socket, (protocol = "v5.channel.k8s.io") =>
      socket.write(["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Accept: ${key}`, `Sec-WebSocket-Protocol: ${protocol}`, "", ""].join("\r\n")),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const opened: Kube[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((k) => k.close()));
});

async function client(timeoutMs?: number): Promise<Kube> {
  const k = await connect({ config: defineCluster({ server: url }), retry: false, onWarning: false, kubernetesVersion: "1.34", ...(timeoutMs ? { timeoutMs } : {}) });
  opened.push(k);
  return k;
}

/** An unmasked server frame (FIN set). */
function frame(payload: Buffer, opcode = 2): Buffer {
  if (payload.length < 126) return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
  const head = Buffer.alloc(4);
  head[0] = 0x80 | opcode;
  head[1] = 126;
  head.writeUInt16BE(payload.length, 2);
  return Buffer.concat([head, payload]);
}
const channel = (c: number, text: string) => frame(Buffer.concat([Buffer.from([c]), Buffer.from(text)]));
function closeFrame(code: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return frame(b, 8);
}
/** Accept, send `frames`, close with `code`. */
const answer =
  (frames: Buffer[], code = 1000) =>
  (_req: IncomingMessage, socket: Socket, accept: Accept) => {
    accept();
    for (const f of frames) socket.write(f);
    socket.write(closeFrame(code));
    socket.end();
  };

const exec = async (kube?: Kube) => (kube ?? (await client())).exec(Pod, "p", ["ls"], { namespace: "d", timeoutMs: 10_000 });

describe("the upgrade", () => {
  it("a server that accepts the connection but never answers the upgrade ends in TimeoutError (the call's limit)", async () => {
    behave = () => undefined;
    const err = await (await client()).exec(Pod, "p", ["ls"], { namespace: "d", timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/did not open the WebSocket within 300 ms \(http:.*\/api\/v1\/namespaces\/d\/pods\/p\/exec\)/);
  });

  it("credentials that never come (a hung exec plugin) are bounded by the same limit", async () => {
    const hung = { type: "exec" as const, get: () => new Promise<never>(() => undefined), refresh: async () => false };
    const k = await connect({ config: defineCluster({ server: url, credentials: hung }), retry: false, onWarning: false, kubernetesVersion: "1.34" });
    opened.push(k);
    const err = await k.exec(Pod, "p", ["ls"], { namespace: "d", timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
  });

  it("execStream without a time limit of its own is bounded by the transport's", async () => {
    behave = () => undefined;
    const err = await (await client(300)).execStream(Pod, "p", ["sh"], { namespace: "d" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).timeoutMs).toBe(300);
  });

  it("an upgrade refused with a Status (RBAC forbids pods/exec) is that Status's typed error, with the server's message", async () => {
    const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "Forbidden", code: 403, message: 'pods "p" is forbidden: User "jane" cannot create resource "pods/exec" in API group "" in the namespace "d"', details: { name: "p", kind: "pods" } };
    behave = (_req, socket) => {
      const body = JSON.stringify(status);
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    };
    const err = await exec().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).body).toEqual(status);
    expect((err as Error).message).toMatch(/^pods "p" is forbidden: User "jane" cannot create resource "pods\/exec".* \(GET http:.*\/pods\/p\/exec\)$/);
  });

  it("an upgrade refused with an HTML page is the status's typed error; an answer that is neither is a ConnectionError", async () => {
    behave = (_req, socket) => {
      const body = "<html><head><title>Gateway says no</title></head></html>";
      socket.end(`HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    };
    const err = await exec().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toMatch(/HTTP 404 with an HTML body \(Gateway says no\)/);
    behave = (_req, socket) => socket.end("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
    await expect(exec()).rejects.toThrow(/answered HTTP 200 instead of switching protocols/);
  });

  it("a subprotocol that was never offered is a refused upgrade (ConnectionError naming the path)", async () => {
    behave = (_req, _socket, accept) => accept("v9.bogus.k8s.io");
    const err = await exec().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/refused the WebSocket for http:.*\/pods\/p\/exec/);
  });
});

describe("frames", () => {
  it("unknown channels, empty frames and text frames are ignored", async () => {
    behave = answer([channel(9, "x"), frame(Buffer.alloc(0)), frame(Buffer.from("\u0001text"), 1), channel(1, "out"), channel(2, "err"), channel(3, '{"status":"Success"}')]);
    expect(await exec()).toMatchObject({ stdout: "out", stderr: "err", exitCode: 0, status: { status: "Success" } });
  });

  it("a frame larger than the WebSocket's limit ends the session with a ConnectionError", async () => {
    behave = (_req, socket, accept) => {
      accept();
      const head = Buffer.alloc(10);
      head[0] = 0x82;
      head[1] = 127;
      head.writeBigUInt64BE(2n ** 40n, 2);
      socket.write(head);
    };
    await expect(exec()).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe("output nobody reads", () => {
  it(`execStream output left unread past ${MAX_UNREAD_OUTPUT_BYTES} bytes closes the session with ResponseTooLargeError`, async () => {
    behave = (_req, socket, accept) => {
      accept();
      const chunk = Buffer.alloc(1 + 60_000, 0x61);
      chunk[0] = 1;
      const f = frame(chunk);
      let sent = 0;
      const pump = () => {
        while (sent < MAX_UNREAD_OUTPUT_BYTES + 4 * 1024 * 1024 && !socket.destroyed) {
          sent += chunk.length;
          if (!socket.write(f)) return void socket.once("drain", pump);
        }
      };
      pump();
    };
    const session = await (await client()).execStream(Pod, "p", ["yes"], { namespace: "d" });
    const err = await session.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect((err as Error).message).toMatch(/standard output of http:.*\/pods\/p\/exec left unread passed 67108864 bytes/);
    session.stdout.resume();
  });
});

describe("closing", () => {
  it("a session closed by the client settles, and its connection is dropped, even when the server never answers the close", async () => {
    let serverSide: Socket | undefined;
    behave = (_req, socket, accept) => {
      serverSide = socket;
      accept();
      socket.write(channel(1, "x"));
    };
    const session = await (await client()).execStream(Pod, "p", ["sh"], { namespace: "d" });
    session.stdout.resume();
    // The server sees the end of the connection (its side stays half open, as http.Server keeps upgraded sockets).
    const dropped = new Promise((resolve) => serverSide!.once("end", resolve));
    session.close();
    const err = await session.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/closed before the command's status arrived|did not answer the close of .*\/pods\/p\/exec within 2000 ms/);
    await dropped;
  });

  it("kube.close() drops the connections of open sessions (they would keep the process up)", async () => {
    let serverSide: Socket | undefined;
    behave = (_req, socket, accept) => {
      serverSide = socket;
      accept();
    };
    const kube = await client();
    const session = await kube.execStream(Pod, "p", ["sh"], { namespace: "d" });
    // The server sees the end of the connection (its side stays half open, as http.Server keeps upgraded sockets).
    const dropped = new Promise((resolve) => serverSide!.once("end", resolve));
    await kube.close();
    await dropped;
    await expect(session.done).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe("the error channel", () => {
  const cases: Array<[string, string, number]> = [
    ["null", "null", 1],
    ["a number", "5", 1],
    ["causes that are not a list", '{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":"x"}}', 1],
    ["an exit code that is a number, not text", '{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":42}]}}', 1],
    ["an exit code out of 0-255", '{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"300"}]}}', 1],
    ["null causes entries before the exit code", '{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[null,7,{"reason":"ExitCode","message":"3"}]}}', 3],
    ["text (a v1-style error)", "container not found", 1],
  ];
  for (const [name, status, exitCode] of cases) {
    it(`${name}: exit code ${exitCode}, no exception`, async () => {
      behave = answer([channel(1, "partial"), channel(3, status)]);
      const r = await exec();
      expect(r.exitCode).toBe(exitCode);
      expect(r.stdout).toBe("partial");
      expect(typeof r.status).toBe("object");
    });
  }

  it("a text status keeps its text as the message", async () => {
    behave = answer([channel(3, "container not found")]);
    expect((await exec()).status).toEqual({ status: "Failure", message: "container not found" });
  });

  it("exitCodeOf never throws, whatever the status", () => {
    for (const s of [null, 5, "x", {}, { details: null }, { details: { causes: {} } }, { status: "Failure", details: { causes: [{ reason: "ExitCode", message: "-1" }] } }]) {
      expect(exitCodeOf(s as never)).toBe(1);
    }
    expect(exitCodeOf({ status: "Failure", details: { causes: [{ reason: "ExitCode", message: "255" }] } })).toBe(255);
  });
});

describe("the connection ends", () => {
  it("cut before the status arrives (after some output): ConnectionError, not success", async () => {
    behave = (_req, socket, accept) => {
      accept();
      socket.write(channel(1, "partial"));
      setTimeout(() => socket.destroy(), 20);
    };
    const err = await exec().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/closed before the command's status arrived \(code 1006, not cleanly\)/);
  });

  it("cut in the middle of a frame: ConnectionError", async () => {
    behave = (_req, socket, accept) => {
      accept();
      socket.write(channel(1, "x".repeat(1000)).subarray(0, 500));
      setTimeout(() => socket.destroy(), 20);
    };
    await expect(exec()).rejects.toBeInstanceOf(ConnectionError);
  });

  it("closed with an error code (1011) and no status: ConnectionError naming the code", async () => {
    behave = answer([channel(1, "x")], 1011);
    await expect(exec()).rejects.toThrow(/closed before the command's status arrived \(code 1011\)/);
  });

  it("closed normally without a status: success, as client-go reads an empty error stream", async () => {
    behave = answer([channel(1, "x")], 1000);
    expect(await exec()).toMatchObject({ stdout: "x", exitCode: 0 });
  });

  it("cut after the status: the status stands", async () => {
    behave = (_req, socket, accept) => {
      accept();
      socket.write(channel(3, '{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"2"}]}}'));
      setTimeout(() => socket.destroy(), 20);
    };
    expect((await exec()).exitCode).toBe(2);
  });
});

describe("port-forward", () => {
  /** Connect to the forwarded port, send a byte, and collect what comes back until it closes. */
  async function through(port: number): Promise<string> {
    return new Promise((resolve) => {
      let got = "";
      const s = netConnect(port, "127.0.0.1", () => s.write("x"));
      s.on("data", (d: Buffer) => (got += d.toString()));
      s.on("error", () => undefined);
      s.on("close", () => resolve(got));
    });
  }

  it("an upgrade the server never answers: the local connection is closed and onError gets a TimeoutError", async () => {
    behave = () => undefined;
    const errors: unknown[] = [];
    const fwd = await (await client(300)).portForward(Pod, "p", 8080, { namespace: "d", onError: (e) => errors.push(e) });
    try {
      expect(await through(fwd.localPort)).toBe("");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(TimeoutError);
    } finally {
      await fwd.close();
    }
  });

  it("text frames are ignored; the data channel's bytes after the port prefix reach the local connection", async () => {
    const port = Buffer.from([0x90, 0x1f]); // 8080, little endian
    behave = (_req, socket, accept) => {
      accept("v4.channel.k8s.io");
      socket.write(frame(Buffer.from("5"), 1));
      socket.write(frame(Buffer.concat([Buffer.from([0]), port])));
      socket.write(frame(Buffer.concat([Buffer.from([1]), port])));
      socket.write(frame(Buffer.concat([Buffer.from([0]), Buffer.from("pong")])));
      socket.write(closeFrame(1000));
      socket.end();
    };
    const fwd = await (await client()).portForward(Pod, "p", 8080, { namespace: "d" });
    try {
      expect(await through(fwd.localPort)).toBe("pong");
    } finally {
      await fwd.close();
    }
  });
});
