/**
 * Compute resources of containers and pods: resource names (standard, native, extended,
 * hugepages), quantities, requests against limits, resource claims (`validateResourceRequirements`,
 * `validateContainerResourceName`, `ValidateResourceQuantityValue`, `validateResourceClaimNames`,
 * `validatePodResources`) and the helpers of pkg/apis/core/helper they use.
 */
import { FieldPath, forbidden, invalid, notFound, notSupported, required, duplicate, type FieldError } from "../field.js";
import { Quantity } from "../validation/quantity.js";
import { isDNS1123Label } from "../../meta/names.js";
import { obj, objects, str, type Obj } from "./json.js";
import type { PodValidationOptions } from "./pod-options.js";
import { isHugePageResourceName, isOvercommitAllowed, validateContainerResourceName, validateResourceName, validateResourceQuantityValue } from "./resource-names.js";

const QOS_COMPUTE = new Set(["cpu", "memory"]);

/** `IsSupportedPodLevelResource`: cpu, memory and hugepages. @example isSupportedPodLevelResource("cpu") // true */
export function isSupportedPodLevelResource(name: string): boolean {
  return name === "cpu" || name === "memory" || isHugePageResourceName(name);
}

/** `validatePodResourceName`. */
function validatePodResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (errs.length) return errs;
  if (!isSupportedPodLevelResource(name)) errs.push(notSupported(path, name, ["cpu", "memory"]));
  return errs;
}

/**
 * A quantity as Go's `%#v` prints a `resource.Quantity` parsed from decimal text (the value of
 * the "must be an integer" error), or undefined where that form is not reproduced.
 */
function goQuantityDisplay(text: string): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?([numkMGTPE]?)$/.exec(text);
  if (!m || (!m[2] && !m[3])) return undefined;
  const exponents: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
  const num = (m[2] ?? "").replace(/^0+(?=\d)/, "");
  const denom = m[3] ?? "";
  const scale = exponents[m[4]!]! - denom.length;
  if (scale < -9) return undefined;
  const shifted = num + denom;
  const value = BigInt(shifted || "0") * (m[1] === "-" ? -1n : 1n);
  const canonical = scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0";
  return `resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:${JSON.stringify(canonical ? text : "")}, Format:"DecimalSI"}`;
}

/**
 * `ValidateResourceQuantityValue`, with the value of "must be an integer" printed as Go prints
 * the `resource.Quantity` it holds.
 *
 * @example
 * quantityValueErrors("example.com/gpu", Quantity.parse("500m")!, "500m", FieldPath.of("limits").key("example.com/gpu"));
 */
export function quantityValueErrors(name: string, q: Quantity, written: unknown, path: FieldPath): FieldError[] {
  const errs = validateResourceQuantityValue(name, q, path);
  if (errs.length === 0) return errs;
  return errs.map((e) => {
    const display = e.message === "must be an integer" ? goQuantityDisplay(String(written)) : undefined;
    return display ? { ...e, display } : e;
  });
}

const HUGEPAGE_SIZE = /^hugepages-(.+)$/;

/** `validateResourceQuantityHugePageValue`: a whole multiple of the page size. */
function hugePageError(name: string, q: Quantity, opts: PodValidationOptions): string | undefined {
  if (!isHugePageResourceName(name) || opts.allowIndivisibleHugePagesValues) return undefined;
  const size = Quantity.parse(HUGEPAGE_SIZE.exec(name)![1]!);
  if (!size || size.sign() <= 0) return `${q.toString()} is not positive integer multiple of ${name}`;
  const value = q.scaledValue(0);
  const page = size.scaledValue(0);
  return value % page === 0n ? undefined : `${q.toString()} is not positive integer multiple of ${name}`;
}

type NameCheck = (name: string, path: FieldPath) => FieldError[];

/** A resource list's entries whose values parse as quantities (others are the schema check's to report). */
function quantities(v: unknown): [string, Quantity, unknown][] {
  const out: [string, Quantity, unknown][] = [];
  const m = obj(v);
  if (!m) return out;
  for (const k of Object.keys(m)) {
    const raw = m[k];
    const q = Quantity.from(raw);
    if (q) out.push([k, q, raw]);
  }
  return out;
}

