/**
 * The Pod Security Standards checks of k8s.io/pod-security-admission/policy (`check_*.go`): each
 * check has an id, a level and one function per policy version it changed in; a function answers
 * with the reason and detail kube-apiserver prints.
 */

/** A pod spec or pod template spec, as read by the checks (any other field is ignored). */
export type PodSpecLike = Record<string, unknown>;
/** The metadata of a pod or pod template (annotations are read by the pre-1.19 seccomp and AppArmor checks). */
export interface PodMetaLike {
  name?: string;
  annotations?: Record<string, string>;
}

/** One check's answer: allowed, or the reason (and optional detail) it forbids the pod. */
export type CheckResult = { allowed: true } | { allowed: false; reason: string; detail: string };

/** A check function for one range of policy versions. */
export type CheckPod = (meta: PodMetaLike, spec: PodSpecLike) => CheckResult;

/** A check with the versions it changed in (`minor` is the first policy version 1.minor of each). */
export interface Check {
  id: string;
  level: "baseline" | "restricted";
  versions: { minor: number; check: CheckPod; overrides?: readonly string[] }[];
}

type Obj = Record<string, unknown>;
const ALLOWED: CheckResult = { allowed: true };

const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => obj(x) ?? {}) : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const podSecurityContext = (spec: PodSpecLike): Obj | undefined => obj(spec.securityContext);
const containerSecurityContext = (c: Obj): Obj | undefined => obj(c.securityContext);

/** Init containers, containers, then ephemeral containers, as the policy's visitor walks them. */
function containers(spec: PodSpecLike): Obj[] {
  return [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)];
}

function joinQuote(items: readonly string[]): string {
  return items.length ? `"${items.join('", "')}"` : "";
}

function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** Go's `sets.NewString(...).List()`: distinct, sorted by bytes. */
function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(byteOrder);
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const containerNames = (names: readonly string[]): string => `${pluralize("container", "containers", names.length)} ${joinQuote(names)}`;

const forbid = (reason: string, detail = ""): CheckResult => ({ allowed: false, reason, detail });

const isWindowsPod = (spec: PodSpecLike): boolean => str(obj(spec.os)?.name) === "windows";

/** A pod in a user namespace (`hostUsers: false`), which policy 1.35 relaxes some checks for. */
const inUserNamespace = (spec: PodSpecLike): boolean => spec.hostUsers === false;

/** Skips Windows pods, as the 1.25 versions of the Linux-only restricted checks do. */
const linuxOnly = (check: CheckPod): CheckPod => (meta, spec) => (isWindowsPod(spec) ? ALLOWED : check(meta, spec));
const exceptUserNamespaces = (check: CheckPod): CheckPod => (meta, spec) => (inUserNamespace(spec) ? ALLOWED : check(meta, spec));

const allowPrivilegeEscalation: CheckPod = (_meta, spec) => {
  const bad = containers(spec).filter((c) => containerSecurityContext(c)?.allowPrivilegeEscalation !== false).map((c) => str(c.name));
  return bad.length ? forbid("allowPrivilegeEscalation != false", `${containerNames(bad)} must set securityContext.allowPrivilegeEscalation=false`) : ALLOWED;
};

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

const appArmorProfile: CheckPod = (meta, spec) => {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  const allowedType = (p: Obj) => p.type === "RuntimeDefault" || p.type === "Localhost";
  const podProfile = obj(podSecurityContext(spec)?.appArmorProfile);
  if (podProfile && !allowedType(podProfile)) {
    badSetters.push("pod");
    badValues.push(str(podProfile.type));
  }
  const badContainers: string[] = [];
  for (const c of containers(spec)) {
    const p = obj(containerSecurityContext(c)?.appArmorProfile);
    if (p && !allowedType(p)) {
      badContainers.push(str(c.name));
      badValues.push(str(p.type));
    }
  }
  if (badContainers.length) badSetters.push(containerNames(badContainers));
  const annotations = Object.entries(meta.annotations ?? {})
    .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(v === "" || v === "runtime/default" || v.startsWith("localhost/")))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .sort(byteOrder);
  const values = [...sortedSet(badValues), ...annotations];
  if (annotations.length) badSetters.push(pluralize("annotation", "annotations", annotations.length));
  if (!badSetters.length) return ALLOWED;
  return forbid(pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", values.length), `${badSetters.join(" and ")} must not set AppArmor profile type to ${joinQuote(values)}`);
};

