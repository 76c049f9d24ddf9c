/**
 * ResourceSlice (pkg/apis/resource/validation `ValidateResourceSlice`, `ValidateResourceSliceUpdate`):
 * driver and pool, exactly one of `nodeName`, `nodeSelector`, `allNodes` (and, from 1.34,
 * `perDeviceNodeSelection`), devices with unique DNS-label names, qualified attribute and capacity
 * names, attributes with exactly one value, taints, shared counters and what devices consume.
 *
 * v1alpha3 and v1beta1 keep a device's attributes under `basic`; v1beta2 and v1 keep them on the
 * device. Paths follow the minor's internal type: under `basic` up to 1.33, flat from 1.34.
 */
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, invalid, required, tooLong, type FieldError } from "../field.js";
import { listAt, objectAt, optionalObject, Quantity, semanticEqual, stringAt, validateImmutableField } from "../validation/index.js";
import { validateNodeSelector } from "../core/scheduling.js";
import { isRecord } from "../../meta/values.js";
import {
  ATTRIBUTES_AND_CAPACITIES_MAX,
  DEVICE_ATTRIBUTE_MAX_VALUE_LENGTH,
  DEVICE_MAX_DOMAIN_LENGTH,
  DEVICE_MAX_ID_LENGTH,
  RESOURCE_SLICE_MAX_DEVICES,
  RESOURCE_SLICE_MAX_DEVICES_ADVANCED,
  newShape,
  newWording,
  validateBindingParameters,
  validateDNS1123Label,
  validateDeviceName,
  validateDeviceTaint,
  validateDriverName,
  validateMap,
  validateNodeName,
  validatePoolName,
  validateQualifiedName,
  validateSet,
  validateSlice,
} from "./device.js";

type Obj = Record<string, unknown>;

const MAX_COUNTER_SETS = 8;
const MAX_COUNTERS_PER_SET = 32;
const MAX_COUNTER_CONSUMPTIONS_PER_DEVICE = 2;
const MAX_COUNTERS_PER_CONSUMPTION = 32;
const KEY_LENGTH = DEVICE_MAX_DOMAIN_LENGTH + 1 + DEVICE_MAX_ID_LENGTH;

function deviceTaintsMax(ctx: ApiContext): number {
  return ctx.minor >= 35 ? 16 : 8;
}

/** The device fields of a served device: under `basic` in v1alpha3 and v1beta1, on the device otherwise. */
function deviceBody(device: Obj, ctx: ApiContext): Obj | undefined {
  if (ctx.version === "v1alpha3" || ctx.version === "v1beta1") return optionalObject(device.basic);
  return device;
}

const NUMERIC = "(0|[1-9]\\d*)";
const PRERELEASE = "(0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)";
const BUILD = "[0-9a-zA-Z-]+";
const SEMVER = new RegExp(`^${NUMERIC}\\.${NUMERIC}\\.${NUMERIC}(-${PRERELEASE}(\\.${PRERELEASE})*)?(\\+${BUILD}(\\.${BUILD})*)?$`);

function validateStringValue(value: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  return Buffer.byteLength(value) > DEVICE_ATTRIBUTE_MAX_VALUE_LENGTH ? [tooLong(path, "", DEVICE_ATTRIBUTE_MAX_VALUE_LENGTH, ctx.minor)] : [];
}

function validateVersionValue(value: string, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!SEMVER.test(value)) errs.push(invalid(path, value, "must be a string compatible with semver.org spec 2.0.0"));
  errs.push(...validateStringValue(value, path, ctx));
  return errs;
}

const LIST_VALUES = ["bools", "ints", "strings", "versions"] as const;

