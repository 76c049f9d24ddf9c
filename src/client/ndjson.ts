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

/**
 * The lines of a byte stream, without their newline (a last line without one is kept).
 *
 * @example
 * for await (const line of lines(response.body)) console.log(line);
 */
export async function* lines(chunks: AsyncIterable<Uint8Array>, options: LineOptions = {}): AsyncGenerator<string> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const decoder = new TextDecoder("utf-8", { fatal: false });
  // The pending (unfinished) line, as the chunks it came in.
  let parts: Uint8Array[] = [];
  let pending = 0;
  const take = (last: Uint8Array): string => {
    let text: string;
    if (!parts.length) text = decoder.decode(last);
    else {
      parts.push(last);
      text = decoder.decode(Buffer.concat(parts, pending + last.length));
      parts = [];
    }
    pending = 0;
    return text;
  };
  for await (const chunk of chunks) {
    let start = 0;
    let nl = chunk.indexOf(10);
    while (nl >= 0) {
      yield take(chunk.subarray(start, nl));
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pending += rest.length;
      if (pending > max) throw new ResponseTooLargeError(`a stream line is longer than ${max} bytes`, max, options.request);
      parts.push(rest);
    }
  }
  if (pending) yield take(new Uint8Array(0));
}

/**
 * Decode newline-delimited JSON values from chunks of bytes (blank lines are skipped).
 *
 * @example
 * for await (const event of ndjson(response.body)) console.log(event);
 */
export async function* ndjson(chunks: AsyncIterable<Uint8Array>, options: LineOptions = {}): AsyncGenerator<unknown> {
  for await (const line of lines(chunks, options)) {
    const text = line.trim();
    if (!text) continue;
    try {
      yield JSON.parse(text);
    } catch {
      // The line is not quoted: it may hold anything, Secret data included.
      const what = /^<(!doctype|html)/i.test(text) ? "an HTML page" : `a line of ${Buffer.byteLength(text)} bytes that is not JSON`;
      throw new StreamDecodeError(`invalid JSON in stream: ${what}`, options.request);
    }
  }
}
