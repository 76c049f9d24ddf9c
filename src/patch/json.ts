/**
 * JSON values as the patch functions see them: plain data, compared structurally, copied without
 * sharing, and described the way Go's `fmt` prints them (Kubernetes' error texts embed that form).
 */
import { setOwn } from "../meta/values.js";

/**
 * A JSON scalar.
 *
 * @example
 * const v: JsonPrimitive = "nginx:1.27";
 */
export type JsonPrimitive = string | number | boolean | null;
/**
 * Any JSON value.
 *
 * @example
 * const v: JsonValue = { ports: [80, 443] };
 */
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
/**
 * A JSON object (what the diff functions return as patches).
 *
 * @example
 * const patch: JsonObject = smpDiff(Deployment, live, edited);
 */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

export { setOwn };

/**
 * A deep copy in the JSON data model: `undefined` members are dropped (as `JSON.stringify` does),
 * `undefined` list items become `null`, nothing is shared with the input.
 */
export function cloneJson(v: unknown): JsonValue {
  if (v === null || typeof v !== "object") {
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return null;
    if (typeof v === "number" && !Number.isFinite(v)) return null;
    if (typeof v === "bigint") return Number(v);
    return v as JsonPrimitive;
  }
  if (Array.isArray(v)) {
    const out: JsonValue[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneJson(v[i]);
    return out;
  }
  const maybe = v as { toJSON?: () => unknown };
  if (typeof maybe.toJSON === "function") return cloneJson(maybe.toJSON());
  const out: JsonObject = {};
  for (const key of Object.keys(v)) {
    const item = (v as Record<string, unknown>)[key];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    setOwn(out, key, cloneJson(item));
  }
  return out;
}

const GO_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029", "\\b": "\\u0008", "\\f": "\\u000c" };

/**
 * JSON text as Go's json.Marshal writes it: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped
 * and `\u0008`/`\u000c` for backspace and form feed. kube-apiserver encodes the stored object this
 * way before a JSON patch runs, and evanphx/json-patch's `test` compares strings byte by byte, so a
 * `test` value must be sent in the same form to match.
 */
export function goJsonText(v: unknown): string {
  // Escapes are matched whole, so the `b` of an escaped backslash followed by `b` is left alone.
  return JSON.stringify(cloneJson(v)).replace(/\\(?:u[0-9a-f]{4}|.)|[<>&\u2028\u2029]/g, (m) => GO_ESCAPES[m] ?? m);
}

/** Structural equality of two JSON values (member order does not matter, list order does). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  let nb = 0;
  for (const k of Object.keys(b)) if ((b as Record<string, unknown>)[k] !== undefined) nb++;
  let na = 0;
  for (const k of ka) {
    const va = (a as Record<string, unknown>)[k];
    if (va === undefined) continue;
    na++;
    if (!hasOwn(b, k) || !deepEqual(va, (b as Record<string, unknown>)[k])) return false;
  }
  return na === nb;
}

/** The Go type a JSON value decodes to in apimachinery (integers become int64). */
export type GoType = "nil" | "bool" | "string" | "int64" | "float64" | "map" | "slice";

const INT64_LIMIT = 2 ** 63;

export function goType(v: unknown): GoType {
  if (v === null || v === undefined) return "nil";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "string":
      return "string";
    case "number":
      return Number.isInteger(v) && Math.abs(v) < INT64_LIMIT ? "int64" : "float64";
    default:
      return Array.isArray(v) ? "slice" : "map";
  }
}

/** How `reflect.TypeOf(v)` prints with `%s`. */
export function goTypeName(v: unknown): string {
  switch (goType(v)) {
    case "nil":
      return "%!s(<nil>)";
    case "map":
      return "map[string]interface {}";
    case "slice":
      return "[]interface {}";
    default:
      return goType(v);
  }
}

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 and from 1e6 on. */
function goFloat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    const digits = String(Math.abs(exp)).padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  return String(x);
}

/**
 * A JSON value printed as Go's `fmt` prints the decoded value with `%v` (or `%s`): maps as
 * `map[k:v …]` with sorted keys, lists as `[a b]`, null as `<nil>`.
 */
export function goFormat(v: unknown, verb: "v" | "s" = "v"): string {
  const t = goType(v);
  switch (t) {
    case "nil":
      return verb === "v" ? "<nil>" : "%!s(<nil>)";
    case "string":
      return v as string;
    case "bool":
      return verb === "v" ? String(v) : `%!s(bool=${String(v)})`;
    case "int64":
      return verb === "v" ? String(v) : `%!s(int64=${String(v)})`;
    case "float64":
      return verb === "v" ? goFloat(v as number) : `%!s(float64=${goFloat(v as number)})`;
    case "slice":
      return `[${(v as unknown[]).map((x) => goFormat(x, verb)).join(" ")}]`;
    case "map": {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort(compareGoStrings);
      return `map[${keys.map((k) => `${k}:${goFormat(o[k], verb)}`).join(" ")}]`;
    }
  }
}

/** Go compares strings byte by byte in UTF-8; JavaScript by UTF-16 code unit. They differ only above U+FFFF. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      const surrogateA = ca >= 0xd800 && ca <= 0xdfff;
      const surrogateB = cb >= 0xd800 && cb <= 0xdfff;
      // A surrogate pair encodes a code point above U+FFFF, which sorts after every BMP character in UTF-8.
      if (surrogateA !== surrogateB) return surrogateA ? 1 : -1;
      return ca < cb ? -1 : 1;
    }
  }
  return a.length - b.length;
}
