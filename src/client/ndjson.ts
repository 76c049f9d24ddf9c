/**
 * Lines from a byte stream (watch events, followed logs), split once for every reader: each chunk
 * is scanned once (linear in the stream, however long a line grows), a line longer than the limit
 * fails with `ResponseTooLargeError` as soon as it passes the limit, and a line that is not JSON
 * fails with `StreamDecodeError` naming the request.
 */
import { ResponseTooLargeError, StreamDecodeError, type RequestInfo } from "../errors.js";
import { NOT_DECODED } from "./json-reuse.js";

/** Lines longer than this are refused (a watch event holds one object; kube-apiserver's request limit is 3 MiB). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Options of `lines` and `ndjson`. */
export interface LineOptions {
  /** Longest line in bytes (default 16 MiB). */
  maxLineBytes?: number;
  /** The request the stream answers, named in errors. */
  request?: RequestInfo;
}

/** Splits chunks into lines, keeping the unfinished line's chunks until its newline arrives. */
class LineSplitter {
  readonly #max: number;
  readonly #request: RequestInfo | undefined;
  /** The pending (unfinished) line, as the chunks it came in. */
  #parts: Uint8Array[] = [];
  #pending = 0;

  constructor(options: LineOptions) {
    this.#max = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.#request = options.request;
  }

  /** The lines a chunk completes, in order, each handed to `line` at once as bytes `[start, end)` of a buffer. */
  push(chunk: Uint8Array, line: (bytes: Uint8Array, start: number, end: number) => void): void {
    let start = 0;
    let nl = chunk.indexOf(10);
    while (nl >= 0) {
      if (!this.#parts.length) line(chunk, start, nl);
      else {
        const whole = this.#take(chunk.subarray(start, nl));
        line(whole, 0, whole.length);
      }
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#pending += rest.length;
      if (this.#pending > this.#max) throw new ResponseTooLargeError(`a stream line is longer than ${this.#max} bytes`, this.#max, this.#request);
      this.#parts.push(rest);
    }
  }

  /** The last line, when the stream ended without a newline after it. */
  end(line: (bytes: Uint8Array, start: number, end: number) => void): void {
    if (this.#pending) {
      const whole = this.#take(new Uint8Array(0));
      line(whole, 0, whole.length);
    }
  }

  #take(last: Uint8Array): Uint8Array {
    this.#parts.push(last);
    const whole = Buffer.concat(this.#parts, this.#pending + last.length);
    this.#parts = [];
    this.#pending = 0;
    return whole;
  }
}

/** A line's text (each call decodes on its own: a byte-order mark opening the line is dropped). */
function text(decoder: { decode(input: Uint8Array): string }, bytes: Uint8Array, start: number, end: number): string {
  return decoder.decode(bytes.subarray(start, end));
}

/**
 * The lines of a byte stream, without their newline (a last line without one is kept).
 *
 * @example
 * for await (const line of lines(response.body)) console.log(line);
 */
export async function* lines(chunks: AsyncIterable<Uint8Array>, options: LineOptions = {}): AsyncGenerator<string> {
  const splitter = new LineSplitter(options);
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let out: string[] = [];
  const collect = (bytes: Uint8Array, start: number, end: number): void => void out.push(text(decoder, bytes, start, end));
  for await (const chunk of chunks) {
    let tooLong: unknown;
    try {
      splitter.push(chunk, collect);
    } catch (err) {
      tooLong = err;
    }
    const ready = out;
    out = [];
    for (const line of ready) yield line;
    if (tooLong) throw tooLong;
  }
  splitter.end(collect);
  for (const line of out) yield line;
}

/** Options of `ndjson`. */
export interface NdjsonOptions extends LineOptions {
  /**
   * Decode a line's bytes `[start, end)` another way than `JSON.parse` of its text; answer
   * `NOT_DECODED` to leave the line to `JSON.parse`.
   */
  decode?: (bytes: Uint8Array, start: number, end: number) => unknown;
}

/**
 * Decode newline-delimited JSON values from chunks of bytes (blank lines are skipped).
 *
 * @example
 * for await (const event of ndjson(response.body)) console.log(event);
 */
export async function* ndjson(chunks: AsyncIterable<Uint8Array>, options: NdjsonOptions = {}): AsyncGenerator<unknown> {
  // The lines of each chunk are decoded together and handed out in order; a line that is not JSON,
  // or one too long, ends the stream after the values before it.
  const splitter = new LineSplitter(options);
  const decoder = new TextDecoder("utf-8", { fatal: false });
  const custom = options.decode;
  let values: unknown[] = [];
  let failure: unknown;
  const decode = (bytes: Uint8Array, start: number, end: number): void => {
    if (failure) return;
    if (custom) {
      const value = custom(bytes, start, end);
      if (value !== NOT_DECODED) {
        values.push(value);
        return;
      }
    }
    const line = text(decoder, bytes, start, end).trim();
    if (!line) return;
    try {
      values.push(JSON.parse(line));
    } catch {
      // The line is not quoted: it may hold anything, Secret data included.
      const what = /^<(!doctype|html)/i.test(line) ? "an HTML page" : `a line of ${Buffer.byteLength(line)} bytes that is not JSON`;
      failure = new StreamDecodeError(`invalid JSON in stream: ${what}`, options.request);
    }
  };
  for await (const chunk of chunks) {
    try {
      splitter.push(chunk, decode);
    } catch (err) {
      failure ??= err;
    }
    const ready = values;
    values = [];
    for (const value of ready) yield value;
    if (failure) throw failure;
  }
  splitter.end(decode);
  for (const value of values) yield value;
  if (failure) throw failure;
}
