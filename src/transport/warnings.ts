/**
 * The API server's `Warning` headers (RFC 7234: `299 - "text"`): deprecated APIs, unknown or
 * duplicate fields, policy warnings. Parsed as client-go parses them, handed to a handler, and by
 * default printed once each to stderr, as kubectl does.
 */
import type { RequestInfo } from "../errors.js";

/** Receives each warning of a response. @example const onWarning: WarningHandler = (text, request) => log.warn(text, request.url); */
export type WarningHandler = (warning: string, request: RequestInfo) => void;

/**
 * The texts of `Warning` header values (code 299, agent `-`, a quoted text; other codes are ignored).
 *
 * @example
 * parseWarnings('299 - "unknown field \\"dta\\""'); // ['unknown field "dta"']
 */
export function parseWarnings(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const out: string[] = [];
  for (const value of Array.isArray(header) ? header : [header]) {
    let rest = value.trim();
    while (rest) {
      const m = /^(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?\s*(?:,\s*|$)/.exec(rest);
      if (!m) break;
      if (m[1] === "299") out.push(m[3]!.replace(/\\(.)/g, "$1"));
      rest = rest.slice(m[0].length);
    }
  }
  return out;
}

const MAX_REMEMBERED = 1000;

/**
 * The default handler: each distinct warning printed once to stderr (`Warning: text`), like
 * kubectl's deduplicating warning writer.
 *
 * @example
 * createTransport(cluster, { onWarning: warningHandler() });
 */
export function warningHandler(write: (line: string) => void = (line) => process.stderr.write(line)): WarningHandler {
  const seen = new Set<string>();
  return (warning) => {
    if (seen.has(warning)) return;
    if (seen.size < MAX_REMEMBERED) seen.add(warning);
    write(`Warning: ${warning}\n`);
  };
}
