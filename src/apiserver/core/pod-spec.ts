/**
 * `ValidatePodSpec` and `ValidatePodTemplateSpec`: the checks of a pod spec in Kubernetes' order,
 * composed from the modules beside this one.
 */
import type { ApiContext } from "../context.js";
import { validateName } from "../../meta/names.js";
import { validateAnnotations, validateLabels } from "../../meta/object-meta.js";
import { FieldPath, forbidden, invalid, notSupported, required, duplicate, type FieldError } from "../field.js";
import { inclusiveRangeError } from "../validation/messages.js";
import { isDNS1123Label } from "../../meta/names.js";
import { validateContainers, validateEphemeralContainers, validateInitContainers, fieldSelectors, type ContainerContext } from "./containers.js";
import { validateDNSPolicy, validateHostAliases, validatePodDNSConfig } from "./dns.js";
import { isSet, list, num, obj, objects, optNum, optStr, str, type Obj } from "./json.js";
import type { ResolvedPodOptions } from "./pod-options.js";
import { validateContainerResourceRequirements, validatePodResources } from "./resources.js";
import { validateAffinity, validateReadinessGates, validateSchedulingGates, validateTolerations, validateTopologySpreadConstraints } from "./scheduling.js";
import {
  validateAppArmorAnnotationsAndFields,
  validateHostUsers,
  validateLinux,
  validatePodSecurityContext,
  validatePodSpecificAnnotations,
  validateSeccompAnnotationsAndFields,
  validateWindows,
  validateWindowsHostProcessPod,
} from "./security-context.js";
import { validateVolumes } from "./volumes.js";

const RESTART_POLICIES = ["Always", "OnFailure", "Never"];

/** `errs.push(...more)` without spreading (most lists added are empty). */
function append(errs: FieldError[], more: readonly FieldError[]): void {
  for (let i = 0; i < more.length; i++) errs.push(more[i]!);
}

function subdomainErrors(value: string | undefined, path: FieldPath): FieldError[] {
  return value ? validateName(value, "dns-subdomain").map((m) => invalid(path, value, m)) : [];
}

function labelErrors(value: string | undefined, path: FieldPath): FieldError[] {
  return value ? isDNS1123Label(value).map((m) => invalid(path, value, m)) : [];
}

/**
 * `validatePodResourceClaims`. Until 1.30 the claim or template is named under `source`
 * (`validatePodResourceClaimSource`); from 1.31 on the entry itself.
 */
function validatePodResourceClaims(claims: unknown, path: FieldPath, minor: number): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [c, i] of objects(claims)) {
    const p = path.index(i);
    const name = str(c.name);
    if (name === "") errs.push(required(p.child("name"), ""));
    else if (name !== undefined && names.has(name)) errs.push(duplicate(p.child("name"), name));
    else if (name !== undefined) {
      errs.push(...labelErrors(name, p.child("name")));
      names.add(name);
    }
    const sourced = minor <= 30;
    const source = sourced ? (obj(c.source) ?? {}) : c;
    const sp = sourced ? p.child("source") : p;
    const claimName = optStr(source.resourceClaimName);
    const templateName = optStr(source.resourceClaimTemplateName);
    if (claimName !== undefined && templateName !== undefined) errs.push(invalid(sp, source, "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified"));
    if (claimName === undefined && templateName === undefined) errs.push(invalid(sp, source, "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`"));
    if (claimName !== undefined) for (const m of validateName(claimName, "dns-subdomain")) errs.push(invalid(sp.child("resourceClaimName"), claimName, m));
    if (templateName !== undefined) for (const m of validateName(templateName, "dns-subdomain")) errs.push(invalid(sp.child("resourceClaimTemplateName"), templateName, m));
  }
  return errs;
}

/** `validatePodHostNetworkDeps`: under `hostNetwork`, host ports equal container ports. */
function validatePodHostNetworkDeps(spec: Obj, path: FieldPath, opts: ResolvedPodOptions): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldError[] = [];
  for (const [c, i] of objects(spec.containers)) {
    for (const [port, j] of objects(c.ports)) {
      const hp = num(port.hostPort) ?? 0;
      const cp = num(port.containerPort) ?? 0;
      if ((opts.resourceIsPod || hp !== 0) && hp !== cp) {
        errs.push(invalid(path.child("containers").index(i).child("ports").index(j).child("hostPort"), hp, "must match `containerPort` when `hostNetwork` is true"));
      }
    }
  }
  return errs;
}

