/**
 * Query parameters read as kube-apiserver's parameter codec reads them into its option structs
 * (apimachinery's `Convert_Slice_string_To_*`): the first value counts; a boolean is false only when
 * absent, `0` or `false` in any case, and true for anything else (`true`, `True`, `1`, even empty);
 * integers are Go's `strconv.ParseInt` (base 10, optional sign, 64-bit range) and a bad one is a
 * 400 with Go's message. Parameters the options do not name are ignored.
 */
import type { KubeApiError } from "../errors.js";
import { badRequest } from "./status.js";

/** A boolean parameter (`watch=True`, `follow=1`, `force=t` are all true). */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  return !(v === "0" || v.toLowerCase() === "false");
}

/** A pointer-to-bool parameter: undefined when absent. */
export function queryOptionalBool(query: URLSearchParams, name: string): boolean | undefined {
  return query.has(name) ? queryBool(query, name) : undefined;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Go's `strconv.ParseInt(s, 10, 64)`: the value, or the error text Go gives. */
export function parseGoInt(text: string): { value: number } | { error: string } {
  if (!/^[+-]?\d+$/.test(text)) return { error: `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax` };
  const big = BigInt(text);
  if (big > INT64_MAX || big < INT64_MIN) return { error: `strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range` };
  return { value: Number(big) };
}

/** An integer parameter (int64 or *int64 in the options): undefined when absent, 400 when not an integer. */
export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  const parsed = parseGoInt(v);
  if ("error" in parsed) throw badParameter(parsed.error);
  return parsed.value;
}

function badParameter(message: string): KubeApiError {
  return badRequest(message);
}

/** The parameters of a list or watch that are not selectors (`metav1.ListOptions`). */
export interface ListParameters {
  watch: boolean;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean | undefined;
  timeoutSeconds: number | undefined;
  limit: number;
}

/** Read a list/watch request's options; 400 on a malformed integer. */
export function listParameters(query: URLSearchParams): ListParameters {
  return {
    watch: queryBool(query, "watch"),
    allowWatchBookmarks: queryBool(query, "allowWatchBookmarks"),
    sendInitialEvents: queryOptionalBool(query, "sendInitialEvents"),
    timeoutSeconds: queryInt(query, "timeoutSeconds"),
    limit: queryInt(query, "limit") ?? 0,
  };
}
