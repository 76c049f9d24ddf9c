/**
 * `Warning` texts kube-apiserver returns for pods and pod templates (pkg/api/pod/warnings.go):
 * deprecated node labels and annotations, deprecated volume plugins, duplicates that apply would
 * drop, fractional byte quantities, overlapping volume paths, ambiguous ports.
 */
import type { ApiContext } from "../context.js";
import { FieldPath } from "../field.js";
import { Quantity } from "../validation/quantity.js";
import { num, obj, objects, str, stringMap, type Obj } from "./json.js";
import { isRecord } from "../../meta/values.js";
import { containersOf } from "./security-context.js";

// A Map, not an object literal: looking a label read from a manifest up in a constant object made
// V8's optimized code check the key against the one name it had seen by identity, and a key sliced
// from the document's text never is that string, so the function was deoptimized and compiled
// again over and over (a third of a run's time on workload manifests).
const DEPRECATED_NODE_LABELS = new Map<string, string>(Object.entries({
  "beta.kubernetes.io/arch": 'deprecated since v1.14; use "kubernetes.io/arch" instead',
  "beta.kubernetes.io/os": 'deprecated since v1.14; use "kubernetes.io/os" instead',
  "failure-domain.beta.kubernetes.io/region": 'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
  "failure-domain.beta.kubernetes.io/zone": 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
  "beta.kubernetes.io/instance-type": 'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
}));

const DEPRECATED_ANNOTATIONS: [string, string][] = [
  ["scheduler.alpha.kubernetes.io/critical-pod", 'non-functional in v1.16+; use the "priorityClassName" field instead'],
  ["security.alpha.kubernetes.io/sysctls", 'non-functional in v1.11+; use the "sysctls" field instead'],
  ["security.alpha.kubernetes.io/unsafe-sysctls", 'non-functional in v1.11+; use the "sysctls" field instead'],
];

const BYTE_RESOURCES = ["memory", "ephemeral-storage"];
const POD_AFFINITY_KINDS = ["podAffinity", "podAntiAffinity"];
const NO_ITEMS: readonly [Obj, number][] = [];

function append(out: string[], more: readonly string[]): void {
  for (let i = 0; i < more.length; i++) out.push(more[i]!);
}
const RESOURCE_KINDS = ["limits", "requests"];

const DEPRECATED_VOLUMES: [string, string, string, number][] = [
  ["photonPersistentDisk", "photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+", 0],
  ["gitRepo", "gitRepo", "deprecated in v1.11", 0],
  ["scaleIO", "scaleIO", "deprecated in v1.16, non-functional in v1.22+", 0],
  ["flocker", "flocker", "deprecated in v1.22, non-functional in v1.25+", 0],
  ["storageos", "storageOS", "deprecated in v1.22, non-functional in v1.25+", 0],
  ["quobyte", "quobyte", "deprecated in v1.22, non-functional in v1.25+", 0],
  ["glusterfs", "glusterfs", "deprecated in v1.25, non-functional in v1.26+", 0],
  ["cephfs", "cephfs", "deprecated in v1.28, non-functional in v1.31+", 31],
  ["rbd", "rbd", "deprecated in v1.28, non-functional in v1.31+", 31],
];

const DEPRECATED_VOLUME_FIELDS = new Set(DEPRECATED_VOLUMES.map(([field]) => field));
const hasOwn = Object.prototype.hasOwnProperty;

/** Whether a volume has a field of a deprecated source (its own few keys read, not the nine sources looked up). */
function hasDeprecatedSource(v: Obj): boolean {
  for (const k in v) if (hasOwn.call(v, k) && DEPRECATED_VOLUME_FIELDS.has(k)) return true;
  return false;
}

/** Whether a short list of objects has no two `name`s alike (as `str` reads them), found without a Set. */
function surelyDistinctNames(items: readonly [Obj, number][]): boolean {
  if (items.length > 16) return false;
  for (let i = 1; i < items.length; i++) {
    const a = str(items[i]![0].name) ?? "";
    for (let j = 0; j < i; j++) if ((str(items[j]![0].name) ?? "") === a) return false;
  }
  return true;
}

/**
 * `GetWarningsForNodeSelectorTerm` (pkg/api/node): deprecated node labels among a term's keys.
 *
 * @example
 * nodeSelectorTermWarnings({ matchExpressions: [{ key: "beta.kubernetes.io/os", operator: "Exists" }] }, FieldPath.of("terms").index(0));
 */
