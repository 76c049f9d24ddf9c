/**
 * Services: `SetDefaults_Service` (pkg/apis/core/v1/defaults.go), the registry strategy's
 * preparation (pkg/registry/core/service/strategy.go: clusterIP → clusterIPs, fields that no
 * longer apply after a type change; values allocated before are kept on update as the storage
 * does), `ValidateService` / `ValidateServiceUpdate` (pkg/apis/core/validation/validation.go) and
 * `GetWarningsForService` (pkg/api/service/warnings.go). Allocation itself is the server's.
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldError } from "../field.js";
import {
  getWarningsForCIDR,
  getWarningsForIP,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isIPv6String,
  isQualifiedName,
  isValidCIDRForLegacyField,
  isValidIPForLegacyField,
  isValidPortName,
  isValidPortNum,
  parseCIDRSloppy,
  parseIPSloppy,
  validateLabels,
} from "../validation/index.js";
import { validateNonSpecialIP } from "./endpoints.js";
import { deepEqual, goSlice, goStringSlice, has, int, list, optStr, rec, str, strings } from "./object-values.js";

type Obj = Record<string, unknown>;

const SPEC = FieldPath.of("spec");
const TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints";
const TOPOLOGY_MODE = "service.kubernetes.io/topology-mode";
const SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";
const MAX_AFFINITY_SECONDS = 86400;
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const AFFINITIES = ["ClientIP", "None"];
const TRAFFIC_POLICIES = ["Cluster", "Local"];
const IP_FAMILIES = ["IPv4", "IPv6"];
const IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"];

/** `ValidateServiceName`: a DNS-1035 label. */
export function validateServiceName(name: string): string[] {
  return isDNS1035Label(name);
}

function type(svc: Obj): string {
  return str(rec(svc, "spec"), "type");
}

function clusterIPs(svc: Obj): string[] {
  return strings(rec(svc, "spec"), "clusterIPs");
}

function isHeadless(svc: Obj): boolean {
  const ips = clusterIPs(svc);
  return ips.length === 1 && ips[0] === "None";
}

/** `apiservice.ExternallyAccessible`. */
function externallyAccessible(svc: Obj): boolean {
  const t = type(svc);
  return t === "LoadBalancer" || t === "NodePort" || (t === "ClusterIP" && list(rec(svc, "spec"), "externalIPs").length > 0);
}

/** `apiservice.NeedsHealthCheck`. */
function needsHealthCheck(svc: Obj): boolean {
  return type(svc) === "LoadBalancer" && str(rec(svc, "spec"), "externalTrafficPolicy") === "Local";
}

const needsClusterIP = (svc: Obj) => type(svc) !== "ExternalName";
const needsNodePort = (svc: Obj) => type(svc) === "NodePort" || type(svc) === "LoadBalancer";