/** `validateOS`. */
function validateOS(os: Obj, path: FieldPath): FieldError[] {
  const name = str(os.name);
  if (name === "") return [required(path.child("name"), "cannot be empty")];
  if (name !== undefined && name !== "linux" && name !== "windows") return [notSupported(path, name, ["linux", "windows"])];
  return [];
}

/**
 * `ValidatePodSpec` with resolved options. `podName` is the pod's own name (pods only), used to
 * check the claims generic ephemeral volumes create.
 */
export function validatePodSpecResolved(spec: Obj, podName: string | undefined, path: FieldPath, opts: ResolvedPodOptions, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const grace = optNum(spec.terminationGracePeriodSeconds);
  if (!isSet(spec.terminationGracePeriodSeconds)) errs.push(required(path.child("terminationGracePeriodSeconds"), ""));
  const hostUsers = spec.hostUsers !== false;
  const { volumes, errors: volumeErrors } = validateVolumes(spec.volumes, path.child("volumes"), { podName, opts, selectors: fieldSelectors, minor: ctx.minor, ctx });
  append(errs, volumeErrors);
  const podClaimNames = new Set(objects(spec.resourceClaims).map(([c]) => str(c.name) ?? "").filter(Boolean));
  if (spec.resourceClaims !== undefined) append(errs, validatePodResourceClaims(spec.resourceClaims, path.child("resourceClaims"), ctx.minor));
  const restartPolicy = str(spec.restartPolicy) ?? "";
  const cc: ContainerContext = { volumes, podClaimNames, gracePeriod: grace, opts, podRestartPolicy: restartPolicy, hostUsers, ctx };
  append(errs, validateContainers(spec.containers, path.child("containers"), cc));
  // Checks that find nothing in an absent field are not called for one.
  if (spec.initContainers !== undefined) append(errs, validateInitContainers(spec.initContainers, spec.containers, path.child("initContainers"), cc));
  if (spec.ephemeralContainers !== undefined) append(errs, validateEphemeralContainers(spec.ephemeralContainers, spec.containers, spec.initContainers, path.child("ephemeralContainers"), cc));
  if (opts.podLevelResourcesEnabled && spec.resources !== undefined) append(errs, validatePodResources(spec, podClaimNames, path.child("resources"), opts));
  append(errs, validatePodHostNetworkDeps(spec, path, opts));
  const rp = str(spec.restartPolicy);
  if (rp === "") errs.push(required(path.child("restartPolicy"), ""));
  else if (rp !== undefined && !RESTART_POLICIES.includes(rp)) errs.push(notSupported(path.child("restartPolicy"), rp, RESTART_POLICIES));
  append(errs, validateDNSPolicy(str(spec.dnsPolicy), path.child("dnsPolicy")));
  if (spec.nodeSelector !== undefined) append(errs, validateLabels(spec.nodeSelector, path.child("nodeSelector")));
  append(errs, validatePodSecurityContext(spec, path, opts, ctx.minor));
  if (spec.affinity !== undefined) append(errs, validateAffinity(spec.affinity, opts, ctx, path.child("affinity")));
  append(errs, validatePodDNSConfig(spec.dnsConfig, str(spec.dnsPolicy), path.child("dnsConfig"), opts, ctx.minor));
  if (spec.readinessGates !== undefined) append(errs, validateReadinessGates(spec.readinessGates, path.child("readinessGates")));
  if (spec.schedulingGates !== undefined) append(errs, validateSchedulingGates(spec.schedulingGates, path.child("schedulingGates")));
  if (spec.topologySpreadConstraints !== undefined) append(errs, validateTopologySpreadConstraints(spec.topologySpreadConstraints, path.child("topologySpreadConstraints"), opts, ctx));
  append(errs, validateWindowsHostProcessPod(spec, path));
  append(errs, validateHostUsers(spec, path));
  if (spec.serviceAccountName !== undefined) append(errs, subdomainErrors(str(spec.serviceAccountName), path.child("serviceAccountName")));
  if (spec.nodeName !== undefined) append(errs, subdomainErrors(str(spec.nodeName), path.child("nodeName")));
  const ads = optNum(spec.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > 2147483647)) errs.push(invalid(path.child("activeDeadlineSeconds"), ads, inclusiveRangeError(1, 2147483647)));
  if (spec.hostname !== undefined) append(errs, labelErrors(str(spec.hostname), path.child("hostname")));
  if (spec.subdomain !== undefined) append(errs, labelErrors(str(spec.subdomain), path.child("subdomain")));
  if (list(spec.tolerations).length) errs.push(...validateTolerations(spec.tolerations, path.child("tolerations")));
  if (list(spec.hostAliases).length) errs.push(...validateHostAliases(spec.hostAliases, path.child("hostAliases")));
  if (spec.priorityClassName !== undefined) append(errs, subdomainErrors(str(spec.priorityClassName), path.child("priorityClassName")));
  const runtimeClass = optStr(spec.runtimeClassName);
  if (runtimeClass !== undefined) for (const m of validateName(runtimeClass, "dns-subdomain")) errs.push(invalid(path.child("runtimeClassName"), runtimeClass, m));
  const preemption = optStr(spec.preemptionPolicy);
  if (preemption !== undefined) {
    if (preemption === "") errs.push(required(path.child("preemptionPolicy"), ""));
    else if (preemption !== "PreemptLowerPriority" && preemption !== "Never") errs.push(notSupported(path.child("preemptionPolicy"), preemption, ["PreemptLowerPriority", "Never"]));
  }
  if (obj(spec.overhead)) errs.push(...validateContainerResourceRequirements({ limits: spec.overhead }, new Set(), path.child("overhead"), opts));
  const os = obj(spec.os);
  if (os) {
    const osErrs = validateOS(os, path.child("os"));
    if (osErrs.length) errs.push(...osErrs);
    else if (os.name === "linux") errs.push(...validateLinux(spec, path));
    else if (os.name === "windows") errs.push(...validateWindows(spec, path));
  }
  return errs;
}

