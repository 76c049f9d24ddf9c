/**
 * The pieces of resource.k8s.io validation every kind shares (pkg/apis/resource/validation): the
 * size limits of pkg/apis/resource/types.go, names (drivers, pools, devices, requests, qualified
 * attribute names), list and map walks with their limits, CEL device selectors, opaque driver
 * configuration, device taints and tolerations.
 *
 * Kubernetes validates the internal type, so paths follow its shape, which changed in 1.34: up to
 * 1.33 a request keeps `deviceClassName` and its friends at the top and a slice's device keeps its
 * attributes under `basic`; from 1.34 they are under `exactly`, and a device is flat — whatever
 * version the object was written in. The wording and walk of the shared checks changed again in
 * 1.35 (see {@link newWording}).
 */
import { validateMetaConditions } from "../validation/conditions.js";
import type { ApiContext } from "../context.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, tooLong, tooMany, typeInvalid, type FieldError } from "../field.js";
import { celEngine } from "../cel-engine.js";
import { isCIdentifier, isDNS1123Label, isDNS1123Subdomain, isValidLabelValue, listAt, objectAt, optionalObject, stringAt, validateLabelName } from "../validation/index.js";
import { isRecord } from "../../meta/values.js";

type Obj = Record<string, unknown>;

// Limits of pkg/apis/resource/types.go.
export const DEVICE_REQUESTS_MAX_SIZE = 32;
export const FIRST_AVAILABLE_MAX_SIZE = 8;
export const DEVICE_SELECTORS_MAX_SIZE = 32;
export const DEVICE_CONSTRAINTS_MAX_SIZE = 32;
export const DEVICE_CONFIG_MAX_SIZE = 32;
export const ALLOCATION_RESULTS_MAX_SIZE = 32;
export const CEL_SELECTOR_EXPRESSION_MAX_LENGTH = 10 * 1024;
export const CEL_SELECTOR_EXPRESSION_MAX_COST = 1_000_000;
export const OPAQUE_PARAMETERS_MAX_LENGTH = 10 * 1024;
export const RESOURCE_CLAIM_RESERVED_FOR_MAX_SIZE = 256;
export const ALLOCATED_DEVICE_STATUS_MAX_CONDITIONS = 8;
export const ALLOCATED_DEVICE_STATUS_DATA_MAX_LENGTH = 10 * 1024;
export const NETWORK_INTERFACE_NAME_MAX_LENGTH = 256;
export const NETWORK_HARDWARE_ADDRESS_MAX_LENGTH = 128;
export const NETWORK_MAX_IPS = 16;
export const POOL_NAME_MAX_LENGTH = 253;
export const DEVICE_MAX_DOMAIN_LENGTH = 63;
export const DEVICE_MAX_ID_LENGTH = 32;
export const DEVICE_ATTRIBUTE_MAX_VALUE_LENGTH = 64;
export const ATTRIBUTES_AND_CAPACITIES_MAX = 32;
export const RESOURCE_SLICE_MAX_DEVICES = 128;
export const RESOURCE_SLICE_MAX_DEVICES_ADVANCED = 64;
export const BINDING_CONDITIONS_MAX_SIZE = 4;

/**
 * Whether a minor validates the 1.34+ internal shape (`exactly`, flat devices).
 *
 * @example
 * newShape(apiContext({ minor: 33 })); // false
 */
export function newShape(ctx: ApiContext): boolean {
  return ctx.minor >= 34;
}

/**
 * Whether a minor words and walks as the code rewritten alongside declarative validation (1.35):
 * list limits stop the walk, duplicates are reported at the item, map keys at the map, qualified
 * names as `Invalid`.
 *
 * @example
 * newWording(apiContext({ minor: 35 })); // true
 */
export function newWording(ctx: ApiContext): boolean {
  return ctx.minor >= 35;
}

/**
 * `validateSlice`: each item, then the size limit (from 1.35 the limit comes first and stops the walk).
 *
 * @example
 * validateSlice([1, 2, 3], 2, () => [], FieldPath.of("items"), apiContext({ minor: 36 })); // [items: Too many: 3: must have at most 2 items]
 */
