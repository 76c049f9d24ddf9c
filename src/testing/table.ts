/**
 * `application/json;as=Table` responses, as kubectl asks for them: the default columns kube-apiserver
 * prints per resource (kept as data: column name, type, priority and how the cell is read), CRD
 * `additionalPrinterColumns`, and the generic Name / Created At table for everything else.
 */
import { isDefaultStorageClass } from "../apiserver/core/default-storage-class.js";
import type { PrinterColumnSpec } from "./catalog.js";
import type { KubeObject } from "./store.js";
import { eventToCore } from "../apiserver/events/conversion.js";

type Obj = Record<string, unknown>;
type Cell = string | number | boolean | null;

/** One column of a table. */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** How a column's cell is read from an object. */
type CellReader = (obj: Obj, now: number) => Cell;

interface Column {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
  description?: string;
  cell: CellReader;
}

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Obj)[seg];
  }
  return cur;
}

const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const str = (v: unknown): string => (v === undefined || v === null ? "" : String(v));
const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const none = (s: string): string => (s === "" ? "<none>" : s);

/**
 * A duration the way kubectl prints ages (apimachinery's `HumanDuration`): `45s`, `3m20s`, `5h`, `12d`.
 *
 * @example
 * humanDuration(200_000); // "3m20s"
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

function since(ts: unknown, now: number): string {
  if (typeof ts !== "string") return "<unknown>";
  const t = Date.parse(ts);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now - t);
}

const path = (p: string): CellReader => (o) => str(get(o, p));
/** A pointer field of the storage printers: `<unset>` when nil. */
const unset = (v: unknown): string => (typeof v === "string" ? v : "<unset>");
/** The phase of a claim or volume, `Terminating` once it is being deleted (printPersistentVolume(Claim)). */
const volumePhase: CellReader = (o) => (get(o, "metadata.deletionTimestamp") ? "Terminating" : str(get(o, "status.phase")));
const orNone = (p: string): CellReader => (o) => none(str(get(o, p)));
const int = (p: string): CellReader => (o) => num(get(o, p));
const count = (p: string): CellReader => (o) => {
  const v = get(o, p);
  return Array.isArray(v) ? v.length : v && typeof v === "object" ? Object.keys(v).length : 0;
};
const age: CellReader = (o, now) => since(get(o, "metadata.creationTimestamp"), now);
const fraction = (a: string, b: string): CellReader => (o) => `${num(get(o, a))}/${num(get(o, b))}`;
const containersOf = (p: string): CellReader => (o) => arr(get(o, p)).map((c) => str(c.name)).join(",");
const imagesOf = (p: string): CellReader => (o) => arr(get(o, p)).map((c) => str(c.image)).join(",");
const selectorOf = (p: string): CellReader => (o) => {
  const sel = get(o, p) as Obj | undefined;
  if (!sel) return "<none>";
  const parts: string[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels as Obj | undefined) ?? (sel.matchExpressions ? {} : sel))) parts.push(`${k}=${str(v)}`);
  for (const e of arr(sel.matchExpressions)) {
    const op = str(e.operator);
    const values = arr(e.values as unknown).map(String).join(",");
    if (op === "In") parts.push(`${str(e.key)} in (${values})`);
    else if (op === "NotIn") parts.push(`${str(e.key)} notin (${values})`);
    else if (op === "Exists") parts.push(str(e.key));
    else if (op === "DoesNotExist") parts.push(`!${str(e.key)}`);
  }
  return parts.length ? parts.join(",") : "<none>";
};

