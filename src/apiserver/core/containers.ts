/**
 * Containers of every kind (`validateContainers`, `validateInitContainers`,
 * `validateEphemeralContainers`, `validateContainerCommon`) and what they hold: ports
 * (`validateContainerPorts`, host port conflicts), environment (`ValidateEnv`, `ValidateEnvFrom`,
 * `validateEnvVarValueFrom` and the downward API selectors), resize policies.
 */
import type { ApiContext } from "../context.js";
import { isDNS1123Label, isQualifiedName } from "../../meta/names.js";
import { validateName } from "../../meta/names.js";
import { duplicate, FieldPath, forbidden, invalid, notFound, notSupported, required, tooMany, type FieldError } from "../field.js";
import { Quantity } from "../validation/quantity.js";
import { isConfigMapKey, isEnvVarName, isRelaxedEnvVarName, isValidPortName, isValidPortNum } from "../validation/strings.js";
import { isRecord } from "../../meta/values.js";
import { isSet, list, num, obj, objects, optStr, str, type Obj } from "./json.js";
import type { ResolvedPodOptions } from "./pod-options.js";
import { validateContainerProbe, validateLifecycle } from "./probes.js";
import { validateContainerResourceRequirements } from "./resources.js";
import { validateSecurityContext } from "./security-context.js";
import { validatePullPolicy, validateVolumeDevices, validateVolumeMounts, type FieldSelectorCheck, type VolumeMap } from "./volumes.js";

const PROTOCOLS = ["SCTP", "TCP", "UDP"];

/** `errs.push(...more)` without spreading (most lists added are empty). */
function append(errs: FieldError[], more: readonly FieldError[]): void {
  for (let i = 0; i < more.length; i++) errs.push(more[i]!);
}

/** `validateContainerPorts`. */
function validateContainerPorts(ports: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  if (!Array.isArray(ports)) return errs;
  for (let i = 0; i < ports.length; i++) {
    const port: unknown = ports[i];
    if (!isRecord(port)) continue;
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const m of msgs) errs.push(invalid(path.index(i).child("name"), name, m));
      else if (names.has(name)) errs.push(duplicate(path.index(i).child("name"), name));
      else names.add(name);
    }
    const containerPort = num(port.containerPort);
    if (containerPort === 0) errs.push(required(path.index(i).child("containerPort"), ""));
    else if (containerPort !== undefined) for (const m of isValidPortNum(containerPort)) errs.push(invalid(path.index(i).child("containerPort"), containerPort, m));
    const hostPort = num(port.hostPort);
    if (hostPort) for (const m of isValidPortNum(hostPort)) errs.push(invalid(path.index(i).child("hostPort"), hostPort, m));
    const protocol = str(port.protocol);
    if (protocol === "") errs.push(required(path.index(i).child("protocol"), ""));
    else if (protocol !== undefined && !PROTOCOLS.includes(protocol)) errs.push(notSupported(path.index(i).child("protocol"), protocol, PROTOCOLS));
  }
  return errs;
}