export function validateSlice(items: readonly unknown[], max: number, each: (item: unknown, path: FieldPath) => FieldError[], path: FieldPath, ctx: ApiContext): FieldError[] {
  const over = max >= 0 && items.length > max;
  if (over && newWording(ctx)) return [tooMany(path, items.length, max)];
  const errs: FieldError[] = [];
  items.forEach((item, i) => errs.push(...each(item, path.index(i))));
  if (over) errs.push(tooMany(path, items.length, max));
  return errs;
}

/**
 * `validateSet`: `validateSlice` plus duplicate keys (up to 1.34 reported at the key's field,
 * `keyField`, from 1.35 at the item).
 *
 * @example
 * validateSet(["a", "a"], -1, () => [], (s) => s as string, FieldPath.of("items"), apiContext({ minor: 36 })); // [items[1]: Duplicate value: "a"]
 */
export function validateSet(
  items: readonly unknown[],
  max: number,
  each: (item: unknown, path: FieldPath) => FieldError[],
  key: (item: unknown) => string,
  path: FieldPath,
  ctx: ApiContext,
  keyField?: string,
): FieldError[] {
  if (max >= 0 && items.length > max && newWording(ctx)) return [tooMany(path, items.length, max)];
  const errs = validateSlice(items, max, each, path, ctx);
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) errs.push(duplicate(keyField && !newWording(ctx) ? path.index(i).child(keyField) : path.index(i), k));
    else seen.add(k);
  });
  return errs;
}

/** `truncateIfTooLong`: long map keys are shortened in the middle in paths. */
function truncateIfTooLong(s: string, maxLen: number): string {
  const max = Math.max(maxLen, 16);
  if (s.length <= max) return s;
  const remaining = max - 3;
  return `${s.slice(0, Math.ceil(remaining / 2))}...${s.slice(s.length - Math.floor(remaining / 2))}`;
}

/** `validateMap`: size limit, then each key (at the key's path up to 1.34, the map's from 1.35) and value. */
export function validateMap(
  m: unknown,
  max: number,
  truncateKeyLen: number,
  validateKey: (key: string, path: FieldPath) => FieldError[],
  validateItem: (item: unknown, path: FieldPath) => FieldError[],
  path: FieldPath,
  ctx: ApiContext,
): FieldError[] {
  if (!isRecord(m)) return [];
  const keys = Object.keys(m).sort();
  const errs: FieldError[] = [];
  if (max >= 0 && keys.length > max) {
    errs.push(tooMany(path, keys.length, max));
    if (newWording(ctx)) return errs;
  }
  for (const k of keys) {
    const keyPath = path.key(truncateIfTooLong(k, truncateKeyLen));
    errs.push(...validateKey(k, newWording(ctx) ? path : keyPath));
    errs.push(...validateItem(m[k], keyPath));
  }
  return errs;
}

/** `ValidateDNS1123Label` / `ValidateDNS1123Subdomain` (core). */
export function validateDNS1123Label(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

export function validateDNS1123Subdomain(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => invalid(path, value, m));
}

/**
 * `ValidateCSIDriverName`, which driver names reuse.
 *
 * @example
 * validateDriverName("dra.example.com", FieldPath.of("driver"), apiContext({ minor: 36 })); // []
 */
export function validateDriverName(name: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!name) {
    // From 1.35 an empty name is only required (the format check is declarative and skips it).
    if (newWording(ctx)) return [required(path, "")];
    errs.push(required(path, ""));
  }
  if (name.length > 63) errs.push(tooLong(path, name, 63, ctx.minor));
  for (const m of isDNS1123Subdomain(name.toLowerCase())) errs.push(invalid(path, name, m));
  return errs;
}

/**
 * `validatePoolName`: required, at most 253 bytes, `/`-separated DNS subdomains.
 *
 * @example
 * validatePoolName("", FieldPath.of("pool"), apiContext({ minor: 36 })); // [pool: Required value]
 */
