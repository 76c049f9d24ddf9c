/**
 * `dropDisabledFields` of pkg/api/pod/util.go: fields of a pod spec whose feature gate is off in
 * the minor are cleared on create and update, unless the stored object already uses them — the
 * apiserver stores the object without them and validates what is left.
 */
import type { ApiContext } from "../context.js";
import { list, obj, objects, type Obj } from "./json.js";
import { isRecord } from "../../meta/values.js";

type Containers = Obj[];

const ALL_CONTAINERS = ["initContainers", "containers", "ephemeralContainers"] as const;

function containers(spec: Obj, kinds: readonly string[] = ALL_CONTAINERS): Containers {
  const out: Containers = [];
  for (const k of kinds) {
    const items = spec[k];
    if (!Array.isArray(items)) continue;
    for (const c of items) if (isRecord(c)) out.push(c);
  }
  return out;
}

function anyContainer(spec: Obj | undefined, test: (c: Obj) => boolean, kinds?: readonly string[]): boolean {
  return spec ? containers(spec, kinds).some(test) : false;
}

function affinityTerms(spec: Obj): Obj[] {
  const affinity = obj(spec.affinity);
  const terms: Obj[] = [];
  for (const kind of ["podAffinity", "podAntiAffinity"]) {
    const a = obj(affinity?.[kind]);
    for (const [t] of objects(a?.requiredDuringSchedulingIgnoredDuringExecution)) terms.push(t);
    for (const [w] of objects(a?.preferredDuringSchedulingIgnoredDuringExecution)) {
      const t = obj(w.podAffinityTerm);
      if (t) terms.push(t);
    }
  }
  return terms;
}

function projectedSources(spec: Obj | undefined): Obj[] {
  const out: Obj[] = [];
  const volumes = spec?.volumes;
  if (!Array.isArray(volumes)) return out;
  for (const v of volumes) {
    const sources = isRecord(v) ? obj(v.projected)?.sources : undefined;
    if (!Array.isArray(sources)) continue;
    for (const s of sources) if (isRecord(s)) out.push(s);
  }
  return out;
}

const has = (v: unknown) => v !== undefined && v !== null;

/**
 * Clear the fields of a pod spec whose feature gate is off in the context's minor and which the
 * stored spec (`oldSpec`, on update) does not use, in place.
 *
 * @example
 * dropDisabledPodSpecFields(spec, undefined, apiContext({ minor: 28 })); // init containers lose `restartPolicy`
 */
