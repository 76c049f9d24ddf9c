/**
 * NetworkPolicies: `SetDefaults_NetworkPolicy(Port)` and `ValidateNetworkPolicySpec`
 * (pkg/apis/networking/validation): ports with endPort, protocols, peers, ipBlock with `except`
 * strictly inside `cidr`, label selectors, policyTypes. CIDRs are legacy fields; 1.33 moved them
 * to apimachinery's CIDR check (earlier releases said "not a valid CIDR" and stopped there).
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import { containsIP, isValidCIDRForLegacyField, isValidPortName, isValidPortNum, parseCIDRSloppy, validateLabelSelector, type LabelSelectorOptions } from "../validation/index.js";
import { has, int, list, rec, str, strings } from "../core/object-values.js";

type Obj = Record<string, unknown>;

const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const POLICY_TYPES = ["Ingress", "Egress"];

/** `SetDefaults_NetworkPolicyPort` and `SetDefaults_NetworkPolicy` (policyTypes from the rules present). */
export function defaultNetworkPolicy(np: Obj): void {
  const spec = rec(np, "spec");
  if (!spec) return;
  for (const rule of [...list(spec, "ingress"), ...list(spec, "egress")]) {
    for (const port of list(rule, "ports")) if (isRecord(port) && !has(port, "protocol")) port.protocol = "TCP";
  }
  if (list(spec, "policyTypes").length === 0) spec.policyTypes = list(spec, "egress").length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

function validateNetworkPolicyPort(port: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(port)) return [];
  const errs: FieldError[] = [];
  const protocol = port.protocol;
  if (typeof protocol === "string" && !PROTOCOLS.includes(protocol)) errs.push(notSupported(path.child("protocol"), protocol, PROTOCOLS));
  const endPort = int(port, "endPort");
  if (typeof port.port === "number") {
    const p = port.port;
    errs.push(...isValidPortNum(p).map((m) => invalid(path.child("port"), p, m)));
    if (endPort !== undefined) {
      if (endPort < p) errs.push(invalid(path.child("endPort"), p, "must be greater than or equal to `port`"));
      errs.push(...isValidPortNum(endPort).map((m) => invalid(path.child("endPort"), endPort, m)));
    }
  } else if (typeof port.port === "string") {
    const name = port.port;
    if (endPort !== undefined) errs.push(invalid(path.child("endPort"), endPort, "may not be specified when `port` is non-numeric"));
    errs.push(...isValidPortName(name).map((m) => invalid(path.child("port"), name, m)));
  } else if (endPort !== undefined) {
    errs.push(invalid(path.child("endPort"), endPort, "may not be specified when `port` is not specified"));
  }
  return errs;
}

function validateIPBlock(block: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const cidr = str(block, "cidr");
  if (!cidr) return [required(path.child("cidr"))];
  const strict = ctx.gate("StrictIPCIDRValidation");
  const net = parseCIDRSloppy(cidr);
  if (ctx.minor < 33) {
    if (!net) return [invalid(path.child("cidr"), cidr, "not a valid CIDR")];
  } else {
    errs.push(...isValidCIDRForLegacyField(path.child("cidr"), cidr, strict));
    if (!net) return errs;
  }
  strings(block, "except").forEach((except, i) => {
    const exceptPath = path.child("except").index(i);
    const inner = parseCIDRSloppy(except);
    if (ctx.minor >= 33) errs.push(...isValidCIDRForLegacyField(exceptPath, except, strict));
    else if (!inner) {
      errs.push(invalid(exceptPath, except, "not a valid CIDR"));
      return;
    }
    if (!inner) return;
    if (!containsIP(net, inner.network) || net.bits >= inner.bits) errs.push(invalid(exceptPath, except, "must be a strict subset of `cidr`"));
  });
  return errs;
}

function validateNetworkPolicyPeer(peer: unknown, options: LabelSelectorOptions, path: FieldPath, ctx: ApiContext): FieldError[] {
  if (!isRecord(peer)) return [];
  const errs: FieldError[] = [];
  let count = 0;
  if (isRecord(peer.podSelector)) {
    count++;
    errs.push(...validateLabelSelector(peer.podSelector, options, path.child("podSelector")));
  }
  if (isRecord(peer.namespaceSelector)) {
    count++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, options, path.child("namespaceSelector")));
  }
  if (isRecord(peer.ipBlock)) {
    count++;
    errs.push(...validateIPBlock(peer.ipBlock, path.child("ipBlock"), ctx));
  }
  if (count === 0) errs.push(required(path, "must specify a peer"));
  else if (count > 1 && isRecord(peer.ipBlock)) errs.push(forbidden(path, "may not specify both ipBlock and another peer"));
  return errs;
}

/** `ValidateNetworkPolicySpec`. An update keeps accepting label values its stored pod selector already had. */
export function validateNetworkPolicy(np: Obj, ctx: ApiContext, old?: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(np, "spec") ?? {};
  const path = FieldPath.of("spec");
  const oldSelector = rec(rec(old, "spec"), "podSelector");
  const options: LabelSelectorOptions = { allowInvalidLabelValueInSelector: oldSelector !== undefined && validateLabelSelector(oldSelector, {}, path).length > 0 };
  errs.push(...validateLabelSelector(spec.podSelector, options, path.child("podSelector")));
  list(spec, "ingress").forEach((rule, i) => {
    const rulePath = path.child("ingress").index(i);
    list(rule, "ports").forEach((p, j) => errs.push(...validateNetworkPolicyPort(p, rulePath.child("ports").index(j))));
    list(rule, "from").forEach((p, j) => errs.push(...validateNetworkPolicyPeer(p, options, rulePath.child("from").index(j), ctx)));
  });
  list(spec, "egress").forEach((rule, i) => {
    const rulePath = path.child("egress").index(i);
    list(rule, "ports").forEach((p, j) => errs.push(...validateNetworkPolicyPort(p, rulePath.child("ports").index(j))));
    list(rule, "to").forEach((p, j) => errs.push(...validateNetworkPolicyPeer(p, options, rulePath.child("to").index(j), ctx)));
  });
  const types = list(spec, "policyTypes");
  if (types.length > POLICY_TYPES.length) {
    const shown = `&[]networking.PolicyType{${types.map((t) => JSON.stringify(t)).join(", ")}}`;
    errs.push(invalid(path.child("policyTypes"), types, "may not specify more than two policyTypes", shown));
    return errs;
  }
  types.forEach((t, i) => {
    if (typeof t === "string" && !POLICY_TYPES.includes(t)) errs.push(notSupported(path.child("policyTypes").index(i), t, POLICY_TYPES));
  });
  return errs;
}
