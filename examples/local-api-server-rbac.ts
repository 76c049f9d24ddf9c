/**
 * The local API server authorizing with RBAC: a Role and a RoleBinding let jane read pods in one
 * namespace; elsewhere she gets kube-apiserver's 403, and a SelfSubjectAccessReview (what
 * `kubectl auth can-i` sends) tells the truth.
 *
 * Run: npx tsx examples/local-api-server-rbac.ts
 */
import { connect, defineCluster, ForbiddenError } from "kubezod";
import { Pod, SelfSubjectAccessReview } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const rbac = "rbac.authorization.k8s.io";
const server = await startTestServer({
  authorization: "RBAC",
  controllers: false,
  objects: [
    { apiVersion: `${rbac}/v1`, kind: "Role", metadata: { name: "pod-reader", namespace: "default" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }] },
    {
      apiVersion: `${rbac}/v1`,
      kind: "RoleBinding",
      metadata: { name: "jane-reads-pods", namespace: "default" },
      roleRef: { apiGroup: rbac, kind: "Role", name: "pod-reader" },
      subjects: [{ apiGroup: rbac, kind: "User", name: "jane" }],
    },
  ],
});
// The kubeconfig's admin is in system:masters; `kubectl auth can-i list pods --as=jane` asks as jane.
server.addToken("jane-token", "jane");
const jane = await connect({ config: defineCluster({ server: server.url, ca: server.caCertificate, token: "jane-token" }) });

const pods = await jane.list(Pod, { namespace: "default" });
console.log("default pods:", pods.items.length); // default pods: 0

try {
  await jane.list(Pod, { namespace: "kube-system" });
} catch (e) {
  if (!(e instanceof ForbiddenError)) throw e;
  console.log(e.status, e.body.message); // 403 pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "kube-system"
}

const review = await jane.create(SelfSubjectAccessReview, { spec: { resourceAttributes: { verb: "delete", resource: "pods", namespace: "default" } } });
console.log("may delete pods:", review.status?.allowed); // may delete pods: false

await server.close();

export default { listed: pods.items.length, mayDelete: review.status?.allowed };
