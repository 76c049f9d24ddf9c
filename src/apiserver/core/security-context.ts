/**
 * Security contexts of pods and containers (`validatePodSpecSecurityContext`,
 * `ValidateSecurityContext`, seccomp and AppArmor profiles, sysctls, Windows options, the
 * per-OS restrictions of `validateLinux`/`validateWindows`, `validateWindowsHostProcessPod`,
 * `validateHostUsers`) and the deprecated seccomp and AppArmor annotations.
 */
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, tooLong, type FieldError } from "../field.js";
import { isDNS1123Subdomain } from "../../meta/names.js";
import { isValidGroupID, isValidUserID } from "../validation/strings.js";
import { isSet, list, obj, objects, optNum, optStr, str, stringMap, type Obj } from "./json.js";
import { hostSysctlConflict, type ResolvedPodOptions } from "./pod-options.js";
import { validateLocalDescendingPath } from "./volumes.js";
import { isRecord } from "../../meta/values.js";

const SECCOMP_TYPES = ["Localhost", "RuntimeDefault", "Unconfined"];

/** `validateSeccompProfileField`. */
function validateSeccompProfileField(v: unknown, path: FieldPath): FieldError[] {
  const sp = obj(v);
  if (!sp) return [];
  const errs: FieldError[] = [];
  const type = str(sp.type);
  if (type === "") errs.push(required(path.child("type"), "type is required when seccompProfile is set"));
  else if (type !== undefined && !SECCOMP_TYPES.includes(type)) errs.push(notSupported(path.child("type"), type, SECCOMP_TYPES));
  const local = optStr(sp.localhostProfile);
  if (type === "Localhost") {
    if (local === undefined) errs.push(required(path.child("localhostProfile"), "must be set when seccomp type is Localhost"));
    else errs.push(...validateLocalDescendingPath(local, path.child("localhostProfile")));
  } else if (local !== undefined) {
    errs.push(invalid(path.child("localhostProfile"), sp, "can only be set when seccomp type is Localhost", `core.SeccompProfile{Type:${JSON.stringify(type ?? "")}, LocalhostProfile:(*string)(nil)}`.replace("(*string)(nil)", `"${local}"`)));
  }
  return errs;
}

const APPARMOR_TYPES = ["Localhost", "RuntimeDefault", "Unconfined"];

/** `ValidateAppArmorProfileField`. */
function validateAppArmorProfileField(v: unknown, path: FieldPath, minor: number): FieldError[] {
  const p = obj(v);
  if (!p) return [];
  const errs: FieldError[] = [];
  const type = str(p.type);
  const local = optStr(p.localhostProfile);
  if (type === "Localhost") {
    if (local === undefined) errs.push(required(path.child("localhostProfile"), "must be set when AppArmor type is Localhost"));
    else {
      const trimmed = local.trim();
      if (trimmed !== local) errs.push(invalid(path.child("localhostProfile"), local, "must not be padded with whitespace"));
      else if (trimmed === "") errs.push(required(path.child("localhostProfile"), "must be set when AppArmor type is Localhost"));
      if (Buffer.byteLength(local) > 4095) {
        errs.push(tooLong(path.child("localhostProfile"), undefined, 4095, minor));
      }
    }
  } else if (type === "RuntimeDefault" || type === "Unconfined") {
    if (local !== undefined) errs.push(invalid(path.child("localhostProfile"), local, "can only be set when AppArmor type is Localhost"));
  } else if (type === "") errs.push(required(path.child("type"), "type is required when appArmorProfile is set"));
  else if (type !== undefined) errs.push(notSupported(path.child("type"), type, APPARMOR_TYPES));
  return errs;
}

