/**
 * Making headers and bodies safe to log: credentials headers, token and password fields, and the
 * values of Secrets (`data`, `stringData`, in objects, lists, watch events and patches) are replaced
 * by `[redacted]`.
 */

/** What replaces a secret value. @example redactHeaders({ authorization: "Bearer x" }).authorization === REDACTED; */
export const REDACTED = "[redacted]";

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-auth-token"]);

/**
 * Headers with credentials replaced.
 *
 * @example
 * redactHeaders({ authorization: "Bearer abc", accept: "application/json" }); // { authorization: "[redacted]", accept: "application/json" }
 */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
  }
  return out;
}

const SECRET_KEY = /^(?:.*token|password|passwd|secret|client[-_]?secret|.*key[-_]?data|private[-_]?key|authorization|cookie)$/i;

/** True for a request path that addresses Secrets. @example isSecretPath("/api/v1/namespaces/x/secrets/db"); // true */
export function isSecretPath(path: string): boolean {
  return /\/secrets(?:[/?]|$)/.test(path);
}

/**
 * A JSON value with secrets replaced: string values of token/password/key-data fields, every value
 * under `data`/`stringData` of a Secret (or of anything when `secretPath` is true), and JSON patch
 * `value`s on a Secret path.
 *
 * @example
 * redactValue({ kind: "Secret", data: { password: "aGVsbG8=" } }); // { kind: "Secret", data: { password: "[redacted]" } }
 */
export function redactValue(value: unknown, secretPath = false): unknown {
  return walk(value, secretPath, false);
}

function walk(value: unknown, secretPath: boolean, inSecretList: boolean): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => {
      if (secretPath && isPatchOp(v)) return { ...v, value: REDACTED };
      return walk(v, secretPath, inSecretList);
    });
  }
  if (typeof value !== "object" || value === null) return value;
  const obj = value as Record<string, unknown>;
  const isSecret = inSecretList || obj.kind === "Secret" || secretPath;
  const isSecretList = obj.kind === "SecretList";
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if ((k === "data" || k === "stringData") && isSecret && typeof v === "object" && v !== null) {
      out[k] = Object.fromEntries(Object.keys(v).map((key) => [key, REDACTED]));
    } else if (SECRET_KEY.test(k) && (typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")))) {
      out[k] = REDACTED;
    } else {
      out[k] = walk(v, secretPath, isSecretList && k === "items");
    }
  }
  return out;
}

function isPatchOp(v: unknown): v is { op: string; value?: unknown } {
  return typeof v === "object" && v !== null && typeof (v as { op?: unknown }).op === "string" && "value" in v;
}

/**
 * A body as loggable text: JSON redacted and re-serialised, plain text shown, anything else (or
 * anything on a Secret path that is not JSON) summarised. At most `limit` characters.
 *
 * @example
 * redactBody(Buffer.from('{"kind":"Secret","data":{"a":"b"}}'), "application/json", "/api/v1/namespaces/d/secrets/s");
 */
export function redactBody(body: Uint8Array | string | undefined, contentType: string | undefined, path: string, limit = 4096): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  const text = typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  const type = (contentType ?? "").toLowerCase();
  const secretPath = isSecretPath(path);
  if (type.includes("json") || (!type && /^\s*[[{]/.test(text))) {
    try {
      return truncate(JSON.stringify(redactValue(JSON.parse(text), secretPath)), limit);
    } catch {
      return `[${text.length} characters of unparsable JSON]`;
    }
  }
  if (type.startsWith("text/plain") && !secretPath) return truncate(text, limit);
  return `[${text.length} characters of ${type || "unknown content"}]`;
}

function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters)` : text;
}