/** `validateDeviceAttribute`: exactly one value; strings at most 64 bytes; versions semver. */
function validateDeviceAttribute(a: unknown, path: FieldPath, ctx: ApiContext): FieldError[] {
  const attribute = objectAt(a);
  const has = (k: string) => attribute[k] !== undefined && attribute[k] !== null;
  const errs: FieldError[] = [];
  let n = 0;
  if (has("bool")) n++;
  if (has("int")) n++;
  if (has("string")) {
    n++;
    errs.push(...validateStringValue(stringAt(attribute.string), path.child("string"), ctx));
  }
  if (has("version")) {
    n++;
    errs.push(...validateVersionValue(stringAt(attribute.version), path.child("version"), ctx));
  }
  // List values (DRAListTypeAttributes, alpha, off by default) are only judged with the gate on;
  // without it an attribute holding only a list is not called empty.
  const lists = LIST_VALUES.some((k) => has(k));
  if (lists && !ctx.gate("DRAListTypeAttributes") && n === 0) return errs;
  if (newWording(ctx) && ctx.gate("DRAListTypeAttributes")) {
    for (const k of LIST_VALUES) {
      if (!has(k)) continue;
      n++;
      const values = listAt(attribute[k]);
      if (values.length === 0) errs.push(invalid(path.child(k), [], "must not be empty if specified"));
      if (k === "strings") values.forEach((v, i) => errs.push(...validateStringValue(stringAt(v), path.child(k).index(i), ctx)));
      if (k === "versions") values.forEach((v, i) => errs.push(...validateVersionValue(stringAt(v), path.child(k).index(i), ctx)));
    }
  }
  if (n === 0) errs.push(newWording(ctx) ? invalid(path, "", "exactly one value must be specified") : required(path, "exactly one value must be specified"));
  else if (n > 1) errs.push(invalid(path, attribute, "exactly one value must be specified"));
  return errs;
}

/** `CapacityRequestPolicyDiscreteMaxOptions`. */
const REQUEST_POLICY_MAX_OPTIONS = 10;

function quantityAt(v: unknown): Quantity | undefined {
  return v === undefined || v === null ? undefined : Quantity.from(v);
}

/** `validateRequestPolicyRangeStep` on integers (`Quantity.Value()`, rounded up). */
function validateStep(value: Quantity, min: Quantity, step: Quantity, path: FieldPath): FieldError[] {
  const s = step.scaledValue(0);
  if (s === 0n || (value.scaledValue(0) - min.scaledValue(0)) % s === 0n) return [];
  return [invalid(path, value.toString(), `value is not a multiple of a given step (${step.toString()}) from (${min.toString()})`)];
}

/** `validateRequestPolicyRange` (without DRAFractionalCapacityRange, which no served minor has on). */
function validateRange(def: Quantity, capacity: Quantity, range: Obj, path: FieldPath): FieldError[] {
  const min = quantityAt(range.min);
  if (!min) return [required(path.child("min"), "required when validRange is defined")];
  const errs: FieldError[] = [];
  if (min.cmp(capacity) > 0) errs.push(invalid(path.child("min"), min.toString(), `min is larger than capacity value: ${capacity.toString()}`));
  // Up to 1.36 a default outside the range is reported at the bound it crosses.
  if (def.cmp(min) < 0) errs.push(invalid(path.child("min"), def.toString(), `default is less than min: ${min.toString()}`));
  const max = quantityAt(range.max);
  if (max) {
    if (min.cmp(max) > 0) errs.push(invalid(path.child("max"), min.toString(), `min is larger than max: ${max.toString()}`));
    if (max.cmp(capacity) > 0) errs.push(invalid(path.child("max"), max.toString(), `max is larger than capacity value: ${capacity.toString()}`));
    if (def.cmp(max) > 0) errs.push(invalid(path.child("max"), def.toString(), `default is more than max: ${max.toString()}`));
  }
  const step = quantityAt(range.step);
  if (step) {
    if (step.sign() <= 0) errs.push(invalid(path.child("step"), step.toString(), "must be greater than zero"));
    else {
      // min + step, in min's format (Go's Quantity.Add keeps the receiver's).
      const nanos = min.scaledValue(-9) + step.scaledValue(-9);
      const added = nanos % 1_000_000_000n === 0n ? Quantity.ofInt(nanos / 1_000_000_000n, min.format) : Quantity.parse(`${nanos}n`);
      if (added && added.cmp(capacity) > 0) errs.push(invalid(path.child("step"), step.toString(), `one step ${added.toString()} is larger than capacity value: ${capacity.toString()}`));
      errs.push(...validateStep(def, min, step, path.child("step")));
      if (max) errs.push(...validateStep(max, min, step, path.child("step")));
    }
  }
  return errs;
}

/** `validateRequestPolicyValidValues`: ascending, unique, within the capacity, the default among them. */
function validateValidValues(def: Quantity, capacity: Quantity, values: readonly unknown[], path: FieldPath, ctx: ApiContext): FieldError[] {
  const parsed = values.map((v) => Quantity.from(v) ?? Quantity.ofInt(0));
  const errs: FieldError[] = [];
  for (let i = 0; i + 1 < parsed.length; i++) {
    if (parsed[i]!.cmp(parsed[i + 1]!) > 0) errs.push(invalid(path.index(i + 1), parsed[i + 1]!.toString(), "values must be sorted in ascending order"));
  }
  let found = false;
  errs.push(
    ...validateSet(
      parsed,
      REQUEST_POLICY_MAX_OPTIONS,
      (q, p) => {
        const option = q as Quantity;
        if (option.cmp(def) === 0) found = true;
        return option.cmp(capacity) > 0 ? [invalid(p, option.toString(), `option is larger than capacity value: ${capacity.toString()}`)] : [];
      },
      (q) => (q as Quantity).scaledValue(0).toString(),
      path,
      ctx,
    ),
  );
  if (!found) errs.push(invalid(path, def.toString(), "default value is not valid according to the requestPolicy"));
  return errs;
}

