/**
 * `ValidatePodStatusUpdate`: what a status write may not do (move the pod, change its QoS class,
 * bring terminated containers back under a restart policy that forbids it, publish malformed IPs
 * or conditions).
 */
import { isDNS1123Subdomain, isQualifiedName } from "../../meta/names.js";
import { FieldPath, duplicate, forbidden, invalid, type FieldError } from "../field.js";
import type { ApiContext } from "../context.js";
import { isIPv6String, isValidIPForLegacyField } from "../validation/ip.js";
import { list, num, obj, objects, str, type Obj } from "./json.js";
import { isValidGroupID, isValidUserID } from "../validation/strings.js";

const SYSTEM_CONDITIONS = new Set(["PodScheduled", "Ready", "Initialized"]);

function terminated(status: Obj): boolean {
  return obj(obj(status.state)?.terminated) !== undefined;
}

/** `ValidateContainerStateTransition` (and its init-container variant): terminated containers stay terminated unless the policy restarts them. */
function validateStateTransition(next: unknown, prev: unknown, path: FieldPath, restartPolicy: string, restartable: (name: string) => boolean): FieldError[] {
  if (restartPolicy === "Always") return [];
  const errs: FieldError[] = [];
  for (const [old, i] of objects(prev)) {
    if (!terminated(old)) continue;
    const exitCode = num(obj(obj(old.state)?.terminated)?.exitCode) ?? 0;
    if (exitCode !== 0 && restartPolicy === "OnFailure") continue;
    if (restartable(str(old.name) ?? "")) continue;
    for (const [s] of objects(next)) {
      if (s.name === old.name && !terminated(s)) errs.push(forbidden(path.index(i).child("state"), "may not be transitioned to non-terminated state"));
    }
  }
  return errs;
}

function validateIPs(ips: unknown, path: FieldPath, goType: "PodIP" | "HostIP"): FieldError[] {
  const errs: FieldError[] = [];
  const list = objects(ips).map(([ip]) => str(ip.ip) ?? "");
  list.forEach((ip, i) => errs.push(...isValidIPForLegacyField(path.index(i), ip, false)));
  if (errs.length || list.length < 2) return errs;
  const v6 = list.filter((ip) => isIPv6String(ip)).length;
  const display = `[]core.${goType}{${list.map((ip) => `core.${goType}{IP:${JSON.stringify(ip)}}`).join(", ")}}`;
  if (list.length > 2 || v6 !== 1) errs.push(invalid(path, ips, "may specify no more than one IP for each IP family", display));
  const seen = new Set<string>();
  objects(ips).forEach(([ip, i]) => {
    const value = str(ip.ip) ?? "";
    if (seen.has(value)) errs.push(duplicate(path.index(i), ip, `core.${goType}{IP:${JSON.stringify(value)}}`));
    seen.add(value);
  });
  return errs;
}

/**
 * `ValidatePodStatusUpdate` (the parts that do not need the node: conditions, node name, QoS
 * class, container state transitions, pod and host IPs).
 *
 * @example
 * validatePodStatusUpdate(newPod, oldPod); // [status.qosClass: Invalid value: …: field is immutable]
 */
