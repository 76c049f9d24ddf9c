/**
 * Ingresses and IngressClasses (`ValidateIngressCreate/Update`, `ValidateIngressClass(Update)`,
 * `SetDefaults_IngressClass` in pkg/apis/networking): rules, hosts (wildcards, not IPs), paths by
 * pathType, service and resource backends, TLS hosts and secret names, the class annotation,
 * controller names and parameters references.
 */
import { isRecord } from "../../meta/values.js";
import { FieldPath, forbidden, invalid, notSupported, required, tooLong, type FieldError } from "../field.js";
import type { ApiContext } from "../context.js";
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isDomainPrefixedPath,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  parseIPSloppy,
} from "../validation/index.js";
import { has, int, list, optStr, rec, str } from "../core/object-values.js";

type Obj = Record<string, unknown>;

const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
const INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES = ["/..", "/."];
const SCOPES = ["Cluster", "Namespace"];

interface IngressOptions {
  allowInvalidSecretName: boolean;
  allowInvalidWildcardHostRule: boolean;
}

function validateTypedLocalObjectReference(ref: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const group = optStr(ref, "apiGroup");
  if (group !== undefined) errs.push(...isDNS1123Subdomain(group).map((m) => invalid(path.child("apiGroup"), group, m)));
  const kind = str(ref, "kind");
  if (!kind) errs.push(required(path.child("kind"), "kind is required"));
  else errs.push(...isValidPathSegmentName(kind).map((m) => invalid(path.child("kind"), kind, m)));
  const name = str(ref, "name");
  if (!name) errs.push(required(path.child("name"), "name is required"));
  else errs.push(...isValidPathSegmentName(name).map((m) => invalid(path.child("name"), name, m)));
  return errs;
}

function validateIngressBackend(backend: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const resource = rec(backend, "resource");
  const service = rec(backend, "service");
  if (resource && service) return [invalid(path, "", "cannot set both resource and service backends")];
  if (resource) return validateTypedLocalObjectReference(resource, path.child("resource"));
  if (!service) return [invalid(path, "", "resource or service backend is required")];
  const name = str(service, "name");
  if (!name) errs.push(required(path.child("service").child("name")));
  else errs.push(...isDNS1035Label(name).map((m) => invalid(path.child("service").child("name"), name, m)));
  const port = rec(service, "port");
  const portName = str(port, "name");
  const portNumber = int(port, "number") ?? 0;
  if (portName && portNumber !== 0) errs.push(invalid(path, "", "cannot set both port name & port number"));
  else if (portName) errs.push(...isValidPortName(portName).map((m) => invalid(path.child("service").child("port").child("name"), portName, m)));
  else if (portNumber !== 0) errs.push(...isValidPortNum(portNumber).map((m) => invalid(path.child("service").child("port").child("number"), portNumber, m)));
  else errs.push(required(path, "port name or number is required"));
  return errs;
}

function validateHTTPIngressPath(p: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const pathType = optStr(p, "pathType");
  if (pathType === undefined) return [required(path.child("pathType"), "pathType must be specified")];
  const value = str(p, "path");
  if (pathType === "Exact" || pathType === "Prefix") {
    if (!value.startsWith("/")) errs.push(invalid(path.child("path"), value, "must be an absolute path"));
    if (value) {
      for (const seq of INVALID_SEQUENCES) if (value.includes(seq)) errs.push(invalid(path.child("path"), value, `must not contain '${seq}'`));
      for (const suffix of INVALID_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalid(path.child("path"), value, `cannot end with '${suffix}'`));
    }
  } else if (pathType === "ImplementationSpecific") {
    if (value && !value.startsWith("/")) errs.push(invalid(path.child("path"), value, "must be an absolute path"));
  } else {
    errs.push(notSupported(path.child("pathType"), pathType, PATH_TYPES));
  }
  errs.push(...validateIngressBackend(rec(p, "backend") ?? {}, path.child("backend")));
  return errs;
}

function validateIngressRuleValue(rule: Obj, path: FieldPath): FieldError[] {
  const http = rec(rule, "http");
  if (!http) return [];
  const errs: FieldError[] = [];
  const paths = list(http, "paths");
  if (paths.length === 0) errs.push(required(path.child("http").child("paths")));
  paths.forEach((p, i) => isRecord(p) && errs.push(...validateHTTPIngressPath(p, path.child("http").child("paths").index(i))));
  return errs;
}