export function validatePoolName(name: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  if (name === "") return [required(path, "")];
  const errs: FieldError[] = [];
  if (name.length > POOL_NAME_MAX_LENGTH) errs.push(tooLong(path, "", POOL_NAME_MAX_LENGTH, ctx.minor));
  for (const part of name.split("/")) errs.push(...validateDNS1123Subdomain(part, path));
  return errs;
}

/** `validateDeviceName` and `validateRequestName`: DNS labels. */
export const validateDeviceName = validateDNS1123Label;
export const validateRequestName = validateDNS1123Label;

/** `validateDeviceClass`: required, a DNS subdomain. */
export function validateDeviceClassRef(name: string, path: FieldPath): FieldError[] {
  return name === "" ? [required(path, "")] : validateDNS1123Subdomain(name, path);
}

/** `ValidateNodeName` as resource.k8s.io uses it. */
export function validateNodeName(name: string, path: FieldPath): FieldError[] {
  return isDNS1123Subdomain(name).map((m) => invalid(path, name, m));
}

function validateCIdentifier(id: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (id.length > DEVICE_MAX_ID_LENGTH) errs.push(tooLong(path, "", DEVICE_MAX_ID_LENGTH, ctx.minor));
  for (const m of isCIdentifier(id)) errs.push(newWording(ctx) ? invalid(path, id, m) : typeInvalid(path, id, m));
  return errs;
}

/**
 * `validateQualifiedName`: a C identifier, or a driver-name domain, `/`, and a C identifier.
 *
 * @example
 * validateQualifiedName("dra.example.com/model", FieldPath.of("attributes"), apiContext({ minor: 36 })); // []
 */
export function validateQualifiedName(name: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  const legacy = !newWording(ctx);
  if (legacy && name === "") return [required(path, "name required")];
  const parts = name.split("/");
  const errs: FieldError[] = [];
  if (parts.length === 1) return validateCIdentifier(parts[0]!, path, ctx);
  if (parts.length === 2) {
    if (parts[0] === "") errs.push(legacy ? required(path, "the domain must not be empty") : invalid(path, "", "the domain must not be empty"));
    else errs.push(...validateDriverName(parts[0]!, path, ctx));
    if (parts[1] === "") errs.push(legacy ? required(path, "the name must not be empty") : invalid(path, "", "the name must not be empty"));
    else errs.push(...validateCIdentifier(parts[1]!, path, ctx));
    return errs;
  }
  return legacy ? [] : [invalid(path, name, "must not contain more than one slash")];
}

/**
 * `validateFullyQualifiedName`: a qualified name that has a domain.
 *
 * @example
 * validateFullyQualifiedName("model", FieldPath.of("matchAttribute"), apiContext({ minor: 36 })); // [… a fully qualified name must be a domain and a name separated by a slash]
 */
export function validateFullyQualifiedName(name: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs = validateQualifiedName(name, path, ctx);
  if (!name.includes("/")) {
    if (newWording(ctx)) errs.push(invalid(path, name, "a fully qualified name must be a domain and a name separated by a slash"));
    else if (name !== "") errs.push(invalid(path, name, "must include a domain"));
  }
  return errs;
}

/** The variables of the DRA CEL environment; `device` is checked as `dyn` (its fields are not typed here). */
const DRA_VARIABLES: Readonly<Record<string, string>> = { device: "dyn" };

/**
 * The library level DRA expressions compile at: the previous minor's (new expressions), but never
 * below 1.33's, because the DRA environment has offered the semver library (`semver()`,
 * `isGreaterThan`) since DRA's structured parameters began, before it reached the Kubernetes
 * libraries. A richer environment can only accept more.
 */
function draLevel(ctx: ApiContext): number {
  return Math.max(ctx.minor - 1, 33);
}

/**
 * `validateCELExpression` for device selectors: the length limit, then compiling in the DRA
 * environment (the previous minor's libraries, as for new expressions); the cost limit
 * (`CEL_SELECTOR_EXPRESSION_MAX_COST`) is estimated for expressions that do not read `device`. Expressions already stored
 * are not checked again. A result known not to be a bool is `must evaluate to bool or the unknown
 * type, not <type>`; syntax this evaluator cannot parse is never reported.
 *
 * @example
 * validateCELExpression("1", FieldPath.of("expression"), false, apiContext({ minor: 36 }));
 * // [expression: Invalid value: "1": must evaluate to bool or the unknown type, not int]
 */
