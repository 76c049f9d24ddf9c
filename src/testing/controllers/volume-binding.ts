/**
 * The scheduler's VolumeBinding plugin (pkg/scheduler/framework/plugins/volumebinding): PreFilter
 * refuses a pod whose claims are missing, being deleted or unbound with immediate binding; Filter
 * keeps the nodes where bound volumes' node affinity holds and delayed claims can be bound to a
 * matching volume or provisioned; Reserve/PreBind bind chosen volumes to their claims or mark the
 * claims with the selected node for the provisioner, and the pod is bound once all its claims are.
 */
import type { KubeObject } from "../store.js";
import { PVCS, PVS, type ClusterApi } from "./api.js";
import { obj } from "./util.js";
import { ANN_SELECTED_NODE, annotations, bindVolumeToClaim, classOf, delayBinding, findMatchingVolume, podClaimNames, volumeNodeAffinityFits } from "./volume-matching.js";

/** A pod's claims as PreFilter sorts them, or why the pod cannot be scheduled anywhere. */
export type PodClaims = { unschedulable: string } | { unschedulable?: undefined; bound: KubeObject[]; delayed: KubeObject[] };

export function podClaims(api: ClusterApi, pod: KubeObject): PodClaims {
  const namespace = String(pod.metadata.namespace);
  const claims: KubeObject[] = [];
  for (const name of podClaimNames(pod)) {
    const claim = api.get(PVCS, namespace, name);
    if (!claim) return { unschedulable: `persistentvolumeclaim ${JSON.stringify(name)} not found` };
    if (claim.metadata.deletionTimestamp) return { unschedulable: `persistentvolumeclaim ${JSON.stringify(name)} is being deleted` };
    claims.push(claim);
  }
  const bound: KubeObject[] = [];
  const delayed: KubeObject[] = [];
  for (const claim of claims) {
    if (obj(claim.spec).volumeName) bound.push(claim);
    else if (delayBinding(api, claim)) delayed.push(claim);
    else return { unschedulable: "pod has unbound immediate PersistentVolumeClaims" };
  }
  return { bound, delayed };
}

/** A delayed claim's plan on a node: a volume to bind, or provisioning there. */
function planFor(api: ClusterApi, claim: KubeObject, node: KubeObject): { volume?: KubeObject; provision?: true } | undefined {
  const volume = findMatchingVolume(claim, api.list(PVS), node, true);
  if (volume) return { volume };
  const selected = annotations(claim)[ANN_SELECTED_NODE];
  if (selected !== undefined && selected !== node.metadata.name) return undefined;
  const sc = classOf(api, claim);
  return sc && sc.provisioner !== "kubernetes.io/no-provisioner" ? { provision: true } : undefined;
}

/** Filter: why the node cannot take the pod's volumes (undefined: it can). */
export function volumesUnfit(api: ClusterApi, claims: Exclude<PodClaims, { unschedulable: string }>, node: KubeObject): string | undefined {
  for (const claim of claims.bound) {
    const pv = api.get(PVS, "", String(obj(claim.spec).volumeName));
    if (!pv) return "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
    if (!volumeNodeAffinityFits(pv, node)) return "node(s) had volume node affinity conflict";
  }
  for (const claim of claims.delayed) if (!planFor(api, claim, node)) return "node(s) didn't find available persistent volumes to bind";
  return undefined;
}

/** Reserve and PreBind on the chosen node: bind matching volumes, mark claims to provision with the node. */
export function bindPodVolumes(api: ClusterApi, claims: Exclude<PodClaims, { unschedulable: string }>, node: KubeObject): void {
  for (const claim of claims.delayed) {
    const plan = planFor(api, claim, node);
    if (plan?.volume) {
      const bound = bindVolumeToClaim(plan.volume, claim);
      if (bound) api.update(PVS, bound);
    } else if (plan?.provision && annotations(claim)[ANN_SELECTED_NODE] !== node.metadata.name) {
      api.update(PVCS, { ...claim, metadata: { ...claim.metadata, annotations: { ...annotations(claim), [ANN_SELECTED_NODE]: String(node.metadata.name) } } });
    }
  }
}
