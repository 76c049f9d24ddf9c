/**
 * The cluster's nodes as their kubelets register them: a Node with its labels, addresses,
 * capacity, `nodeInfo` and the four kubelet conditions (Ready), and its Lease in kube-node-lease.
 */
import { LEASES, NODES } from "./api.js";
import type { ControllerContext } from "./manager.js";
import { hexId, microTime, rfc3339 } from "./util.js";

/**
 * A node of the simulated cluster.
 *
 * @example
 * const node: NodeSpec = { name: "gpu-1", labels: { accelerator: "gpu" }, taints: [{ key: "gpu", effect: "NoSchedule" }] };
 */
export interface NodeSpec {
  name: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }>;
  /** Capacity (default cpu 4, memory 16Gi, pods 110, ephemeral-storage 100Gi). */
  capacity?: Record<string, string>;
  /** Report NotReady instead of Ready. */
  notReady?: boolean;
}

/** The node a cluster has when none are named. */
export const DEFAULT_NODE = "kubezod-node";

/** The internal IP of the i-th node. */
export function nodeAddress(index: number): string {
  return `172.18.0.${index + 2}`;
}

/** The pod CIDR of the i-th node. */
export function podCidr(index: number): string {
  return `10.244.${index}.0/24`;
}

/** Register the nodes (create, then report their status) as their kubelets would. */
export function registerNodes(ctx: ControllerContext, nodes: readonly NodeSpec[]): void {
  const kubelet = ctx.as({ manager: "kubelet", user: "system:node" });
  const version = `${ctx.kubernetesVersion}.0`;
  nodes.forEach((spec, index) => {
    if (kubelet.get(NODES, "", spec.name)) return;
    const now = rfc3339(ctx.now());
    const capacity = { cpu: "4", "ephemeral-storage": "100Gi", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: "16Gi", pods: "110", ...spec.capacity };
    const created = kubelet.create(NODES, undefined, {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: spec.name,
        labels: {
          "beta.kubernetes.io/arch": "amd64",
          "beta.kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "kubernetes.io/hostname": spec.name,
          "kubernetes.io/os": "linux",
          ...spec.labels,
        },
        annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
      },
      spec: { podCIDR: podCidr(index), podCIDRs: [podCidr(index)], providerID: `kubezod://${spec.name}`, ...(spec.taints?.length ? { taints: spec.taints } : {}) },
    });
    if (!created) return;
    const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: now, reason, message });
    kubelet.updateStatus(NODES, {
      ...created,
      status: {
        capacity,
        allocatable: capacity,
        conditions: [
          condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
          condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
          condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
          spec.notReady
            ? condition("Ready", "False", "KubeletNotReady", "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady")
            : condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        addresses: [
          { type: "InternalIP", address: nodeAddress(index) },
          { type: "Hostname", address: spec.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: hexId(`machine:${spec.name}`, 32),
          systemUUID: uuidOf(`system:${spec.name}`),
          bootID: uuidOf(`boot:${spec.name}`),
          kernelVersion: "6.1.0-kubezod",
          osImage: "Debian GNU/Linux 12 (bookworm)",
          containerRuntimeVersion: "containerd://1.7.18",
          kubeletVersion: version,
          kubeProxyVersion: version,
          operatingSystem: "linux",
          architecture: "amd64",
        },
      },
    });
    if (kubelet.serves(LEASES) && kubelet.get({ group: "", version: "v1", plural: "namespaces" }, "", "kube-node-lease")) {
      kubelet.create(LEASES, "kube-node-lease", {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: spec.name, namespace: "kube-node-lease", ownerReferences: [{ apiVersion: "v1", kind: "Node", name: spec.name, uid: created.metadata.uid }] },
        spec: { holderIdentity: spec.name, leaseDurationSeconds: 40, renewTime: microTime(ctx.now()) },
      });
    }
  });
}

function uuidOf(seed: string): string {
  const h = hexId(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
