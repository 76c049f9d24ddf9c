/**
 * The local API server's authorization modes: RBAC read from the stored objects (service-account
 * subjects, missing roles as the denial's reason, impersonation of service accounts), the reviews
 * answered from it, the clusterrole-aggregation controller, and AlwaysAllow.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

const GROUP = "rbac.authorization.k8s.io";
const RBAC = `/apis/${GROUP}/v1`;
const binding = (namespace: string, name: string, kind: "Role" | "ClusterRole", role: string, subjects: object[]) => ({
  apiVersion: `${GROUP}/v1`,
  kind: "RoleBinding",
  metadata: { name, namespace },
  roleRef: { apiGroup: GROUP, kind, name: role },
  subjects,
});

let server: TestServer;
let admin: Client;

beforeAll(async () => {
  server = await startTestServer({
    kubernetesVersion: "1.33",
    authorization: "RBAC",
    controllers: { kubelet: false, scheduler: false, deployments: false, replicaSets: false, statefulSets: false, daemonSets: false, jobs: false, cronJobs: false, endpoints: false },
    objects: [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "ci" } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "builder", namespace: "ci" } },
      { apiVersion: `${GROUP}/v1`, kind: "Role", metadata: { name: "reader", namespace: "ci" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }] },
      binding("ci", "builder-reads", "Role", "reader", [{ kind: "ServiceAccount", name: "builder" }]),
      binding("ci", "jane-gone", "Role", "gone", [{ apiGroup: GROUP, kind: "User", name: "jane" }]),
      {
        apiVersion: `${GROUP}/v1`,
        kind: "ClusterRole",
        metadata: { name: "sa-impersonator" },
        rules: [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }],
      },
      binding("ci", "lead-impersonates", "ClusterRole", "sa-impersonator", [{ apiGroup: GROUP, kind: "User", name: "lead" }]),
      binding("ci", "lead-admin", "ClusterRole", "admin", [{ apiGroup: GROUP, kind: "User", name: "lead" }]),
      { apiVersion: `${GROUP}/v1`, kind: "Role", metadata: { name: "one-config", namespace: "ci" }, rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: ["app"], verbs: ["get", "list", "watch"] }] },
      binding("ci", "ann-one-config", "Role", "one-config", [{ apiGroup: GROUP, kind: "User", name: "ann" }]),
    ],
  });
  admin = client(server);
  server.addToken("jane-token", "jane");
  server.addToken("lead-token", "lead");
  server.addToken("ann-token", "ann");
});
afterAll(async () => {
  await admin.close();
  await server.close();
});

describe("RBAC from the stored objects", () => {
  it("authorizes a service account's token by its ServiceAccount subject, namespace taken from the RoleBinding", async () => {
    const issued = await admin.post("/api/v1/namespaces/ci/serviceaccounts/builder/token", { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} });
    expect(issued.status).toBe(201);
    const sa = client(server, issued.json.status.token);
    expect((await sa.get("/api/v1/namespaces/ci/configmaps")).status).toBe(200);
    const denied = await sa.get("/api/v1/namespaces/default/configmaps");
    expect(denied.status).toBe(403);
    expect(denied.json.message).toBe('configmaps is forbidden: User "system:serviceaccount:ci:builder" cannot list resource "configmaps" in API group "" in the namespace "default"');
    await sa.close();
  });

  it("appends the RBAC resolution errors to a 403, as kube-apiserver does", async () => {
    const jane = client(server, "jane-token");
    const res = await jane.get("/api/v1/namespaces/ci/secrets");
    expect(res.status).toBe(403);
    expect(res.json.message).toBe('secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "ci": RBAC: role.rbac.authorization.k8s.io "gone" not found');
    const rules = await jane.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace: "ci" } });
    expect(rules.json.status).toMatchObject({ incomplete: false, evaluationError: 'role.rbac.authorization.k8s.io "gone" not found' });
    await jane.close();
  });

  it("authorizes a list or watch selecting one metadata.name by that name, as resourceNames rules need", async () => {
    const ann = client(server, "ann-token");
    expect((await ann.get("/api/v1/namespaces/ci/configmaps?fieldSelector=metadata.name%3Dapp")).status).toBe(200);
    expect((await ann.get("/api/v1/namespaces/ci/configmaps?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dapp")).status).toBe(200);
    const all = await ann.get("/api/v1/namespaces/ci/configmaps");
    expect(all.json.message).toBe('configmaps is forbidden: User "ann" cannot list resource "configmaps" in API group "" in the namespace "ci"');
    const other = await ann.get("/api/v1/namespaces/ci/configmaps?fieldSelector=metadata.name%3Dother");
    expect(other.status).toBe(403);
    expect(other.json.message).toBe('configmaps "other" is forbidden: User "ann" cannot list resource "configmaps" in API group "" in the namespace "ci"');
    await ann.close();
  });

  it("sees a new binding at once", async () => {
    const jane = client(server, "jane-token");
    expect((await jane.get("/api/v1/namespaces/ci/configmaps")).status).toBe(403);
    const created = await admin.post(`${RBAC}/namespaces/ci/rolebindings`, binding("ci", "jane-reads", "Role", "reader", [{ apiGroup: GROUP, kind: "User", name: "jane" }]));
    expect(created.status).toBe(201);
    expect((await jane.get("/api/v1/namespaces/ci/configmaps")).status).toBe(200);
    await jane.close();
  });

  it("impersonates a service account with the impersonate verb on serviceaccounts in its namespace, with its groups", async () => {
    const lead = client(server, "lead-token");
    const me = await lead.req("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      headers: { "impersonate-user": "system:serviceaccount:ci:builder" },
    });
    expect(me.status).toBe(201);
    expect(me.json.status.userInfo).toEqual({ username: "system:serviceaccount:ci:builder", groups: ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"] });
    const extra = await lead.req("GET", "/api/v1/namespaces/ci/configmaps", { headers: { "impersonate-user": "system:serviceaccount:ci:builder", "impersonate-extra-scopes": "view" } });
    expect(extra.status).toBe(403);
    expect(extra.json.message).toBe('userextras.authentication.k8s.io "view" is forbidden: User "lead" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
    const other = await lead.req("GET", "/api/v1/namespaces/default/configmaps", { headers: { "impersonate-user": "system:serviceaccount:default:default" } });
    expect(other.status).toBe(403);
    expect(other.json.message).toBe('serviceaccounts "default" is forbidden: User "lead" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"');
    await lead.close();
  });
});

describe("escalation prevention", () => {
  const role = (name: string, rules: object[]) => ({ apiVersion: `${GROUP}/v1`, kind: "Role", metadata: { name, namespace: "ci" }, rules });
  const NOT_HELD = 'is attempting to grant RBAC permissions not currently held:\n';

  it("lets a namespace admin write roles and bindings within what they hold, and refuses more", async () => {
    const lead = client(server, "lead-token");
    expect((await lead.post(`${RBAC}/namespaces/ci/roles`, role("pod-reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]))).status).toBe(201);
    const nodes = await lead.post(`${RBAC}/namespaces/ci/roles`, role("node-reader", [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"] }]));
    expect(nodes.status).toBe(403);
    expect(nodes.json.message).toBe(`roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "lead" (groups=["system:authenticated"]) ${NOT_HELD}{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}`);
    expect(nodes.json.details).toEqual({ name: "node-reader", group: GROUP, kind: "roles" });
    const patched = await lead.patch(`${RBAC}/namespaces/ci/roles/pod-reader`, [{ op: "add", path: "/rules/-", value: { apiGroups: [""], resources: ["nodes"], verbs: ["delete"] } }], "json");
    expect(patched.status).toBe(403);
    expect(patched.json.message).toContain(`${NOT_HELD}{APIGroups:[""], Resources:["nodes"], Verbs:["delete"]}`);
    expect((await lead.post(`${RBAC}/namespaces/ci/rolebindings`, binding("ci", "jane-views", "ClusterRole", "view", [{ apiGroup: GROUP, kind: "User", name: "jane" }]))).status).toBe(201);
    const root = await lead.post(`${RBAC}/namespaces/ci/rolebindings`, binding("ci", "jane-root", "ClusterRole", "cluster-admin", [{ apiGroup: GROUP, kind: "User", name: "jane" }]));
    expect(root.status).toBe(403);
    expect(root.json.message).toBe(`rolebindings.rbac.authorization.k8s.io "jane-root" is forbidden: user "lead" (groups=["system:authenticated"]) ${NOT_HELD}{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`);
    const missing = await lead.post(`${RBAC}/namespaces/ci/rolebindings`, binding("ci", "to-nothing", "Role", "nothing", [{ apiGroup: GROUP, kind: "User", name: "jane" }]));
    expect(missing.json.message).toBe('rolebindings.rbac.authorization.k8s.io "to-nothing" is forbidden: role.rbac.authorization.k8s.io "nothing" not found');
    await lead.close();
  });

  it("lets the escalate and bind verbs stand in for holding the rules; system:masters needs neither", async () => {
    const grant = await admin.post(`${RBAC}/clusterroles`, {
      apiVersion: `${GROUP}/v1`,
      kind: "ClusterRole",
      metadata: { name: "role-granter" },
      rules: [
        { apiGroups: [GROUP], resources: ["roles"], verbs: ["create", "escalate"] },
        { apiGroups: [GROUP], resources: ["rolebindings"], verbs: ["create"] },
        { apiGroups: [GROUP], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"] },
      ],
    });
    expect(grant.status).toBe(201);
    expect((await admin.post(`${RBAC}/namespaces/ci/rolebindings`, binding("ci", "jane-grants", "ClusterRole", "role-granter", [{ apiGroup: GROUP, kind: "User", name: "jane" }]))).status).toBe(201);
    const jane = client(server, "jane-token");
    expect((await jane.post(`${RBAC}/namespaces/ci/roles`, role("anything", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]))).status).toBe(201);
    expect((await jane.post(`${RBAC}/namespaces/ci/rolebindings`, binding("ci", "bob-root", "ClusterRole", "cluster-admin", [{ apiGroup: GROUP, kind: "User", name: "bob" }]))).status).toBe(201);
    await jane.close();
  });
});

describe("reviews", () => {
  it("shows an impersonated uid and extra values in a SelfSubjectReview", async () => {
    const me = await admin.req("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      headers: { "impersonate-user": "jane", "impersonate-uid": "1234", "impersonate-extra-scopes": "view", "impersonate-extra-reason%2Fwhy": "audit" },
    });
    expect(me.json.status.userInfo).toEqual({ username: "jane", uid: "1234", groups: ["system:authenticated"], extra: { scopes: ["view"], "reason/why": ["audit"] } });
  });


  it("answers SubjectAccessReview with RBAC's reason", async () => {
    const sar = await admin.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { user: "system:serviceaccount:ci:builder", resourceAttributes: { namespace: "ci", verb: "get", resource: "configmaps" } },
    });
    expect(sar.json.status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "builder-reads/ci" of Role "reader" to ServiceAccount "builder/ci"' });
    const no = await admin.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { user: "nobody", resourceAttributes: { namespace: "ci", verb: "get", resource: "configmaps" } },
    });
    expect(no.json.status).toEqual({ allowed: false });
  });

  it("refuses a LocalSubjectAccessReview about another namespace, and a SelfSubjectRulesReview without one", async () => {
    const local = await admin.post("/apis/authorization.k8s.io/v1/namespaces/ci/localsubjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "LocalSubjectAccessReview",
      metadata: { namespace: "ci" },
      spec: { user: "jane", resourceAttributes: { namespace: "default", verb: "get", resource: "pods" } },
    });
    expect(local.status).toBe(400);
    expect(local.json.message).toBe("spec.resourceAttributes.namespace must match namespace: ci");
    const rules = await admin.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: {} });
    expect(rules.status).toBe(400);
    expect(rules.json.message).toBe("no namespace on request");
  });
});

describe("clusterrole-aggregation controller", () => {
  it("writes the selected roles' rules into aggregated ClusterRoles, and follows new ones", async () => {
    await server.settle();
    const view = (await admin.get(`${RBAC}/clusterroles/view`)).json;
    const parts = (await admin.get(`${RBAC}/clusterroles/system:aggregate-to-view`)).json;
    expect(view.rules).toEqual(parts.rules);
    const widgets = { apiGroups: ["example.com"], resources: ["widgets"], verbs: ["get", "list", "watch"] };
    const created = await admin.post(`${RBAC}/clusterroles`, {
      apiVersion: `${GROUP}/v1`,
      kind: "ClusterRole",
      metadata: { name: "widgets-view", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } },
      rules: [widgets],
    });
    expect(created.status).toBe(201);
    await server.settle();
    for (const name of ["view", "edit", "admin"]) expect((await admin.get(`${RBAC}/clusterroles/${name}`)).json.rules, name).toContainEqual(widgets);
  });
});

describe("AlwaysAllow", () => {
  it("allows every request, anonymous ones too, and lists every rule", async () => {
    const open = await startTestServer({ kubernetesVersion: "1.33", authorization: "AlwaysAllow", anonymous: true, controllers: false });
    const anon = client(open, null);
    expect((await anon.get("/api/v1/namespaces/default/configmaps")).status).toBe(200);
    const rules = await anon.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace: "default" } });
    expect(rules.json.status).toEqual({
      resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
      nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
      incomplete: false,
    });
    await anon.close();
    await open.close();
  });
});
