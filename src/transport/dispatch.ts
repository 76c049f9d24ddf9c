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
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { ResponseTooLargeError, type RequestInfo } from "../errors.js";
import { undiciIfLoaded } from "./dispatcher.js";
import type { Call, Outcome, Payload } from "./interceptors.js";

/** Default cap of a response body, decompressed (`maxResponseBytes`). */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** Deadlines shorter than this are enforced with a timer of their own, not undici's coarse ones. */
const PRECISE_DEADLINE_MS = 2000;

/** The call's deadline passed (turned into a TimeoutError by the transport). */
export class DeadlineReached extends Error {}

const TEXTUAL = /json|yaml|^text\//;

// ---- deadlines that cover reading the body -----------------------------------------------------

/** Something being read that can be stopped with an error: a response body, or a collecting handler. */
interface Stoppable {
  destroy(err: Error): void;
}

/**
 * A body being read and the time it must be done by; `body` is cleared when reading ends. Kept in
 * an array swept a few times a second (no per-request hashing or closures on the hot path).
 */
interface Reading {
  body: Stoppable | undefined;
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

/** Stop `body` with `DeadlineReached` if it is still being read at `deadline`; clear `body` of the result when done. */
function watchDeadline(body: Stoppable, deadline: number): Reading {
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
export function dispatchAttempt(
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
  if (remaining !== undefined && remaining <= 1) return Promise.reject(fail(call, new DeadlineReached()));
  if (call.streaming) return streamAttempt(dispatcher, origin, call, headers, fail, remaining);
  return new Promise<Outcome>((resolve, reject) => {
    const handler = new Collector(call, remaining, fail, resolve, reject);
    try {
      dispatcher.dispatch(
        { origin, path: call.pathQ, method: call.method, headers, body: call.body ?? null, headersTimeout: remaining, bodyTimeout: remaining },
        handler,
      );
    } catch (err) {
      handler.onError(err as Error);
    }
  });
}

/** A streaming attempt: the response body stays a stream when the status is a success. */
async function streamAttempt(
  dispatcher: Dispatcher,
  origin: string,
  call: Call,
  headers: Record<string, string | string[]>,
  fail: (call: Call, err: unknown) => Error,
  remaining: number | undefined,
): Promise<Outcome> {
  let precise: ReturnType<typeof setTimeout> | undefined;
  try {
    let signal = call.signal ?? null;
    if (remaining !== undefined && remaining < PRECISE_DEADLINE_MS) {
      const deadline = new AbortController();
      precise = setTimeout(() => deadline.abort(new DeadlineReached()), remaining);
      signal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    }
    const res = await dispatcher.request({ origin, path: call.pathQ, method: call.method, headers, body: call.body ?? null, signal, headersTimeout: remaining, bodyTimeout: 0 });
    if (res.statusCode < 300) {
      clearTimeout(precise);
      return streamOutcome(res);
    }
    const declared = Number(res.headers["content-length"]);
    // An error answer of a declared, allowed length of plain text: undici reads it in one go.
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

/**
 * Collects a whole response straight from undici's dispatch callbacks (no response stream, no
 * promise per step): the body within `maxResponseBytes`, read before the call's deadline, then
 * decoded — text for textual types (a UTF-8 BOM dropped when the length was declared), bytes
 * otherwise, gzip inflated within the limit. The caller's `signal` and a short deadline abort it.
 */
class Collector implements Dispatcher.DispatchHandler, Stoppable {
  readonly #call: Call;
  readonly #fail: (call: Call, err: unknown) => Error;
  readonly #resolve: (out: Outcome) => void;
  readonly #reject: (err: Error) => void;
  #abort: ((err?: Error) => void) | undefined;
  /** Why the request is to stop before it was connected. */
  #reason: Error | undefined;
  #settled = false;
  #status = 0;
  #headers: IncomingHttpHeaders | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  /** A declared length of plain text within the limit: read as undici's `body.text()` reads it. */
  #declaredText = false;
  #watched: Reading = UNWATCHED;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  constructor(call: Call, remaining: number | undefined, fail: (call: Call, err: unknown) => Error, resolve: (out: Outcome) => void, reject: (err: Error) => void) {
    this.#call = call;
    this.#fail = fail;
    this.#resolve = resolve;
    this.#reject = reject;
    const signal = call.signal;
    if (signal) {
      if (signal.aborted) this.#reason = abortReason(signal);
      else {
        this.#signal = signal;
        this.#onAbort = () => this.destroy(abortReason(signal));
        signal.addEventListener("abort", this.#onAbort, { once: true });
      }
    }
    if (remaining !== undefined && remaining < PRECISE_DEADLINE_MS) this.#timer = setTimeout(() => this.destroy(new DeadlineReached()), remaining);
  }

  /** Stop the request with `err` (it ends in `onError`). */
  destroy(err: Error): void {
    if (this.#settled) return;
    if (this.#abort) this.#abort(err);
    else this.#reason ??= err;
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#reason) {
      abort(this.#reason);
      return;
    }
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true;
    const headers = parseHeaders(rawHeaders) as IncomingHttpHeaders;
    this.#status = statusCode;
    this.#headers = headers;
    const call = this.#call;
    const declared = Number(headers["content-length"]);
    if (declared > call.maxResponseBytes) {
      this.#abort?.(tooLarge(call));
      return false;
    }
    this.#declaredText = declared >= 0 && headers["content-encoding"] !== "gzip" && TEXTUAL.test(String(headers["content-type"] ?? ""));
    this.#watched = watchDeadline(this, call.deadline);
    return true;
  }

  onData(chunk: Buffer): boolean {
    const size = (this.#size += chunk.length);
    // Also past a declared length: a server may send more than it declared.
    if (size > this.#call.maxResponseBytes) {
      this.#abort?.(tooLarge(this.#call));
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#settled) return;
    this.#finish();
    const call = this.#call;
    const headers = this.#headers!;
    const chunks = this.#chunks;
    this.#chunks = [];
    const size = this.#size;
    try {
      if (this.#declaredText) {
        this.#resolve({ status: this.#status, headers, body: decodeText(chunks, size) });
        return;
      }
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      if (headers["content-encoding"] !== "gzip" || !bytes.length) {
        this.#resolve({ status: this.#status, headers, body: TEXTUAL.test(String(headers["content-type"] ?? "")) ? bytes.toString("utf8") : bytes });
        return;
      }
      const status = this.#status;
      gunzipBounded(bytes, { maxOutputLength: call.maxResponseBytes }).then(
        (body) => this.#resolve({ status, headers, body }),
        (err: unknown) => this.#reject(this.#fail(call, (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError ? tooLarge(call) : err)),
      );
    } catch (err) {
      this.#reject(this.#fail(call, err));
    }
  }

  onError(err: Error): void {
    if (this.#settled) return;
    this.#finish();
    this.#chunks = [];
    this.#reject(this.#fail(this.#call, err));
  }

  #finish(): void {
    this.#settled = true;
    this.#watched.body = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort) this.#signal!.removeEventListener("abort", this.#onAbort);
  }
}

/** The reason an aborted signal gives (a DOMException when it gives none). */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException("The operation was aborted", "AbortError");
}

/** Bytes as UTF-8 text, a leading BOM dropped (as undici's `body.text()` reads a body). */
function decodeText(chunks: Buffer[], size: number): string {
  if (chunks.length === 0 || size === 0) return "";
  const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  const start = buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return buffer.toString("utf8", start);
}

/** undici's own header parser (the object `request()` would give), taken once undici is loaded. */
function parseHeaders(raw: Buffer[]): Record<string, string | string[]> {
  return undiciIfLoaded()!.util.parseHeaders(raw);
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

/** The whole body of a response stream, decompressed, within the size limit and the call's deadline (the error answer of a stream). */
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
    // (A declared, allowed length of plain text is read by streamAttempt without coming here.)
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
