/**
 * IPAddress and ServiceCIDR (`ValidateIPAddress`, `ValidateServiceCIDR` and their updates in
 * pkg/apis/networking/validation), checked where the minor serves them by default (networking/v1,
 * 1.33 on): IPAddress names are canonical IPs and name their parent; a ServiceCIDR holds one or
 * two canonical CIDRs, one per family; both are immutable.
 */
import type { ApiContext } from "../context.js";
import { FieldPath, invalid, required, type FieldError } from "../field.js";
import { isDNS1123Subdomain, isValidCIDR, isValidIP, isValidPathSegmentName, parseCIDRSloppy, validateObjectMetaWithName } from "../validation/index.js";
import { deepEqual, rec, str, strings } from "../core/object-values.js";

type Obj = Record<string, unknown>;

/** `ValidateIPAddressName`: an IPAddress is named by its address (the details of `IsValidIP`). */
function validateIPAddressName(name: string): string[] {
  return isValidIP(FieldPath.root(), name).map((e) => e.message);
}

/** `ValidateIPAddress`: the metadata with the IPAddress name check (not a DNS subdomain), and the parent reference. */
export function validateIPAddress(ip: Obj, ctx: ApiContext): FieldError[] {
  if (ctx.minor < 33) return [];
  const errs = validateObjectMetaWithName(ip.metadata, validateIPAddressName, false);
  const specPath = FieldPath.of("spec");
  const ref = rec(rec(ip, "spec"), "parentRef");
  if (!ref) return [...errs, required(specPath.child("parentRef"))];
  const path = specPath.child("parentRef");
  const group = str(ref, "group");
  if (group) errs.push(...isDNS1123Subdomain(group).map((m) => invalid(path.child("group"), group, m)));
  for (const field of ["resource", "name"]) {
    const value = str(ref, field);
    if (!value) errs.push(required(path.child(field)));
    else errs.push(...isValidPathSegmentName(value).map((m) => invalid(path.child(field), value, m)));
  }
  const ns = str(ref, "namespace");
  if (ns) errs.push(...isValidPathSegmentName(ns).map((m) => invalid(path.child("namespace"), ns, m)));
  return errs;
}

/** `ValidateIPAddressUpdate`: the parent reference is immutable. */
export function validateIPAddressUpdate(ip: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  if (ctx.minor < 33) return [];
  const ref = rec(rec(ip, "spec"), "parentRef");
  return deepEqual(ref, rec(rec(old, "spec"), "parentRef")) ? [] : [invalid(FieldPath.of("spec", "parentRef"), ref ?? null, "field is immutable")];
}

function goSpec(cidrs: string[]): string {
  return `networking.ServiceCIDRSpec{CIDRs:[]string{${cidrs.map((c) => JSON.stringify(c)).join(", ")}}}`;
}

/** `ValidateServiceCIDR`. */
export function validateServiceCIDR(sc: Obj, ctx: ApiContext): FieldError[] {
  if (ctx.minor < 33) return [];
  const path = FieldPath.of("spec", "cidrs");
  const cidrs = strings(rec(sc, "spec"), "cidrs");
  if (cidrs.length === 0) return [required(path, "at least one CIDR required")];
  if (cidrs.length > 2) return [invalid(path, cidrs, "may only hold up to 2 values", goSpec(cidrs))];
  if (cidrs.length === 2) {
    const [a, b] = cidrs.map((c) => parseCIDRSloppy(c));
    if (!a || !b || a.ip.family === b.ip.family) return [invalid(path, cidrs, "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64", goSpec(cidrs))];
  }
  return cidrs.flatMap((c, i) => isValidCIDR(path.index(i), c));
}

/** `ValidateServiceCIDRUpdate`: the CIDRs are immutable. */
export function validateServiceCIDRUpdate(sc: Obj, old: Obj, ctx: ApiContext): FieldError[] {
  if (ctx.minor < 33) return [];
  const cidrs = strings(rec(sc, "spec"), "cidrs");
  return deepEqual(cidrs, strings(rec(old, "spec"), "cidrs")) ? [] : [invalid(FieldPath.of("spec", "cidrs"), cidrs, "field is immutable", `[]string{${cidrs.map((c) => JSON.stringify(c)).join(", ")}}`)];
}
