/**
 * The bottom of the pipeline: one attempt over undici, and reading its body within bounds — the
 * call's deadline covers the body as well as the headers, a body larger than the limit (after
 * decompression: a gzip bomb is cut off) fails with `ResponseTooLargeError`, and a stream goes
 * quiet for no longer than its idle limit.
 */
import type { Readable } from "node:stream";
import type { InputType, ZlibOptions } from "node:zlib";

// node:zlib and the stream modules load with the first compressed response, not with the library.
const zlib = () => process.getBuiltinModule("node:zlib");
import type { Dispatcher } from "undici";
import { ResponseTooLargeError, type RequestInfo } from "../errors.js";
import type { Call, Outcome, Payload } from "./interceptors.js";

/** Default cap of a response body, decompressed (`maxResponseBytes`). */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** Deadlines shorter than this are enforced with a timer of their own, not undici's coarse ones. */
const PRECISE_DEADLINE_MS = 2000;

/** The call's deadline passed (turned into a TimeoutError by the transport). */
export class DeadlineReached extends Error {}

const TEXTUAL = /json|yaml|^text\//;

// ---- deadlines that cover reading the body -----------------------------------------------------

/**
 * A body being read and the time it must be done by; `body` is cleared when reading ends. Kept in
 * an array swept a few times a second (no per-request hashing or closures on the hot path).
 */
interface Reading {
  body: Readable | undefined;
  deadline: number;
}

let reading: Reading[] = [];
let sweeper: ReturnType<typeof setInterval> | undefined;

function sweep(): void {
  const now = performance.now();
  const still: Reading[] = [];
  for (const r of reading) {
    const body = r.body;
    if (!body) continue;
    if (now >= r.deadline) {
      r.body = undefined;
      body.destroy(new DeadlineReached());
    } else still.push(r);
  }
  reading = still;
  if (!still.length && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

const UNWATCHED: Reading = { body: undefined, deadline: Infinity };

/** Destroy `body` with `DeadlineReached` if it is still being read at `deadline`; clear `body` of the result when done. */
function watchDeadline(body: Readable, deadline: number): Reading {
  if (deadline === Infinity) return UNWATCHED;
  const r: Reading = { body, deadline };
  reading.push(r);
  if (!sweeper) {
    sweeper = setInterval(sweep, 200);
    sweeper.unref();
  }
  return r;
}

function noop(): void {}

// ---- one attempt --------------------------------------------------------------------------------

/**
 * Send one attempt on `dispatcher` with the call's headers; the response body is read (bounded)
 * unless this is a successful stream. Whatever fails is handed to `fail` for the error to throw.
 */
export async function dispatchAttempt(
  dispatcher: Dispatcher,
  origin: string,
  call: Call,
  headers: Record<string, string | string[]>,
  fail: (call: Call, err: unknown) => Error,
): Promise<Outcome> {
  const left = call.deadline - performance.now();
  // Above a second undici's timeouts are whole seconds (its timers are that coarse anyway), so a
  // kept-alive connection re-arms its timer instead of replacing it on every request.
  const remaining = call.deadline === Infinity ? undefined : left > 1000 ? Math.ceil(left / 1000) * 1000 : Math.max(1, Math.ceil(left));
  let precise: ReturnType<typeof setTimeout> | undefined;
  try {
    if (remaining !== undefined && remaining <= 1) throw new DeadlineReached();
    let signal = call.signal ?? null;
    if (remaining !== undefined && remaining < PRECISE_DEADLINE_MS) {
      const deadline = new AbortController();
      precise = setTimeout(() => deadline.abort(new DeadlineReached()), remaining);
      signal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    }
    const res = await dispatcher.request({
      origin,
      path: call.pathQ,
      method: call.method,
      headers,
      body: call.body ?? null,
      signal,
      headersTimeout: remaining,
      bodyTimeout: call.streaming ? 0 : remaining,
    });
    if (call.streaming && res.statusCode < 300) {
      clearTimeout(precise);
      return streamOutcome(res);
    }
    const declared = Number(res.headers["content-length"]);
    // The common case: a declared, allowed length of text, not compressed — undici reads it in one go.
    if (declared >= 0 && declared <= call.maxResponseBytes && res.headers["content-encoding"] !== "gzip" && TEXTUAL.test(String(res.headers["content-type"] ?? ""))) {
      const watched = watchDeadline(res.body, call.deadline);
      try {
        return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
      } finally {
        watched.body = undefined;
      }
    }
    return { status: res.statusCode, headers: res.headers, body: await readBody(res, call) };
  } catch (err) {
    throw fail(call, err);
  } finally {
    if (precise !== undefined) clearTimeout(precise);
  }
}

function streamOutcome(res: Dispatcher.ResponseData): Outcome {
  const raw = res.body;
  // pipeline (not pipe) so a failure of the connection reaches the reader of the gunzip stream
  const gzip = res.headers["content-encoding"] === "gzip" ? zlib().createGunzip() : undefined;
  if (gzip) process.getBuiltinModule("node:stream").pipeline(raw, gzip, noop);
  return {
    status: res.statusCode,
    headers: res.headers,
    stream: gzip ?? raw,
    close() {
      gzip?.destroy();
      raw.destroy();
    },
  };
}

function tooLarge(call: Call): ResponseTooLargeError {
  return new ResponseTooLargeError(`the response body is larger than ${call.maxResponseBytes} bytes (maxResponseBytes)`, call.maxResponseBytes, call.info);
}

const gunzipBounded = (input: InputType, options: ZlibOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => zlib().gunzip(input, options, (err, out) => (err ? reject(err) : resolve(out))));

/** The whole body, decompressed, within the size limit and the call's deadline: bodies of unknown length, compressed or binary. */
export async function readBody(res: Dispatcher.ResponseData, call: Call): Promise<Payload> {
  const limit = call.maxResponseBytes;
  const body = res.body;
  const declared = Number(res.headers["content-length"]);
  if (declared > limit) {
    body.destroy();
    throw tooLarge(call);
  }
  const gzip = res.headers["content-encoding"] === "gzip";
  const watched = watchDeadline(body, call.deadline);
  try {
    // (A declared, allowed length of plain text is read by dispatchAttempt without coming here.)
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        body.destroy();
        throw tooLarge(call);
      }
      chunks.push(chunk as Buffer);
    }
    const bytes = Buffer.concat(chunks, size);
    if (!gzip || !bytes.length) return TEXTUAL.test(String(res.headers["content-type"] ?? "")) ? bytes.toString("utf8") : bytes;
    try {
      return await gunzipBounded(bytes, { maxOutputLength: limit });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) throw tooLarge(call);
      throw err;
    }
  } finally {
    watched.body = undefined;
  }
}

/**
 * The chunks of a stream, ending with `IdleTimeoutError` (made by `idle`) when nothing arrives for
 * `idleMs`; `decompressed` bytes beyond no limit (lines are bounded by their reader).
 */
export async function* idleBounded(source: Readable, idleMs: number, idle: () => Error): AsyncGenerator<Uint8Array> {
  if (!(idleMs > 0)) {
    for await (const chunk of source) yield chunk as Uint8Array;
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(() => source.destroy(idle()), idleMs);
  timer.unref?.();
  try {
    for await (const chunk of source) {
      timer?.refresh();
      yield chunk as Uint8Array;
    }
  } finally {
    clearTimeout(timer);
    timer = undefined;
  }
}

/** Where a request failed, for errors made outside the pipeline. */
export type { RequestInfo };