/** The quantity a resource list gives a name (a list has a few entries: going through them finds it). */
function quantityOf(list: readonly [string, Quantity, unknown][], name: string): Quantity | undefined {
  for (const [k, q] of list) if (k === name) return q;
  return undefined;
}

function pushAll(errs: FieldError[], more: FieldError[]): void {
  for (let i = 0; i < more.length; i++) errs.push(more[i]!);
}

/** An error at a map's path whose segments still name the entry (for locating it in a file). */
function atMap(err: FieldError, entry: FieldPath): FieldError {
  return { ...err, path: [...entry.segments] };
}

function validateResourceRequirements(req: Obj, nameFn: NameCheck, podClaimNames: Set<string>, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = path.child("limits");
  const reqPath = path.child("requests");
  let limCPUOrMemory = false;
  let reqCPUOrMemory = false;
  let limHugePages = false;
  let reqHugePages = false;
  const limits = quantities(req.limits);
  for (const [name, q, raw] of limits) {
    const p = limPath.key(name);
    pushAll(errs, nameFn(name, p));
    pushAll(errs, quantityValueErrors(name, q, raw, p));
    if (isHugePageResourceName(name)) {
      limHugePages = true;
      const e = hugePageError(name, q, opts);
      if (e) errs.push(invalid(p, q.toString(), e));
    }
    if (QOS_COMPUTE.has(name)) limCPUOrMemory = true;
  }
  for (const [name, q, raw] of quantities(req.requests)) {
    const p = reqPath.key(name);
    pushAll(errs, nameFn(name, p));
    pushAll(errs, quantityValueErrors(name, q, raw, p));
    const limit = quantityOf(limits, name);
    if (limit) {
      if (q.cmp(limit) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(atMap(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${limit.toString()}`), p));
      } else if (q.cmp(limit) > 0) {
        errs.push(atMap(invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`), p));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(atMap(required(limPath, "Limit must be set for non overcommitable resources"), p));
    }
    if (isHugePageResourceName(name)) {
      reqHugePages = true;
      const e = hugePageError(name, q, opts);
      if (e) errs.push(invalid(p, q.toString(), e));
    }
    if (QOS_COMPUTE.has(name)) reqCPUOrMemory = true;
  }
  if (!limCPUOrMemory && !reqCPUOrMemory && (reqHugePages || limHugePages)) errs.push(forbidden(path, "HugePages require cpu or memory"));
  if (req.claims !== undefined) pushAll(errs, validateResourceClaimNames(req.claims, podClaimNames, path.child("claims")));
  return errs;
}

/** `validateResourceClaimNames`: each claim names an entry of `spec.resourceClaims`, once. */
function validateResourceClaimNames(claims: unknown, podClaimNames: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [claim, i] of objects(claims)) {
    const name = str(claim.name);
    if (name === undefined) continue;
    if (name === "") {
      errs.push(required(path.index(i), ""));
      continue;
    }
    if (names.has(name)) errs.push(duplicate(path.index(i), name));
    else {
      let key = name;
      const request = str(claim.request) ?? "";
      if (request !== "") {
        for (const m of isDNS1123Label(request)) errs.push(invalid(path.index(i).child("request"), request, m));
        key += `/${request}`;
      }
      if (names.has(key)) errs.push(duplicate(path.index(i), key));
      else if (request === "") {
        for (const k of names) {
          const slash = k.indexOf("/");
          if (slash >= 0 && k.slice(0, slash) === name) errs.push(duplicate(path.index(i), name));
        }
      }
      names.add(key);
    }
    if (!podClaimNames.has(name)) {
      const err = notFound(path.index(i), name);
      err.message = `must be one of the names in pod.spec.resourceClaims${podClaimNames.size === 0 ? " which is empty" : `: ${[...podClaimNames].sort().join(", ")}`}`;
      errs.push(err);
    }
  }
  return errs;
}

/**
 * `ValidateContainerResourceRequirements`.
 *
 * @example
 * validateContainerResourceRequirements({ requests: { cpu: "2" }, limits: { cpu: "1" } }, new Set(), FieldPath.of("resources"), {});
 */