const NET_BIOS = /^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}$/;
const DNS_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?";
const WINDOWS_DOMAIN_DNS = new RegExp(`^${DNS_LABEL}(?:\\.${DNS_LABEL})*$`);
const BAD_USER_CHARS = /["/\\:;|=,+*?<>@[\]]/;
const DOTS_SPACES = /^[. ]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** `validateWindowsSecurityContextOptions`. */
function validateWindowsOptions(v: unknown, path: FieldPath): FieldError[] {
  const w = obj(v);
  if (!w) return [];
  const errs: FieldError[] = [];
  const gmsaName = optStr(w.gmsaCredentialSpecName);
  if (gmsaName !== undefined) for (const m of isDNS1123Subdomain(gmsaName)) errs.push(invalid(path.child("gmsaCredentialSpecName"), gmsaName, m));
  const gmsa = optStr(w.gmsaCredentialSpec);
  if (gmsa !== undefined) {
    if (gmsa.length === 0) errs.push(invalid(path.child("gmsaCredentialSpec"), gmsa, "gmsaCredentialSpec cannot be an empty string"));
    else if (Buffer.byteLength(gmsa) > 64 * 1024) errs.push(invalid(path.child("gmsaCredentialSpec"), gmsa, "gmsaCredentialSpec size must be under 64 KiB"));
  }
  const user = optStr(w.runAsUserName);
  if (user !== undefined) {
    const p = path.child("runAsUserName");
    const parts = user.split("\\");
    if (user.length === 0) errs.push(invalid(p, user, "runAsUserName cannot be an empty string"));
    else if (CONTROL.test(user)) errs.push(invalid(p, user, "runAsUserName cannot contain control characters"));
    else if (parts.length > 2) errs.push(invalid(p, user, "runAsUserName cannot contain more than one backslash"));
    else {
      const hasDomain = parts.length === 2;
      const domain = hasDomain ? parts[0]! : "";
      const name = hasDomain ? parts[1]! : parts[0]!;
      if (domain.length >= 256) errs.push(invalid(p, user, "runAsUserName's Domain length must be under 256 characters"));
      if (hasDomain && !(NET_BIOS.test(domain) || WINDOWS_DOMAIN_DNS.test(domain))) errs.push(invalid(p, user, "runAsUserName's Domain doesn't match the NetBios nor the DNS format"));
      if (name.length === 0) errs.push(invalid(p, user, "runAsUserName's User cannot be empty"));
      else if (name.length > 104) errs.push(invalid(p, user, "runAsUserName's User length must not be longer than 104 characters"));
      if (DOTS_SPACES.test(name)) errs.push(invalid(p, user, "runAsUserName's User cannot contain only periods or spaces"));
      if (BAD_USER_CHARS.test(name)) errs.push(invalid(p, user, `runAsUserName's User cannot contain the following characters: "/\\:;|=,+*?<>@[]`));
    }
  }
  return errs;
}

/** A user or group ID's problems, at `path.child(field)` (made only for a problem). */
function idErrors(v: unknown, path: FieldPath, field: string, check: (n: number) => string[]): FieldError[] {
  const n = optNum(v);
  if (n === undefined) return [];
  const msgs = check(n);
  return msgs.length ? msgs.map((m) => invalid(path.child(field), n, m)) : [];
}

/** `errs.push(...more)` without spreading (most lists added are empty). */
function append(errs: FieldError[], more: readonly FieldError[]): void {
  for (let i = 0; i < more.length; i++) errs.push(more[i]!);
}

/**
 * `ValidateSecurityContext`: a container's security context.
 *
 * @example
 * validateSecurityContext({ runAsUser: -1 }, FieldPath.of("securityContext"), true, 36);
 */
export function validateSecurityContext(v: unknown, path: FieldPath, hostUsers: boolean, minor: number): FieldError[] {
  const sc = obj(v);
  if (!sc) return [];
  const errs: FieldError[] = [];
  append(errs, idErrors(sc.runAsUser, path, "runAsUser", isValidUserID));
  append(errs, idErrors(sc.runAsGroup, path, "runAsGroup", isValidGroupID));
  const procMount = optStr(sc.procMount);
  if (procMount !== undefined) {
    if (procMount !== "Default" && procMount !== "Unmasked") errs.push(notSupported(path.child("procMount"), procMount, ["Default", "Unmasked"]));
    if (hostUsers && procMount === "Unmasked") errs.push(invalid(path.child("procMount"), procMount, "`hostUsers` must be false to use `Unmasked`"));
  }
  if (sc.seccompProfile !== undefined) append(errs, validateSeccompProfileField(sc.seccompProfile, path.child("seccompProfile")));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
    for (const cap of list(obj(sc.capabilities)?.add)) {
      if (cap === "CAP_SYS_ADMIN") errs.push(invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"));
    }
  }
  if (sc.windowsOptions !== undefined) append(errs, validateWindowsOptions(sc.windowsOptions, path.child("windowsOptions")));
  if (sc.appArmorProfile !== undefined) append(errs, validateAppArmorProfileField(sc.appArmorProfile, path.child("appArmorProfile"), minor));
  return errs;
}

const SYSCTL_NAME = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;
const SYSCTL_REGEX_TEXT = "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";
const FS_GROUP_CHANGE = ["Always", "OnRootMismatch"];
const SUPPLEMENTAL_GROUPS_POLICIES = ["Merge", "Strict"];
const SELINUX_CHANGE = ["MountOption", "Recursive"];

function validateSysctls(sc: Obj, spec: Obj, path: FieldPath, opts: ResolvedPodOptions): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [s, i] of objects(sc.sysctls)) {
    const name = str(s.name);
    if (name === undefined) continue;
    const p = path.index(i).child("name");
    if (name === "") errs.push(required(p, ""));
    else if (name.length > 253 || !SYSCTL_NAME.test(name)) errs.push(invalid(p, name, `must have at most 253 characters and match regex ${SYSCTL_REGEX_TEXT}`));
    else if (names.has(name)) errs.push(duplicate(p, name));
    if (!opts.allowNamespacedSysctlsForHostNetAndHostIPC) {
      const conflict = hostSysctlConflict(name, sc, spec);
      if (conflict === "net") errs.push(invalid(p, name, "may not be specified when 'hostNetwork' is true"));
      if (conflict === "ipc") errs.push(invalid(p, name, "may not be specified when 'hostIPC' is true"));
    }
    names.add(name);
  }
  return errs;
}