export function dropDisabledPodSpecFields(spec: Obj, oldSpec: Obj | undefined, ctx: ApiContext): void {
  // The containers' objects stay the same while fields inside them are dropped: listed once.
  let all: Containers | undefined;
  const sc = obj(spec.securityContext);
  const oldSc = obj(oldSpec?.securityContext);
  if (!ctx.gate("UserNamespacesSupport") && !has(oldSpec?.hostUsers)) delete spec.hostUsers;
  if (!ctx.gate("SupplementalGroupsPolicy") && !has(oldSc?.supplementalGroupsPolicy) && sc) delete sc.supplementalGroupsPolicy;
  if (!ctx.gate("PodLevelResources") && !has(oldSpec?.resources)) delete spec.resources;
  if (!ctx.gate("ProcMountType") && !anyContainer(oldSpec, (c) => has(obj(c.securityContext)?.procMount) && obj(c.securityContext)?.procMount !== "Default")) {
    for (const c of (all ??= containers(spec))) {
      const csc = obj(c.securityContext);
      if (csc && has(csc.procMount)) csc.procMount = "Default";
    }
  }
  if (!ctx.gate("MatchLabelKeysInPodAffinity") && !(oldSpec && affinityTerms(oldSpec).some((t) => list(t.matchLabelKeys).length || list(t.mismatchLabelKeys).length))) {
    for (const t of affinityTerms(spec)) {
      delete t.matchLabelKeys;
      delete t.mismatchLabelKeys;
    }
  }
  if (!ctx.gate("DynamicResourceAllocation") && list(oldSpec?.resourceClaims).length === 0) {
    for (const c of (all ??= containers(spec))) {
      const resources = obj(c.resources);
      if (resources) delete resources.claims;
    }
    delete spec.resourceClaims;
  }
  // ClusterTrustBundleProjection and PodCertificateRequest are off by default in every minor served.
  const oldSources = projectedSources(oldSpec);
  // Deleting a field of a source leaves the list of sources as it was: it is made once.
  const sources = projectedSources(spec);
  for (const field of ["clusterTrustBundle", "podCertificate"] as const) {
    if (oldSources.some((s) => has(s[field]))) continue;
    for (const s of sources) delete s[field];
  }
  if (!ctx.gate("InPlacePodVerticalScaling") && !anyContainer(oldSpec, (c) => list(c.resizePolicy).length > 0)) {
    for (const c of (all ??= containers(spec))) delete c.resizePolicy;
  }
  if (!ctx.gate("SidecarContainers") && !anyContainer(oldSpec, (c) => has(c.restartPolicy), ["initContainers"])) {
    for (const c of containers(spec, ["initContainers"])) delete c.restartPolicy;
  }
  if (!ctx.gate("ContainerRestartRules") && ctx.minor >= 34 && !anyContainer(oldSpec, (c) => has(c.restartPolicyRules) || has(c.restartPolicy), ["containers"])) {
    for (const c of containers(spec, ["containers", "ephemeralContainers"])) {
      delete c.restartPolicy;
      delete c.restartPolicyRules;
    }
    for (const c of containers(spec, ["initContainers"])) delete c.restartPolicyRules;
  }
  if (!ctx.gate("RecursiveReadOnlyMounts") && !anyContainer(oldSpec, (c) => objects(c.volumeMounts).some(([m]) => has(m.recursiveReadOnly)))) {
    for (const c of (all ??= containers(spec))) for (const [m] of objects(c.volumeMounts)) delete m.recursiveReadOnly;
  }
  if (!ctx.gate("HostnameOverride") && !has(oldSpec?.hostnameOverride)) delete spec.hostnameOverride;
  if (!ctx.gate("EnvFiles") && !anyContainer(oldSpec, (c) => objects(c.env).some(([e]) => has(obj(e.valueFrom)?.fileKeyRef)))) {
    for (const c of (all ??= containers(spec))) for (const [e] of objects(c.env)) delete obj(e.valueFrom)?.fileKeyRef;
  }
  if (!ctx.gate("PodLifecycleSleepAction") && !anyContainer(oldSpec, (c) => ["preStop", "postStart"].some((h) => has(obj(obj(obj(c.lifecycle)?.[h]))?.sleep)))) {
    for (const c of (all ??= containers(spec))) {
      const lifecycle = obj(c.lifecycle);
      if (!lifecycle) continue;
      for (const h of ["preStop", "postStart"]) {
        const handler = obj(lifecycle[h]);
        if (!handler || !has(handler.sleep)) continue;
        delete handler.sleep;
        if (!has(handler.exec) && !has(handler.httpGet) && !has(handler.tcpSocket)) delete lifecycle[h];
      }
      if (!has(lifecycle.preStop) && !has(lifecycle.postStart) && !has(lifecycle.stopSignal)) delete c.lifecycle;
    }
  }
  dropImageVolumes(spec, oldSpec, ctx);
  if (!ctx.gate("AppArmorFields") && !anyContainer(oldSpec, (c) => has(obj(c.securityContext)?.appArmorProfile)) && !has(oldSc?.appArmorProfile)) {
    if (sc) delete sc.appArmorProfile;
    for (const c of (all ??= containers(spec))) delete obj(c.securityContext)?.appArmorProfile;
  }
  if (!ctx.gate("SELinuxChangePolicy") && !has(oldSc?.seLinuxChangePolicy) && sc) delete sc.seLinuxChangePolicy;
  // ContainerStopSignals is alpha (off) in every minor that has the field.
  if (!anyContainer(oldSpec, (c) => has(obj(c.lifecycle)?.stopSignal))) {
    for (const c of (all ??= containers(spec))) {
      const lifecycle = obj(c.lifecycle);
      if (!lifecycle || !has(lifecycle.stopSignal)) continue;
      delete lifecycle.stopSignal;
      if (!has(lifecycle.preStop) && !has(lifecycle.postStart)) delete c.lifecycle;
    }
  }
}

/** `dropImageVolumes`: image volumes and the mounts naming them, while the gate is off. */
function dropImageVolumes(spec: Obj, oldSpec: Obj | undefined, ctx: ApiContext): void {
  if (ctx.gate("ImageVolume") || objects(oldSpec?.volumes).some(([v]) => has(v.image))) return;
  const names = new Set(objects(spec.volumes).filter(([v]) => has(v.image)).map(([v]) => v.name));
  if (names.size === 0) return;
  spec.volumes = list(spec.volumes).filter((v) => !(obj(v) && has(obj(v)!.image)));
  for (const c of containers(spec)) {
    if (Array.isArray(c.volumeMounts)) c.volumeMounts = c.volumeMounts.filter((m) => !(obj(m) && names.has(obj(m)!.name)));
  }
}
