/**
 * Lines from a byte stream (watch events, followed logs), split once for every reader: each chunk
 * is scanned once (linear in the stream, however long a line grows), a line longer than the limit
 * fails with `ResponseTooLargeError` as soon as it passes the limit, and a line that is not JSON
 * fails with `StreamDecodeError` naming the request.
 */
import { ResponseTooLargeError, StreamDecodeError, type RequestInfo } from "../errors.js";

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
  readonly #decoder = new TextDecoder("utf-8", { fatal: false });
  readonly #max: number;
  readonly #request: RequestInfo | undefined;
  /** The pending (unfinished) line, as the chunks it came in. */
  #parts: Uint8Array[] = [];
  #pending = 0;

  constructor(options: LineOptions) {
    this.#max = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.#request = options.request;
  }

  /** The lines a chunk completes, in order, each handed to `line` at once. */
  push(chunk: Uint8Array, line: (text: string) => void): void {
    let start = 0;
    let nl = chunk.indexOf(10);
    while (nl >= 0) {
      line(this.#take(chunk.subarray(start, nl)));
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
  end(line: (text: string) => void): void {
    if (this.#pending) line(this.#take(new Uint8Array(0)));
  }

  #take(last: Uint8Array): string {
    let text: string;
    if (!this.#parts.length) text = this.#decoder.decode(last);
    else {
      this.#parts.push(last);
      text = this.#decoder.decode(Buffer.concat(this.#parts, this.#pending + last.length));
      this.#parts = [];
    }
    this.#pending = 0;
    return text;
  }
}

/**
 * The lines of a byte stream, without their newline (a last line without one is kept).
 *
 * @example
 * for await (const line of lines(response.body)) console.log(line);
 */
export async function* lines(chunks: AsyncIterable<Uint8Array>, options: LineOptions = {}): AsyncGenerator<string> {
  const splitter = new LineSplitter(options);
  let out: string[] = [];
  const collect = (text: string): void => void out.push(text);
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

/**
 * Decode newline-delimited JSON values from chunks of bytes (blank lines are skipped).
 *
 * @example
 * for await (const event of ndjson(response.body)) console.log(event);
 */
export async function* ndjson(chunks: AsyncIterable<Uint8Array>, options: LineOptions = {}): AsyncGenerator<unknown> {
  // The lines of each chunk are decoded together and handed out in order; a line that is not JSON,
  // or one too long, ends the stream after the values before it.
  const splitter = new LineSplitter(options);
  let values: unknown[] = [];
  let failure: unknown;
  const decode = (line: string): void => {
    if (failure) return;
    const text = line.trim();
    if (!text) return;
    try {
      values.push(JSON.parse(text));
    } catch {
      // The line is not quoted: it may hold anything, Secret data included.
      const what = /^<(!doctype|html)/i.test(text) ? "an HTML page" : `a line of ${Buffer.byteLength(text)} bytes that is not JSON`;
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