/**
 * `validatePodSpecSecurityContext`: the pod-level security context (and the host namespace flags
 * the internal type keeps in it).
 *
 * @example
 * validatePodSecurityContext(spec, FieldPath.of("spec"), opts, 36);
 */
export function validatePodSecurityContext(spec: Obj, specPath: FieldPath, opts: ResolvedPodOptions, minor: number): FieldError[] {
  const sc = obj(spec.securityContext);
  if (!sc) return [];
  const path = specPath.child("securityContext");
  const errs: FieldError[] = [];
  append(errs, idErrors(sc.fsGroup, path, "fsGroup", isValidGroupID));
  append(errs, idErrors(sc.runAsUser, path, "runAsUser", isValidUserID));
  append(errs, idErrors(sc.runAsGroup, path, "runAsGroup", isValidGroupID));
  list(sc.supplementalGroups).forEach((g, i) => {
    if (typeof g === "number") for (const m of isValidGroupID(g)) errs.push(invalid(path.child("supplementalGroups").index(i), g, m));
  });
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(invalid(path.child("shareProcessNamespace"), true, "ShareProcessNamespace and HostPID cannot both be enabled"));
  }
  if (list(sc.sysctls).length) errs.push(...validateSysctls(sc, spec, path.child("sysctls"), opts));
  const fsGroupPolicy = optStr(sc.fsGroupChangePolicy);
  if (fsGroupPolicy !== undefined && !FS_GROUP_CHANGE.includes(fsGroupPolicy)) errs.push(notSupported(path.child("fsGroupChangePolicy"), fsGroupPolicy, FS_GROUP_CHANGE));
  if (sc.seccompProfile !== undefined) append(errs, validateSeccompProfileField(sc.seccompProfile, path.child("seccompProfile")));
  if (sc.windowsOptions !== undefined) append(errs, validateWindowsOptions(sc.windowsOptions, path.child("windowsOptions")));
  if (sc.appArmorProfile !== undefined) append(errs, validateAppArmorProfileField(sc.appArmorProfile, path.child("appArmorProfile"), minor));
  const sgp = optStr(sc.supplementalGroupsPolicy);
  if (sgp !== undefined && !SUPPLEMENTAL_GROUPS_POLICIES.includes(sgp)) errs.push(notSupported(path.child("supplementalGroupsPolicy"), sgp, SUPPLEMENTAL_GROUPS_POLICIES));
  const selinux = optStr(sc.seLinuxChangePolicy);
  if (selinux !== undefined) {
    if (opts.allowOnlyRecursiveSELinuxChangePolicy) {
      if (selinux !== "Recursive") errs.push(notSupported(path.child("seLinuxChangePolicy"), selinux, ["Recursive"]));
    } else if (!SELINUX_CHANGE.includes(selinux)) errs.push(notSupported(path.child("seLinuxChangePolicy"), selinux, SELINUX_CHANGE));
  }
  return errs;
}

/** Every container of a spec with its list and index, in `VisitContainersWithPath` order (init, regular, ephemeral). */
export function containersOf(spec: Obj): [Obj, string, number][] {
  const out: [Obj, string, number][] = [];
  // Each list by name (a keyed read over the three names costs more than the walk itself).
  addContainers(out, spec.initContainers, "initContainers");
  addContainers(out, spec.containers, "containers");
  addContainers(out, spec.ephemeralContainers, "ephemeralContainers");
  return out;
}

