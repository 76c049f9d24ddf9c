/**
 * The Service registry's allocation on create (pkg/registry/core/service/storage/alloc.go): a
 * cluster IP from the service range, the IP family fields that go with it, and node ports for
 * NodePort and LoadBalancer services. This is registry work, not defaulting: it runs after the
 * defaults and before validation, and only when an object is created.
 */

type Obj = Record<string, unknown>;

const SERVICES = "/services";

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Cluster IPs and node ports handed out by one server. */
export class Allocator {
  private nextIP = 10;
  private nextNodePort = 30000;

  /** The next free cluster IP (10.96.0.10, 10.96.0.11, …). */
  clusterIP(): string {
    const n = this.nextIP++;
    return `10.96.${Math.floor(n / 256)}.${n % 256}`;
  }

  /** The next free node port (30000 on). */
  nodePort(): number {
    return this.nextNodePort++;
  }

  /** Allocate what a new object of a resource needs, in place (Services only). */
  allocate(storageKey: string, obj: Obj): void {
    if (storageKey !== SERVICES || !isObj(obj.spec)) return;
    const spec = obj.spec;
    if (spec.type === "ExternalName") return;
    if (spec.clusterIP === undefined || spec.clusterIP === "") spec.clusterIP = Array.isArray(spec.clusterIPs) && typeof spec.clusterIPs[0] === "string" ? spec.clusterIPs[0] : this.clusterIP();
    if (!Array.isArray(spec.clusterIPs) || !spec.clusterIPs.length) spec.clusterIPs = [spec.clusterIP];
    if (!Array.isArray(spec.ipFamilies) || !spec.ipFamilies.length) spec.ipFamilies = ["IPv4"];
    if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = "SingleStack";
    const nodePorts = spec.type === "NodePort" || (spec.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false);
    if (nodePorts && Array.isArray(spec.ports)) for (const p of spec.ports) if (isObj(p) && p.nodePort === undefined) p.nodePort = this.nodePort();
    if (spec.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local" && spec.healthCheckNodePort === undefined) spec.healthCheckNodePort = this.nodePort();
  }
}