const CAPABILITIES_BASELINE = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);

const capabilitiesBaseline: CheckPod = (_meta, spec) => {
  const bad: string[] = [];
  const caps: string[] = [];
  for (const c of containers(spec)) {
    const added = (obj(containerSecurityContext(c)?.capabilities)?.add as unknown[] | undefined) ?? [];
    const forbidden = (Array.isArray(added) ? added : []).map(str).filter((cap) => !CAPABILITIES_BASELINE.has(cap));
    if (forbidden.length) {
      bad.push(str(c.name));
      caps.push(...forbidden);
    }
  }
  return bad.length ? forbid("non-default capabilities", `${containerNames(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`) : ALLOWED;
};

const capabilitiesRestricted: CheckPod = (_meta, spec) => {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const caps: string[] = [];
  for (const c of containers(spec)) {
    const capabilities = obj(containerSecurityContext(c)?.capabilities);
    if (!capabilities) {
      missingDropAll.push(str(c.name));
      continue;
    }
    const drop = Array.isArray(capabilities.drop) ? capabilities.drop.map(str) : [];
    if (!drop.includes("ALL")) missingDropAll.push(str(c.name));
    const add = (Array.isArray(capabilities.add) ? capabilities.add.map(str) : []).filter((cap) => cap !== "NET_BIND_SERVICE");
    if (add.length) {
      addingForbidden.push(str(c.name));
      caps.push(...add);
    }
  }
  const details: string[] = [];
  if (missingDropAll.length) details.push(`${containerNames(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length) details.push(`${containerNames(addingForbidden)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
  return details.length ? forbid("unrestricted capabilities", details.join("; ")) : ALLOWED;
};

const hostNamespaces: CheckPod = (_meta, spec) => {
  const set = (["hostNetwork", "hostPID", "hostIPC"] as const).filter((f) => spec[f] === true).map((f) => `${f}=true`);
  return set.length ? forbid("host namespaces", set.join(", ")) : ALLOWED;
};

const hostPathVolumes: CheckPod = (_meta, spec) => {
  const bad = list(spec.volumes).filter((v) => obj(v.hostPath)).map((v) => str(v.name));
  return bad.length ? forbid("hostPath volumes", `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)}`) : ALLOWED;
};

const hostPorts: CheckPod = (_meta, spec) => {
  const bad: string[] = [];
  const ports = new Set<number>();
  for (const c of containers(spec)) {
    const used = list(c.ports).map((p) => p.hostPort).filter((p): p is number => typeof p === "number" && p !== 0);
    if (used.length) {
      bad.push(str(c.name));
      for (const p of used) ports.add(p);
    }
  }
  if (!bad.length) return ALLOWED;
  const portList = sortedSet([...ports].map(String));
  return forbid("hostPort", `${containerNames(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("hostPort", "hostPorts", portList.length)} ${portList.join(", ")}`);
};

const LOCAL_HOSTS = new Set(["127.0.0.1", "::1"]);

const hostProbesAndHostLifecycle: CheckPod = (_meta, spec) => {
  const bad: string[] = [];
  const hosts: string[] = [];
  for (const c of containers(spec)) {
    const lifecycle = obj(c.lifecycle);
    let valid = true;
    for (const handler of [c.livenessProbe, c.readinessProbe, c.startupProbe, lifecycle?.postStart, lifecycle?.preStop].map(obj)) {
      for (const action of [obj(handler?.httpGet), obj(handler?.tcpSocket)]) {
        const host = str(action?.host);
        if (host !== "" && !LOCAL_HOSTS.has(host)) {
          valid = false;
          hosts.push(host);
        }
      }
    }
    if (!valid) bad.push(str(c.name));
  }
  if (!bad.length) return ALLOWED;
  const hostList = sortedSet(hosts);
  return forbid("hostProbesOrHostLifecycle", `${containerNames(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("hostProbeOrHostLifecycle", "hostProbesOrHostLifecycles", hostList.length)} ${joinQuote(hostList)}`);
};

const privileged: CheckPod = (_meta, spec) => {
  const bad = containers(spec).filter((c) => containerSecurityContext(c)?.privileged === true).map((c) => str(c.name));
  return bad.length ? forbid("privileged", `${containerNames(bad)} must not set securityContext.privileged=true`) : ALLOWED;
};

const procMount: CheckPod = (_meta, spec) => {
  const bad: string[] = [];
  const types: string[] = [];
  for (const c of containers(spec)) {
    const value = containerSecurityContext(c)?.procMount;
    if (value === undefined || value === null || value === "Default") continue;
    bad.push(str(c.name));
    types.push(str(value));
  }
  return bad.length ? forbid("procMount", `${containerNames(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`) : ALLOWED;
};

const ALLOWED_VOLUME_SOURCES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret", "image"]);
const RESTRICTED_VOLUME_SOURCES = [
  "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs",
  "hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume",
];

const restrictedVolumes: CheckPod = (_meta, spec) => {
  const bad: string[] = [];
  const types: string[] = [];
  for (const v of list(spec.volumes)) {
    const sources = Object.keys(v).filter((k) => k !== "name" && v[k] !== null && v[k] !== undefined);
    if (sources.some((k) => ALLOWED_VOLUME_SOURCES.has(k))) continue;
    bad.push(str(v.name));
    types.push(RESTRICTED_VOLUME_SOURCES.find((k) => sources.includes(k)) ?? "unknown");
  }
  if (!bad.length) return ALLOWED;
  const typeList = sortedSet(types);
  return forbid("restricted volume types", `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("restricted volume type", "restricted volume types", typeList.length)} ${joinQuote(typeList)}`);
};

const runAsNonRoot: CheckPod = (_meta, spec) => {
  const badSetters: string[] = [];
  const pod = podSecurityContext(spec)?.runAsNonRoot;
  if (pod === false) badSetters.push("pod");
  const podNonRoot = pod === true;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containers(spec)) {
    const value = containerSecurityContext(c)?.runAsNonRoot;
    if (typeof value === "boolean") {
      if (!value) explicit.push(str(c.name));
    } else if (!podNonRoot) implicit.push(str(c.name));
  }
  if (explicit.length) badSetters.push(containerNames(explicit));
  if (badSetters.length) return forbid("runAsNonRoot != true", `${badSetters.join(" and ")} must not set securityContext.runAsNonRoot=false`);
  if (implicit.length) return forbid("runAsNonRoot != true", `pod or ${containerNames(implicit)} must set securityContext.runAsNonRoot=true`);
  return ALLOWED;
};

const runAsUser: CheckPod = (_meta, spec) => {
  const badSetters: string[] = [];
  if (podSecurityContext(spec)?.runAsUser === 0) badSetters.push("pod");
  const bad = containers(spec).filter((c) => containerSecurityContext(c)?.runAsUser === 0).map((c) => str(c.name));
  if (bad.length) badSetters.push(containerNames(bad));
  return badSetters.length ? forbid("runAsUser=0", `${badSetters.join(" and ")} must not set runAsUser=0`) : ALLOWED;
};

const seLinuxOptions = (allowedTypes: ReadonlySet<string>): CheckPod => (_meta, spec) => {
  const badSetters: string[] = [];
  const badTypes: string[] = [];
  let setUser = false;
  let setRole = false;
  const valid = (o: Obj): boolean => {
    let ok = true;
    if (!allowedTypes.has(str(o.type))) {
      ok = false;
      badTypes.push(str(o.type));
    }
    if (str(o.user)) [ok, setUser] = [false, true];
    if (str(o.role)) [ok, setRole] = [false, true];
    return ok;
  };
  const podOptions = obj(podSecurityContext(spec)?.seLinuxOptions);
  if (podOptions && !valid(podOptions)) badSetters.push("pod");
  const bad = containers(spec).filter((c) => {
    const o = obj(containerSecurityContext(c)?.seLinuxOptions);
    return o !== undefined && !valid(o);
  }).map((c) => str(c.name));
  if (bad.length) badSetters.push(containerNames(bad));
  if (!badSetters.length) return ALLOWED;
  const data: string[] = [];
  const types = sortedSet(badTypes);
  if (types.length) data.push(`${pluralize("type", "types", types.length)} ${joinQuote(types)}`);
  if (setUser) data.push("user may not be set");
  if (setRole) data.push("role may not be set");
  return forbid("seLinuxOptions", `${badSetters.join(" and ")} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}`);
};

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";
const validSeccompAnnotation = (v: string) => v === "runtime/default" || v === "docker/default" || v.startsWith("localhost/");
const validSeccompType = (t: unknown) => t === "Localhost" || t === "RuntimeDefault";

const seccompProfileBaselineAnnotations: CheckPod = (meta, spec) => {
  const annotations = meta.annotations ?? {};
  const forbidden: string[] = [];
  const check = (key: string) => {
    const v = annotations[key];
    if (v !== undefined && !validSeccompAnnotation(v)) forbidden.push(`${key}=${JSON.stringify(v)}`);
  };
  check(SECCOMP_POD_ANNOTATION);
  for (const c of containers(spec)) check(SECCOMP_CONTAINER_ANNOTATION_PREFIX + str(c.name));
  const found = sortedSet(forbidden);
  return found.length ? forbid("seccompProfile", `forbidden ${pluralize("annotation", "annotations", found.length)} ${found.join(", ")}`) : ALLOWED;
};

/** The seccomp field checks: the baseline one forbids bad values, the restricted one also requires a value. */
const seccompProfileFields = (required: boolean): CheckPod => (_meta, spec) => {
  const badSetters: string[] = [];
  const badValues: string[] = [];
  const podProfile = obj(podSecurityContext(spec)?.seccompProfile);
  let podSet = false;
  if (podProfile) {
    if (!validSeccompType(podProfile.type)) {
      badSetters.push("pod");
      badValues.push(str(podProfile.type));
    } else podSet = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containers(spec)) {
    const p = obj(containerSecurityContext(c)?.seccompProfile);
    if (p) {
      if (!validSeccompType(p.type)) {
        explicit.push(str(c.name));
        badValues.push(str(p.type));
      }
    } else if (!podSet) implicit.push(str(c.name));
  }
  if (explicit.length) badSetters.push(containerNames(explicit));
  if (badSetters.length) return forbid("seccompProfile", `${badSetters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`);
  if (required && implicit.length) return forbid("seccompProfile", `pod or ${containerNames(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  return ALLOWED;
};

const SYSCTLS_1_0 = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, "net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29 = [...SYSCTLS_1_27, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];

const sysctls = (allowedNames: readonly string[]): CheckPod => {
  const allowed = new Set(allowedNames);
  return (_meta, spec) => {
    const bad = list(podSecurityContext(spec)?.sysctls).map((s) => str(s.name)).filter((n) => !allowed.has(n));
    return bad.length ? forbid("forbidden sysctls", bad.join(", ")) : ALLOWED;
  };
};

const windowsHostProcess: CheckPod = (_meta, spec) => {
  const hostProcess = (sc: Obj | undefined) => obj(sc?.windowsOptions)?.hostProcess === true;
  const bad = containers(spec).filter((c) => hostProcess(containerSecurityContext(c))).map((c) => str(c.name));
  const setters: string[] = [];
  if (hostProcess(podSecurityContext(spec))) setters.push("pod");
  if (bad.length) setters.push(containerNames(bad));
  return setters.length ? forbid("hostProcess", `${setters.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true`) : ALLOWED;
};

const SELINUX_TYPES_1_0 = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, "container_engine_t"]);

/** Every check enabled by default, with the policy versions its behaviour changed in. */
export const CHECKS: readonly Check[] = [
  { id: "allowPrivilegeEscalation", level: "restricted", versions: [{ minor: 8, check: allowPrivilegeEscalation }, { minor: 25, check: linuxOnly(allowPrivilegeEscalation) }] },
  { id: "appArmorProfile", level: "baseline", versions: [{ minor: 0, check: appArmorProfile }] },
  { id: "capabilities_baseline", level: "baseline", versions: [{ minor: 0, check: capabilitiesBaseline }] },
  {
    id: "capabilities_restricted",
    level: "restricted",
    versions: [
      { minor: 22, check: capabilitiesRestricted, overrides: ["capabilities_baseline"] },
      { minor: 25, check: linuxOnly(capabilitiesRestricted), overrides: ["capabilities_baseline"] },
    ],
  },
  { id: "hostNamespaces", level: "baseline", versions: [{ minor: 0, check: hostNamespaces }] },
  { id: "hostPathVolumes", level: "baseline", versions: [{ minor: 0, check: hostPathVolumes }] },
  { id: "hostPorts", level: "baseline", versions: [{ minor: 0, check: hostPorts }] },
  { id: "hostProbesAndHostLifecycle", level: "baseline", versions: [{ minor: 34, check: hostProbesAndHostLifecycle }] },
  { id: "privileged", level: "baseline", versions: [{ minor: 0, check: privileged }] },
  { id: "procMount", level: "baseline", versions: [{ minor: 0, check: procMount }, { minor: 35, check: exceptUserNamespaces(procMount) }] },
  { id: "restrictedVolumes", level: "restricted", versions: [{ minor: 0, check: restrictedVolumes, overrides: ["hostPathVolumes"] }] },
  { id: "runAsNonRoot", level: "restricted", versions: [{ minor: 0, check: runAsNonRoot }, { minor: 35, check: exceptUserNamespaces(runAsNonRoot) }] },
  { id: "runAsUser", level: "restricted", versions: [{ minor: 23, check: runAsUser }, { minor: 35, check: exceptUserNamespaces(runAsUser) }] },
  { id: "seLinuxOptions", level: "baseline", versions: [{ minor: 0, check: seLinuxOptions(SELINUX_TYPES_1_0) }, { minor: 31, check: seLinuxOptions(SELINUX_TYPES_1_31) }] },
  { id: "seccompProfile_baseline", level: "baseline", versions: [{ minor: 0, check: seccompProfileBaselineAnnotations }, { minor: 19, check: seccompProfileFields(false) }] },
  {
    id: "seccompProfile_restricted",
    level: "restricted",
    versions: [
      { minor: 19, check: seccompProfileFields(true), overrides: ["seccompProfile_baseline"] },
      { minor: 25, check: linuxOnly(seccompProfileFields(true)), overrides: ["seccompProfile_baseline"] },
    ],
  },
  { id: "sysctls", level: "baseline", versions: [{ minor: 0, check: sysctls(SYSCTLS_1_0) }, { minor: 27, check: sysctls(SYSCTLS_1_27) }, { minor: 29, check: sysctls(SYSCTLS_1_29) }, { minor: 32, check: sysctls(SYSCTLS_1_32) }] },
  { id: "windowsHostProcess", level: "baseline", versions: [{ minor: 0, check: windowsHostProcess }] },
];
