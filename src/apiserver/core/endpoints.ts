/**
 * Endpoints (`ValidateEndpoints`, `validateEndpointSubsets` in pkg/apis/core/validation) and the
 * address check Endpoints, EndpointSlices and Service external IPs share (`ValidateNonSpecialIP`,
 * called `ValidateEndpointIP` in some releases).
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import { FieldPath, invalid, notSupported, required, type FieldError } from "../field.js";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isLinkLocalMulticast,
  isLinkLocalUnicast,
  isLoopback,
  isQualifiedName,
  isUnspecified,
  isValidIPForLegacyField,
  isValidPortNum,
  parseIPSloppy,
} from "../validation/index.js";
import { int, list, optStr, str } from "./object-values.js";

type Obj = Record<string, unknown>;

const PROTOCOLS = ["SCTP", "TCP", "UDP"];

/**
 * `ValidateNonSpecialIP`: an address that may stand for a workload — not unspecified, loopback
 * or link-local.
 */
export function validateNonSpecialIP(value: string, path: FieldPath): FieldError[] {
  const ip = parseIPSloppy(value);
  if (!ip) return [invalid(path, value, "must be a valid IP address")];
  const errs: FieldError[] = [];
  if (isUnspecified(ip)) errs.push(invalid(path, value, `may not be unspecified (${value})`));
  if (isLoopback(ip)) errs.push(invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (isLinkLocalUnicast(ip)) errs.push(invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (isLinkLocalMulticast(ip)) errs.push(invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  return errs;
}

/** `ValidateEndpoints` without the object metadata. */
export function validateEndpoints(ep: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const subsets = FieldPath.of("subsets");
  list(ep, "subsets").forEach((ss, i) => {
    if (!isRecord(ss)) return;
    const path = subsets.index(i);
    const addresses = list(ss, "addresses");
    const notReady = list(ss, "notReadyAddresses");
    if (addresses.length === 0 && notReady.length === 0) errs.push(required(path, "must specify `addresses` or `notReadyAddresses`"));
    addresses.forEach((a, j) => errs.push(...validateEndpointAddress(a, path.child("addresses").index(j), ctx)));
    notReady.forEach((a, j) => errs.push(...validateEndpointAddress(a, path.child("notReadyAddresses").index(j), ctx)));
    const ports = list(ss, "ports");
    ports.forEach((p, j) => errs.push(...validateEndpointPort(p, ports.length > 1, path.child("ports").index(j))));
  });
  return errs;
}

function validateEndpointAddress(address: unknown, path: FieldPath, ctx: ApiContext): FieldError[] {
  if (!isRecord(address)) return [];
  const errs: FieldError[] = [];
  const ip = str(address, "ip");
  errs.push(...isValidIPForLegacyField(path.child("ip"), ip, ctx.gate("StrictIPCIDRValidation")));
  const hostname = str(address, "hostname");
  if (hostname) errs.push(...isDNS1123Label(hostname).map((m) => invalid(path.child("hostname"), hostname, m)));
  const nodeName = optStr(address, "nodeName");
  if (nodeName !== undefined) errs.push(...isDNS1123Subdomain(nodeName).map((m) => invalid(path.child("nodeName"), nodeName, m)));
  errs.push(...validateNonSpecialIP(ip, path.child("ip")));
  return errs;
}

function validateEndpointPort(port: unknown, requireName: boolean, path: FieldPath): FieldError[] {
  if (!isRecord(port)) return [];
  const errs: FieldError[] = [];
  const name = str(port, "name");
  if (requireName && !name) errs.push(required(path.child("name")));
  else if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(path.child("name"), name, m)));
  const num = int(port, "port") ?? 0;
  errs.push(...isValidPortNum(num).map((m) => invalid(path.child("port"), num, m)));
  const protocol = str(port, "protocol");
  if (!protocol) errs.push(required(path.child("protocol")));
  else if (!PROTOCOLS.includes(protocol)) errs.push(notSupported(path.child("protocol"), protocol, PROTOCOLS));
  const appProtocol = optStr(port, "appProtocol");
  if (appProtocol !== undefined) errs.push(...isQualifiedName(appProtocol).map((m) => invalid(path.child("appProtocol"), appProtocol, m)));
  return errs;
}

/** `SetDefaults_Endpoints`: ports without a protocol get TCP. */
export function defaultEndpoints(ep: Obj): void {
  for (const ss of list(ep, "subsets")) {
    for (const p of list(ss, "ports")) if (isRecord(p) && !p.protocol) p.protocol = "TCP";
  }
}