export function validatePodStatusUpdate(pod: Obj, old: Obj, ctx?: ApiContext): FieldError[] {
  const status = obj(pod.status) ?? {};
  const oldStatus = obj(old.status) ?? {};
  const spec = obj(pod.spec) ?? {};
  const oldSpec = obj(old.spec) ?? {};
  const errs: FieldError[] = [];
  for (const [c, i] of objects(status.conditions)) {
    const type = str(c.type) ?? "";
    if (SYSTEM_CONDITIONS.has(type)) continue;
    // Kubernetes names the conditions under metadata here.
    for (const m of isQualifiedName(type)) errs.push({ ...invalid(FieldPath.of("status", "conditions").index(i).child("type"), type, m), field: `metadata.conditions[${i}].Type` });
  }
  const path = FieldPath.of("status");
  if ((str(spec.nodeName) ?? "") !== (str(oldSpec.nodeName) ?? "")) errs.push(forbidden(path.child("nodeName"), "may not be changed directly"));
  // A newly set nominatedNodeName must be a node name (ValidateNodeName, a DNS subdomain).
  const nominated = str(status.nominatedNodeName) ?? "";
  if (nominated && nominated !== (str(oldStatus.nominatedNodeName) ?? "")) {
    for (const m of isDNS1123Subdomain(nominated)) errs.push(invalid(path.child("nominatedNodeName"), nominated, m));
  }
  if ((str(status.qosClass) ?? "") !== (str(oldStatus.qosClass) ?? "")) errs.push(invalid(path.child("qosClass"), status.qosClass ?? "", "field is immutable"));
  const restartPolicy = str(oldSpec.restartPolicy) ?? "";
  const sidecars = new Set(objects(oldSpec.initContainers).filter(([c]) => c.restartPolicy === "Always").map(([c]) => str(c.name) ?? ""));
  errs.push(...validateStateTransition(status.containerStatuses, oldStatus.containerStatuses, path.child("containerStatuses"), restartPolicy, () => false));
  errs.push(...validateStateTransition(status.initContainerStatuses, oldStatus.initContainerStatuses, path.child("initContainerStatuses"), restartPolicy, (n) => sidecars.has(n)));
  errs.push(...validateStateTransition(status.ephemeralContainerStatuses, oldStatus.ephemeralContainerStatuses, path.child("ephemeralContainerStatuses"), "Never", () => false));
  errs.push(...validateIPs(status.podIPs, path.child("podIPs"), "PodIP"));
  const hostIPs = objects(status.hostIPs);
  if (hostIPs.length > 0 && (str(status.hostIP) ?? "") !== (str(hostIPs[0]![0].ip) ?? "")) {
    errs.push(invalid(path.child("hostIPs").index(0).child("ip"), str(hostIPs[0]![0].ip) ?? "", "must be equal to `hostIP`"));
  }
  if (hostIPs.length > 0) errs.push(...validateIPs(status.hostIPs, path.child("hostIPs"), "HostIP"));
  // The users a container runs as came with SupplementalGroupsPolicy (alpha 1.31, beta 1.33); they
  // are checked only with the gate on, so a cluster with it off never refuses a kubelet's report.
  if (ctx?.gate("SupplementalGroupsPolicy") !== false) {
    const os = str(obj(spec.os)?.name) || "linux";
    for (const key of ["containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"]) {
      errs.push(...validateContainerStatusUsers(status[key], path.child(key), os));
    }
  }
  return errs;
}

/**
 * `validateContainerStatusUsers`: the user a container runs as, reported by the kubelet. Kubernetes
 * names the fields under the status entry without `user` (`containerStatuses[0].linux.uid`).
 */
function validateContainerStatusUsers(statuses: unknown, path: FieldPath, os: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [cs, i] of objects(statuses)) {
    const user = obj(cs.user);
    if (!user) continue;
    const linux = obj(user.linux);
    const p = path.index(i).child("linux");
    if (os === "windows") {
      if (linux) errs.push(forbidden(p, "cannot be set for a windows pod"));
      continue;
    }
    if (os !== "linux" || !linux) continue;
    const uid = num(linux.uid) ?? 0;
    for (const m of isValidUserID(uid)) errs.push(invalid(p.child("uid"), uid, m));
    const gid = num(linux.gid) ?? 0;
    for (const m of isValidGroupID(gid)) errs.push(invalid(p.child("gid"), gid, m));
    list(linux.supplementalGroups).forEach((g, j) => {
      if (typeof g !== "number") return;
      for (const m of isValidGroupID(g)) errs.push(invalid(p.child("supplementalGroups").index(j), g, m));
    });
  }
  return errs;
}