/**
 * `ValidatePodTemplateSpec` with resolved options: the template's labels and annotations, its
 * spec, annotation/field agreement, no ephemeral containers; then the workload's allowed restart
 * policies.
 */
export function validatePodTemplateSpecResolved(template: Obj, path: FieldPath, opts: ResolvedPodOptions, ctx: ApiContext, restartPolicies?: readonly string[]): FieldError[] {
  const meta = obj(template.metadata) ?? {};
  const spec = obj(template.spec) ?? {};
  const metaPath = path.child("metadata");
  // Kubernetes names the embedded ObjectMeta's fields without `metadata` (`spec.template.labels`);
  // the segments keep `metadata` so the error still points at the user's line.
  const metaErrs = validateLabels(meta.labels, metaPath.child("labels"));
  if (meta.annotations !== undefined) {
    append(metaErrs, validateAnnotations(meta.annotations, metaPath.child("annotations")));
    append(metaErrs, validatePodSpecificAnnotations(meta.annotations, spec, metaPath.child("annotations"), opts));
  }
  const errs = asEmbedded(metaErrs, metaPath, path);
  const specPath = path.child("spec");
  append(errs, validatePodSpecResolved(spec, undefined, specPath, opts, ctx));
  if (meta.annotations !== undefined) {
    append(errs, validateSeccompAnnotationsAndFields(meta.annotations, spec, specPath));
    append(errs, validateAppArmorAnnotationsAndFields(meta.annotations, spec, specPath));
  }
  if (list(spec.ephemeralContainers).length) errs.push(forbidden(path.child("spec").child("ephemeralContainers"), "ephemeral containers not allowed in pod template"));
  const rp = str(spec.restartPolicy);
  if (restartPolicies && rp !== undefined && !restartPolicies.includes(rp)) errs.push(notSupported(path.child("spec").child("restartPolicy"), rp, restartPolicies));
  return errs;
}

/** Errors found under `metaPath` printed as Kubernetes prints an embedded ObjectMeta's fields (under `path`). */
export function asEmbedded(errs: FieldError[], metaPath: FieldPath, path: FieldPath): FieldError[] {
  if (errs.length === 0) return errs;
  const from = metaPath.toString();
  const to = path.toString();
  for (const e of errs) if (e.field.startsWith(from)) e.field = to + e.field.slice(from.length);
  return errs;
}
