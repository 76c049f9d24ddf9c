/**
 * What `Transport.request` and `Transport.stream` return.
 */
import type { IncomingHttpHeaders } from "node:http";
import { InvalidResponseError, type RequestInfo } from "../errors.js";

/** Longest excerpt of a body quoted in an error. */
const EXCERPT = 120;

/**
 * A complete response: status, headers, the (decompressed) body, and the server's warnings.
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
    /** The request (method and URL, and the server's Audit-Id). */
    readonly request?: RequestInfo,
    /** The texts of the server's `Warning` headers. */
    readonly warnings: readonly string[] = [],
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

  /**
   * The body parsed as JSON; a body that is not JSON (an HTML page from a proxy, a truncated body)
   * throws `InvalidResponseError` naming the request.
   *
   * @example
   * res.json<PodList>().items;
   */
  json<T = unknown>(): T {
    const text = this.text();
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new InvalidResponseError(`the server's answer (${this.status}, ${String(this.headers["content-type"] ?? "no content type")}) is not JSON: ${describeBody(text)}`, this.status, this.request, { cause: err });
    }
  }
}

/** A short, printable description of a body that should have been JSON. */
export function describeBody(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return "the body is empty";
  if (/^<(!doctype|html|\?xml|head|body)/i.test(trimmed)) {
    const title = /<title[^>]*>([^<]{0,120})/i.exec(trimmed)?.[1]?.trim();
    return `an HTML page${title ? ` (${title})` : ""}`;
  }
  // JSON that does not parse (a truncated object) is not quoted: it may hold Secret data.
  if (/^[[{"]/.test(trimmed)) return `${Buffer.byteLength(trimmed)} bytes of malformed or truncated JSON`;
  const flat = trimmed.replace(/\s+/g, " ");
  return `it begins ${JSON.stringify(flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat)}`;
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
  /** The texts of the server's `Warning` headers. */
  warnings: readonly string[];
  /** The request (method, URL, Audit-Id). */
  request: RequestInfo;
  /** The body's chunks, decompressed. Ends when the server ends the stream or `close()` is called. */
  body: AsyncIterable<Uint8Array>;
  /** Stop the stream and free its connection. */
  close(): void;
}