export function validateCELExpression(expression: string, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  if (stored) return [];
  if (expression.length > CEL_SELECTOR_EXPRESSION_MAX_LENGTH) return [tooLong(path, "", CEL_SELECTOR_EXPRESSION_MAX_LENGTH, ctx.minor)];
  const { compileCel, estimateCost } = celEngine();
  const compiled = compileCel(expression, { level: draLevel(ctx), variables: DRA_VARIABLES, bindings: true });
  if (compiled.unsupported) return [];
  if (compiled.error) return [invalid(path, expression, `compilation failed: ${compiled.error}`)];
  const t = (compiled.program as unknown as { ast?: { checkedType?: { name?: string; kind?: string; hasDynType?: boolean } } } | undefined)?.ast?.checkedType;
  if (t && !t.hasDynType && t.kind !== "dyn" && t.name && t.name !== "bool" && t.name !== "dyn" && SIMPLE_TYPES.has(t.name)) {
    return [invalid(path, expression, `must evaluate to bool or the unknown type, not ${t.name === "null" ? "null_type" : t.name}`)];
  }
  // The cost limit is estimated only for expressions that do not read `device`: without the sizes
  // the DRA environment declares for it, an estimate would refuse expressions kube-apiserver accepts.
  if (!compiled.variables.has("device")) {
    const cost = estimateCost(expression, { level: draLevel(ctx), variables: DRA_VARIABLES, bindings: true });
    if (cost.max > CEL_SELECTOR_EXPRESSION_MAX_COST) return [forbidden(path, "too complex, exceeds cost limit")];
  }
  return [];
}

const SIMPLE_TYPES = new Set(["int", "uint", "double", "string", "bytes", "null", "null_type", "list", "map", "timestamp", "duration"]);

/** `validateSelector` / `validateSelectorSlice`. */
export function validateSelectors(selectors: unknown, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  return validateSlice(
    listAt(selectors),
    DEVICE_SELECTORS_MAX_SIZE,
    (s, p) => {
      const cel = optionalObject(objectAt(s).cel);
      if (!cel) return [required(p.child("cel"), "")];
      return validateCELExpression(stringAt(cel.expression), p.child("cel").child("expression"), stored, ctx);
    },
    path,
    ctx,
  );
}

/**
 * `validateRawExtension`: required, at most `max` bytes of JSON (new values only), a JSON object.
 * The bytes are the value as the client sent it, measured here as compact JSON.
 */
export function validateRawExtension(value: unknown, path: FieldPath, stored: boolean, max: number, ctx: ApiContext): FieldError[] {
  if (value === undefined || value === null) return [required(path, "")];
  const size = Buffer.byteLength(JSON.stringify(value));
  if (!stored && size > max) return [tooLong(path, "", max, ctx.minor)];
  if (!isRecord(value)) return [invalid(path, "<value omitted>", newWording(ctx) ? "must be a valid JSON object" : "parameters must be a valid JSON object")];
  return [];
}

/** `validateDeviceConfiguration` / `validateOpaqueConfiguration`. */
export function validateDeviceConfiguration(config: Obj, path: FieldPath, stored: boolean, ctx: ApiContext): FieldError[] {
  const opaque = optionalObject(config.opaque);
  if (!opaque) return [required(path.child("opaque"), "")];
  const p = path.child("opaque");
  return [...validateDriverName(stringAt(opaque.driver), p.child("driver"), ctx), ...validateRawExtension(opaque.parameters, p.child("parameters"), stored, OPAQUE_PARAMETERS_MAX_LENGTH, ctx)];
}

/** The effects a device taint may have at a minor (`None` from 1.35). */
function taintEffects(ctx: ApiContext): string[] {
  return ctx.minor >= 35 ? ["NoExecute", "NoSchedule", "None"] : ["NoExecute", "NoSchedule"];
}