export function nodeSelectorTermWarnings(term: Obj, path: FieldPath): string[] {
  const out: string[] = [];
  for (const [e, i] of objects(term.matchExpressions)) {
    const key = str(e.key) ?? "";
    const msg = DEPRECATED_NODE_LABELS.get(key);
    if (msg) out.push(`${path.child("matchExpressions").index(i).child("key")}: ${key} is ${msg}`);
  }
  return out;
}

/**
 * The quantity's canonical text when it is not a whole number (`MilliValue() % 1000 != 0`), else undefined.
 *
 * @example
 * isFractional("1.5"); // "1500m"
 */
export function isFractional(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const q = Quantity.from(v);
  // A whole number of units or more (`256Mi`, `1G`) is never fractional: no BigInt arithmetic for it.
  if (!q || q.exp >= 0) return undefined;
  return q.scaledValue(-3) % 1000n !== 0n ? q.toString() : undefined;
}

/**
 * `GetWarningsForPersistentVolumeClaimSpec` (pkg/api/persistentvolumeclaim): a fractional byte
 * count in the claim's storage request or limit. Shared by claims, pods' ephemeral volumes and
 * StatefulSets' claim templates.
 *
 * @example
 * claimSpecWarnings({ resources: { requests: { storage: "1.5" } } }, FieldPath.of("spec"));
 * // ['spec.resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer']
 */
export function claimSpecWarnings(spec: Obj, path: FieldPath): string[] {
  const resources = obj(spec.resources);
  if (!resources) return [];
  const out: string[] = [];
  for (const kind of ["requests", "limits"]) {
    const f = isFractional(obj(resources[kind])?.storage);
    if (f) out.push(`${path.child("resources").child(kind).key("storage")}: fractional byte value ${JSON.stringify(f)} is invalid, must be an integer`);
  }
  return out;
}

function overlapWarnings(paths: string[], message: string): string[] {
  const out: string[] = [];
  const seen: string[] = [];
  for (const p of paths) {
    const normalized = p.replace(/\/+$/, "");
    let collision = "";
    for (const item of seen) {
      if (item === "" || normalized === "") break;
      if (item === normalized || `${item}/`.startsWith(normalized) || `${normalized}/`.startsWith(item)) {
        collision = item;
        break;
      }
    }
    if (collision) out.push(`${message}: ${JSON.stringify(normalized)} with ${JSON.stringify(collision)}`);
    if (!seen.includes(normalized)) seen.push(normalized);
  }
  return out;
}

/** Whether a volume has what {@link volumeOverlapWarnings} looks at: items of a configMap, secret or downwardAPI, or a projected volume. */
function hasOverlapSources(v: Obj): boolean {
  return Array.isArray(obj(v.configMap)?.items) || Array.isArray(obj(v.secret)?.items) || Array.isArray(obj(v.downwardAPI)?.items) || obj(v.projected) !== undefined;
}

function itemPaths(items: unknown): string[] {
  return objects(items).map(([i]) => str(i.path) ?? "");
}

function volumeOverlapWarnings(volumes: unknown): string[] {
  const out: string[] = [];
  for (const [v] of objects(volumes)) {
    if (!hasOverlapSources(v)) continue;
    const name = JSON.stringify(str(v.name) ?? "");
    const cm = obj(v.configMap);
    if (cm && Array.isArray(cm.items)) out.push(...overlapWarnings(itemPaths(cm.items), `volume ${name} (ConfigMap ${JSON.stringify(str(cm.name) ?? "")}): overlapping paths`));
    const secret = obj(v.secret);
    if (secret && Array.isArray(secret.items)) out.push(...overlapWarnings(itemPaths(secret.items), `volume ${name} (Secret ${JSON.stringify(str(secret.secretName) ?? "")}): overlapping paths`));
    const downward = obj(v.downwardAPI);
    if (downward && Array.isArray(downward.items)) out.push(...overlapWarnings(itemPaths(downward.items), `volume ${name} (DownwardAPI): overlapping paths`));
    const projected = obj(v.projected);
    if (!projected) continue;
    const all = new Set<string>();
    for (const [source] of objects(projected.sources)) {
      if (Object.values(source).every((x) => x === undefined || x === null)) {
        out.push(`volume ${name} (Projected) has no sources provided`);
        continue;
      }
      let paths: string[] = [];
      let message = "";
      const scm = obj(source.configMap);
      const ssec = obj(source.secret);
      const sdown = obj(source.downwardAPI);
      const token = obj(source.serviceAccountToken);
      const bundle = obj(source.clusterTrustBundle);
      if (scm && Array.isArray(scm.items)) [paths, message] = [itemPaths(scm.items), `volume ${name} (Projected ConfigMap ${JSON.stringify(str(scm.name) ?? "")}): overlapping paths`];
      else if (ssec && Array.isArray(ssec.items)) [paths, message] = [itemPaths(ssec.items), `volume ${name} (Projected Secret ${JSON.stringify(str(ssec.name) ?? "")}): overlapping paths`];
      else if (sdown && Array.isArray(sdown.items)) [paths, message] = [itemPaths(sdown.items), `volume ${name} (Projected DownwardAPI): overlapping paths`];
      else if (token) [paths, message] = [[str(token.path) ?? ""], `volume ${name} (Projected ServiceAccountToken): overlapping paths`];
      else if (bundle) [paths, message] = [[str(bundle.path) ?? ""], `volume ${name} (Projected ClusterTrustBundle ${JSON.stringify(str(bundle.name ?? bundle.signerName) ?? "")}): overlapping paths`];
      if (paths.length === 0) continue;
      out.push(...overlapWarnings(paths, message));
      const unique = [...new Set(paths)];
      out.push(...overlapWarnings([...unique, ...all].sort(), message));
      for (const p of unique) all.add(p);
    }
  }
  return out;
}

