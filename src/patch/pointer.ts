/**
 * JSON Pointer (RFC 6901): `/spec/containers/0/image`, `~1` for `/` and `~0` for `~` in a token.
 */

/** Escape one reference token. */
export function escapeToken(token: string | number): string {
  const s = String(token);
  return s.includes("~") || s.includes("/") ? s.replace(/~/g, "~0").replace(/\//g, "~1") : s;
}

/** Unescape one reference token; undefined when it holds an escape RFC 6901 does not define. */
export function unescapeToken(token: string): string | undefined {
  if (!token.includes("~")) return token;
  if (/~[^01]|~$/.test(token)) return undefined;
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/**
 * Build a JSON Pointer from segments.
 *
 * @example
 * toPointer(["metadata", "labels", "app.kubernetes.io/name"]); // "/metadata/labels/app.kubernetes.io~1name"
 */
export function toPointer(segments: readonly (string | number)[]): string {
  let out = "";
  for (const s of segments) out += "/" + escapeToken(s);
  return out;
}

/**
 * Split a JSON Pointer into its (unescaped) tokens; undefined when it is not a valid pointer.
 *
 * @example
 * parsePointer("/metadata/labels/a~1b"); // ["metadata", "labels", "a/b"]
 */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return undefined;
  const out: string[] = [];
  for (const raw of pointer.slice(1).split("/")) {
    const token = unescapeToken(raw);
    if (token === undefined) return undefined;
    out.push(token);
  }
  return out;
}