/** `SetDefaults_Service`. */
export function defaultService(svc: Obj, ctx: ApiContext): void {
  void ctx;
  const spec = rec(svc, "spec");
  if (!spec) return;
  if (!spec.sessionAffinity) spec.sessionAffinity = "None";
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP") {
    const clientIP = rec(rec(spec, "sessionAffinityConfig"), "clientIP");
    if (!has(clientIP, "timeoutSeconds")) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = "ClusterIP";
  for (const p of list(spec, "ports")) {
    if (!isRecord(p)) continue;
    if (!p.protocol) p.protocol = "TCP";
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  }
  if (externallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = "Cluster";
  if (!has(spec, "internalTrafficPolicy") && (spec.type === "NodePort" || spec.type === "LoadBalancer" || spec.type === "ClusterIP")) {
    spec.internalTrafficPolicy = "Cluster";
  }
  if (spec.type === "LoadBalancer" && !has(spec, "allocateLoadBalancerNodePorts")) spec.allocateLoadBalancerNodePorts = true;
}

/** The strategy's `PrepareForCreate`: status cleared, `clusterIP` copied into `clusterIPs`, disabled fields dropped. */
export function prepareServiceForCreate(svc: Obj, ctx: ApiContext): void {
  // `service.Status = api.ServiceStatus{}`; Go's omitempty never omits a struct, so the zero status
  // is encoded as `{"loadBalancer":{}}`.
  svc.status = { loadBalancer: {} };
  const spec = rec(svc, "spec");
  if (!spec) return;
  const ip = str(spec, "clusterIP");
  if (ip && list(spec, "clusterIPs").length === 0) spec.clusterIPs = [ip];
  dropServiceDisabledFields(spec, undefined, ctx);
}

/**
 * On update the storage keeps what was allocated (`patchAllocatedValues`), then the strategy
 * reconciles `clusterIP` with `clusterIPs` (`NormalizeClusterIPs`) and wipes fields a type change
 * made meaningless when the user left them as they were (`dropTypeDependentFields`).
 */
export function prepareServiceForUpdate(svc: Obj, old: Obj, ctx: ApiContext): void {
  if (isRecord(old.status)) svc.status = old.status;
  else delete svc.status;
  const spec = rec(svc, "spec");
  const oldSpec = rec(old, "spec") ?? {};
  if (!spec) return;
  patchAllocatedValues(svc, old);
  normalizeClusterIPs(spec, oldSpec);
  dropServiceDisabledFields(spec, oldSpec, ctx);
  dropTypeDependentFields(svc, old);
}

function patchAllocatedValues(svc: Obj, old: Obj): void {
  const spec = rec(svc, "spec")!;
  const oldSpec = rec(old, "spec") ?? {};
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!str(spec, "clusterIP") && str(oldSpec, "clusterIP")) spec.clusterIP = oldSpec.clusterIP;
    if (list(spec, "clusterIPs").length === 0 && list(oldSpec, "clusterIPs").length > 0) spec.clusterIPs = oldSpec.clusterIPs;
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const usedIn = (s: Obj) => new Set(list(s, "ports").map((p) => int(p, "nodePort") ?? 0));
    const oldUsed = usedIn(oldSpec);
    const used = new Set([...usedIn(spec)].filter((n) => oldUsed.has(n)));
    const byName = new Map<string, number>();
    for (const p of list(oldSpec, "ports")) byName.set(str(p, "name"), int(p, "nodePort") ?? 0);
    for (const p of list(spec, "ports")) {
      if (!isRecord(p) || (int(p, "nodePort") ?? 0) !== 0) continue;
      const oldVal = byName.get(str(p, "name")) ?? 0;
      if (oldVal !== 0 && !used.has(oldVal)) p.nodePort = oldVal;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(svc) && !int(spec, "healthCheckNodePort") && int(oldSpec, "healthCheckNodePort")) {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

function sameClusterIPs(a: Obj, b: Obj): boolean {
  return deepEqual(a.clusterIPs, b.clusterIPs);
}

function normalizeClusterIPs(spec: Obj, oldSpec: Obj): void {
  const oldIP = str(oldSpec, "clusterIP");
  const newIP = str(spec, "clusterIP");
  if (list(oldSpec, "clusterIPs").length > 0 && list(spec, "clusterIPs").length === 0 && oldIP === newIP) spec.clusterIPs = oldSpec.clusterIPs;
  if (oldIP !== newIP) {
    if (oldIP && !newIP) {
      if (sameClusterIPs(oldSpec, spec)) delete spec.clusterIPs;
    } else if (sameClusterIPs(oldSpec, spec)) {
      spec.clusterIPs = [newIP];
    }
  }
}

function dropServiceDisabledFields(spec: Obj, oldSpec: Obj | undefined, ctx: ApiContext): void {
  if (!ctx.gate("ServiceTrafficDistribution") && !has(oldSpec, "trafficDistribution")) delete spec.trafficDistribution;
}

function dropTypeDependentFields(svc: Obj, old: Obj): void {
  const spec = rec(svc, "spec")!;
  const oldSpec = rec(old, "spec") ?? {};
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (sameClusterIPs(oldSpec, spec)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (deepEqual(oldSpec.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (deepEqual(oldSpec.ipFamilyPolicy, spec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  const nodePorts = (s: Obj) => list(s, "ports").map((p) => int(p, "nodePort") ?? 0);
  if (needsNodePort(old) && !needsNodePort(svc) && deepEqual(nodePorts(oldSpec), nodePorts(spec))) {
    for (const p of list(spec, "ports")) if (isRecord(p)) delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(svc) && (int(oldSpec, "healthCheckNodePort") ?? 0) === (int(spec, "healthCheckNodePort") ?? 0)) {
    delete spec.healthCheckNodePort;
  }
  if (type(old) === "LoadBalancer" && type(svc) !== "LoadBalancer") {
    if (typeof spec.allocateLoadBalancerNodePorts === "boolean" && spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (deepEqual(oldSpec.loadBalancerClass, spec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && deepEqual(oldSpec.externalTrafficPolicy, spec.externalTrafficPolicy)) {
    delete spec.externalTrafficPolicy;
  }
}

/** `ValidateService` without the object metadata. */
export function validateService(svc: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(svc, "spec") ?? {};
  const annotations = rec(rec(svc, "metadata"), "annotations") ?? {};
  const hints = annotations[TOPOLOGY_HINTS];
  const mode = annotations[TOPOLOGY_MODE];
  if (typeof hints === "string" && typeof mode === "string" && hints !== mode) {
    errs.push(invalid(FieldPath.of("metadata", "annotations").key(TOPOLOGY_MODE), mode, `must match annotations[${TOPOLOGY_HINTS}] when both are specified`));
  }
  const svcType = str(spec, "type");
  const headless = isHeadless(svc);
  const ports = list(spec, "ports");
  if (ports.length === 0 && !headless && svcType !== "ExternalName") errs.push(required(SPEC.child("ports")));

  if ((svcType === "LoadBalancer" || svcType === "NodePort") && headless) {
    errs.push(invalid(SPEC.child("clusterIPs").index(0), "None", `may not be set to 'None' for ${svcType} services`));
  } else if (svcType === "ExternalName") {
    if (list(spec, "clusterIPs").length > 0) errs.push(forbidden(SPEC.child("clusterIPs"), "may not be set for ExternalName services"));
    if (list(spec, "ipFamilies").length > 0) errs.push(forbidden(SPEC.child("ipFamilies"), "may not be set for ExternalName services"));
    if (has(spec, "ipFamilyPolicy")) errs.push(forbidden(SPEC.child("ipFamilyPolicy"), "may not be set for ExternalName services"));
    const cname = str(spec, "externalName").replace(/\.$/, "");
    if (cname) errs.push(...isDNS1123Subdomain(cname).map((m) => invalid(SPEC.child("externalName"), cname, m)));
    else errs.push(required(SPEC.child("externalName")));
  }

  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, SPEC.child("ports").index(i))));

  if (isRecord(spec.selector)) errs.push(...validateLabels(spec.selector, SPEC.child("selector")));

  const affinity = str(spec, "sessionAffinity");
  if (!affinity) errs.push(required(SPEC.child("sessionAffinity")));
  else if (!AFFINITIES.includes(affinity)) errs.push(notSupported(SPEC.child("sessionAffinity"), affinity, AFFINITIES));
  if (affinity === "ClientIP") errs.push(...validateClientIPAffinityConfig(spec.sessionAffinityConfig, SPEC.child("sessionAffinityConfig")));
  else if (affinity === "None" && has(spec, "sessionAffinityConfig")) {
    errs.push(forbidden(SPEC.child("sessionAffinityConfig"), "must not be set when session affinity is None"));
  }

  errs.push(...validateServiceClusterIPsRelatedFields(svc, ctx));

  const strict = ctx.gate("StrictIPCIDRValidation");
  list(spec, "externalIPs").forEach((ip, i) => {
    if (typeof ip !== "string") return;
    const path = SPEC.child("externalIPs").index(i);
    const ipErrs = isValidIPForLegacyField(path, ip, strict);
    errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(ip, path)));
  });

  if (!svcType) errs.push(required(SPEC.child("type")));
  else if (!SERVICE_TYPES.includes(svcType)) errs.push(notSupported(SPEC.child("type"), svcType, SERVICE_TYPES));

  if (svcType === "ClusterIP") {
    ports.forEach((p, i) => {
      if ((int(p, "nodePort") ?? 0) !== 0) errs.push(forbidden(SPEC.child("ports").index(i).child("nodePort"), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const nodePort = int(p, "nodePort") ?? 0;
    if (nodePort === 0) return;
    const key = `${str(p, "protocol")}/${nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(SPEC.child("ports").index(i).child("nodePort"), nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const protocol = str(p, "protocol");
    const port = int(p, "port") ?? 0;
    const key = `${protocol}/${port}`;
    if (portKeys.has(key)) {
      const display = `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
      errs.push(duplicate(SPEC.child("ports").index(i), { protocol, port }, display));
    }
    portKeys.add(key);
  });

  errs.push(...validateSourceRanges(svc, spec, svcType, ctx));

  if (has(spec, "allocateLoadBalancerNodePorts") && svcType !== "LoadBalancer") {
    errs.push(forbidden(SPEC.child("allocateLoadBalancerNodePorts"), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (svcType === "LoadBalancer" && !has(spec, "allocateLoadBalancerNodePorts")) errs.push(required(FieldPath.of("allocateLoadBalancerNodePorts")));

  errs.push(...validateLoadBalancerClassField(undefined, svc));
  errs.push(...validateServiceExternalTrafficPolicy(svc));
  errs.push(...validateServiceInternalTrafficFieldsValue(spec, svcType));
  errs.push(...validateServiceTrafficDistribution(spec, ctx));
  return errs;
}

function validateServicePort(p: unknown, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!isRecord(p)) return errs;
  const name = str(p, "name");
  if (requireName && !name) errs.push(required(path.child("name")));
  else if (name) {
    errs.push(...isDNS1123Label(name).map((m) => invalid(path.child("name"), name, m)));
    if (names.has(name)) errs.push(duplicate(path.child("name"), name));
    else names.add(name);
  }
  const port = int(p, "port");
  if (port !== undefined || !has(p, "port")) for (const m of isValidPortNum(port ?? 0)) errs.push(invalid(path.child("port"), port ?? 0, m));
  const protocol = str(p, "protocol");
  if (!protocol) errs.push(required(path.child("protocol")));
  else if (!PROTOCOLS.includes(protocol)) errs.push(notSupported(path.child("protocol"), protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(p.targetPort, path.child("targetPort")));
  const appProtocol = optStr(p, "appProtocol");
  if (appProtocol !== undefined) errs.push(...isQualifiedName(appProtocol).map((m) => invalid(path.child("appProtocol"), appProtocol, m)));
  return errs;
}

/** `ValidatePortNumOrName`: an IntOrString port. */
export function validatePortNumOrName(port: unknown, path: FieldPath): FieldError[] {
  if (typeof port === "number" && Number.isInteger(port)) return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === "string") return isValidPortName(port).map((m) => invalid(path, port, m));
  return [];
}

function validateClientIPAffinityConfig(config: unknown, path: FieldPath): FieldError[] {
  const detail = "when session affinity type is ClientIP";
  if (!isRecord(config)) return [required(path, detail)];
  const clientIP = rec(config, "clientIP");
  if (!clientIP) return [required(path.child("clientIP"), detail)];
  const timeout = int(clientIP, "timeoutSeconds");
  if (timeout === undefined) return has(clientIP, "timeoutSeconds") ? [] : [required(path.child("clientIP").child("timeoutSeconds"), detail)];
  if (timeout <= 0 || timeout > MAX_AFFINITY_SECONDS) {
    return [invalid(path.child("clientIP").child("timeoutSeconds"), timeout, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`)];
  }
  return [];
}

/** `ValidateServiceClusterIPsRelatedFields`. */
function validateServiceClusterIPsRelatedFields(svc: Obj, ctx: ApiContext): FieldError[] {
  if (type(svc) === "ExternalName") return [];
  const errs: FieldError[] = [];
  const spec = rec(svc, "spec") ?? {};
  const ipsPath = SPEC.child("clusterIPs");
  const ips = clusterIPs(svc);
  const families = strings(spec, "ipFamilies");
  const clusterIP = str(spec, "clusterIP");
  if (clusterIP) {
    if (ips.length === 0) errs.push(required(ipsPath));
    else if (ips[0] !== clusterIP) errs.push(invalid(ipsPath, ips, "first value must match `clusterIP`", goStringSlice(ips)));
  } else if (ips.length !== 0) {
    errs.push(invalid(ipsPath, ips, "must be empty when `clusterIP` is not specified", goStringSlice(ips)));
  }
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(notSupported(SPEC.child("ipFamilies").index(i), f, IP_FAMILIES));
    if (seen.has(f)) errs.push(duplicate(SPEC.child("ipFamilies").index(i), f));
    seen.add(f);
  });
  const policy = optStr(spec, "ipFamilyPolicy");
  if (policy !== undefined && !IP_FAMILY_POLICIES.includes(policy)) errs.push(notSupported(SPEC.child("ipFamilyPolicy"), policy, IP_FAMILY_POLICIES));

  let hasInvalidIPs = false;
  const strict = ctx.gate("StrictIPCIDRValidation");
  ips.forEach((ip, i) => {
    if (i === 0 && ip === "None") {
      if (ips.length > 1) {
        hasInvalidIPs = true;
        errs.push(invalid(ipsPath, ips, "'None' must be the first and only value", goStringSlice(ips)));
      }
      return;
    }
    const ipErrs = isValidIPForLegacyField(ipsPath.index(i), ip, strict);
    if (ipErrs.length) hasInvalidIPs = true;
    errs.push(...ipErrs);
  });
  if (ips.length > 2) errs.push(invalid(ipsPath, ips, "may only hold up to 2 values", goStringSlice(ips)));
  if (hasInvalidIPs) return errs;
  if (ips.length > 1) {
    const fams = new Set(ips.map((ip) => parseIPSloppy(ip)?.family));
    if (!(fams.has(4) && fams.has(6))) errs.push(invalid(ipsPath, ips, "may specify no more than one IP for each IP family", goStringSlice(ips)));
  }
  if (!isHeadless(svc) && ips.length > 0 && families.length > 0) {
    ips.forEach((ip, i) => {
      if (i > families.length - 1) return;
      if (families[i] === "IPv4" && isIPv6String(ip)) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === "IPv6" && !isIPv6String(ip)) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateSourceRanges(svc: Obj, spec: Obj, svcType: string, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const ranges = strings(spec, "loadBalancerSourceRanges");
  const annotation = rec(rec(svc, "metadata"), "annotations")?.[SOURCE_RANGES_ANNOTATION];
  const specPath = SPEC.child("LoadBalancerSourceRanges");
  const annotationPath = FieldPath.of("metadata", "annotations").key(SOURCE_RANGES_ANNOTATION);
  const notLB = svcType !== "LoadBalancer";
  if (ctx.minor < 29) {
    // Older releases parsed the whole list at once and reported it as one value.
    if (ranges.length === 0 && typeof annotation !== "string") return errs;
    const path = ranges.length > 0 ? specPath : annotationPath;
    if (notLB) errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const values = ranges.length > 0 ? ranges : (annotation as string).trim() === "" ? [] : (annotation as string).split(",");
    if (values.some((v) => !parseCIDRSloppy(v.trim()))) {
      errs.push(invalid(path, ranges.length > 0 ? goSlice(ranges) : annotation, "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 "));
    }
    return errs;
  }
  const strict = ctx.gate("StrictIPCIDRValidation");
  if (ranges.length > 0) {
    if (notLB) errs.push(forbidden(specPath, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((v, i) => errs.push(...isValidCIDRForLegacyField(specPath.index(i), v.trim(), strict)));
  } else if (typeof annotation === "string") {
    if (notLB) errs.push(forbidden(annotationPath, "may only be used when `type` is 'LoadBalancer'"));
    const val = annotation.trim();
    if (val !== "") for (const v of val.split(",")) errs.push(...isValidCIDRForLegacyField(annotationPath, v.trim(), strict));
  }
  return errs;
}

function validateLoadBalancerClassField(old: Obj | undefined, svc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const path = SPEC.child("loadBalancerClass");
  const cls = optStr(rec(svc, "spec"), "loadBalancerClass");
  if (old && type(old) === "LoadBalancer" && type(svc) === "LoadBalancer" && optStr(rec(old, "spec"), "loadBalancerClass") !== cls) {
    errs.push(invalid(path, cls ?? null, "may not change once set"));
  }
  if (type(svc) === "LoadBalancer") {
    if (cls !== undefined) errs.push(...isQualifiedName(cls).map((m) => invalid(path, cls, m)));
  } else if (cls !== undefined) {
    errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

function validateServiceExternalTrafficPolicy(svc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(svc, "spec") ?? {};
  const policy = str(spec, "externalTrafficPolicy");
  if (!externallyAccessible(svc)) {
    if (policy) errs.push(invalid(SPEC.child("externalTrafficPolicy"), policy, "may only be set for externally-accessible services"));
  } else if (!policy) {
    errs.push(required(SPEC.child("externalTrafficPolicy")));
  } else if (!TRAFFIC_POLICIES.includes(policy)) {
    errs.push(notSupported(SPEC.child("externalTrafficPolicy"), policy, TRAFFIC_POLICIES));
  }
  const hc = int(spec, "healthCheckNodePort") ?? 0;
  if (!needsHealthCheck(svc)) {
    if (hc !== 0) errs.push(invalid(SPEC.child("healthCheckNodePort"), hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc !== 0) {
    // An unset port is allocated by the server before validation runs.
    for (const m of isValidPortNum(hc)) errs.push(invalid(SPEC.child("healthCheckNodePort"), hc, m));
  }
  return errs;
}

function validateServiceInternalTrafficFieldsValue(spec: Obj, svcType: string): FieldError[] {
  const policy = optStr(spec, "internalTrafficPolicy");
  const path = SPEC.child("internalTrafficPolicy");
  if (policy === undefined) return svcType === "NodePort" || svcType === "LoadBalancer" || svcType === "ClusterIP" ? [required(path)] : [];
  return TRAFFIC_POLICIES.includes(policy) ? [] : [notSupported(path, policy, TRAFFIC_POLICIES)];
}

function validateServiceTrafficDistribution(spec: Obj, ctx: ApiContext): FieldError[] {
  const value = optStr(spec, "trafficDistribution");
  if (value === undefined) return [];
  const supported = ctx.gate("PreferSameTrafficDistribution") ? ["PreferClose", "PreferSameZone", "PreferSameNode"] : ["PreferClose"];
  return supported.includes(value) ? [] : [notSupported(SPEC.child("trafficDistribution"), value, supported)];
}

/** `ValidateServiceUpdate` beyond `ValidateService`: clusterIPs and ipFamilies transitions, loadBalancerClass, healthCheckNodePort. */
export function validateServiceUpdate(svc: Obj, old: Obj): FieldError[] {
  return [...validateUpgradeDowngradeClusterIPs(old, svc), ...validateUpgradeDowngradeIPFamilies(old, svc), ...validateLoadBalancerClassUpdate(old, svc), ...validateServiceExternalTrafficFieldsUpdate(old, svc)];
}

function validateLoadBalancerClassUpdate(old: Obj, svc: Obj): FieldError[] {
  // validateLoadBalancerClassField(old, new) repeats the format checks ValidateService already made.
  return validateLoadBalancerClassField(old, svc).filter((e) => e.message === "may not change once set");
}

function validateUpgradeDowngradeClusterIPs(old: Obj, svc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (type(svc) === "ExternalName" || type(old) === "ExternalName") return errs;
  if (isHeadless(old) && isHeadless(svc)) return errs;
  const oldIPs = clusterIPs(old);
  const ips = clusterIPs(svc);
  const path = SPEC.child("clusterIPs");
  const shown = goStringSlice(ips);
  if (oldIPs.length === ips.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalid(path.index(i), ips, "may not change once set", shown));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalid(path.index(0), ips, "primary clusterIP can not be unset", ips.length ? shown : "[]string(nil)"));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalid(path.index(0), ips, "may not change once set", shown));
    if (ips.length === 1 && optStr(rec(svc, "spec"), "ipFamilyPolicy") !== "SingleStack") {
      const policy = optStr(rec(svc, "spec"), "ipFamilyPolicy");
      errs.push(invalid(SPEC.child("ipFamilyPolicy"), policy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalid(path.index(0), ips, "may not change once set", shown));
  }
  return errs;
}

function validateUpgradeDowngradeIPFamilies(old: Obj, svc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (type(svc) === "ExternalName" || type(old) === "ExternalName") return errs;
  if (isHeadless(old) !== isHeadless(svc) || isHeadless(svc)) return errs;
  const oldFams = strings(rec(old, "spec"), "ipFamilies");
  const fams = strings(rec(svc, "spec"), "ipFamilies");
  const path = SPEC.child("ipFamilies").index(0);
  const shownFams = `[]core.IPFamily{${fams.map((f) => JSON.stringify(f)).join(", ")}}`;
  const ips = clusterIPs(svc);
  if (oldFams.length === fams.length) {
    oldFams.forEach((f, i) => {
      if (f !== fams[i]) errs.push(invalid(path, fams, "may not change once set", shownFams));
    });
  } else if (oldFams.length > fams.length) {
    if (ips.length === 0) errs.push(invalid(path, fams, "primary ipFamily can not be unset", shownFams));
    if (fams.length > 0 && fams[0] !== oldFams[0]) errs.push(invalid(path, ips, "may not change once set", goStringSlice(ips)));
    if (fams.length === 1 && optStr(rec(svc, "spec"), "ipFamilyPolicy") !== "SingleStack") {
      errs.push(invalid(SPEC.child("ipFamilyPolicy"), optStr(rec(svc, "spec"), "ipFamilyPolicy") ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (oldFams.length > 0 && fams.length > 0 && fams[0] !== oldFams[0]) {
    errs.push(invalid(path, ips, "may not change once set", goStringSlice(ips)));
  }
  return errs;
}

function validateServiceExternalTrafficFieldsUpdate(old: Obj, svc: Obj): FieldError[] {
  if (needsHealthCheck(old) && needsHealthCheck(svc) && int(rec(svc, "spec"), "healthCheckNodePort") !== int(rec(old, "spec"), "healthCheckNodePort")) {
    return [forbidden(SPEC.child("healthCheckNodePort"), "field is immutable")];
  }
  return [];
}

/** `GetWarningsForService`. */
export function serviceWarnings(svc: Obj): string[] {
  const warnings: string[] = [];
  const spec = rec(svc, "spec") ?? {};
  const annotations = rec(rec(svc, "metadata"), "annotations") ?? {};
  if (Object.hasOwn(annotations, TOPOLOGY_HINTS)) warnings.push(`annotation ${TOPOLOGY_HINTS} is deprecated, please use ${TOPOLOGY_MODE} instead`);
  const clusterIP = str(spec, "clusterIP");
  if (clusterIP && clusterIP !== "None") {
    clusterIPs(svc).forEach((ip, i) => {
      if (parseIPSloppy(ip) !== null) warnings.push(...getWarningsForIP(SPEC.child("clusterIPs").index(i), ip));
    });
  }
  strings(spec, "externalIPs").forEach((ip, i) => {
    if (parseIPSloppy(ip) !== null) warnings.push(...getWarningsForIP(SPEC.child("externalIPs").index(i), ip));
  });
  const lbIP = str(spec, "loadBalancerIP");
  if (lbIP && parseIPSloppy(lbIP) !== null) warnings.push(...getWarningsForIP(SPEC.child("loadBalancerIP"), lbIP));
  strings(spec, "loadBalancerSourceRanges").forEach((cidr, i) => warnings.push(...getWarningsForCIDR(SPEC.child("loadBalancerSourceRanges").index(i), cidr)));
  const svcType = str(spec, "type");
  if (svcType === "ExternalName" && list(spec, "externalIPs").length > 0) warnings.push('spec.externalIPs is ignored when spec.type is "ExternalName"');
  if (svcType !== "ExternalName" && str(spec, "externalName") !== "") warnings.push('spec.externalName is ignored when spec.type is not "ExternalName"');
  return warnings;
}
