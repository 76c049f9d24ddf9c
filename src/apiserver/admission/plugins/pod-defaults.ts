/**
 * The mutating pod plugins that fill in what the cluster decides: `DefaultTolerationSeconds`
 * (plugin/pkg/admission/defaulttolerationseconds), `Priority` (plugin/pkg/admission/priority) and
 * `RuntimeClass` (plugin/pkg/admission/runtimeclass).
 */
import { forbidden, rec, recs, resourceList, specOf, str, type Obj, type PluginCluster, type PluginRequest } from "./common.js";

const NOT_READY = "node.kubernetes.io/not-ready";
const UNREACHABLE = "node.kubernetes.io/unreachable";
/** The `--default-not-ready-toleration-seconds` and `--default-unreachable-toleration-seconds` defaults. */
const DEFAULT_TOLERATION_SECONDS = 300;

const isPod = (req: PluginRequest) => req.group === "" && req.resource === "pods";

/** `DefaultTolerationSeconds`: pods tolerate `not-ready` and `unreachable` NoExecute taints for 300 s unless they say otherwise. */
export function admitDefaultTolerationSeconds(req: PluginRequest): void {
  if (!isPod(req) || req.subresource !== "" || (req.operation !== "CREATE" && req.operation !== "UPDATE")) return;
  const spec = specOf(req.object);
  const tolerations = recs(spec.tolerations);
  const tolerates = (key: string) => tolerations.some((t) => (t.key === key || !str(t.key)) && (t.effect === "NoExecute" || !str(t.effect)));
  const added: Obj[] = [];
  if (!tolerates(NOT_READY)) added.push({ key: NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  if (!tolerates(UNREACHABLE)) added.push({ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  if (added.length) spec.tolerations = [...(Array.isArray(spec.tolerations) ? spec.tolerations : []), ...added];
}

/** `scheduling.DefaultPriorityWhenNoDefaultClassExists`. */
const DEFAULT_PRIORITY = 0;
const PREEMPT_LOWER_PRIORITY = "PreemptLowerPriority";

/** `getDefaultPriorityClass`: among global defaults, the lowest value. */
function defaultPriorityClass(classes: Obj[]): Obj | undefined {
  let found: Obj | undefined;
  for (const pc of classes) if (pc.globalDefault === true && (!found || Number(found.value) > Number(pc.value))) found = pc;
  return found;
}

/** `Priority` (mutating): a pod's priority and preemption policy from its PriorityClass, or the default one. */
export function admitPriority(req: PluginRequest, cluster: PluginCluster): void {
  if (req.subresource !== "" || !isPod(req)) return;
  const spec = specOf(req.object);
  if (req.operation === "UPDATE") {
    // API validation refuses changes to both: keep what creation set.
    const old = rec(req.old?.spec);
    if (spec.priority === undefined && old?.priority !== undefined) spec.priority = old.priority;
    if (spec.preemptionPolicy === undefined && old?.preemptionPolicy !== undefined) spec.preemptionPolicy = old.preemptionPolicy;
    return;
  }
  if (req.operation !== "CREATE") return;
  let priority: number;
  let preemption: string | undefined;
  const className = str(spec.priorityClassName);
  if (!className) {
    const pc = defaultPriorityClass(cluster.priorityClasses());
    if (pc) {
      spec.priorityClassName = str(rec(pc.metadata)?.name);
      priority = Number(pc.value);
      preemption = typeof pc.preemptionPolicy === "string" ? pc.preemptionPolicy : undefined;
    } else {
      priority = DEFAULT_PRIORITY;
      preemption = PREEMPT_LOWER_PRIORITY;
    }
  } else {
    const pc = cluster.priorityClasses().find((c) => rec(c.metadata)?.name === className);
    if (!pc) throw forbidden(req, `no PriorityClass with name ${className} was found`);
    priority = Number(pc.value);
    preemption = typeof pc.preemptionPolicy === "string" ? pc.preemptionPolicy : undefined;
  }
  if (typeof spec.priority === "number" && spec.priority !== priority) {
    throw forbidden(req, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (preemption !== undefined) {
    if (typeof spec.preemptionPolicy === "string" && spec.preemptionPolicy !== preemption) {
      throw forbidden(req, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemption} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = preemption;
  }
}

/** `Priority` (validating): only one PriorityClass may be the global default. */
export function validatePriority(req: PluginRequest, cluster: PluginCluster): void {
  if (req.group !== "scheduling.k8s.io" || req.resource !== "priorityclasses" || req.subresource !== "") return;
  if (req.operation !== "CREATE" && req.operation !== "UPDATE") return;
  const pc = req.object;
  if (pc.globalDefault !== true) return;
  const name = str(rec(pc.metadata)?.name);
  const other = defaultPriorityClass(cluster.priorityClasses().filter((c) => rec(c.metadata)?.name !== name));
  if (other) throw forbidden(req, `PriorityClass ${str(rec(other.metadata)?.name)} is already marked as default. Only one default can exist`);
}

/** `RuntimeClass` (mutating): the RuntimeClass's pod overhead and scheduling constraints go into the pod. */
export function admitRuntimeClass(req: PluginRequest, cluster: PluginCluster): void {
  if (!isPod(req) || req.subresource !== "" || req.operation !== "CREATE") return;
  const spec = specOf(req.object);
  const name = str(spec.runtimeClassName);
  if (!name) return;
  const rc = cluster.runtimeClass(name);
  if (!rc) throw forbidden(req, `pod rejected: RuntimeClass ${JSON.stringify(name)} not found`);
  const podFixed = rec(rec(rc.overhead)?.podFixed);
  if (podFixed) {
    if (rec(spec.overhead)) {
      if (!sameResources(rec(spec.overhead)!, podFixed)) throw forbidden(req, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
    } else spec.overhead = { ...podFixed };
  }
  const scheduling = rec(rc.scheduling);
  if (!scheduling) return;
  const selector = rec(scheduling.nodeSelector);
  if (selector) {
    const podSelector = { ...(rec(spec.nodeSelector) ?? {}) };
    for (const [k, v] of Object.entries(selector)) {
      if (Object.hasOwn(podSelector, k) && podSelector[k] !== v) {
        throw forbidden(req, `conflict: runtimeClass.scheduling.nodeSelector[${k}] = ${String(v)}; pod.spec.nodeSelector[${k}] = ${String(podSelector[k])}`);
      }
      podSelector[k] = v;
    }
    spec.nodeSelector = podSelector;
  }
  const tolerations = recs(scheduling.tolerations);
  if (tolerations.length) {
    const current = recs(spec.tolerations);
    const key = (t: Obj) => JSON.stringify([t.key ?? "", t.operator ?? "", t.value ?? "", t.effect ?? "", t.tolerationSeconds ?? null]);
    const seen = new Set(current.map(key));
    spec.tolerations = [...current, ...tolerations.filter((t) => !seen.has(key(t)))];
  }
}

/** `RuntimeClass` (validating): a pod's overhead must come from its RuntimeClass. */
export function validateRuntimeClass(req: PluginRequest, cluster: PluginCluster): void {
  if (!isPod(req) || req.subresource !== "" || req.operation !== "CREATE") return;
  const spec = rec(req.object.spec) ?? {};
  if (!rec(spec.overhead)) return;
  const name = str(spec.runtimeClassName);
  const podFixed = name ? rec(rec(cluster.runtimeClass(name)?.overhead)?.podFixed) : undefined;
  if (!podFixed) throw forbidden(req, "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead");
  if (!sameResources(rec(spec.overhead)!, podFixed)) throw forbidden(req, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
}

function sameResources(a: Obj, b: Obj): boolean {
  const x = resourceList(a);
  const y = resourceList(b);
  if (x.size !== y.size) return false;
  for (const [k, q] of x) if (!y.has(k) || y.get(k)!.cmp(q) !== 0) return false;
  return true;
}
