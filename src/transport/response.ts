/**
 * What `Transport.request` and `Transport.stream` return.
 */
import type { IncomingHttpHeaders } from "node:http";

/**
 * A complete response: status, headers and the (decompressed) body.
 *
 * @example
 * const res = await transport.request({ path: "/version" });
 * res.json<{ gitVersion: string }>().gitVersion;
 */
export class KubeResponse {
  #payload: Buffer | string;

  constructor(
    /** HTTP status. */
    readonly status: number,
    /** Response headers (lower-case names). */
    readonly headers: IncomingHttpHeaders,
    /** The body, decompressed (text responses may arrive already decoded). */
    payload: Buffer | string,
    /** How many times the request was retried. */
    readonly retries: number,
  ) {
    this.#payload = payload;
  }

  /** The body's bytes, decompressed. @example writeFileSync("out.bin", res.body); */
  get body(): Buffer {
    if (typeof this.#payload === "string") this.#payload = Buffer.from(this.#payload, "utf8");
    return this.#payload;
  }

  /** The body as UTF-8 text. @example res.text(); */
  text(): string {
    return typeof this.#payload === "string" ? this.#payload : this.#payload.toString("utf8");
  }

  /** The body parsed as JSON. @example res.json<PodList>().items; */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }
}

/**
 * A streaming response (watch, log follow): iterate `body`; `close()` ends it early.
 *
 * @example
 * const s = await transport.stream({ path: "/api/v1/pods", query: { watch: true } });
 * for await (const chunk of s.body) process(chunk);
 */
export interface KubeStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body's chunks, decompressed. Ends when the server ends the stream or `close()` is called. */
  body: AsyncIterable<Uint8Array>;
  /** Stop the stream and free its connection. */
  close(): void;
}