function validateIngressSpec(spec: Obj, options: IngressOptions): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.of("spec");
  const rules = list(spec, "rules");
  const defaultBackend = rec(spec, "defaultBackend");
  if (rules.length === 0 && !defaultBackend) errs.push(invalid(path, rules, "either `defaultBackend` or `rules` must be specified", "[]networking.IngressRule(nil)"));
  if (defaultBackend) errs.push(...validateIngressBackend(defaultBackend, path.child("defaultBackend")));
  rules.forEach((rule, i) => {
    if (!isRecord(rule)) return;
    const rulePath = path.child("rules").index(i);
    const host = str(rule, "host");
    let wildcard = false;
    if (host) {
      if (parseIPSloppy(host)) errs.push(invalid(rulePath.child("host"), host, "must be a DNS name, not an IP address"));
      if (host.includes("*")) {
        errs.push(...isWildcardDNS1123Subdomain(host).map((m) => invalid(rulePath.child("host"), host, m)));
        wildcard = true;
      } else {
        errs.push(...isDNS1123Subdomain(host).map((m) => invalid(rulePath.child("host"), host, m)));
      }
    }
    if (!wildcard || !options.allowInvalidWildcardHostRule) errs.push(...validateIngressRuleValue(rule, rulePath));
  });
  list(spec, "tls").forEach((tls, i) => {
    const tlsPath = path.child("tls").index(i);
    list(tls, "hosts").forEach((host, j) => {
      if (typeof host !== "string") return;
      const hostPath = tlsPath.child("hosts").index(j);
      const msgs = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...msgs.map((m) => invalid(hostPath, host, m)));
    });
    const secretName = str(tls, "secretName");
    if (secretName && !options.allowInvalidSecretName) errs.push(...isDNS1123Subdomain(secretName).map((m) => invalid(tlsPath.child("secretName"), secretName, m)));
  });
  const cls = optStr(spec, "ingressClassName");
  if (cls !== undefined) errs.push(...isDNS1123Subdomain(cls).map((m) => invalid(path.child("ingressClassName"), cls, m)));
  return errs;
}

function hasInvalidSecretName(old: Obj): boolean {
  return list(rec(old, "spec"), "tls").some((t) => {
    const name = str(t, "secretName");
    return name !== "" && isDNS1123Subdomain(name).length > 0;
  });
}

function hasInvalidWildcardRule(old: Obj): boolean {
  return list(rec(old, "spec"), "rules").some((r) => isRecord(r) && str(r, "host").includes("*") && validateIngressRuleValue(r, FieldPath.root()).length > 0);
}

/** `ValidateIngressCreate` / `ValidateIngressUpdate` without the object metadata. */
export function validateIngress(ing: Obj, ctx: ApiContext, old?: Obj): FieldError[] {
  void ctx;
  const options = { allowInvalidSecretName: old ? hasInvalidSecretName(old) : false, allowInvalidWildcardHostRule: old ? hasInvalidWildcardRule(old) : false };
  const spec = rec(ing, "spec") ?? {};
  const errs = validateIngressSpec(spec, options);
  if (!old) {
    const annotation = rec(rec(ing, "metadata"), "annotations")?.[CLASS_ANNOTATION];
    const cls = optStr(spec, "ingressClassName");
    if (typeof annotation === "string" && cls !== undefined && annotation !== cls) {
      errs.push(invalid(FieldPath.of("annotations").child(CLASS_ANNOTATION), annotation, "must match `ingressClassName` when both are specified"));
    }
  }
  return errs;
}

/** `SetDefaults_IngressClass`: a parameters reference without a scope is cluster-scoped. */
export function defaultIngressClass(ic: Obj): void {
  const params = rec(rec(ic, "spec"), "parameters");
  if (params && !has(params, "scope")) params.scope = "Cluster";
}

/** `ValidateIngressClass` without the object metadata. */
export function validateIngressClass(ic: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(ic, "spec") ?? {};
  const path = FieldPath.of("spec");
  const controller = str(spec, "controller");
  if (controller.length > 250) errs.push(tooLong(path.child("controller"), undefined, 250, ctx.minor));
  errs.push(...isDomainPrefixedPath(path.child("controller"), controller));
  const params = rec(spec, "parameters");
  if (params) {
    const paramsPath = path.child("parameters");
    errs.push(...validateTypedLocalObjectReference(params, paramsPath));
    const scope = optStr(params, "scope");
    if (scope === undefined) errs.push(required(paramsPath.child("scope")));
    else if (!SCOPES.includes(scope)) errs.push(notSupported(paramsPath.child("scope"), scope, SCOPES));
    else if (scope === "Namespace") {
      const ns = optStr(params, "namespace");
      if (ns === undefined) errs.push(required(paramsPath.child("namespace"), "`parameters.scope` is set to 'Namespace'"));
      else errs.push(...isDNS1123Label(ns).map((m) => invalid(paramsPath.child("namespace"), ns, m)));
    } else if (has(params, "namespace")) {
      errs.push(forbidden(paramsPath.child("namespace"), "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

/** `validateIngressClassSpecUpdate`: the controller is immutable. */
export function validateIngressClassUpdate(ic: Obj, old: Obj): FieldError[] {
  const controller = str(rec(ic, "spec"), "controller");
  return controller === str(rec(old, "spec"), "controller") ? [] : [invalid(FieldPath.of("spec", "controller"), controller, "field is immutable")];
}
