/**
 * Nodes as users write them (`ValidateNode`, `ValidateNodeUpdate`): taints, pod CIDRs (one per
 * family), and the fields that may only be set once.
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { isValidCIDRForLegacyField, isValidLabelValue, parseCIDRSloppy, validateLabelName } from "../validation/index.js";
import { goStringSlice, list, rec, str, strings } from "./object-values.js";

type Obj = Record<string, unknown>;

const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

function validateNodeTaints(taints: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  taints.forEach((t, i) => {
    if (!isRecord(t)) return;
    const p = path.index(i);
    const key = str(t, "key");
    const value = str(t, "value");
    const effect = str(t, "effect");
    errs.push(...validateLabelName(key, p.child("key")));
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length) errs.push(invalid(p.child("value"), value, valueErrs.join(";")));
    if (!effect) errs.push(required(p.child("effect")));
    else if (!EFFECTS.includes(effect)) errs.push(notSupported(p.child("effect"), effect, EFFECTS));
    const keys = seen.get(effect) ?? new Set<string>();
    if (keys.has(key)) {
      const err = duplicate(p, t, `core.Taint{Key:${JSON.stringify(key)}, Value:${JSON.stringify(value)}, Effect:${JSON.stringify(effect)}, TimeAdded:(*v1.Time)(nil)}`);
      err.message = "taints must be unique by key and effect pair";
      errs.push(err);
      return;
    }
    keys.add(key);
    seen.set(effect, keys);
  });
  return errs;
}

/** `ValidateNode` without the object metadata. Taints are reported under `metadata.taints`, as Kubernetes builds that path. */
export function validateNode(node: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(node, "spec");
  const taints = list(spec, "taints");
  if (taints.length) errs.push(...validateNodeTaints(taints, FieldPath.of("metadata", "taints")));
  const cidrs = strings(spec, "podCIDRs");
  if (cidrs.length > 0) {
    const path = FieldPath.of("spec", "podCIDRs");
    const strict = ctx.gate("StrictIPCIDRValidation");
    cidrs.forEach((c, i) => errs.push(...isValidCIDRForLegacyField(path.index(i), c, strict)));
    if (cidrs.length > 1) {
      const parsed = cidrs.map((c) => parseCIDRSloppy(c));
      if (parsed.every((c) => c !== null)) {
        const fams = new Set(parsed.map((c) => c!.ip.family));
        if (!(fams.has(4) && fams.has(6)) || cidrs.length > 2) errs.push(invalid(path, cidrs, "may specify no more than one CIDR for each IP family", goStringSlice(cidrs)));
      }
      const seen = new Set<string>();
      cidrs.forEach((c, i) => {
        if (seen.has(c)) errs.push(duplicate(path.index(i), c));
        seen.add(c);
      });
    }
  }
  return errs;
}

/** `ValidateNodeUpdate` beyond `ValidateNode`: pod CIDRs and provider ID are set once. */
export function validateNodeUpdate(node: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(node, "spec");
  const oldSpec = rec(old, "spec");
  const oldCIDRs = strings(oldSpec, "podCIDRs");
  const cidrs = strings(spec, "podCIDRs");
  const msg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== cidrs.length) errs.push(forbidden(FieldPath.of("spec", "podCIDRs"), msg));
    else oldCIDRs.forEach((c, i) => c !== cidrs[i] && errs.push(forbidden(FieldPath.of("spec", "podCIDRs"), msg)));
  }
  const oldProvider = str(oldSpec, "providerID");
  if (oldProvider && oldProvider !== str(spec, "providerID")) {
    errs.push(forbidden(FieldPath.of("spec", "providerID"), 'node updates may not change providerID except from "" to valid'));
  }
  // ValidateNodeUpdate checks taints again after ValidateNode did, so their errors come twice.
  const taints = list(spec, "taints");
  if (taints.length) errs.push(...validateNodeTaints(taints, FieldPath.of("metadata", "taints")));
  if (str(spec, "externalID") !== str(oldSpec, "externalID")) errs.push(forbidden(FieldPath.of("spec", "externalID"), "may not be updated"));
  return errs;
}