function addContainers(out: [Obj, string, number][], list: unknown, key: string): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const c: unknown = list[i];
    if (isRecord(c)) out.push([c, key, i]);
  }
}

/** Every container of a spec with its path, in `VisitContainersWithPath` order (init, regular, ephemeral). */
export function visitContainers(spec: Obj, specPath: FieldPath): [Obj, FieldPath][] {
  return containersOf(spec).map(([c, key, i]) => [c, specPath.child(key).index(i)]);
}

/**
 * `validateHostUsers`: a pod in its own user namespace shares no host namespace.
 *
 * @example
 * validateHostUsers({ hostNetwork: true, hostUsers: false }, FieldPath.of("spec"));
 */
export function validateHostUsers(spec: Obj, specPath: FieldPath): FieldError[] {
  if (spec.hostUsers !== false) return [];
  const errs: FieldError[] = [];
  if (spec.hostNetwork === true) errs.push(forbidden(specPath.child("hostNetwork"), "when `pod.Spec.HostUsers` is false"));
  if (spec.hostPID === true) errs.push(forbidden(specPath.child("HostPID"), "when `pod.Spec.HostUsers` is false"));
  if (spec.hostIPC === true) errs.push(forbidden(specPath.child("HostIPC"), "when `pod.Spec.HostUsers` is false"));
  return errs;
}

/**
 * `validateWindowsHostProcessPod`: all containers or none are host-process, and such pods use the
 * host network.
 *
 * @example
 * validateWindowsHostProcessPod(spec, FieldPath.of("spec"));
 */
export function validateWindowsHostProcessPod(spec: Obj, specPath: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const podHostProcess = obj(obj(spec.securityContext)?.windowsOptions)?.hostProcess;
  let count = 0;
  let hostProcessCount = 0;
  for (const [c, key, i] of containersOf(spec)) {
    count++;
    const ch = obj(obj(c.securityContext)?.windowsOptions)?.hostProcess;
    if (typeof podHostProcess === "boolean" && typeof ch === "boolean" && podHostProcess !== ch) {
      errs.push(invalid(specPath.child(key).index(i).child("securityContext").child("windowsOptions").child("hostProcess"), ch, `pod hostProcess value must be identical if both are specified, was ${podHostProcess}`));
    }
    if (ch === true || (ch === undefined && podHostProcess === true)) hostProcessCount++;
  }
  if (hostProcessCount > 0) {
    if (hostProcessCount !== count) errs.push(invalid(specPath, "", "If pod contains any hostProcess containers then all containers must be HostProcess containers"));
    if (spec.hostNetwork !== true) errs.push(invalid(specPath.child("hostNetwork"), false, "hostNetwork must be true if pod contains any hostProcess containers"));
  }
  return errs;
}

/**
 * `validateLinux`: no Windows options in a Linux pod.
 *
 * @example
 * validateLinux(spec, FieldPath.of("spec"));
 */
export function validateLinux(spec: Obj, specPath: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (isSet(obj(spec.securityContext)?.windowsOptions)) errs.push(forbidden(specPath.child("securityContext").child("windowsOptions"), "windows options cannot be set for a linux pod"));
  for (const [c, p] of visitContainers(spec, specPath)) {
    if (isSet(obj(c.securityContext)?.windowsOptions)) errs.push(forbidden(p.child("securityContext").child("windowsOptions"), "windows options cannot be set for a linux pod"));
  }
  return errs;
}

const WINDOWS_CONTAINER_SC = ["appArmorProfile", "seLinuxOptions", "seccompProfile", "capabilities", "readOnlyRootFilesystem", "privileged", "allowPrivilegeEscalation", "procMount", "runAsUser", "runAsGroup"];

/**
 * `validateWindows`: none of the Linux-only settings in a Windows pod.
 *
 * @example
 * validateWindows(spec, FieldPath.of("spec"));
 */