function validateLabelValue(value: string, path: FieldPath): FieldError[] {
  return isValidLabelValue(value).map((m) => invalid(path, value, m));
}

/** `validateDeviceTaint`: key, value and effect (the effect only when it changed). */
export function validateDeviceTaint(taint: Obj, old: Obj | undefined, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs = validateLabelName(stringAt(taint.key), path.child("key"));
  const value = stringAt(taint.value);
  if (value !== "") errs.push(...validateLabelValue(value, path.child("value")));
  const effect = stringAt(taint.effect);
  if (!old || stringAt(old.effect) !== effect || !newWording(ctx)) {
    if (effect === "") errs.push(required(path.child("effect"), ""));
    else if (!taintEffects(ctx).includes(effect)) errs.push(notSupported(path.child("effect"), effect, taintEffects(ctx)));
  }
  return errs;
}

/** `validateDeviceToleration`. */
export function validateDeviceToleration(toleration: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const key = stringAt(toleration.key);
  if (key !== "") errs.push(...validateLabelName(key, path.child("key")));
  const operator = stringAt(toleration.operator);
  const value = stringAt(toleration.value);
  switch (operator) {
    case "Exists":
      if (value !== "") errs.push(invalid(path.child("value"), value, "must be empty for operator `Exists`"));
      break;
    case "Equal":
      errs.push(...validateLabelValue(value, path.child("value")));
      break;
    case "":
      errs.push(required(path.child("operator"), ""));
      break;
    default:
      errs.push(notSupported(path.child("operator"), operator, ["Equal", "Exists"]));
  }
  const effect = stringAt(toleration.effect);
  if (effect !== "" && !taintEffects(ctx).includes(effect)) errs.push(notSupported(path.child("effect"), effect, taintEffects(ctx)));
  return errs;
}

/** `validateDeviceBindingParameters`: binding and binding-failure conditions go together, at most 4 each. */
export function validateBindingParameters(obj: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const conditions = listAt(obj.bindingConditions).map(stringAt);
  const failures = listAt(obj.bindingFailureConditions).map(stringAt);
  const errs: FieldError[] = [];
  errs.push(...validateSlice(conditions, BINDING_CONDITIONS_MAX_SIZE, (c, p) => validateLabelName(c as string, p), path.child("bindingConditions"), ctx));
  errs.push(...validateSlice(failures, BINDING_CONDITIONS_MAX_SIZE, (c, p) => validateLabelName(c as string, p), path.child("bindingFailureConditions"), ctx));
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    if (seen.has(c)) errs.push(duplicate(path.child("bindingConditions").index(i), c));
    seen.add(c);
  });
  const seenFailures = new Set<string>();
  failures.forEach((c, i) => {
    if (seenFailures.has(c)) errs.push(duplicate(path.child("bindingFailureConditions").index(i), c));
    seenFailures.add(c);
    if (seen.has(c)) errs.push(invalid(path.child("bindingFailureConditions").index(i), c, "bindingFailureConditions must not overlap with bindingConditions"));
  });
  // The empty list prints as Go prints it: `null` when absent.
  if (conditions.length === 0 && failures.length > 0) errs.push(invalid(path.child("bindingConditions"), obj.bindingConditions ?? null, "bindingConditions are required to use bindingFailureConditions"));
  if (failures.length === 0 && conditions.length > 0) errs.push(invalid(path.child("bindingFailureConditions"), obj.bindingFailureConditions ?? null, "bindingFailureConditions are required to use bindingConditions"));
  return errs;
}

/**
 * metav1 `ValidateConditions`, as the resource.k8s.io status fields use it.
 *
 * @example
 * validateConditions([{ type: "Ready", status: "Maybe" }], FieldPath.of("conditions"), apiContext({ minor: 36 })); // status unsupported, time and reason required
 */
export function validateConditions(conditions: readonly unknown[], path: FieldPath, ctx: ApiContext): FieldError[] {
  return validateMetaConditions(conditions, path, ctx.minor);
}
