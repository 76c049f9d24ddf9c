/**
 * ClusterCIDR (networking.k8s.io v1alpha1, served in 1.28; pkg/apis/networking/validation
 * `ValidateClusterCIDR`, `ValidateClusterCIDRUpdate`): a DNS-label name, an optional node selector,
 * at least one of an IPv4 and an IPv6 CIDR of its family, and `perNodeHostBits` from 4 to the
 * host bits of each CIDR. Every field of the spec is immutable.
 */
import type { KindRules } from "../registry.js";
import { FieldPath, invalid, required, type FieldError } from "../field.js";
import { objectAt, optionalObject, parseCIDRSloppy, stringAt, validateImmutableField, validateObjectMetaWithName } from "../validation/index.js";
import { validateName } from "../../meta/names.js";
import { validateNodeSelector } from "../core/scheduling.js";

type Obj = Record<string, unknown>;

const MIN_PER_NODE_HOST_BITS = 4;

/** `validateCIDRConfig` for one family. */
function validateCIDRConfig(cidr: string, perNodeHostBits: number, maxMaskSize: 32 | 128, family: "IPv4" | "IPv6", path: FieldPath): FieldError[] {
  const fieldPath = path.child(family);
  const parsed = parseCIDRSloppy(cidr);
  if (!parsed) return [invalid(fieldPath, cidr, `must be a valid CIDR: ${cidr}`)];
  const errs: FieldError[] = [];
  if (family === "IPv4" && parsed.ip.family !== 4) errs.push(invalid(fieldPath, cidr, "must be a valid IPv4 CIDR"));
  if (family === "IPv6" && parsed.ip.family === 4) errs.push(invalid(fieldPath, cidr, "must be a valid IPv6 CIDR"));
  const maxPerNodeHostBits = maxMaskSize - parsed.bits;
  if (perNodeHostBits < MIN_PER_NODE_HOST_BITS) errs.push(invalid(path.child("perNodeHostBits"), perNodeHostBits, `must be greater than or equal to ${MIN_PER_NODE_HOST_BITS}`));
  if (perNodeHostBits > maxPerNodeHostBits) errs.push(invalid(path.child("perNodeHostBits"), perNodeHostBits, `must be less than or equal to ${maxPerNodeHostBits}`));
  return errs;
}

/** `ValidateClusterCIDRSpec`. */
function validateSpec(spec: Obj): FieldError[] {
  const path = FieldPath.of("spec");
  const errs: FieldError[] = [];
  const selector = optionalObject(spec.nodeSelector);
  if (selector) errs.push(...validateNodeSelector(selector, path.child("nodeSelector"), false));
  const ipv4 = stringAt(spec.ipv4);
  const ipv6 = stringAt(spec.ipv6);
  if (!ipv4 && !ipv6) return [...errs, required(path, "one or both of `ipv4` and `ipv6` must be specified")];
  const bits = typeof spec.perNodeHostBits === "number" ? spec.perNodeHostBits : 0;
  if (ipv4) errs.push(...validateCIDRConfig(ipv4, bits, 32, "IPv4", path));
  if (ipv6) errs.push(...validateCIDRConfig(ipv6, bits, 128, "IPv6", path));
  return errs;
}

/** `ValidateClusterCIDRUpdate`: the node selector, host bits and both CIDRs are immutable. */
function validateUpdate(obj: Obj, old: Obj): FieldError[] {
  const spec = objectAt(obj.spec);
  const was = objectAt(old.spec);
  const path = FieldPath.of("spec");
  return ["nodeSelector", "perNodeHostBits", "ipv4", "ipv6"].flatMap((f) => validateImmutableField(spec[f], was[f], path.child(f)));
}

/** The ClusterCIDR. */
export const clusterCIDRRules: KindRules = {
  // ValidateClusterCIDR checks the metadata with the DNS-label name function.
  objectMeta: false,
  validate: (obj, ctx) =>
    ctx.operation === "UPDATE" ? [] : [...validateObjectMetaWithName(obj.metadata, (name, prefix) => validateName(name, "dns-label", prefix), false), ...validateSpec(objectAt(obj.spec))],
  validateUpdate: validateUpdate,
};