/** `validateRequestPolicy`: one of `validValues` and `validRange`, each with a default. */
function validateRequestPolicy(capacity: Quantity, policy: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const values = listAt(policy.validValues);
  const range = optionalObject(policy.validRange);
  if (values.length > 0 && range) return [forbidden(path, 'exactly one policy can be specified, cannot specify "validValues" and "validRange" at the same time')];
  const def = quantityAt(policy.default);
  if (values.length > 0) return def ? validateValidValues(def, capacity, values, path.child("validValues"), ctx) : [required(path.child("default"), "required when validValues is defined")];
  if (range) return def ? validateRange(def, capacity, range, path.child("validRange")) : [required(path.child("default"), "required when validRange is defined")];
  return [];
}

/** A capacity's request policy is only for devices that allow several allocations, and must fit the capacity. */
function validateCapacity(c: unknown, path: FieldPath, multi: boolean, ctx: ApiContext): FieldError[] {
  const capacity = objectAt(c);
  const policy = optionalObject(capacity.requestPolicy);
  if (!policy) return [];
  if (!multi) return [forbidden(path.child("requestPolicy"), "allowMultipleAllocations must be true")];
  return validateRequestPolicy(quantityAt(capacity.value) ?? Quantity.ofInt(0), policy, path.child("requestPolicy"), ctx);
}

function validateCounters(counters: unknown, max: number, path: FieldPath, ctx: ApiContext): FieldError[] {
  if (!isRecord(counters) || Object.keys(counters).length === 0) return [required(path, "")];
  return validateMap(counters, max, 63, (k, p) => validateDNS1123Label(k, p), () => [], path, ctx);
}

function validateCounterName(name: string, path: FieldPath): FieldError[] {
  return name === "" ? [required(path, "")] : validateDNS1123Label(name, path);
}

/** `validateDevice`: the fields of one device (with the device as stored before, on updates). */
function validateDevice(d: unknown, old: Obj | undefined, path: FieldPath, perDevice: boolean, ctx: ApiContext): FieldError[] {
  const device = objectAt(d);
  const errs = validateDeviceName(stringAt(device.name), path.child("name"));
  const body = deviceBody(device, ctx);
  let p = path;
  if (!newShape(ctx)) {
    p = path.child("basic");
    if (!body) return [...errs, required(p, "")];
  }
  if (!body) return errs;
  const oldBody = old ? deviceBody(old, ctx) : undefined;
  const attributes = objectAt(body.attributes);
  const capacity = objectAt(body.capacity);
  const combined = Object.keys(attributes).length + Object.keys(capacity).length;
  const combinedError = combined > ATTRIBUTES_AND_CAPACITIES_MAX ? [invalid(p, combined, `the total number of attributes and capacities must not exceed ${ATTRIBUTES_AND_CAPACITIES_MAX}`)] : [];
  if (newWording(ctx)) errs.push(...combinedError);
  errs.push(...validateMap(body.attributes, -1, KEY_LENGTH, (k, kp) => validateQualifiedName(k, kp, ctx), (a, ap) => validateDeviceAttribute(a, ap, ctx), p.child("attributes"), ctx));
  if (!oldBody || !semanticEqual(oldBody.capacity, body.capacity)) {
    const multi = body.allowMultipleAllocations === true;
    errs.push(...validateMap(body.capacity, -1, KEY_LENGTH, (k, kp) => validateQualifiedName(k, kp, ctx), (c, cp) => validateCapacity(c, cp, multi, ctx), p.child("capacity"), ctx));
  }
  if (!newWording(ctx)) errs.push(...combinedError);
  if (!oldBody || !semanticEqual(oldBody.taints, body.taints)) {
    errs.push(...validateSlice(listAt(body.taints), newShape(ctx) ? deviceTaintsMax(ctx) : -1, (t, tp) => validateDeviceTaint(objectAt(t), undefined, tp, ctx), p.child("taints"), ctx));
  }
  errs.push(
    ...validateSet(
      listAt(body.consumesCounters),
      MAX_COUNTER_CONSUMPTIONS_PER_DEVICE,
      (c, cp) => [...validateCounterName(stringAt(objectAt(c).counterSet), cp.child("counterSet")), ...validateCounters(objectAt(c).counters, MAX_COUNTERS_PER_CONSUMPTION, cp.child("counters"), ctx)],
      (c) => stringAt(objectAt(c).counterSet),
      p.child("consumesCounters"),
      ctx,
    ),
  );
  if (newShape(ctx)) errs.push(...validateDeviceNodeSelection(body, p, perDevice, ctx));
  if (newShape(ctx)) errs.push(...validateBindingParameters(body, p, ctx));
  return errs;
}