function podStatus(o: Obj): string {
  const status = (o.status as Obj | undefined) ?? {};
  let reason = str(status.reason) || str(status.phase);
  let initializing = false;
  const inits = arr(status.initContainerStatuses);
  inits.forEach((c, i) => {
    if (initializing) return;
    const state = (c.state as Obj | undefined) ?? {};
    const term = state.terminated as Obj | undefined;
    const wait = state.waiting as Obj | undefined;
    if (term && num(term.exitCode) === 0) return;
    if (term) reason = term.reason ? `Init:${str(term.reason)}` : term.signal ? `Init:Signal:${num(term.signal)}` : `Init:ExitCode:${num(term.exitCode)}`;
    else if (wait && wait.reason && wait.reason !== "PodInitializing") reason = `Init:${str(wait.reason)}`;
    else reason = `Init:${i}/${arr((o.spec as Obj | undefined)?.initContainers).length}`;
    initializing = true;
  });
  if (!initializing) {
    let hasRunning = false;
    for (const c of [...arr(status.containerStatuses)].reverse()) {
      const state = (c.state as Obj | undefined) ?? {};
      const term = state.terminated as Obj | undefined;
      const wait = state.waiting as Obj | undefined;
      if (wait?.reason) reason = str(wait.reason);
      else if (term?.reason) reason = str(term.reason);
      else if (term) reason = term.signal ? `Signal:${num(term.signal)}` : `ExitCode:${num(term.exitCode)}`;
      else if (c.ready && state.running) hasRunning = true;
    }
    if (reason === "Completed" && hasRunning) {
      const ready = arr(status.conditions).some((c) => c.type === "Ready" && c.status === "True");
      reason = ready ? "Running" : "NotReady";
    }
  }
  const meta = o.metadata as Obj;
  if (meta.deletionTimestamp) reason = status.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

function podReady(o: Obj): string {
  const total = arr((o.spec as Obj | undefined)?.containers).length;
  const ready = arr((o.status as Obj | undefined)?.containerStatuses).filter((c) => c.ready && (c.state as Obj | undefined)?.running).length;
  return `${ready}/${total}`;
}

function podRestarts(o: Obj, now: number): string {
  let restarts = 0;
  let last: number | undefined;
  for (const c of arr((o.status as Obj | undefined)?.containerStatuses)) {
    restarts += num(c.restartCount);
    const finished = ((c.lastState as Obj | undefined)?.terminated as Obj | undefined)?.finishedAt;
    if (typeof finished === "string") last = Math.max(last ?? 0, Date.parse(finished));
  }
  return last !== undefined && restarts > 0 ? `${restarts} (${humanDuration(now - last)} ago)` : String(restarts);
}

function servicePorts(o: Obj): string {
  const ports = arr((o.spec as Obj | undefined)?.ports).map((p) => {
    const proto = str(p.protocol) || "TCP";
    return p.nodePort ? `${str(p.port)}:${str(p.nodePort)}/${proto}` : `${str(p.port)}/${proto}`;
  });
  return ports.length ? ports.join(",") : "<none>";
}

function externalIp(o: Obj): string {
  const spec = (o.spec as Obj | undefined) ?? {};
  const type = str(spec.type) || "ClusterIP";
  const external = arr(spec.externalIPs as unknown).map(String);
  if (type === "ExternalName") return str(spec.externalName);
  if (type === "LoadBalancer") {
    const ingress = arr(((o.status as Obj | undefined)?.loadBalancer as Obj | undefined)?.ingress).map((i) => str(i.ip) || str(i.hostname));
    const all = [...ingress, ...external];
    return all.length ? all.join(",") : "<pending>";
  }
  return external.length ? external.join(",") : "<none>";
}

function nodeStatus(o: Obj): string {
  const ready = arr((o.status as Obj | undefined)?.conditions).find((c) => c.type === "Ready");
  const parts = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
  if ((o.spec as Obj | undefined)?.unschedulable) parts.push("SchedulingDisabled");
  return parts.join(",");
}

function nodeRoles(o: Obj): string {
  const labels = ((o.metadata as Obj).labels as Obj | undefined) ?? {};
  const roles = Object.keys(labels)
    .filter((k) => k.startsWith("node-role.kubernetes.io/"))
    .map((k) => k.slice("node-role.kubernetes.io/".length));
  if (typeof labels["kubernetes.io/role"] === "string") roles.push(labels["kubernetes.io/role"] as string);
  return roles.length ? roles.sort().join(",") : "<none>";
}

function jobStatus(o: Obj): string {
  const conditions = arr((o.status as Obj | undefined)?.conditions);
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === "True");
  if (has("Complete")) return "Complete";
  if (has("Failed")) return "Failed";
  if ((o.metadata as Obj).deletionTimestamp) return "Terminating";
  if (has("Suspended")) return "Suspended";
  if (has("FailureTarget")) return "FailureTarget";
  if (has("SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

function jobDuration(o: Obj, now: number): string {
  const status = (o.status as Obj | undefined) ?? {};
  if (typeof status.startTime !== "string") return "";
  const end = typeof status.completionTime === "string" ? Date.parse(status.completionTime) : now;
  return humanDuration(end - Date.parse(status.startTime));
}

function lastSchedule(o: Obj, now: number): string {
  const t = (o.status as Obj | undefined)?.lastScheduleTime;
  return typeof t === "string" ? since(t, now) : "<none>";
}

function ingressHosts(o: Obj): string {
  const hosts = arr((o.spec as Obj | undefined)?.rules).map((r) => str(r.host) || "*");
  return hosts.length ? hosts.join(",") : "*";
}

function ingressAddress(o: Obj): string {
  const ingress = arr(((o.status as Obj | undefined)?.loadBalancer as Obj | undefined)?.ingress).map((i) => str(i.ip) || str(i.hostname));
  return ingress.join(",");
}

function ingressPorts(o: Obj): string {
  return arr((o.spec as Obj | undefined)?.tls).length ? "80, 443" : "80";
}

function pvcCapacity(o: Obj): string {
  const cap = ((o.status as Obj | undefined)?.capacity as Obj | undefined)?.storage;
  return str(cap);
}

function accessModes(p: string): CellReader {
  const short: Record<string, string> = { ReadWriteOnce: "RWO", ReadOnlyMany: "ROX", ReadWriteMany: "RWX", ReadWriteOncePod: "RWOP" };
  return (o) => arr(get(o, p)).map((m) => short[String(m)] ?? String(m)).join(",");
}

function roleRef(o: Obj): string {
  const ref = (o.roleRef as Obj | undefined) ?? {};
  return `${str(ref.kind)}/${str(ref.name)}`;
}

function subjectsOf(kind: string): CellReader {
  return (o) =>
    arr(o.subjects)
      .filter((s) => s.kind === kind)
      .map((s) => (kind === "ServiceAccount" ? `${str(s.namespace)}/${str(s.name)}` : str(s.name)))
      .join(", ");
}

function endpointsOf(o: Obj): string {
  const list: string[] = [];
  for (const subset of arr(o.subsets)) {
    const ports = arr(subset.ports);
    for (const addr of arr(subset.addresses)) {
      if (ports.length === 0) list.push(str(addr.ip));
      for (const p of ports) list.push(`${str(addr.ip)}:${str(p.port)}`);
    }
  }
  if (!list.length) return "<none>";
  return list.length > 3 ? `${list.slice(0, 3).join(",")} + ${list.length - 3} more...` : list.join(",");
}

function hpaTargets(o: Obj): string {
  const metrics = arr((o.spec as Obj | undefined)?.metrics);
  if (!metrics.length) {
    const target = (o.spec as Obj | undefined)?.targetCPUUtilizationPercentage;
    return target !== undefined ? `<unknown>/${str(target)}%` : "<none>";
  }
  return metrics
    .map((m) => {
      const res = m.resource as Obj | undefined;
      const target = (res?.target as Obj | undefined) ?? {};
      const value = target.averageUtilization !== undefined ? `${str(target.averageUtilization)}%` : str(target.averageValue ?? target.value);
      return `<unknown>/${value}`;
    })
    .join(", ");
}

function eventLastSeen(o: Obj, now: number): string {
  const t = o.lastTimestamp ?? o.eventTime ?? (o.metadata as Obj).creationTimestamp;
  return since(t, now);
}

function eventObject(o: Obj): string {
  const inv = (o.involvedObject as Obj | undefined) ?? {};
  return `${str(inv.kind).toLowerCase()}/${str(inv.name)}`;
}

function secretData(o: Obj): number {
  return Object.keys((o.data as Obj | undefined) ?? {}).length + Object.keys((o.stringData as Obj | undefined) ?? {}).length;
}

function leaseHolder(o: Obj): string {
  return str((o.spec as Obj | undefined)?.holderIdentity);
}

function pdbAllowed(o: Obj): number {
  return num((o.status as Obj | undefined)?.disruptionsAllowed);
}

const NAME: Column = { name: "Name", format: "name", cell: path("metadata.name") };
const AGE: Column = { name: "Age", cell: age };

/** The wide columns of workloads: containers, images and selector of their pod template. */
function templateColumns(template: string, selector: string | null = "spec.selector"): Column[] {
  return [
    { name: "Containers", priority: 1, cell: containersOf(`${template}.spec.containers`) },
    { name: "Images", priority: 1, cell: imagesOf(`${template}.spec.containers`) },
    ...(selector ? [{ name: "Selector", priority: 1, cell: selectorOf(selector) }] : []),
  ];
}

/** Desired / Current / Ready replica counts (ReplicationController, ReplicaSet). */
const REPLICA_COLUMNS: Column[] = [
  { name: "Desired", type: "integer", cell: int("spec.replicas") },
  { name: "Current", type: "integer", cell: int("status.replicas") },
  { name: "Ready", type: "integer", cell: int("status.readyReplicas") },
];

/** Role and cluster role bindings. */
const BINDING_COLUMNS: Column[] = [
  NAME,
  { name: "Role", cell: roleRef },
  AGE,
  { name: "Users", priority: 1, cell: subjectsOf("User") },
  { name: "Groups", priority: 1, cell: subjectsOf("Group") },
  { name: "ServiceAccounts", priority: 1, cell: subjectsOf("ServiceAccount") },
];

/** The default columns of built-in resources, by `group/plural` (kube-apiserver's printers). */
/** `extractCSRStatus`: Denied, Approved or Pending, then Failed and Issued. */
function csrCondition(o: Obj): string {
  const types = new Set(arr(get(o, "status.conditions")).map((c) => str(c.type)));
  let status = types.has("Denied") ? "Denied" : types.has("Approved") ? "Approved" : "Pending";
  if (types.has("Failed")) status += ",Failed";
  if (str(get(o, "status.certificate"))) status += ",Issued";
  return status;
}

export const printerColumns: Record<string, Column[]> = {
  "/pods": [
    NAME,
    { name: "Ready", cell: podReady, description: "The aggregate readiness state of this pod for accepting traffic." },
    { name: "Status", cell: podStatus, description: "The aggregate status of the containers in this pod." },
    { name: "Restarts", cell: podRestarts, description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted." },
    AGE,
    { name: "IP", priority: 1, cell: orNone("status.podIP") },
    { name: "Node", priority: 1, cell: orNone("spec.nodeName") },
    { name: "Nominated Node", priority: 1, cell: orNone("status.nominatedNodeName") },
    { name: "Readiness Gates", priority: 1, cell: (o) => none(arr(get(o, "spec.readinessGates")).length ? `0/${arr(get(o, "spec.readinessGates")).length}` : "") },
  ],
  "/namespaces": [NAME, { name: "Status", cell: path("status.phase") }, AGE],
  "/configmaps": [NAME, { name: "Data", type: "integer", cell: (o) => Number(count("data")(o, 0)) + Number(count("binaryData")(o, 0)) }, AGE],
  "/secrets": [NAME, { name: "Type", cell: path("type") }, { name: "Data", type: "integer", cell: secretData }, AGE],
  "/serviceaccounts": [NAME, { name: "Secrets", type: "integer", cell: count("secrets") }, AGE],
  "/services": [
    NAME,
    { name: "Type", cell: (o) => str(get(o, "spec.type")) || "ClusterIP" },
    { name: "Cluster-IP", cell: orNone("spec.clusterIP") },
    { name: "External-IP", cell: externalIp },
    { name: "Port(s)", cell: servicePorts },
    AGE,
    { name: "Selector", priority: 1, cell: selectorOf("spec.selector") },
  ],
  "/endpoints": [NAME, { name: "Endpoints", cell: endpointsOf }, AGE],
  "/nodes": [
    NAME,
    { name: "Status", cell: nodeStatus },
    { name: "Roles", cell: nodeRoles },
    AGE,
    { name: "Version", cell: path("status.nodeInfo.kubeletVersion") },
    { name: "Internal-IP", priority: 1, cell: (o) => none(arr(get(o, "status.addresses")).filter((a) => a.type === "InternalIP").map((a) => str(a.address)).join(",")) },
    { name: "External-IP", priority: 1, cell: (o) => none(arr(get(o, "status.addresses")).filter((a) => a.type === "ExternalIP").map((a) => str(a.address)).join(",")) },
    { name: "OS-Image", priority: 1, cell: path("status.nodeInfo.osImage") },
    { name: "Kernel-Version", priority: 1, cell: path("status.nodeInfo.kernelVersion") },
    { name: "Container-Runtime", priority: 1, cell: path("status.nodeInfo.containerRuntimeVersion") },
  ],
  "/persistentvolumeclaims": [
    NAME,
    { name: "Status", cell: volumePhase },
    { name: "Volume", cell: path("spec.volumeName") },
    { name: "Capacity", cell: pvcCapacity },
    { name: "Access Modes", cell: accessModes("status.accessModes") },
    { name: "StorageClass", cell: path("spec.storageClassName") },
    { name: "VolumeAttributesClass", cell: (o) => unset(get(o, "spec.volumeAttributesClassName")) },
    AGE,
    { name: "VolumeMode", priority: 1, cell: (o) => unset(get(o, "spec.volumeMode")) },
  ],
  "/persistentvolumes": [
    NAME,
    { name: "Capacity", cell: path("spec.capacity.storage") },
    { name: "Access Modes", cell: accessModes("spec.accessModes") },
    { name: "Reclaim Policy", cell: path("spec.persistentVolumeReclaimPolicy") },
    { name: "Status", cell: volumePhase },
    { name: "Claim", cell: (o) => (get(o, "spec.claimRef") ? `${str(get(o, "spec.claimRef.namespace"))}/${str(get(o, "spec.claimRef.name"))}` : "") },
    { name: "StorageClass", cell: path("spec.storageClassName") },
    { name: "VolumeAttributesClass", cell: (o) => unset(get(o, "spec.volumeAttributesClassName")) },
    { name: "Reason", cell: path("status.reason") },
    AGE,
    { name: "VolumeMode", priority: 1, cell: (o) => unset(get(o, "spec.volumeMode")) },
  ],
  "/events": [
    { name: "Last Seen", cell: eventLastSeen },
    { name: "Type", cell: path("type") },
    { name: "Reason", cell: path("reason") },
    { name: "Object", cell: eventObject },
    { name: "Subobject", priority: 1, cell: path("involvedObject.fieldPath") },
    { name: "Source", priority: 1, cell: path("source.component") },
    { name: "Message", cell: path("message") },
    { name: "First Seen", priority: 1, cell: (o, now) => since(get(o, "firstTimestamp"), now) },
    { name: "Count", priority: 1, cell: (o) => str(get(o, "count")) },
    { ...NAME, priority: 1 },
  ],
  "/replicationcontrollers": [
    NAME,
    ...REPLICA_COLUMNS,
    AGE,
    ...templateColumns("spec.template"),
  ],
  "/resourcequotas": [NAME, AGE, { name: "Request", cell: () => "" }, { name: "Limit", cell: () => "" }],
  "/limitranges": [NAME, { name: "Created At", type: "date", cell: path("metadata.creationTimestamp") }],
  "/podtemplates": [
    NAME,
    { name: "Containers", cell: containersOf("template.spec.containers") },
    { name: "Images", cell: imagesOf("template.spec.containers") },
    { name: "Pod Labels", cell: (o) => none(Object.entries((get(o, "template.metadata.labels") as Obj | undefined) ?? {}).map(([k, v]) => `${k}=${str(v)}`).join(",")) },
  ],
  "apps/deployments": [
    NAME,
    { name: "Ready", cell: fraction("status.readyReplicas", "spec.replicas") },
    { name: "Up-to-date", type: "integer", cell: int("status.updatedReplicas") },
    { name: "Available", type: "integer", cell: int("status.availableReplicas") },
    AGE,
    ...templateColumns("spec.template"),
  ],
  "apps/replicasets": [
    NAME,
    ...REPLICA_COLUMNS,
    AGE,
    ...templateColumns("spec.template"),
  ],
  "apps/statefulsets": [
    NAME,
    { name: "Ready", cell: fraction("status.readyReplicas", "spec.replicas") },
    AGE,
    ...templateColumns("spec.template", null),
  ],
  "apps/daemonsets": [
    NAME,
    { name: "Desired", type: "integer", cell: int("status.desiredNumberScheduled") },
    { name: "Current", type: "integer", cell: int("status.currentNumberScheduled") },
    { name: "Ready", type: "integer", cell: int("status.numberReady") },
    { name: "Up-to-date", type: "integer", cell: int("status.updatedNumberScheduled") },
    { name: "Available", type: "integer", cell: int("status.numberAvailable") },
    { name: "Node Selector", cell: (o) => none(Object.entries((get(o, "spec.template.spec.nodeSelector") as Obj | undefined) ?? {}).map(([k, v]) => `${k}=${str(v)}`).join(",")) },
    AGE,
    ...templateColumns("spec.template"),
  ],
  "apps/controllerrevisions": [
    NAME,
    { name: "Controller", cell: (o) => { const ref = arr(get(o, "metadata.ownerReferences")).find((r) => r.controller); return ref ? `${str(ref.kind).toLowerCase()}.${str(ref.apiVersion).split("/")[0]}/${str(ref.name)}` : "<none>"; } },
    { name: "Revision", type: "integer", cell: int("revision") },
    AGE,
  ],
  "batch/jobs": [
    NAME,
    { name: "Status", cell: jobStatus },
    { name: "Completions", cell: (o) => `${num(get(o, "status.succeeded"))}/${get(o, "spec.completions") ?? 1}` },
    { name: "Duration", cell: jobDuration },
    AGE,
    ...templateColumns("spec.template"),
  ],
  "batch/cronjobs": [
    NAME,
    { name: "Schedule", cell: path("spec.schedule") },
    { name: "Timezone", cell: orNone("spec.timeZone") },
    { name: "Suspend", type: "boolean", cell: (o) => String(get(o, "spec.suspend") === true) === "true" ? "True" : "False" },
    { name: "Active", type: "integer", cell: count("status.active") },
    { name: "Last Schedule", cell: lastSchedule },
    AGE,
    ...templateColumns("spec.jobTemplate.spec.template", "spec.jobTemplate.spec.selector"),
  ],
  "autoscaling/horizontalpodautoscalers": [
    NAME,
    { name: "Reference", cell: (o) => `${str(get(o, "spec.scaleTargetRef.kind"))}/${str(get(o, "spec.scaleTargetRef.name"))}` },
    { name: "Targets", cell: hpaTargets },
    { name: "MinPods", cell: (o) => str(get(o, "spec.minReplicas") ?? 1) },
    { name: "MaxPods", type: "integer", cell: int("spec.maxReplicas") },
    { name: "Replicas", type: "integer", cell: int("status.currentReplicas") },
    AGE,
  ],
  "networking.k8s.io/ingresses": [
    NAME,
    { name: "Class", cell: (o) => none(str(get(o, "spec.ingressClassName"))) },
    { name: "Hosts", cell: ingressHosts },
    { name: "Address", cell: ingressAddress },
    { name: "Ports", cell: ingressPorts },
    AGE,
  ],
  "networking.k8s.io/ingressclasses": [NAME, { name: "Controller", cell: path("spec.controller") }, { name: "Parameters", cell: () => "<none>" }, AGE],
  "networking.k8s.io/networkpolicies": [NAME, { name: "Pod-Selector", cell: selectorOf("spec.podSelector") }, AGE],
  "policy/poddisruptionbudgets": [
    NAME,
    { name: "Min Available", cell: (o) => str(get(o, "spec.minAvailable") ?? "N/A") },
    { name: "Max Unavailable", cell: (o) => str(get(o, "spec.maxUnavailable") ?? "N/A") },
    { name: "Allowed Disruptions", type: "integer", cell: pdbAllowed },
    AGE,
  ],
  "rbac.authorization.k8s.io/rolebindings": BINDING_COLUMNS,
  "rbac.authorization.k8s.io/clusterrolebindings": BINDING_COLUMNS,
  "rbac.authorization.k8s.io/roles": [NAME, { name: "Created At", type: "date", cell: path("metadata.creationTimestamp") }],
  "rbac.authorization.k8s.io/clusterroles": [NAME, { name: "Created At", type: "date", cell: path("metadata.creationTimestamp") }],
  "storage.k8s.io/storageclasses": [
    { ...NAME, cell: (o) => `${str(get(o, "metadata.name"))}${isDefaultStorageClass(o as Record<string, unknown>) ? " (default)" : ""}` },
    { name: "Provisioner", cell: path("provisioner") },
    { name: "ReclaimPolicy", cell: (o) => str(get(o, "reclaimPolicy")) || "Delete" },
    { name: "VolumeBindingMode", cell: (o) => str(get(o, "volumeBindingMode")) || "Immediate" },
    { name: "AllowVolumeExpansion", cell: (o) => String(get(o, "allowVolumeExpansion") === true) },
    AGE,
  ],
  "scheduling.k8s.io/priorityclasses": [
    NAME,
    { name: "Value", type: "integer", cell: int("value") },
    { name: "Global-Default", type: "boolean", cell: (o) => get(o, "globalDefault") === true },
    AGE,
    { name: "PreemptionPolicy", cell: (o) => str(get(o, "preemptionPolicy")) || "PreemptLowerPriority" },
  ],
  "coordination.k8s.io/leases": [NAME, { name: "Holder", cell: leaseHolder }, AGE],
  "certificates.k8s.io/certificatesigningrequests": [
    NAME,
    AGE,
    { name: "SignerName", cell: (o) => none(str(get(o, "spec.signerName"))) },
    { name: "Requestor", cell: path("spec.username") },
    { name: "RequestedDuration", cell: (o) => (typeof get(o, "spec.expirationSeconds") === "number" ? humanDuration(Number(get(o, "spec.expirationSeconds")) * 1000) : "<none>") },
    { name: "Condition", cell: csrCondition },
  ],
  "discovery.k8s.io/endpointslices": [
    NAME,
    { name: "AddressType", cell: path("addressType") },
    { name: "Ports", cell: (o) => none(arr(get(o, "ports")).map((p) => str(p.port)).join(",")) },
    { name: "Endpoints", cell: (o) => none(arr(get(o, "endpoints")).flatMap((e) => arr(e.addresses as unknown).map(String)).join(",")) },
    AGE,
  ],
  "apiextensions.k8s.io/customresourcedefinitions": [NAME, { name: "Created At", type: "date", cell: path("metadata.creationTimestamp") }],
};

// events.k8s.io Events are printed by core's Event printer, from the internal object (core's fields).
printerColumns["events.k8s.io/events"] = printerColumns["/events"]!.map((c) => ({ ...c, cell: (o: Obj, now: number) => c.cell(eventToCore(o), now) }));

/** What a table is built from: the columns to print and how to read each cell. */
export interface TableSpec {
  columns: Column[];
}

const GENERIC: TableSpec = {
  columns: [
    { ...NAME, description: "Name must be unique within a namespace." },
    { name: "Created At", type: "date", cell: path("metadata.creationTimestamp"), description: "CreationTimestamp is a timestamp representing the server time when this object was created." },
  ],
};

/** Evaluate a CRD printer column's JSONPath (`.spec.replicas`, `.status.conditions[?(@.type=="Ready")].status`). */
export function evalJsonPath(obj: unknown, expr: string): unknown {
  let rest = expr.trim().replace(/^\{|\}$/g, "");
  let cur: unknown[] = [obj];
  while (rest.length) {
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z0-9_-]+)/.exec(rest))) {
      const key = m[1]!;
      cur = cur.flatMap((c) => (c && typeof c === "object" && !Array.isArray(c) && key in (c as Obj) ? [(c as Obj)[key]] : []));
    } else if ((m = /^\[(\d+)\]/.exec(rest))) {
      const i = Number(m[1]);
      cur = cur.flatMap((c) => (Array.isArray(c) && i < c.length ? [c[i]] : []));
    } else if ((m = /^\[\*\]/.exec(rest))) {
      cur = cur.flatMap((c) => (Array.isArray(c) ? c : []));
    } else if ((m = /^\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*["']([^"']*)["']\)\]/.exec(rest))) {
      const [, key, value] = m;
      cur = cur.flatMap((c) => (Array.isArray(c) ? c.filter((item) => str(get(item, key!)) === value) : []));
    } else if ((m = /^\['([^']+)'\]/.exec(rest)) || (m = /^\["([^"]+)"\]/.exec(rest))) {
      const key = m[1]!;
      cur = cur.flatMap((c) => (c && typeof c === "object" && key in (c as Obj) ? [(c as Obj)[key]] : []));
    } else {
      return undefined;
    }
    rest = rest.slice(m[0].length);
  }
  return cur.length === 0 ? undefined : cur.length === 1 ? cur[0] : cur;
}