function portText(p: Obj): string {
  return `{Name:${str(p.name) ?? ""} HostPort:${num(p.hostPort) ?? 0} ContainerPort:${num(p.containerPort) ?? 0} Protocol:${str(p.protocol) ?? ""} HostIP:${str(p.hostIP) ?? ""}}`;
}

/** Whether the annotations have a string value at `key` (as `stringMap` reads them). */
function hasAnnotation(annotations: Obj | undefined, key: string): boolean {
  return annotations !== undefined && Object.hasOwn(annotations, key) && typeof annotations[key] === "string";
}

/** A port's path as `FieldPath` prints it, under the spec's printed path. */
function portPath(specText: string, key: string, ci: number, pi: number): string {
  return `${specText}.${key}[${ci}].ports[${pi}]`;
}

interface SeenPort {
  listKey: string;
  ci: number;
  pi: number;
  port: Obj;
  containerPort: number;
  protocol: string;
}

/** `warningsForPodSpecAndMeta`: `base` is the template's path (undefined for a pod). */
function warningsForPodSpecAndMeta(base: FieldPath, isTemplate: boolean, spec: Obj, meta: Obj, ctx: ApiContext): string[] {
  const out: string[] = [];
  const specPath = base.child("spec");
  const annotationsPath = base.child("metadata").child("annotations");
  if (spec.nodeSelector !== undefined) {
    for (const [k] of stringMap(spec.nodeSelector)) {
      const msg = DEPRECATED_NODE_LABELS.get(k);
      if (msg) out.push(`${specPath.child("nodeSelector").key(k)}: ${msg}`);
    }
  }
  const na = obj(obj(spec.affinity)?.nodeAffinity);
  if (na) {
    const termsPath = specPath.child("affinity").child("nodeAffinity").child("requiredDuringSchedulingIgnoredDuringExecution").child("nodeSelectorTerms");
    for (const [t, i] of objects(obj(na.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms)) out.push(...nodeSelectorTermWarnings(t, termsPath.index(i)));
    const prefPath = specPath.child("affinity").child("nodeAffinity").child("preferredDuringSchedulingIgnoredDuringExecution");
    for (const [t, i] of objects(na.preferredDuringSchedulingIgnoredDuringExecution)) out.push(...nodeSelectorTermWarnings(obj(t.preference) ?? {}, prefPath.index(i).child("preference")));
  }
  for (const [t, i] of objects(spec.topologySpreadConstraints)) {
    const key = str(t.topologyKey) ?? "";
    const deprecated = DEPRECATED_NODE_LABELS.get(key);
    if (deprecated) out.push(`${specPath.child("topologySpreadConstraints").index(i).child("topologyKey")}: ${key} is ${deprecated}`);
    if (t.labelSelector === undefined || t.labelSelector === null) out.push(`${specPath.child("topologySpreadConstraints").index(i).child("labelSelector")}: a null labelSelector results in matching no pod`);
  }
  const annotationMap = obj(meta.annotations);
  for (const [key, message] of DEPRECATED_ANNOTATIONS) if (hasAnnotation(annotationMap, key)) out.push(`${annotationsPath.key(key)}: ${message}`);
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  for (let i = 0; i < volumes.length; i++) {
    const v: unknown = volumes[i];
    if (!isRecord(v)) continue;
    // An ephemeral volume's claim template is checked as a claim's spec is, between the glusterfs
    // and cephfs warnings (Go's order).
    const claimTemplate = isRecord(v.ephemeral) ? obj(v.ephemeral.volumeClaimTemplate) : undefined;
    if (!claimTemplate && !hasDeprecatedSource(v)) continue;
    for (const [field, label, message, since] of DEPRECATED_VOLUMES) {
      if (claimTemplate && field === "cephfs") append(out, claimSpecWarnings(obj(claimTemplate.spec) ?? {}, specPath.child("volumes").index(i).child("ephemeral").child("volumeClaimTemplate").child("spec")));
      if (v[field] !== undefined && v[field] !== null && ctx.minor >= since) out.push(`${specPath.child("volumes").index(i).child(label)}: ${message}`);
    }
  }
  if (volumes.length) append(out, volumeOverlapWarnings(volumes));
  const hostAliases = Array.isArray(spec.hostAliases) && spec.hostAliases.length > 1 ? objects(spec.hostAliases) : NO_ITEMS;
  if (hostAliases.length > 1) {
    const seen = new Set<string>();
    for (const [h, i] of hostAliases) {
      const ip = str(h.ip) ?? "";
      if (seen.has(ip)) out.push(`${specPath.child("hostAliases").index(i).child("ip")}: duplicate ip ${JSON.stringify(ip)}`);
      else seen.add(ip);
    }
  }
  const pullSecrets = spec.imagePullSecrets !== undefined ? objects(spec.imagePullSecrets) : NO_ITEMS;
  if (pullSecrets.length > 1) {
    const seen = new Set<string>();
    for (const [s, i] of pullSecrets) {
      const name = str(s.name) ?? "";
      if (seen.has(name)) out.push(`${specPath.child("imagePullSecrets").index(i).child("name")}: duplicate name ${JSON.stringify(name)}`);
      else seen.add(name);
    }
  }
  for (const [s, i] of pullSecrets) if ((str(s.name) ?? "") === "") out.push(`${specPath.child("imagePullSecrets").index(i).child("name")}: invalid empty name ""`);
  const overhead = obj(spec.overhead);
  if (overhead) {
    for (const r of BYTE_RESOURCES) {
      const f = isFractional(overhead[r]);
      if (f) out.push(`${specPath.child("overhead").key(r)}: fractional byte value ${JSON.stringify(f)} is invalid, must be an integer`);
    }
  }
  const podSc = obj(spec.securityContext);
  const seccompPod = "seccomp.security.alpha.kubernetes.io/pod";
  if (!obj(podSc?.seccompProfile) && hasAnnotation(annotationMap, seccompPod)) out.push(`${annotationsPath.key(seccompPod)}: non-functional in v1.27+; use the "seccompProfile" field instead`);
  const hasPodAppArmor = !!obj(podSc?.appArmorProfile);
  // A container's path is made only for a warning about it.
  const containers = containersOf(spec);
  for (const [c, listKey, ci] of containers) {
    const name = str(c.name) ?? "";
    const csc = obj(c.securityContext);
    if (annotationMap !== undefined) {
      const seccompKey = `container.seccomp.security.alpha.kubernetes.io/${name}`;
      if (!obj(csc?.seccompProfile) && hasAnnotation(annotationMap, seccompKey)) out.push(`${annotationsPath.key(seccompKey)}: non-functional in v1.27+; use the "seccompProfile" field instead`);
      const appArmorKey = `container.apparmor.security.beta.kubernetes.io/${name}`;
      if (ctx.minor >= 30 && isTemplate && !hasPodAppArmor && !obj(csc?.appArmorProfile) && hasAnnotation(annotationMap, appArmorKey)) {
        out.push(`${annotationsPath.key(appArmorKey)}: deprecated since v1.30; use the "appArmorProfile" field instead`);
      }
    }
    const resources = obj(c.resources);
    if (resources) {
      for (const r of BYTE_RESOURCES) {
        for (const kind of RESOURCE_KINDS) {
          const f = isFractional(obj(resources[kind])?.[r]);
          if (f) out.push(`${specPath.child(listKey).index(ci).child("resources").child(kind).key(r)}: fractional byte value ${JSON.stringify(f)} is invalid, must be an integer`);
        }
      }
    }
    const env = Array.isArray(c.env) && c.env.length > 1 ? objects(c.env) : NO_ITEMS;
    if (env.length > 1 && !surelyDistinctNames(env)) {
      const seen = new Set<string>();
      for (const [e, i] of env) {
        const envName = str(e.name) ?? "";
        if (!seen.has(envName)) {
          seen.add(envName);
          continue;
        }
        const ref = `$(${envName})`;
        const value = str(e.value) ?? "";
        if ((e.valueFrom !== undefined && e.valueFrom !== null) || value === ref || !value.includes(ref)) {
          out.push(`${specPath.child(listKey).index(ci).child("env").index(i)}: hides previous definition of ${JSON.stringify(envName)}, which may be dropped when using apply`);
        }
      }
    }
  }
  // Each port against the earlier ones with its containerPort and protocol, in order (a pod has a few).
  const seen: SeenPort[] = [];
  let specText: string | undefined;
  for (const [c, listKey, ci] of containers) {
    const ports = c.ports;
    if (!Array.isArray(ports)) continue;
    for (let i = 0; i < ports.length; i++) {
      const port: unknown = ports[i];
      if (!isRecord(port)) continue;
      const hostIP = str(port.hostIP) ?? "";
      const hostPort = num(port.hostPort) ?? 0;
      if (hostIP !== "" && hostPort === 0) out.push(`${portPath((specText ??= specPath.toString()), listKey, ci, i)}: hostIP set without hostPort: ${portText(port)}`);
      const containerPort = num(port.containerPort) ?? 0;
      const protocol = str(port.protocol) ?? "";
      for (const other of seen) {
        if (other.containerPort !== containerPort || other.protocol !== protocol) continue;
        const otherIP = str(other.port.hostIP) ?? "";
        const otherPort = num(other.port.hostPort) ?? 0;
        let what: string | undefined;
        if (hostIP === otherIP && hostPort === otherPort) what = "duplicate";
        else if (hostPort === 0 || otherPort === 0) what = "overlapping";
        else if (hostPort === otherPort && (hostIP === "") !== (otherIP === "")) what = "dangerously ambiguous";
        if (what) {
          specText ??= specPath.toString();
          out.push(`${portPath(specText, listKey, ci, i)}: ${what} port definition with ${portPath(specText, other.listKey, other.ci, other.pi)}`);
        }
      }
      seen.push({ listKey, ci, pi: i, port, containerPort, protocol });
    }
  }
  const grace = num(spec.terminationGracePeriodSeconds);
  if (grace !== undefined && grace < 0) out.push(`${specPath.child("terminationGracePeriodSeconds")}: must be >= 0; negative values are invalid and will be treated as 1`);
  const affinity = obj(spec.affinity);
  for (const kind of POD_AFFINITY_KINDS) {
    const a = obj(affinity?.[kind]);
    if (!a) continue;
    for (const [t, i] of objects(a.requiredDuringSchedulingIgnoredDuringExecution)) {
      if (t.labelSelector === undefined || t.labelSelector === null) out.push(`${specPath.child("affinity").child(kind).child("requiredDuringSchedulingIgnoredDuringExecution").index(i).child("labelSelector")}: a null labelSelector results in matching no pod`);
    }
    for (const [t, i] of objects(a.preferredDuringSchedulingIgnoredDuringExecution)) {
      const term = obj(t.podAffinityTerm);
      if (!term || term.labelSelector === undefined || term.labelSelector === null) {
        out.push(`${specPath.child("affinity").child(kind).child("preferredDuringSchedulingIgnoredDuringExecution").index(i).child("podAffinityTerm").child("labelSelector")}: a null labelSelector results in matching no pod`);
      }
    }
  }
  return out;
}

/**
 * `GetWarningsForPod`.
 *
 * @example
 * podWarnings({ spec: { nodeSelector: { "beta.kubernetes.io/os": "linux" } } }, undefined, ctx);
 * // ['spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead']
 */
export function podWarnings(pod: Obj, old: Obj | undefined, ctx: ApiContext): string[] {
  void old;
  const spec = obj(pod.spec);
  return spec ? warningsForPodSpecAndMeta(FieldPath.root(), false, spec, obj(pod.metadata) ?? {}, ctx) : [];
}

/**
 * `GetWarningsForPodTemplate`: the warnings of a template at `path` (`spec.template`).
 *
 * @example
 * podTemplateWarnings(deployment.spec.template, FieldPath.of("spec", "template"), undefined, ctx);
 */
export function podTemplateWarnings(template: Obj | undefined, path: FieldPath, old: Obj | undefined, ctx: ApiContext): string[] {
  void old;
  if (!template) return [];
  return warningsForPodSpecAndMeta(path, true, obj(template.spec) ?? {}, obj(template.metadata) ?? {}, ctx);
}

