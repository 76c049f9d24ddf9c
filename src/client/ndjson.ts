/**
 * Newline-delimited JSON from a byte stream (watch events): split on newlines across chunk
 * boundaries, bounded line length, a clear error on a line that is not JSON.
 */

import { StreamDecodeError } from "../errors.js";

/** Lines larger than this are refused (the apiserver's own request limit is 3 MiB; objects in watches are bounded by etcd's 1.5 MiB). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Decode newline-delimited JSON values from chunks of bytes.
 *
 * @example
 * for await (const event of ndjson(response.body)) console.log(event);
 */
export async function* ndjson(chunks: AsyncIterable<Uint8Array>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<unknown> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let pending = "";
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      const line = pending.slice(start, nl).trim();
      if (line) yield parseLine(line);
      start = nl + 1;
      nl = pending.indexOf("\n", start);
    }
    pending = pending.slice(start);
    if (pending.length > maxLineBytes) throw new StreamDecodeError(`a stream line exceeded ${maxLineBytes} bytes without a newline`);
  }
  pending += decoder.decode();
  const last = pending.trim();
  if (last) yield parseLine(last);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
    throw new StreamDecodeError(`invalid JSON in stream: ${(err as Error).message}: ${shown}`);
  }
}
