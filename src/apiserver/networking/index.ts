/**
 * The networking.k8s.io API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";
import { clusterCIDRRules } from "./cluster-cidr.js";
import { defaultIngressClass, validateIngress, validateIngressClass, validateIngressClassUpdate } from "./ingress.js";
import { defaultNetworkPolicy, validateNetworkPolicy } from "./network-policy.js";
import { validateIPAddress, validateIPAddressUpdate, validateServiceCIDR, validateServiceCIDRUpdate } from "./service-cidrs.js";

type Obj = Record<string, unknown>;

function keepStatus(obj: Obj, old: Obj): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = old.status;
}

/** What kube-apiserver does to the kinds of `networking.k8s.io`. */
export const rules: GroupRules = {
  group: "networking.k8s.io",
  kinds: {
    Ingress: {
      prepareForCreate: (obj) => void delete obj.status,
      prepareForUpdate: keepStatus,
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateIngress(obj, ctx)),
      validateUpdate: (obj, old, ctx) => validateIngress(obj, ctx, old),
    },
    IngressClass: { defaults: defaultIngressClass, validate: validateIngressClass, validateUpdate: validateIngressClassUpdate },
    NetworkPolicy: {
      defaults: defaultNetworkPolicy,
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateNetworkPolicy(obj, ctx)),
      validateUpdate: (obj, old, ctx) => validateNetworkPolicy(obj, ctx, old),
    },
    // ValidateIPAddress checks the metadata with its own name function (an IP address, not a DNS subdomain).
    IPAddress: { validate: validateIPAddress, validateUpdate: validateIPAddressUpdate, objectMeta: false },
    ClusterCIDR: clusterCIDRRules,
    ServiceCIDR: { prepareForCreate: (obj) => void delete obj.status, prepareForUpdate: keepStatus, validate: validateServiceCIDR, validateUpdate: validateServiceCIDRUpdate },
  },
};
