/**
 * Resource names and quantities as the core helpers classify them (pkg/apis/core/helper:
 * standard, quota, integer, native and extended resource names) and the checks built on them
 * (`validateResourceName`, `ValidateResourceQuotaResourceName`, `ValidateResourceQuantityValue`).
 */
import { FieldPath, invalid, type FieldError } from "../field.js";
import { isQualifiedName, Quantity } from "../validation/index.js";

const STANDARD = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "storage",
  "requests.storage",
  "services.nodeports",
  "services.loadbalancers",
]);

const QUOTA = new Set([...STANDARD].filter((r) => r !== "storage"));

const INTEGER = new Set(["pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers"]);

const CONTAINER = new Set(["cpu", "memory", "ephemeral-storage"]);

/** `IsHugePageResourceName`. */
export function isHugePageResourceName(name: string): boolean {
  return name.startsWith("hugepages-");
}

function isQuotaHugePage(name: string): boolean {
  return name.startsWith("hugepages-") || name.startsWith("requests.hugepages-");
}

/** `IsNativeResource`: unprefixed or in the kubernetes.io domain. */
export function isNativeResource(name: string): boolean {
  return !name.includes("/") || name.includes("kubernetes.io/");
}

/** `IsExtendedResourceName`. */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith("requests.")) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** `IsStandardResourceName`. */
export function isStandardResourceName(name: string): boolean {
  return STANDARD.has(name) || isQuotaHugePage(name);
}

/** `IsStandardQuotaResourceName`. */
export function isStandardQuotaResourceName(name: string): boolean {
  return QUOTA.has(name) || isQuotaHugePage(name);
}

/** `IsIntegerResourceName`. */
export function isIntegerResourceName(name: string): boolean {
  return INTEGER.has(name) || isExtendedResourceName(name);
}

/** `IsOvercommitAllowed`: native resources other than hugepages. */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

/** `validateResourceName`: a qualified name; unprefixed names must be standard. */
export function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes("/") && !isStandardResourceName(name)) return [invalid(path, name, "must be a standard resource type or fully qualified")];
  return [];
}

/** `validateContainerResourceName`. */
export function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  // cpu, memory and ephemeral-storage: qualified, standard and for containers.
  if (CONTAINER.has(name)) return [];
  const errs = validateResourceName(name, path);
  if (!name.includes("/")) {
    if (!CONTAINER.has(name) && !isHugePageResourceName(name)) return [...errs, invalid(path, name, "must be a standard resource for containers")];
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    return [...errs, invalid(path, name, "doesn't follow extended resource name standard")];
  }
  return errs;
}

/** `ValidateResourceQuotaResourceName`. */
export function validateResourceQuotaResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes("/") && !isStandardQuotaResourceName(name)) return [...errs, invalid(path, name, "must be a standard resource for quota")];
  return errs;
}

/** `ValidateResourceQuantityValue`: not negative, and whole for integer resources. */
export function validateResourceQuantityValue(resource: string, value: Quantity, path: FieldPath): FieldError[] {
  if (value.sign() >= 0 && CONTAINER.has(resource)) return [];
  const errs: FieldError[] = [];
  if (value.sign() < 0) errs.push(invalid(path, value.toString(), "must be greater than or equal to 0"));
  if (isIntegerResourceName(resource) && value.scaledValue(-3) % 1000n !== 0n) errs.push(invalid(path, value.toString(), "must be an integer"));
  return errs;
}

/** The quantities of a resource map, by name (values that are not quantities left out). */
export function quantities(map: unknown): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  if (!map || typeof map !== "object" || Array.isArray(map)) return out;
  for (const [k, v] of Object.entries(map)) {
    const q = Quantity.from(v);
    if (q) out.set(k, q);
  }
  return out;
}