/** The table of a custom resource version: Name, its printer columns (Age when it declares none). */
export function customTableSpec(columns: readonly PrinterColumnSpec[]): TableSpec {
  const specs = columns.length ? columns : [{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }];
  return {
    columns: [
      { ...NAME, description: "Name must be unique within a namespace." },
      ...specs.map(
        (c): Column => ({
          name: c.name,
          type: c.type,
          format: c.format ?? "",
          priority: c.priority ?? 0,
          description: c.description ?? "",
          cell: (o, now) => {
            const v = evalJsonPath(o, c.jsonPath);
            if (v === undefined || v === null) return null;
            if (c.type === "date") return since(v, now);
            if (typeof v === "object") return JSON.stringify(v);
            return c.type === "integer" || c.type === "number" || c.type === "boolean" ? (v as Cell) : String(v);
          },
        }),
      ),
    ],
  };
}

/** The table spec for a built-in resource (`group/plural`), or the generic one. */
export function builtinTableSpec(storageKey: string): TableSpec {
  const columns = printerColumns[storageKey];
  return columns ? { columns } : GENERIC;
}

/** The column definitions of a table spec. */
export function columnDefinitions(spec: TableSpec): ColumnDefinition[] {
  return spec.columns.map((c) => ({
    name: c.name,
    type: c.type ?? "string",
    format: c.format ?? "",
    description: c.description ?? "",
    priority: c.priority ?? 0,
  }));
}

/** One table row: the cells and the object (or its metadata) it shows. */
export function tableRow(spec: TableSpec, obj: KubeObject, include: "None" | "Metadata" | "Object", now = Date.now()): Record<string, unknown> {
  const cells = spec.columns.map((c) => c.cell(obj, now));
  const row: Record<string, unknown> = { cells };
  if (include === "Object") row.object = obj;
  else if (include === "Metadata") row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
  return row;
}