/** `AccumulateUniqueHostPorts`: one host port per protocol and host IP across the containers given. */
function checkHostPortConflicts(containers: Obj[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let seen: Set<string> | undefined;
  for (let ci = 0; ci < containers.length; ci++) {
    const ports = containers[ci]!.ports;
    if (!Array.isArray(ports)) continue;
    for (let pi = 0; pi < ports.length; pi++) {
      const port: unknown = ports[pi];
      if (!isRecord(port)) continue;
      const hostPort = num(port.hostPort);
      if (!hostPort) continue;
      seen ??= new Set<string>();
      const key = `${str(port.protocol) ?? ""}/${str(port.hostIP) ?? ""}/${hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child("ports").index(pi).child("hostPort"), key));
      else seen.add(key);
    }
  }
  return errs;
}

const ENV_FIELD_PATHS = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.podIP", "status.podIPs"];
const ENV_FIELD_PATHS_HOST_IPS = [...ENV_FIELD_PATHS, "status.hostIPs"];
const RESOURCE_FIELD_PATHS = ["limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"];
const CONVERTIBLE_FIELD_LABELS = new Set([
  "metadata.annotations",
  "metadata.labels",
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.restartPolicy",
  "spec.serviceAccountName",
  "spec.schedulerName",
  "status.phase",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
]);

/** `fieldpath.SplitMaybeSubscriptedPath`: `metadata.labels['app']` → path and subscript. */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const i = s.indexOf("['");
  if (i <= 0) return undefined;
  return [s.slice(0, i), s.slice(i + 2)];
}

/** `podshelper.ConvertDownwardAPIFieldLabel`: the error text, or undefined when the label converts. */
function convertFieldLabelError(version: string, label: string): string | undefined {
  if (version !== "v1") return `unsupported pod version: ${version}`;
  const sub = splitSubscript(label);
  if (sub) return sub[0] === "metadata.annotations" || sub[0] === "metadata.labels" ? undefined : `field label does not support subscript: ${label}`;
  return CONVERTIBLE_FIELD_LABELS.has(label) || label === "spec.host" ? undefined : `field label not supported: ${label}`;
}

const DIVISOR_CPU = new Set(["1m", "1"]);
const DIVISOR_BYTES = new Set(["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"]);

function bytesMsg(what: string): string {
  return `only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the ${what} resource`;
}

function validateDivisor(resource: string, divisor: unknown, path: FieldPath): FieldError[] {
  const q = Quantity.from(divisor);
  if (!q || q.isZero()) return [];
  const d = q.toString();
  const errs: FieldError[] = [];
  if ((resource === "limits.cpu" || resource === "requests.cpu") && !DIVISOR_CPU.has(d)) errs.push(invalid(path.child("divisor"), resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
  if ((resource === "limits.memory" || resource === "requests.memory") && !DIVISOR_BYTES.has(d)) errs.push(invalid(path.child("divisor"), resource, bytesMsg("memory")));
  if ((resource === "limits.ephemeral-storage" || resource === "requests.ephemeral-storage") && !DIVISOR_BYTES.has(d)) errs.push(invalid(path.child("divisor"), resource, bytesMsg("local ephemeral storage")));
  if ((resource.startsWith("requests.hugepages-") || resource.startsWith("limits.hugepages-")) && !DIVISOR_BYTES.has(d)) errs.push(invalid(path.child("divisor"), resource, bytesMsg("hugepages")));
  return errs;
}

/** The downward API selectors (`validateObjectFieldSelector`, `validateContainerResourceFieldSelector`). */
export const fieldSelectors: FieldSelectorCheck = {
  objectField(ref: Obj, allowed: readonly string[], path: FieldPath): FieldError[] {
    const apiVersion = str(ref.apiVersion);
    const fieldPath = str(ref.fieldPath);
    if (apiVersion === undefined || fieldPath === undefined) return [];
    if (apiVersion === "") return [required(path.child("apiVersion"), "")];
    if (fieldPath === "") return [required(path.child("fieldPath"), "")];
    const err = convertFieldLabelError(apiVersion, fieldPath);
    if (err) return [invalid(path.child("fieldPath"), fieldPath, `error converting fieldPath: ${err}`)];
    const internal = fieldPath === "spec.host" ? "spec.nodeName" : fieldPath;
    const sub = splitSubscript(internal);
    if (sub) {
      if (sub[0] === "metadata.annotations") return isQualifiedName(sub[1].toLowerCase()).map((m) => invalid(path, sub[1].toLowerCase(), m));
      if (sub[0] === "metadata.labels") return isQualifiedName(sub[1]).map((m) => invalid(path, sub[1], m));
      return [invalid(path, sub[0], "does not support subscript")];
    }
    return allowed.includes(internal) ? [] : [notSupported(path.child("fieldPath"), internal, [...allowed].sort())];
  },
  resourceField(ref: Obj, path: FieldPath, volume: boolean): FieldError[] {
    const errs: FieldError[] = [];
    const resource = str(ref.resource);
    if (resource === undefined) return errs;
    if (volume && str(ref.containerName) === "") errs.push(required(path.child("containerName"), ""));
    else if (resource === "") errs.push(required(path.child("resource"), ""));
    else if (!RESOURCE_FIELD_PATHS.includes(resource) && !resource.startsWith("limits.hugepages-") && !resource.startsWith("requests.hugepages-")) {
      errs.push(notSupported(path.child("resource"), resource, RESOURCE_FIELD_PATHS));
    }
    errs.push(...validateDivisor(resource, ref.divisor, path));
    return errs;
  },
};

function validateKeySelector(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(s.name);
  if (name !== undefined) for (const m of validateName(name, "dns-subdomain")) errs.push(invalid(path.child("name"), name, m));
  const key = str(s.key);
  if (key === "") errs.push(required(path.child("key"), ""));
  else if (key !== undefined) for (const m of isConfigMapKey(key)) errs.push(invalid(path.child("key"), key, m));
  return errs;
}

function validateEnvVarValueFrom(ev: Obj, path: FieldPath, ctx: ApiContext): FieldError[] {
  const from = obj(ev.valueFrom);
  if (!from) return [];
  const errs: FieldError[] = [];
  let n = 0;
  const fieldRef = obj(from.fieldRef);
  if (fieldRef) {
    n++;
    const allowed = ctx.gate("PodHostIPs") ? ENV_FIELD_PATHS_HOST_IPS : ENV_FIELD_PATHS;
    errs.push(...fieldSelectors.objectField(fieldRef, allowed, path.child("fieldRef")));
  }
  const resourceFieldRef = obj(from.resourceFieldRef);
  if (resourceFieldRef) {
    n++;
    errs.push(...fieldSelectors.resourceField(resourceFieldRef, path.child("resourceFieldRef"), false));
  }
  const configMapKeyRef = obj(from.configMapKeyRef);
  if (configMapKeyRef) {
    n++;
    errs.push(...validateKeySelector(configMapKeyRef, path.child("configMapKeyRef")));
  }
  const secretKeyRef = obj(from.secretKeyRef);
  if (secretKeyRef) {
    n++;
    errs.push(...validateKeySelector(secretKeyRef, path.child("secretKeyRef")));
  }
  // The file source of EnvFiles (on from 1.35) is counted; its own rules are not checked here.
  if (isSet(from.fileKeyRef) && ctx.gate("EnvFiles")) n++;
  if (n === 0) errs.push(invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
  else if ((str(ev.value) ?? "") !== "") errs.push(invalid(path, "", "may not be specified when `value` is not empty"));
  else if (n > 1) errs.push(invalid(path, "", "may not have more than one field specified at a time"));
  return errs;
}

function envVarNameErrors(name: string, opts: ResolvedPodOptions): string[] {
  return opts.allowRelaxedEnvironmentVariableValidation ? isRelaxedEnvVarName(name) : isEnvVarName(name);
}

/**
 * `ValidateEnv`: each variable's name (strict or relaxed) and its `valueFrom`.
 *
 * @example
 * validateEnv([{ name: "1ABC", value: "x" }], FieldPath.of("env"), opts, ctx); // strict before 1.32
 */
export function validateEnv(env: unknown, path: FieldPath, opts: ResolvedPodOptions, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(env)) return errs;
  for (let i = 0; i < env.length; i++) {
    const ev: unknown = env[i];
    if (!isRecord(ev)) continue;
    const name = str(ev.name);
    if (name === "") errs.push(required(path.index(i).child("name"), ""));
    else if (name !== undefined) for (const m of envVarNameErrors(name, opts)) errs.push(invalid(path.index(i).child("name"), name, m));
    if (ev.valueFrom !== undefined) append(errs, validateEnvVarValueFrom(ev, path.index(i).child("valueFrom"), ctx));
  }
  return errs;
}

const ENV_FROM_SOURCES = ["configMapRef", "secretRef"];

/** `ValidateEnvFrom`. */
function validateEnvFrom(envFrom: unknown, path: FieldPath, opts: ResolvedPodOptions): FieldError[] {
  const errs: FieldError[] = [];
  for (const [ev, i] of objects(envFrom)) {
    const prefix = str(ev.prefix);
    if (prefix) for (const m of envVarNameErrors(prefix, opts)) errs.push(invalid(path.index(i).child("prefix"), prefix, m));
    let n = 0;
    for (const kind of ENV_FROM_SOURCES) {
      const ref = obj(ev[kind]);
      if (!ref) continue;
      n++;
      const name = str(ref.name);
      if (name === "") errs.push(required(path.index(i).child(kind).child("name"), ""));
      else if (name !== undefined) for (const m of validateName(name, "dns-subdomain", true)) errs.push(invalid(path.index(i).child(kind).child("name"), name, m));
    }
    if (n === 0) errs.push(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (n > 1) errs.push(invalid(path, "", "may not have more than one field specified at a time"));
  }
  return errs;
}

/** `validateResizePolicy`. */
function validateResizePolicy(policies: unknown, path: FieldPath, podRestartPolicy: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [p, i] of objects(policies)) {
    const name = str(p.resourceName) ?? "";
    const policy = str(p.restartPolicy) ?? "";
    if (seen.has(name)) errs.push(duplicate(path.index(i), name));
    seen.add(name);
    if (name === "") errs.push(required(path, ""));
    else if (name !== "cpu" && name !== "memory") errs.push(notSupported(path, name, ["cpu", "memory"]));
    if (policy === "") errs.push(required(path, ""));
    else if (policy !== "NotRequired" && policy !== "RestartContainer") errs.push(notSupported(path, policy, ["NotRequired", "RestartContainer"]));
    if (podRestartPolicy === "Never" && policy !== "NotRequired") errs.push(invalid(path, policy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
  }
  return errs;
}

const TERMINATION_MESSAGE_POLICIES = ["File", "FallbackToLogsOnError"];

/** What the containers of one pod spec share. */
export interface ContainerContext {
  volumes: VolumeMap;
  podClaimNames: Set<string>;
  gracePeriod: number | undefined;
  opts: ResolvedPodOptions;
  podRestartPolicy: string;
  hostUsers: boolean;
  ctx: ApiContext;
}

/** `validateContainerCommon`: what every container kind must satisfy. */
function validateContainerCommon(c: Obj, path: FieldPath, cc: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (name === "") errs.push(required(path.child("name"), ""));
  else if (name !== undefined) for (const m of isDNS1123Label(name)) errs.push(invalid(path.child("name"), name, m));
  if (str(c.image) === "") errs.push(required(path.child("image"), ""));
  const tmp = str(c.terminationMessagePolicy);
  if (tmp === "") errs.push(required(path.child("terminationMessagePolicy"), ""));
  else if (tmp !== undefined && !TERMINATION_MESSAGE_POLICIES.includes(tmp)) errs.push(notSupported(path.child("terminationMessagePolicy"), tmp, TERMINATION_MESSAGE_POLICIES));
  // Each check finds nothing in an absent field: it is not called for one.
  if (c.ports !== undefined) append(errs, validateContainerPorts(c.ports, path.child("ports")));
  if (c.env !== undefined) append(errs, validateEnv(c.env, path.child("env"), cc.opts, cc.ctx));
  if (c.envFrom !== undefined) append(errs, validateEnvFrom(c.envFrom, path.child("envFrom"), cc.opts));
  append(errs, validateVolumeMounts(c, cc.volumes, path.child("volumeMounts"), cc.ctx.minor));
  if (c.volumeDevices !== undefined) append(errs, validateVolumeDevices(c, cc.volumes, path.child("volumeDevices")));
  append(errs, validatePullPolicy(str(c.imagePullPolicy), path.child("imagePullPolicy")));
  if (c.resources !== undefined) append(errs, validateContainerResourceRequirements(c.resources, cc.podClaimNames, path.child("resources"), cc.opts));
  if (c.resizePolicy !== undefined) append(errs, validateResizePolicy(c.resizePolicy, path.child("resizePolicy"), cc.podRestartPolicy));
  if (c.securityContext !== undefined) append(errs, validateSecurityContext(c.securityContext, path.child("securityContext"), cc.hostUsers, cc.ctx.minor));
  return errs;
}

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

function validateProbesAndLifecycle(c: Obj, path: FieldPath, cc: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const lifecycle = obj(c.lifecycle);
  if (lifecycle) append(errs, validateLifecycle(lifecycle, cc.gracePeriod, path.child("lifecycle"), cc.opts, cc.ctx));
  for (const kind of PROBES) {
    const probe = c[kind];
    if (probe !== undefined) append(errs, validateContainerProbe(kind, probe, cc.gracePeriod, path.child(kind), cc.opts, cc.ctx));
  }
  return errs;
}

/**
 * `validateContainers`: at least one, each valid, unique names, probes and hooks, no
 * container-level `restartPolicy`, no host port used twice.
 *
 * @example
 * validateContainers([{ name: "web" }], FieldPath.of("spec", "containers"), cc); // [spec.containers[0].image: Required value, …]
 */
export function validateContainers(containers: unknown, path: FieldPath, cc: ContainerContext): FieldError[] {
  if (!Array.isArray(containers)) return containers === undefined || containers === null ? [required(path, "")] : [];
  if (containers.length === 0) return [required(path, "")];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const all = objects(containers);
  for (const [c, i] of all) {
    const p = path.index(i);
    append(errs, validateContainerCommon(c, p, cc));
    const name = str(c.name);
    if (name !== undefined) {
      if (names.has(name)) errs.push(duplicate(p.child("name"), name));
      else names.add(name);
    }
    append(errs, validateProbesAndLifecycle(c, p, cc));
    if (cc.opts.allowContainerRestartPolicyRules) append(errs, validateContainerRestartPolicy(c, p, cc));
    else if (isSet(c.restartPolicy) && cc.ctx.minor < 34) {
      errs.push(forbidden(p.child("restartPolicy"), "may not be set for non-init containers"));
    }
  }
  errs.push(...checkHostPortConflicts(all.map(([c]) => c), path));
  return errs;
}

const INIT_FORBIDDEN = ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"];

const CONTAINER_RESTART_POLICIES = ["Always", "Never", "OnFailure"];
const RESTART_RULE_OPERATORS = ["In", "NotIn"];

/**
 * `validateContainerRestartPolicy`: a container's own `restartPolicy` and its `restartPolicyRules`
 * (at most 20; each an action the cluster knows — `RestartAllContainers` only with the
 * RestartAllContainersOnContainerExits gate, alpha and off by default since 1.35 — and
 * `exitCodes` with `In` or `NotIn` and at most 255 values). The rules need the policy set.
 * Until 1.36 the unsupported-action message names `Restart` alone, whatever the gate.
 */
function validateContainerRestartPolicy(c: Obj, path: FieldPath, cc: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const rules = list(c.restartPolicyRules);
  const policyPath = path.child("restartPolicy");
  if (!isSet(c.restartPolicy)) {
    if (rules.length === 0) return errs;
    errs.push(required(policyPath, "must specify restartPolicy when restart rules are used"));
  } else if (!CONTAINER_RESTART_POLICIES.includes(str(c.restartPolicy) ?? "")) {
    errs.push(notSupported(policyPath, c.restartPolicy, CONTAINER_RESTART_POLICIES));
  }
  const rulesPath = path.child("restartPolicyRules");
  if (rules.length > 20) errs.push(tooMany(rulesPath, rules.length, 20));
  const actions = cc.opts.allowRestartAllContainers ? ["Restart", "RestartAllContainers"] : ["Restart"];
  const named = cc.ctx.minor >= 36 ? actions : ["Restart"];
  rules.forEach((rule, i) => {
    const rulePath = rulesPath.index(i);
    const r = obj(rule) ?? {};
    const action = str(r.action) ?? "";
    if (!actions.includes(action)) errs.push(notSupported(rulePath.child("action"), action, named));
    const exitCodes = obj(r.exitCodes);
    if (!exitCodes) {
      errs.push(required(rulePath.child("exitCodes"), "must be specified"));
      return;
    }
    const operator = str(exitCodes.operator) ?? "";
    if (!RESTART_RULE_OPERATORS.includes(operator)) errs.push(notSupported(rulePath.child("exitCodes").child("operator"), operator, RESTART_RULE_OPERATORS));
    const values = list(exitCodes.values);
    if (values.length > 255) errs.push(tooMany(rulePath.child("exitCodes").child("values"), values.length, 255));
  });
  return errs;
}

/**
 * `validateInitContainerRestartPolicy`: `Always` (a sidecar) everywhere; with container restart
 * rules also `OnFailure` and `Never` and their rules — rules on a sidecar only with
 * RestartAllContainersOnContainerExits.
 */
function validateInitContainerRestartPolicy(c: Obj, path: FieldPath, cc: ContainerContext): FieldError[] {
  if (!isSet(c.restartPolicy)) {
    return list(c.restartPolicyRules).length > 0 ? [required(path.child("restartPolicy"), "must specify restartPolicy when restart rules are used")] : [];
  }
  const policy = c.restartPolicy;
  if (!cc.opts.allowContainerRestartPolicyRules) {
    return policy === "Always" ? [] : [notSupported(path.child("restartPolicy"), policy, ["Always"])];
  }
  if (policy !== "Always" || cc.opts.allowRestartAllContainers) return validateContainerRestartPolicy(c, path, cc);
  if (list(c.restartPolicyRules).length > 0) {
    return [forbidden(path.child("restartPolicyRules"), "restartPolicyRules are not allowed for init containers with restart policy Always")];
  }
  return [];
}

/**
 * `validateInitContainers`: each valid, names unique across init and regular containers; probes
 * and hooks only for sidecars (`restartPolicy: Always`).
 *
 * @example
 * validateInitContainers(spec.initContainers, spec.containers, FieldPath.of("spec", "initContainers"), cc);
 */
export function validateInitContainers(containers: unknown, regular: unknown, path: FieldPath, cc: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(objects(regular).map(([c]) => str(c.name) ?? ""));
  for (const [c, i] of objects(containers)) {
    const p = path.index(i);
    append(errs, validateContainerCommon(c, p, cc));
    const policy = optStr(c.restartPolicy);
    const restartAlways = policy === "Always";
    errs.push(...validateInitContainerRestartPolicy(c, p, cc));
    const name = str(c.name) ?? "";
    if (names.has(name)) errs.push(duplicate(p.child("name"), name));
    else if (name) names.add(name);
    if (c.ports !== undefined) append(errs, checkHostPortConflicts([c], path));
    if (restartAlways) append(errs, validateProbesAndLifecycle(c, p, cc));
    else for (const f of INIT_FORBIDDEN) if (isSet(c[f])) errs.push(forbidden(p.child(f), "may not be set for init containers without restartPolicy=Always"));
    if (!cc.opts.allowSidecarResizePolicy && list(c.resizePolicy).length > 0) {
      errs.push(invalid(p.child("resizePolicy"), c.resizePolicy, "must not be set for init containers"));
    }
  }
  return errs;
}

/** Fields of `EphemeralContainerCommon` an ephemeral container may not set, in struct order. */
const EPHEMERAL_DISALLOWED = ["ports", "resources", "resizePolicy", "restartPolicy", "restartPolicyRules", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle"];

function isNonZero(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.values(v as Obj).some(isNonZero);
  return v !== "" && v !== 0 && v !== false;
}

/**
 * `validateEphemeralContainers`: each valid, names unique across all containers, a target that
 * exists, none of the fields ephemeral containers may not set, no subPath mounts.
 *
 * @example
 * validateEphemeralContainers(spec.ephemeralContainers, spec.containers, spec.initContainers, FieldPath.of("spec", "ephemeralContainers"), cc);
 */
export function validateEphemeralContainers(ephemeral: unknown, containers: unknown, initContainers: unknown, path: FieldPath, cc: ContainerContext): FieldError[] {
  const list_ = objects(ephemeral);
  if (list_.length === 0) return [];
  const errs: FieldError[] = [];
  const other = new Set([...objects(containers), ...objects(initContainers)].map(([c]) => str(c.name) ?? ""));
  const all = new Set(other);
  for (const [ec, i] of list_) {
    const p = path.index(i);
    errs.push(...validateContainerCommon(ec, p, cc));
    errs.push(...validateContainerOnlyForPod(ec, p));
    const name = str(ec.name) ?? "";
    if (all.has(name)) errs.push(duplicate(p.child("name"), name));
    else all.add(name);
    const target = str(ec.targetContainerName) ?? "";
    if (target !== "" && !other.has(target)) errs.push(notFound(p.child("targetContainerName"), target));
    for (const f of EPHEMERAL_DISALLOWED) if (isNonZero(ec[f])) errs.push(forbidden(p.child(f), "cannot be set for an Ephemeral Container"));
    for (const [vm, j] of objects(ec.volumeMounts)) {
      if (str(vm.subPath)) errs.push(forbidden(p.child("volumeMounts").index(j).child("subPath"), "cannot be set for an Ephemeral Container"));
      if (str(vm.subPathExpr)) errs.push(forbidden(p.child("volumeMounts").index(j).child("subPathExpr"), "cannot be set for an Ephemeral Container"));
    }
  }
  return errs;
}

/**
 * `validateContainerOnlyForPod`: a pod's (not a template's) image has no surrounding whitespace.
 *
 * @example
 * validateContainerOnlyForPod({ image: " nginx" }, FieldPath.of("spec", "containers").index(0));
 */
export function validateContainerOnlyForPod(c: Obj, path: FieldPath): FieldError[] {
  const image = str(c.image);
  return image !== undefined && image.trim() !== image ? [invalid(path.child("image"), image, "must not have leading or trailing whitespace")] : [];
}
