/**
 * DeviceClass (pkg/apis/resource/validation `ValidateDeviceClass`, `ValidateDeviceClassUpdate`):
 * selectors and opaque configuration, each list treated as stored (not compiled or measured again)
 * while it is unchanged, and the extended resource name.
 */
import type { ApiContext } from "../context.js";
import { FieldPath, invalid, type FieldError } from "../field.js";
import { isQualifiedName, listAt, objectAt, optionalObject, semanticEqual } from "../validation/index.js";
import { validateNodeSelector } from "../core/scheduling.js";
import { DEVICE_CONFIG_MAX_SIZE, validateDeviceConfiguration, validateSelectors, validateSlice } from "./device.js";

type Obj = Record<string, unknown>;

/** `IsExtendedResourceName` (core v1 helper): not native (has a `/`, no `kubernetes.io/`), not `requests.`, and `requests.<name>` a qualified name. */
function isExtendedResourceName(name: string): boolean {
  if (!name.includes("/") || name.includes("kubernetes.io/") || name.startsWith("requests.")) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** `validateDeviceClassSpec`. */
function validateDeviceClassSpec(spec: Obj, old: Obj | undefined, ctx: ApiContext): FieldError[] {
  const path = FieldPath.of("spec");
  const selectorsStored = old !== undefined && semanticEqual(spec.selectors, old.selectors);
  const errs = validateSelectors(spec.selectors, path.child("selectors"), selectorsStored, ctx);
  const configStored = old !== undefined && semanticEqual(spec.config, old.config);
  errs.push(...validateSlice(listAt(spec.config), DEVICE_CONFIG_MAX_SIZE, (c, p) => validateDeviceConfiguration(objectAt(c), p, configStored, ctx), path.child("config"), ctx));
  // 1.31's classes could name the nodes their devices suit.
  const suitable = optionalObject(spec.suitableNodes);
  if (ctx.minor <= 31 && suitable) errs.push(...validateNodeSelector(suitable, path.child("suitableNodes"), ctx.minor >= 33));
  if (typeof spec.extendedResourceName === "string" && !isExtendedResourceName(spec.extendedResourceName)) {
    errs.push(invalid(path.child("extendedResourceName"), spec.extendedResourceName, "must be a valid extended resource name"));
  }
  return errs;
}

/**
 * `ValidateDeviceClass` without the object metadata.
 *
 * @example
 * validateDeviceClass({ spec: { selectors: [{}] } }, apiContext({ minor: 36 })); // [spec.selectors[0].cel: Required value]
 */
export function validateDeviceClass(obj: Obj, ctx: ApiContext): FieldError[] {
  return validateDeviceClassSpec(objectAt(obj.spec), undefined, ctx);
}

/**
 * `ValidateDeviceClassUpdate`: the spec again, with unchanged selectors and config counted as stored.
 *
 * @example
 * validateDeviceClassUpdate(next, stored, apiContext({ minor: 36, operation: "UPDATE" }));
 */
export function validateDeviceClassUpdate(obj: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  return validateDeviceClassSpec(objectAt(obj.spec), optionalObject(old.spec) ?? {}, ctx);
}