export function validateWindows(spec: Obj, specPath: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const msg = "cannot be set for a windows pod";
  const sc = obj(spec.securityContext) ?? {};
  const scPath = specPath.child("securityContext");
  const atSc = (f: string) => isSet(sc[f]) && errs.push(forbidden(scPath.child(f), msg));
  atSc("appArmorProfile");
  atSc("seLinuxOptions");
  if (isSet(spec.hostUsers)) errs.push(forbidden(specPath.child("hostUsers"), msg));
  if (spec.hostPID === true) errs.push(forbidden(specPath.child("hostPID"), msg));
  if (spec.hostIPC === true) errs.push(forbidden(specPath.child("hostIPC"), msg));
  atSc("seccompProfile");
  atSc("fsGroup");
  atSc("fsGroupChangePolicy");
  if (list(sc.sysctls).length > 0) errs.push(forbidden(scPath.child("sysctls"), msg));
  if (isSet(spec.shareProcessNamespace)) errs.push(forbidden(specPath.child("shareProcessNamespace"), msg));
  for (const f of ["runAsUser", "runAsGroup", "supplementalGroups", "supplementalGroupsPolicy", "seLinuxChangePolicy"]) atSc(f);
  for (const [c, p] of visitContainers(spec, specPath)) {
    const csc = obj(c.securityContext);
    if (!csc) continue;
    for (const f of WINDOWS_CONTAINER_SC) if (isSet(csc[f])) errs.push(forbidden(p.child("securityContext").child(f), msg));
  }
  return errs;
}

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

/** `ValidateSeccompProfile`: an annotation's seccomp profile. */
function validateSeccompProfileAnnotation(p: string, path: FieldPath): FieldError[] {
  if (p === "runtime/default" || p === "docker/default" || p === "unconfined") return [];
  if (p.startsWith("localhost/")) return validateLocalDescendingPath(p.slice("localhost/".length), path);
  return [invalid(path, p, "must be a valid seccomp profile")];
}

function podSpecHasContainer(spec: Obj, name: string): boolean {
  return visitContainers(spec, FieldPath.root()).some(([c]) => c.name === name);
}

const DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
const MIRROR = "kubernetes.io/config.mirror";

function validDeletionCost(v: string): boolean {
  if (!(v[0] === "-" || v === "0" || (v[0]! >= "1" && v[0]! <= "9"))) return false;
  if (!/^[+-]?\d+$/.test(v)) return false;
  const n = Number(v);
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1;
}

/**
 * `ValidatePodSpecificAnnotations`: the mirror pod, deletion cost, seccomp and AppArmor
 * annotations.
 *
 * @example
 * validatePodSpecificAnnotations({ "controller.kubernetes.io/pod-deletion-cost": "x" }, spec, FieldPath.of("metadata", "annotations"), opts);
 */
export function validatePodSpecificAnnotations(annotations: unknown, spec: Obj, path: FieldPath, opts: ResolvedPodOptions): FieldError[] {
  if (!hasStringKey(annotations, isPodSpecificAnnotation)) return [];
  const errs: FieldError[] = [];
  const entries = stringMap(annotations);
  const byKey = new Map(entries);
  if (byKey.has(MIRROR) && (str(spec.nodeName) ?? "") === "") errs.push(invalid(path.key(MIRROR), byKey.get(MIRROR), "must set spec.nodeName if mirror pod annotation is set"));
  if (!opts.allowInvalidPodDeletionCost && byKey.has(DELETION_COST) && !validDeletionCost(byKey.get(DELETION_COST)!)) {
    errs.push(invalid(path.key(DELETION_COST), byKey.get(DELETION_COST), "must be a 32bit integer"));
  }
  if (byKey.has(SECCOMP_POD_ANNOTATION)) errs.push(...validateSeccompProfileAnnotation(byKey.get(SECCOMP_POD_ANNOTATION)!, path.child(SECCOMP_POD_ANNOTATION)));
  for (const [k, v] of entries) if (k.startsWith(SECCOMP_CONTAINER_PREFIX)) errs.push(...validateSeccompProfileAnnotation(v, path.child(k)));
  for (const [k, v] of entries) {
    if (!k.startsWith(APPARMOR_PREFIX)) continue;
    const container = k.slice(APPARMOR_PREFIX.length);
    if (!podSpecHasContainer(spec, container)) errs.push(invalid(path.key(k), container, "container not found"));
    if (v !== "" && v !== "runtime/default" && v !== "unconfined" && !v.startsWith("localhost/")) errs.push(invalid(path.key(k), v, `invalid AppArmor profile name: "${v}"`));
  }
  return errs;
}

/** Whether a map has a string value under a key the test accepts (the entries `stringMap` gives). */
function hasStringKey(map: unknown, test: (key: string) => boolean): boolean {
  if (!isRecord(map)) return false;
  for (const k of Object.keys(map)) if (typeof map[k] === "string" && test(k)) return true;
  return false;
}

