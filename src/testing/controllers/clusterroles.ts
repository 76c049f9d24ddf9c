/**
 * The clusterrole-aggregation controller: a ClusterRole with an `aggregationRule` gets, written
 * into its `rules`, the rules of the ClusterRoles its selectors pick (so `kubectl get clusterrole
 * view -o yaml` and `kubectl describe clusterrole admin` show them, as on a cluster). Every change
 * of a ClusterRole queues every aggregated one, as the controller does.
 */
import { aggregateClusterRoles } from "../../apiserver/rbac/evaluate.js";
import { keyOf, type ResourceRef } from "./api.js";
import { splitKey, type ControllerContext } from "./manager.js";
import { same } from "./util.js";

const CLUSTER_ROLES: ResourceRef = { group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles" };

/** Register the clusterrole-aggregation controller. */
export function registerClusterRoleAggregation(ctx: ControllerContext): void {
  const api = ctx.as({ manager: "clusterrole-aggregation-controller", user: "system:serviceaccount:kube-system:clusterrole-aggregation-controller" });
  ctx.watch(keyOf(CLUSTER_ROLES), "clusterrole-aggregation", () =>
    api
      .list(CLUSTER_ROLES)
      .filter((r) => r.aggregationRule !== undefined && r.aggregationRule !== null)
      .map((r) => `/${String(r.metadata.name)}`),
  );
  ctx.reconciler("clusterrole-aggregation", (key) => {
    const { name } = splitKey(key);
    const role = api.get(CLUSTER_ROLES, "", name);
    if (!role || role.aggregationRule === undefined || role.aggregationRule === null) return;
    const rules = aggregateClusterRoles(api.list(CLUSTER_ROLES)).get(name) ?? [];
    if (same(role.rules ?? [], rules)) return;
    api.update(CLUSTER_ROLES, { ...role, rules });
  });
}