/** Per-device node selection: exactly one of `nodeName`, `nodeSelector`, `allNodes` when the slice asks for it, none otherwise. */
function validateDeviceNodeSelection(body: Obj, path: FieldPath, perDevice: boolean, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const set: string[] = [];
  const message = "exactly one of `nodeName`, `nodeSelector`, or `allNodes` is required when `perDeviceNodeSelection` is set to true in the ResourceSlice spec";
  if (perDevice) {
    if (typeof body.nodeName === "string") {
      if (body.nodeName !== "") {
        set.push("`nodeName`");
        errs.push(...validateNodeName(body.nodeName, path.child("nodeName")));
      } else errs.push(invalid(path.child("nodeName"), "", "must not be empty"));
    }
    const selector = optionalObject(body.nodeSelector);
    if (selector) {
      set.push("`nodeSelector`");
      errs.push(...validateNodeSelector(selector, path.child("nodeSelector"), ctx.minor >= 33));
    }
    if (typeof body.allNodes === "boolean") {
      if (body.allNodes) set.push("`allNodes`");
      else errs.push(invalid(path.child("allNodes"), false, "must be either unset or set to true"));
    }
    if (set.length === 0) errs.push(required(path, message));
    else if (set.length > 1) errs.push(invalid(path, `{${set.join(", ")}}`, message));
  } else if (typeof body.nodeName === "string" || isRecord(body.nodeSelector) || typeof body.allNodes === "boolean") {
    errs.push(invalid(path, null, "`nodeName`, `nodeSelector` and `allNodes` can only be set if `perDeviceNodeSelection` is set to true in the ResourceSlice spec"));
  }
  return errs;
}

function haveAdvanced(devices: readonly unknown[], ctx: ApiContext): boolean {
  return devices.some((d) => {
    const body = deviceBody(objectAt(d), ctx) ?? {};
    const listAttr = ctx.gate("DRAListTypeAttributes") && Object.values(objectAt(body.attributes)).some((a) => LIST_VALUES.some((k) => objectAt(a)[k] !== undefined && objectAt(a)[k] !== null));
    return listAt(body.taints).length > 0 || listAt(body.consumesCounters).length > 0 || listAttr;
  });
}

/**
 * The spec as the internal type holds it: v1alpha3 and v1beta1 carry `nodeName` and `allNodes` as
 * plain values, so `""` and `false` read as unset.
 */
function internalSpec(spec: Obj, ctx: ApiContext): Obj {
  if (ctx.version !== "v1alpha3" && ctx.version !== "v1beta1") return spec;
  const out = { ...spec };
  if (out.nodeName === "") delete out.nodeName;
  if (out.allNodes === false) delete out.allNodes;
  return out;
}

