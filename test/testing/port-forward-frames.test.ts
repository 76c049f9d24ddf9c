import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { runPortForwardSession } from "../../src/testing/exec.js";
import { echoPortForward } from "../../src/testing/index.js";
import { portForwardHandler } from "../../src/testing/port-forward.js";
import { wsClientFrame, wsFrameReader } from "./helpers.js";

// Found by running the Python client's e2e suite: its port-forward proxy waits on select() for the
// socket, so a frame that arrives in one TLS record with the frame before it sits decrypted in its
// TLS buffer and is never read. The kubelet writes each frame on its own; so does the local server.

/** A socket whose writes complete a tick later and whose batched writes (`_writev`) become one record, as a TLS socket's do. */
function recordingSocket() {
  const records: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      records.push(chunk);
      setImmediate(done);
    },
    writev(chunks, done) {
      records.push(Buffer.concat(chunks.map((c) => c.chunk as Buffer)));
      setImmediate(done);
    },
  });
  return { socket, records };
}

function framesOf(record: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  wsFrameReader((_op, payload) => frames.push(payload))(record);
  return frames;
}

describe("port-forward over WebSocket (v4.channel.k8s.io)", () => {
  it("writes every frame in a write of its own: port frames, echoed data and a refused port's error", async () => {
    const { socket, records } = recordingSocket();
    runPortForwardSession(socket, "default", "p", [1234, 1236], portForwardHandler({ 1234: echoPortForward }), "u-1");
    socket.push(wsClientFrame(2, Buffer.concat([Buffer.from([0]), Buffer.from("one")])));
    socket.push(wsClientFrame(2, Buffer.concat([Buffer.from([0]), Buffer.from("two")])));
    const all = () => records.flatMap(framesOf);
    for (let i = 0; i < 200 && all().filter((f) => f[0] === 0 && f.length > 3).length + all().filter((f) => f[0] === 3 && f.length > 3).length < 3; i++) {
      await new Promise((r) => setImmediate(r));
    }
    const frames = all();
    expect(frames.map((f) => f[0])).toEqual(expect.arrayContaining([0, 1, 2, 3]));
    expect(frames.find((f) => f[0] === 3 && f.length > 3)?.subarray(1).toString()).toBe(
      "error forwarding port 1236 to pod p_default, uid u-1: dial tcp4 127.0.0.1:1236: connect: connection refused",
    );
    expect(Buffer.concat(frames.filter((f) => f[0] === 0 && f.length > 3).map((f) => f.subarray(1))).toString()).toBe("onetwo");
    expect(records.map((r) => framesOf(r).length)).toEqual(records.map(() => 1));
    socket.destroy();
  });
});