export function validateContainerResourceRequirements(req: unknown, podClaimNames: Set<string>, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const r = obj(req);
  return r ? validateResourceRequirements(r, validateContainerResourceName, podClaimNames, path, opts) : [];
}

/** The effective requests of a pod's containers (`AggregateContainerRequests`): regular and sidecar containers summed, each init container's needs taken at their peak. */
export function aggregateContainerRequests(spec: Obj): Map<string, Quantity> {
  const sum = new Map<string, Quantity>();
  const add = (into: Map<string, Quantity>, c: Obj) => {
    for (const [k, q] of quantities(obj(c.resources)?.requests)) into.set(k, into.has(k) ? plus(into.get(k)!, q) : q);
  };
  for (const [c] of objects(spec.containers)) add(sum, c);
  const sidecars = new Map<string, Quantity>();
  const peak = new Map<string, Quantity>();
  for (const [c] of objects(spec.initContainers)) {
    if (c.restartPolicy === "Always") {
      add(sidecars, c);
      for (const [k, q] of sidecars) if (!peak.has(k) || peak.get(k)!.cmp(q) < 0) peak.set(k, q);
      continue;
    }
    const need = new Map(sidecars);
    add(need, c);
    for (const [k, q] of need) if (!peak.has(k) || peak.get(k)!.cmp(q) < 0) peak.set(k, q);
  }
  for (const [k, q] of sidecars) sum.set(k, sum.has(k) ? plus(sum.get(k)!, q) : q);
  for (const [k, q] of peak) if (!sum.has(k) || sum.get(k)!.cmp(q) < 0) sum.set(k, q);
  return sum;
}

/** The sum of two quantities, in the first one's format (as `Quantity.Add` keeps it). */
function plus(a: Quantity, b: Quantity): Quantity {
  const nano = a.scaledValue(-9) + b.scaledValue(-9);
  if (a.format === "BinarySI" && nano % 1_000_000_000n === 0n) {
    const whole = nano / 1_000_000_000n;
    return (whole % 1024n === 0n ? Quantity.parse(`${whole / 1024n}Ki`) : Quantity.parse(`${whole}`)) ?? a;
  }
  return Quantity.parse(`${nano}n`) ?? a;
}

/**
 * `validatePodResources`: pod-level resources (names, quantities, requests ≤ limits) and their
 * consistency with the containers' requests and limits.
 *
 * @example
 * validatePodResources(spec, new Set(), FieldPath.of("spec", "resources"), {});
 */
export function validatePodResources(spec: Obj, podClaimNames: Set<string>, path: FieldPath, opts: PodValidationOptions): FieldError[] {
  const resources = obj(spec.resources);
  if (!resources) return [];
  const errs: FieldError[] = [];
  if (resources.claims !== undefined && resources.claims !== null) errs.push(forbidden(path.child("claims"), "claims cannot be set for Resources at pod-level"));
  errs.push(...validateResourceRequirements(resources, validatePodResourceName, podClaimNames, path, opts));
  const podRequests = new Map(quantities(resources.requests).map(([k, q]) => [k, q]));
  for (const [name, ctr] of aggregateContainerRequests(spec)) {
    const podReq = podRequests.get(name) ?? Quantity.ofInt(0);
    if (ctr.cmp(podReq) > 0) {
      errs.push(invalid(path.child("requests").key(name), podReq.toString(), `must be greater than or equal to aggregate container requests of ${ctr.toString()}`));
    }
  }
  const podLimits = new Map(quantities(resources.limits).map(([k, q]) => [k, q]));
  for (const [c, i] of objects(spec.containers)) {
    for (const [name, q] of quantities(obj(c.resources)?.limits)) {
      const podLimit = podLimits.get(name);
      if (podLimit && q.cmp(podLimit) > 0) {
        errs.push(invalid(path.child("containers").index(i).key(name).child("limits"), q.toString(), `must be less than or equal to pod limits of ${podLimit.toString()}`));
      }
    }
  }
  return errs;
}