/** `validateResourceSliceSpec`. */
function validateSliceSpec(specIn: Obj, oldIn: Obj | undefined, ctx: ApiContext): FieldError[] {
  const spec = internalSpec(specIn, ctx);
  const old = oldIn ? internalSpec(oldIn, ctx) : undefined;
  const path = FieldPath.of("spec");
  const errs = validateDriverName(stringAt(spec.driver), path.child("driver"), ctx);
  const pool = objectAt(spec.pool);
  errs.push(...validatePoolName(stringAt(pool.name), path.child("pool").child("name"), ctx));
  const count = typeof pool.resourceSliceCount === "number" ? pool.resourceSliceCount : 0;
  if (count <= 0) errs.push(invalid(path.child("pool").child("resourceSliceCount"), count, "must be greater than zero"));
  const generation = typeof pool.generation === "number" ? pool.generation : 0;
  if (generation < 0) errs.push(invalid(path.child("pool").child("generation"), generation, "must be greater than or equal to zero"));
  if (old) {
    errs.push(...validateImmutableField(stringAt(pool.name), stringAt(objectAt(old.pool).name), path.child("pool").child("name")));
    errs.push(...validateImmutableField(stringAt(spec.driver), stringAt(old.driver), path.child("driver")));
    errs.push(...validateImmutableField(spec.nodeName ?? (newShape(ctx) ? undefined : ""), old.nodeName ?? (newShape(ctx) ? undefined : ""), path.child("nodeName")));
  }

  const set: string[] = [];
  const nodeName = spec.nodeName;
  if (typeof nodeName === "string") {
    if (nodeName !== "") {
      set.push("`nodeName`");
      errs.push(...validateNodeName(nodeName, path.child("nodeName")));
    } else if (newShape(ctx)) errs.push(invalid(path.child("nodeName"), "", "must be either unset or set to a non-empty string"));
  }
  const selector = optionalObject(spec.nodeSelector);
  if (selector) {
    set.push("`nodeSelector`");
    errs.push(...validateNodeSelector(selector, path.child("nodeSelector"), ctx.minor >= 33));
    const terms = listAt(selector.nodeSelectorTerms);
    if (terms.length !== 1) errs.push(invalid(path.child("nodeSelector").child("nodeSelectorTerms"), terms, "must have exactly one node selector term"));
  }
  if (typeof spec.allNodes === "boolean") {
    if (spec.allNodes) set.push("`allNodes`");
    else if (newShape(ctx)) errs.push(invalid(path.child("allNodes"), false, "must be either unset or set to true"));
  }
  const perDevice = spec.perDeviceNodeSelection === true;
  if (newShape(ctx) && typeof spec.perDeviceNodeSelection === "boolean") {
    if (perDevice) set.push("`perDeviceNodeSelection`");
    else errs.push(invalid(path.child("perDeviceNodeSelection"), false, "must be either unset or set to true"));
  }
  const fields = newShape(ctx) ? "`nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection`" : "`nodeName`, `nodeSelector`, or `allNodes`";
  if (set.length === 0) errs.push(required(path, `exactly one of ${fields} is required`));
  else if (set.length > 1) errs.push(invalid(path, `{${set.join(", ")}}`, `exactly one of ${fields} is required, but multiple fields are set`));

  const devices = listAt(spec.devices);
  if (newShape(ctx) && spec.sharedCounters !== undefined && spec.sharedCounters !== null && spec.devices !== undefined && spec.devices !== null) {
    errs.push(invalid(path, "", "only one of `sharedCounters` or `devices` is allowed"));
  }
  const maxDevices = newShape(ctx) && haveAdvanced(devices, ctx) ? RESOURCE_SLICE_MAX_DEVICES_ADVANCED : RESOURCE_SLICE_MAX_DEVICES;
  const oldDevices = old ? listAt(old.devices).map(objectAt) : [];
  errs.push(
    ...validateSet(
      devices,
      maxDevices,
      (d, p) => validateDevice(d, oldDevices.find((o) => stringAt(o.name) === stringAt(objectAt(d).name)), p, perDevice, ctx),
      (d) => stringAt(objectAt(d).name),
      path.child("devices"),
      ctx,
      "name",
    ),
  );
  errs.push(
    ...validateSet(
      listAt(spec.sharedCounters),
      MAX_COUNTER_SETS,
      (c, p) => [...validateCounterName(stringAt(objectAt(c).name), p.child("name")), ...validateCounters(objectAt(c).counters, MAX_COUNTERS_PER_SET, p.child("counters"), ctx)],
      (c) => stringAt(objectAt(c).name),
      path.child("sharedCounters"),
      ctx,
    ),
  );
  return errs;
}

/**
 * `ValidateResourceSlice` without the object metadata.
 *
 * @example
 * validateResourceSlice({ spec: { driver: "dra.example.com", pool: { name: "p", resourceSliceCount: 1 } } }, apiContext({ minor: 36 }));
 * // [spec: Required value: exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required]
 */
export function validateResourceSlice(obj: Obj, ctx: ApiContext): FieldError[] {
  return validateSliceSpec(objectAt(obj.spec), undefined, ctx);
}

/**
 * `ValidateResourceSliceUpdate`: the spec again, with driver, pool name and node name immutable.
 *
 * @example
 * validateResourceSliceUpdate(next, stored, apiContext({ minor: 36, operation: "UPDATE" })); // driver, pool name, node name immutable
 */
export function validateResourceSliceUpdate(obj: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  return validateSliceSpec(objectAt(obj.spec), objectAt(old.spec), ctx);
}