/** An annotation {@link validatePodSpecificAnnotations} checks. */
function isPodSpecificAnnotation(k: string): boolean {
  return k === MIRROR || k === DELETION_COST || k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_PREFIX) || k.startsWith(APPARMOR_PREFIX);
}

/**
 * `validateSeccompAnnotationsAndFields`: where both an annotation and a field give a seccomp
 * profile, they agree.
 *
 * @example
 * validateSeccompAnnotationsAndFields(annotations, spec, FieldPath.of("spec"));
 */
export function validateSeccompAnnotationsAndFields(annotations: unknown, spec: Obj, specPath: FieldPath): FieldError[] {
  if (!hasStringKey(annotations, (k) => k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_PREFIX))) return [];
  const errs: FieldError[] = [];
  const byKey = new Map(stringMap(annotations));
  const podProfile = obj(obj(spec.securityContext)?.seccompProfile);
  if (podProfile && byKey.has(SECCOMP_POD_ANNOTATION)) {
    const e = seccompMismatch(byKey.get(SECCOMP_POD_ANNOTATION)!, podProfile, specPath.child("securityContext").child("seccompProfile"));
    if (e) errs.push(e);
  }
  for (const [c, p] of visitContainers(spec, specPath)) {
    const profile = obj(obj(c.securityContext)?.seccompProfile);
    const key = `${SECCOMP_CONTAINER_PREFIX}${str(c.name) ?? ""}`;
    if (!profile || !byKey.has(key)) continue;
    const e = seccompMismatch(byKey.get(key)!, profile, p.child("securityContext").child("seccompProfile"));
    if (e) errs.push(e);
  }
  return errs;
}

function seccompMismatch(annotation: string, profile: Obj, path: FieldPath): FieldError | undefined {
  switch (profile.type) {
    case "Unconfined":
      return annotation !== "unconfined" ? forbidden(path.child("type"), "seccomp type in annotation and field must match") : undefined;
    case "RuntimeDefault":
      return annotation !== "runtime/default" && annotation !== "docker/default" ? forbidden(path.child("type"), "seccomp type in annotation and field must match") : undefined;
    case "Localhost":
      if (!annotation.startsWith("localhost/")) return forbidden(path.child("type"), "seccomp type in annotation and field must match");
      return annotation.slice("localhost/".length) !== profile.localhostProfile ? forbidden(path.child("localhostProfile"), "seccomp profile in annotation and field must match") : undefined;
  }
  return undefined;
}

/**
 * `validateAppArmorAnnotationsAndFieldsMatchOnCreate`: where both an annotation and a field give a
 * container's AppArmor profile, they agree (not checked for Windows pods).
 *
 * @example
 * validateAppArmorAnnotationsAndFields(annotations, spec, FieldPath.of("spec"));
 */
export function validateAppArmorAnnotationsAndFields(annotations: unknown, spec: Obj, specPath: FieldPath): FieldError[] {
  if (obj(spec.os)?.name === "windows") return [];
  if (!hasStringKey(annotations, (k) => k.startsWith(APPARMOR_PREFIX))) return [];
  const errs: FieldError[] = [];
  const byKey = new Map(stringMap(annotations));
  const podProfile = obj(obj(spec.securityContext)?.appArmorProfile);
  for (const [c, p] of visitContainers(spec, specPath)) {
    const profile = obj(obj(c.securityContext)?.appArmorProfile) ?? podProfile;
    const annotation = byKey.get(`${APPARMOR_PREFIX}${str(c.name) ?? ""}`);
    if (!profile || annotation === undefined) continue;
    const path = p.child("securityContext").child("appArmorProfile");
    if (profile.type === "Unconfined" && annotation !== "unconfined") errs.push(forbidden(path.child("type"), "apparmor type in annotation and field must match"));
    if (profile.type === "RuntimeDefault" && annotation !== "runtime/default") errs.push(forbidden(path.child("type"), "apparmor type in annotation and field must match"));
    if (profile.type === "Localhost") {
      if (!annotation.startsWith("localhost/")) errs.push(forbidden(path.child("type"), "apparmor type in annotation and field must match"));
      else if (annotation.slice("localhost/".length) !== profile.localhostProfile) errs.push(forbidden(path.child("localhostProfile"), "apparmor profile in annotation and field must match"));
    }
  }
  return errs;
}

