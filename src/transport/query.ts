/**
 * Query strings, encoded one way for every request (the transport, the request builder and its
 * string form): keys in the order given, arrays repeat the key, `undefined` and `null` are left out.
 */

/** A query parameter value: repeated when an array, left out when undefined or null. @example const q: QueryParams = { labelSelector: "app=web", limit: 500, watch: true }; */
export type QueryParams = Record<string, string | number | boolean | readonly (string | number)[] | undefined | null>;

/**
 * `?a=1&b=x` for a set of parameters, or `""` when there is nothing to send.
 *
 * @example
 * encodeQuery({ labelSelector: "app=web", limit: 50, command: ["sh", "-c"] }); // "?labelSelector=app%3Dweb&limit=50&command=sh&command=-c"
 */
export function encodeQuery(params: Readonly<QueryParams> | undefined): string {
  if (!params) return "";
  let out = "";
  for (const key in params) {
    const value = params[key];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number)[]) out += `${out ? "&" : "?"}${encode(key)}=${encode(String(item))}`;
    } else out += `${out ? "&" : "?"}${encode(key)}=${encode(String(value))}`;
  }
  return out;
}

/** `application/x-www-form-urlencoded` as URLSearchParams writes it (space as `+`). */
function encode(s: string): string {
  return /^[A-Za-z0-9_.\-*]*$/.test(s) ? s : encodeURIComponent(s).replace(/%20/g, "+").replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
