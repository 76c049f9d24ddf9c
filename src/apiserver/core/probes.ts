/**
 * Probes, lifecycle hooks and their handlers (`validateProbe`, `validateLivenessProbe`,
 * `validateReadinessProbe`, `validateStartupProbe`, `validateHandler`, `validateLifecycle`,
 * `validateHTTPGetAction`, `ValidatePortNumOrName`, `validateSleepAction`).
 */
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, internalError, invalid, notSupported, required, type FieldError } from "../field.js";
import { isHTTPHeaderName, isValidPortName, isValidPortNum } from "../validation/strings.js";
import { isSet, list, num, obj, objects, optNum, str, type Obj } from "./json.js";
import type { ResolvedPodOptions } from "./pod-options.js";

/**
 * `ValidatePortNumOrName`: an IntOrString port, a number in range or an IANA port name.
 *
 * @example
 * validatePortNumOrName(0, FieldPath.of("port")); // [Invalid value: 0: must be between 1 and 65535, inclusive]
 */
export function validatePortNumOrName(port: unknown, path: FieldPath): FieldError[] {
  if (typeof port === "number") return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === "string") return isValidPortName(port).map((m) => invalid(path, port, m));
  if (port === undefined || port === null) return isValidPortNum(0).map((m) => invalid(path, 0, m));
  return [internalError(path, `unknown type: ${typeof port}`)];
}

function validateHTTPGet(h: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (str(h.path) === "") errs.push(required(path.child("path"), ""));
  errs.push(...validatePortNumOrName(h.port, path.child("port")));
  const scheme = str(h.scheme);
  if (scheme !== undefined && scheme !== "HTTP" && scheme !== "HTTPS") errs.push(notSupported(path.child("scheme"), scheme, ["HTTP", "HTTPS"]));
  for (const [header] of objects(h.httpHeaders)) {
    const name = str(header.name);
    if (name !== undefined) for (const m of isHTTPHeaderName(name)) errs.push(invalid(path.child("httpHeaders"), name, m));
  }
  return errs;
}

function validateSleep(sleep: Obj, gracePeriod: number | undefined, path: FieldPath, opts: ResolvedPodOptions, ctx: ApiContext): FieldError[] {
  const seconds = num(sleep.seconds);
  if (seconds === undefined || gracePeriod === undefined) return [];
  if (opts.allowPodLifecycleSleepActionZeroValue) {
    return seconds < 0 || seconds > gracePeriod ? [invalid(path, seconds, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`)] : [];
  }
  if (seconds > 0 && seconds <= gracePeriod) return [];
  const hint = ctx.minor >= 32 ? ". Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep." : "";
  return [invalid(path, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod})${hint}`)];
}

const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc", "sleep"] as const;

/**
 * `validateHandler`: exactly one handler type, each valid (probes: exec, httpGet, tcpSocket,
 * grpc; lifecycle hooks: exec, httpGet, tcpSocket, sleep).
 */
function validateHandler(h: Obj, allowed: readonly string[], gracePeriod: number | undefined, path: FieldPath, opts: ResolvedPodOptions, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  // The actions set, one bit each in HANDLERS' order (read by name: most handlers set one).
  const set = (isSet(h.exec) ? 1 : 0) | (isSet(h.httpGet) ? 2 : 0) | (isSet(h.tcpSocket) ? 4 : 0) | (isSet(h.grpc) ? 8 : 0) | (isSet(h.sleep) ? 16 : 0);
  for (let k = 0; k < HANDLERS.length; k++) {
    const kind = HANDLERS[k]!;
    if (!(set & (1 << k)) || !allowed.includes(kind)) continue;
    if (n > 0) {
      errs.push(forbidden(path.child(kind), "may not specify more than 1 handler type"));
      continue;
    }
    n++;
    const action = obj(h[kind]);
    if (!action) continue;
    const p = path.child(kind);
    if (kind === "exec" && list(action.command).length === 0) errs.push(required(p.child("command"), ""));
    if (kind === "httpGet") errs.push(...validateHTTPGet(action, p));
    if (kind === "tcpSocket") errs.push(...validatePortNumOrName(action.port, p.child("port")));
    if (kind === "grpc") {
      const port = num(action.port);
      if (port !== undefined) errs.push(...validatePortNumOrName(port, p.child("port")));
    }
    if (kind === "sleep") errs.push(...validateSleep(action, gracePeriod, p, opts, ctx));
  }
  if (n === 0) errs.push(required(path, "must specify a handler type"));
  return errs;
}

const PROBE_HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"];
const HOOKS = ["postStart", "preStop"];
const LIFECYCLE_HANDLERS = ["exec", "httpGet", "tcpSocket", "sleep"];

const PROBE_COUNTS = ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"];

function validateProbe(p: Obj, gracePeriod: number | undefined, path: FieldPath, opts: ResolvedPodOptions, ctx: ApiContext): FieldError[] {
  const errs = validateHandler(p, PROBE_HANDLERS, gracePeriod, path, opts, ctx);
  for (const f of PROBE_COUNTS) {
    const n = num(p[f]);
    if (n !== undefined && n < 0) errs.push(invalid(path.child(f), n, "must be greater than or equal to 0"));
  }
  const tgps = optNum(p.terminationGracePeriodSeconds);
  if (tgps !== undefined && tgps <= 0) errs.push(invalid(path.child("terminationGracePeriodSeconds"), tgps, "must be greater than 0"));
  return errs;
}

/** Which probe a container field holds. */
export type ProbeKind = "livenessProbe" | "readinessProbe" | "startupProbe";

/**
 * `validateLivenessProbe`, `validateReadinessProbe`, `validateStartupProbe`.
 *
 * @example
 * validateContainerProbe("livenessProbe", { exec: { command: ["true"] }, successThreshold: 2 }, 30, FieldPath.of("livenessProbe"), opts, ctx);
 */
export function validateContainerProbe(kind: ProbeKind, probe: unknown, gracePeriod: number | undefined, path: FieldPath, opts: ResolvedPodOptions, ctx: ApiContext): FieldError[] {
  const p = obj(probe);
  if (!p) return [];
  const errs = validateProbe(p, gracePeriod, path, opts, ctx);
  const success = num(p.successThreshold);
  if (kind !== "readinessProbe" && success !== undefined && success !== 1) errs.push(invalid(path.child("successThreshold"), success, "must be 1"));
  const tgps = optNum(p.terminationGracePeriodSeconds);
  if (kind === "readinessProbe" && tgps !== undefined) errs.push(invalid(path.child("terminationGracePeriodSeconds"), tgps, "must not be set for readinessProbes"));
  return errs;
}

/**
 * `validateLifecycle`: the postStart and preStop handlers.
 *
 * @example
 * validateLifecycle({ preStop: { sleep: { seconds: 5 } } }, 30, FieldPath.of("lifecycle"), opts, ctx); // []
 */
export function validateLifecycle(lifecycle: Obj, gracePeriod: number | undefined, path: FieldPath, opts: ResolvedPodOptions, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of HOOKS) {
    const h = obj(lifecycle[hook]);
    if (h) errs.push(...validateHandler(h, LIFECYCLE_HANDLERS, gracePeriod, path.child(hook), opts, ctx));
  }
  return errs;
}
