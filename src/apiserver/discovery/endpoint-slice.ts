/**
 * EndpointSlices (`ValidateEndpointSlice(Update)` in pkg/apis/discovery/validation and
 * `SetDefaults_EndpointPort`): addressType, addresses by type, at most 1000 endpoints of at most
 * 100 addresses, ports (names, protocols, appProtocol; at most 20000), nodeName, hostname,
 * deprecatedTopology, zone hints and (with PreferSameTrafficDistribution) node hints.
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import { duplicate, FieldPath, internalError, invalid, notSupported, required, tooMany, type FieldError } from "../field.js";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isFullyQualifiedDomainName,
  isQualifiedName,
  isValidIPv4Address,
  isValidIPv6Address,
  isValidLabelValue,
  validateLabels,
} from "../validation/index.js";
import { validateNonSpecialIP } from "../core/endpoints.js";
import { has, list, optStr, rec, str } from "../core/object-values.js";

type Obj = Record<string, unknown>;

const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ZONE_HINTS = 8;

/** `SetDefaults_EndpointPort`: a port without a name gets "", without a protocol TCP. */
export function defaultEndpointSlice(slice: Obj): void {
  for (const port of list(slice, "ports")) {
    if (!isRecord(port)) continue;
    if (!has(port, "name")) port.name = "";
    if (!has(port, "protocol")) port.protocol = "TCP";
  }
}

function validateHints(hints: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const zonesPath = path.child("forZones");
  const zones = list(hints, "forZones");
  if (zones.length > MAX_ZONE_HINTS) return [tooMany(zonesPath, zones.length, MAX_ZONE_HINTS)];
  const seen = new Set<string>();
  zones.forEach((z, i) => {
    const name = str(z, "name");
    const p = zonesPath.index(i).child("name");
    if (seen.has(name)) errs.push(duplicate(p, name));
    else seen.add(name);
    errs.push(...isValidLabelValue(name).map((m) => invalid(p, name, m)));
  });
  if (ctx.gate("PreferSameTrafficDistribution")) {
    const nodesPath = path.child("forNodes");
    const nodes = list(hints, "forNodes");
    if (nodes.length > MAX_ZONE_HINTS) return [...errs, tooMany(nodesPath, nodes.length, MAX_ZONE_HINTS)];
    const seenNodes = new Set<string>();
    nodes.forEach((n, i) => {
      const name = str(n, "name");
      const p = nodesPath.index(i).child("name");
      if (seenNodes.has(name)) errs.push(duplicate(p, name));
      else seenNodes.add(name);
      errs.push(...isDNS1123Subdomain(name).map((m) => invalid(p, name, m)));
    });
  }
  return errs;
}

/** `ValidateEndpointSlice` without the object metadata. */
export function validateEndpointSlice(slice: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = str(slice, "addressType");
  if (!addressType) errs.push(required(FieldPath.of("addressType")));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(notSupported(FieldPath.of("addressType"), addressType, ADDRESS_TYPES));

  const endpointsPath = FieldPath.of("endpoints");
  const endpoints = list(slice, "endpoints");
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany(endpointsPath, endpoints.length, MAX_ENDPOINTS));
  else {
    endpoints.forEach((ep, i) => {
      if (!isRecord(ep)) return;
      const path = endpointsPath.index(i);
      const addressPath = path.child("addresses");
      const addresses = list(ep, "addresses");
      if (addresses.length === 0) errs.push(required(addressPath, "must contain at least 1 address"));
      else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(addressPath, addresses.length, MAX_ADDRESSES));
      addresses.forEach((a, j) => {
        if (typeof a !== "string") return;
        const p = addressPath.index(j);
        if (addressType === "IPv4") errs.push(...isValidIPv4Address(p, a), ...validateNonSpecialIP(a, p));
        else if (addressType === "IPv6") errs.push(...isValidIPv6Address(p, a), ...validateNonSpecialIP(a, p));
        else if (addressType === "FQDN") errs.push(...isFullyQualifiedDomainName(p, a));
      });
      const nodeName = optStr(ep, "nodeName");
      if (nodeName !== undefined) errs.push(...isDNS1123Subdomain(nodeName).map((m) => invalid(path.child("nodeName"), nodeName, m)));
      const topologyPath = path.child("deprecatedTopology");
      const topology = rec(ep, "deprecatedTopology");
      if (topology) {
        const n = Object.keys(topology).length;
        if (n > MAX_TOPOLOGY_LABELS) errs.push(tooMany(topologyPath, n, MAX_TOPOLOGY_LABELS));
        errs.push(...validateLabels(topology, topologyPath));
        if (Object.hasOwn(topology, "topology.kubernetes.io/zone")) errs.push(internalError(topologyPath.key("topology.kubernetes.io/zone"), "reserved key was not removed in conversion"));
      }
      const hostname = optStr(ep, "hostname");
      if (hostname !== undefined) errs.push(...isDNS1123Label(hostname).map((m) => invalid(path.child("hostname"), hostname, m)));
      const hints = rec(ep, "hints");
      if (hints) errs.push(...validateHints(hints, path.child("hints"), ctx));
    });
  }

  const portsPath = FieldPath.of("ports");
  const ports = list(slice, "ports");
  if (ports.length > MAX_PORTS) return [...errs, tooMany(portsPath, ports.length, MAX_PORTS)];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    if (!isRecord(port)) return;
    const path = portsPath.index(i);
    const name = str(port, "name");
    if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(path.child("name"), name, m)));
    if (names.has(name)) errs.push(duplicate(path.child("name"), name));
    else names.add(name);
    const protocol = optStr(port, "protocol");
    if (protocol === undefined) errs.push(required(path.child("protocol")));
    else if (!PROTOCOLS.includes(protocol)) errs.push(notSupported(path.child("protocol"), protocol, PROTOCOLS));
    const appProtocol = optStr(port, "appProtocol");
    if (appProtocol !== undefined) errs.push(...isQualifiedName(appProtocol).map((m) => invalid(path.child("appProtocol"), appProtocol, m)));
  });
  return errs;
}

/** `ValidateEndpointSliceUpdate` beyond the slice: addressType is immutable. */
export function validateEndpointSliceUpdate(slice: Obj, old: Obj): FieldError[] {
  const t = str(slice, "addressType");
  return t === str(old, "addressType") ? [] : [invalid(FieldPath.of("addressType"), t, "field is immutable")];
}
