/**
 * The RBAC evaluator, with the cases of Kubernetes' own tests translated:
 * plugin/pkg/auth/authorizer/rbac/rbac_test.go (TestAuthorizer, TestRuleMatches),
 * component-helpers' policy_comparator_test.go (Covers) and the
 * clusterrole-aggregation controller's behaviour on the bootstrap roles.
 */
import { describe, expect, it } from "vitest";
import { aggregateClusterRoles, RbacPolicy, ruleAllows, serviceAccountUser, type PolicyRule, type RbacRequest } from "../../../src/apiserver/rbac/evaluate.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "../../../src/apiserver/rbac/bootstrap.js";
import { confirmNoEscalation, coversRules } from "../../../src/apiserver/rbac/escalation.js";

const GROUP = "rbac.authorization.k8s.io";

/** `newRule(verbs, apiGroups, resources, nonResourceURLs)`: comma-separated, as strings.Split makes them. */
const newRule = (verbs: string, apiGroups: string, resources: string, urls: string): PolicyRule => ({
  verbs: verbs.split(","),
  apiGroups: apiGroups.split(","),
  resources: resources.split(","),
  nonResourceURLs: urls.split(","),
});
const newClusterRole = (name: string, ...rules: PolicyRule[]) => ({ metadata: { name }, rules });
const subjectsOf = (subjects: string[]) =>
  subjects.map((s) => {
    const [kind, name] = [s.slice(0, s.indexOf(":")), s.slice(s.indexOf(":") + 1)];
    return { kind, name, apiGroup: kind === "ServiceAccount" ? "" : GROUP };
  });
const newClusterRoleBinding = (role: string, ...subjects: string[]) => ({ metadata: { name: "" }, roleRef: { apiGroup: GROUP, kind: "ClusterRole", name: role }, subjects: subjectsOf(subjects) });
const newRoleBinding = (namespace: string, role: string, kind: "Role" | "ClusterRole", ...subjects: string[]) => ({
  metadata: { namespace, name: "" },
  roleRef: { apiGroup: GROUP, kind, name: role },
  subjects: subjectsOf(subjects),
});

/** `defaultAttributes{user, groups, verb, resource, subresource, namespace, apiGroup}`. */
type Attr = [user: string, groups: string, verb: string, resource: string, subresource: string, namespace: string, apiGroup: string];
const ask = (policy: RbacPolicy, [user, groups, verb, resource, subresource, namespace, apiGroup]: Attr) =>
  policy.authorize({ username: user, groups: groups.split(",") }, { verb, resource, subresource, namespace, apiGroup }).allowed;

describe("TestAuthorizer (rbac_test.go)", () => {
  it("binds a ClusterRole in one namespace to a user and a group", () => {
    const policy = new RbacPolicy({
      roles: [],
      clusterRoles: [newClusterRole("admin", newRule("*", "*", "*", "*"))],
      roleBindings: [newRoleBinding("ns1", "admin", "ClusterRole", "User:admin", "Group:admins")],
      clusterRoleBindings: [],
    });
    const pass: Attr[] = [
      ["admin", "", "get", "Pods", "", "ns1", ""],
      ["admin", "", "watch", "Pods", "", "ns1", ""],
      ["admin", "group1", "watch", "Foobar", "", "ns1", ""],
      ["joe", "admins", "watch", "Foobar", "", "ns1", ""],
      ["joe", "group1,admins", "watch", "Foobar", "", "ns1", ""],
    ];
    const fail: Attr[] = [
      ["admin", "", "GET", "Pods", "", "ns2", ""],
      ["admin", "", "GET", "Nodes", "", "", ""],
      ["admin", "admins", "GET", "Pods", "", "ns2", ""],
      ["admin", "admins", "GET", "Nodes", "", "", ""],
    ];
    for (const a of pass) expect(ask(policy, a), a.join(" ")).toBe(true);
    for (const a of fail) expect(ask(policy, a), a.join(" ")).toBe(false);
  });

  it("matches non-resource URLs exactly or by a trailing-* prefix", () => {
    const policy = new RbacPolicy({
      roles: [],
      roleBindings: [],
      clusterRoles: [
        newClusterRole("non-resource-url-getter", newRule("get", "", "", "/apis")),
        newClusterRole("non-resource-url", newRule("*", "", "", "/apis")),
        newClusterRole("non-resource-url-prefix", newRule("get", "", "", "/apis/*")),
      ],
      clusterRoleBindings: [
        newClusterRoleBinding("non-resource-url-getter", "User:foo", "Group:bar"),
        newClusterRoleBinding("non-resource-url", "User:admin", "Group:admin"),
        newClusterRoleBinding("non-resource-url-prefix", "User:prefixed", "Group:prefixed"),
      ],
    });
    const url = (user: { username: string; groups?: string[] }, verb: string, path: string) => policy.authorize(user, { verb, nonResourceURL: path }).allowed;
    const pass: Array<[{ username: string; groups?: string[] }, string, string]> = [
      [{ username: "foo" }, "get", "/apis"],
      [{ username: "", groups: ["bar"] }, "get", "/apis"],
      [{ username: "admin" }, "get", "/apis"],
      [{ username: "", groups: ["admin"] }, "get", "/apis"],
      [{ username: "admin" }, "watch", "/apis"],
      [{ username: "", groups: ["admin"] }, "watch", "/apis"],
      [{ username: "prefixed" }, "get", "/apis/v1"],
      [{ username: "", groups: ["prefixed"] }, "get", "/apis/v1"],
      [{ username: "prefixed" }, "get", "/apis/v1/foobar"],
      [{ username: "", groups: ["prefixed"] }, "get", "/apis/v1/foorbar"],
    ];
    const fail: Array<[{ username: string; groups?: string[] }, string, string]> = [
      [{ username: "foo" }, "watch", "/apis"],
      [{ username: "", groups: ["bar"] }, "watch", "/apis"],
      [{ username: "foo" }, "get", "/api/v1"],
      [{ username: "", groups: ["bar"] }, "get", "/api/v1"],
      [{ username: "admin" }, "get", "/api/v1"],
      [{ username: "", groups: ["admin"] }, "get", "/api/v1"],
      [{ username: "prefixed" }, "get", "/api/v1"],
      [{ username: "", groups: ["prefixed"] }, "get", "/api/v1"],
    ];
    for (const [u, v, p] of pass) expect(url(u, v, p), `${u.username} ${v} ${p}`).toBe(true);
    for (const [u, v, p] of fail) expect(url(u, v, p), `${u.username} ${v} ${p}`).toBe(false);
  });

  it("resolves subresources: pods does not cover pods/status, and pods/status does not cover pods", () => {
    for (const [resources, pass, fail] of [
      ["pods", ["pods", ""], ["pods", "status"]],
      ["pods/status", ["pods", "status"], ["pods", ""]],
    ] as const) {
      const policy = new RbacPolicy({
        roles: [],
        clusterRoles: [newClusterRole("admin", newRule("*", "*", resources, "*"))],
        roleBindings: [newRoleBinding("ns1", "admin", "ClusterRole", "User:admin", "Group:admins")],
        clusterRoleBindings: [],
      });
      expect(ask(policy, ["admin", "", "get", pass[0], pass[1], "ns1", ""])).toBe(true);
      expect(ask(policy, ["admin", "", "get", fail[0], fail[1], "ns1", ""])).toBe(false);
    }
  });
});

describe("TestRuleMatches (rbac_test.go)", () => {
  const res = (verb: string, group: string, resource: string, subresource?: string): RbacRequest => ({ verb, apiGroup: group, resource, ...(subresource ? { subresource } : {}) });
  const url = (verb: string, path: string): RbacRequest => ({ verb, nonResourceURL: path });
  const cases: Array<{ name: string; rule: PolicyRule; expect: Array<[RbacRequest, boolean]> }> = [
    {
      name: "star verb, exact match other",
      rule: { verbs: ["*"], apiGroups: ["group1"], resources: ["resource1"] },
      expect: [
        [res("verb1", "group1", "resource1"), true],
        [res("verb1", "group2", "resource1"), false],
        [res("verb1", "group1", "resource2"), false],
        [res("verb1", "group2", "resource2"), false],
        [res("verb2", "group1", "resource1"), true],
        [res("verb2", "group2", "resource1"), false],
        [res("verb2", "group1", "resource2"), false],
        [res("verb2", "group2", "resource2"), false],
      ],
    },
    {
      name: "star group, exact match other",
      rule: { verbs: ["verb1"], apiGroups: ["*"], resources: ["resource1"] },
      expect: [
        [res("verb1", "group1", "resource1"), true],
        [res("verb1", "group2", "resource1"), true],
        [res("verb1", "group1", "resource2"), false],
        [res("verb1", "group2", "resource2"), false],
        [res("verb2", "group1", "resource1"), false],
        [res("verb2", "group2", "resource1"), false],
        [res("verb2", "group1", "resource2"), false],
        [res("verb2", "group2", "resource2"), false],
      ],
    },
    {
      name: "star resource, exact match other",
      rule: { verbs: ["verb1"], apiGroups: ["group1"], resources: ["*"] },
      expect: [
        [res("verb1", "group1", "resource1"), true],
        [res("verb1", "group2", "resource1"), false],
        [res("verb1", "group1", "resource2"), true],
        [res("verb1", "group2", "resource2"), false],
        [res("verb2", "group1", "resource1"), false],
        [res("verb2", "group2", "resource1"), false],
        [res("verb2", "group1", "resource2"), false],
        [res("verb2", "group2", "resource2"), false],
      ],
    },
    {
      name: "tuple expansion",
      rule: { verbs: ["verb1", "verb2"], apiGroups: ["group1", "group2"], resources: ["resource1", "resource2"] },
      expect: ["verb1", "verb2"].flatMap((v) => ["group1", "group2"].flatMap((g) => ["resource1", "resource2"].map((r): [RbacRequest, boolean] => [res(v, g, r), true]))),
    },
    {
      name: "subresource expansion",
      rule: { verbs: ["*"], apiGroups: ["*"], resources: ["resource1/subresource1"] },
      expect: [
        [res("verb1", "group1", "resource1", "subresource1"), true],
        [res("verb1", "group2", "resource1", "subresource2"), false],
        [res("verb1", "group1", "resource2", "subresource1"), false],
        [res("verb1", "group2", "resource2", "subresource1"), false],
        [res("verb2", "group1", "resource1", "subresource1"), true],
        [res("verb2", "group2", "resource1", "subresource2"), false],
        [res("verb2", "group1", "resource2", "subresource1"), false],
        [res("verb2", "group2", "resource2", "subresource1"), false],
      ],
    },
    {
      name: "star nonresource, exact match other",
      rule: { verbs: ["verb1"], nonResourceURLs: ["*"] },
      expect: [
        ...["/foo", "/foo/bar", "/foo/baz", "/foo/bar/one", "/foo/baz/one"].map((p): [RbacRequest, boolean] => [url("verb1", p), true]),
        ...["/foo", "/foo/bar", "/foo/baz", "/foo/bar/one", "/foo/baz/one"].map((p): [RbacRequest, boolean] => [url("verb2", p), false]),
      ],
    },
    {
      name: "star nonresource subpath",
      rule: { verbs: ["verb1"], nonResourceURLs: ["/foo/*"] },
      expect: [
        [url("verb1", "/foo"), false],
        [url("verb1", "/foo/bar"), true],
        [url("verb1", "/foo/baz"), true],
        [url("verb1", "/foo/bar/one"), true],
        [url("verb1", "/foo/baz/one"), true],
        [url("verb1", "/notfoo"), false],
        [url("verb1", "/notfoo/bar"), false],
        [url("verb1", "/notfoo/baz"), false],
        [url("verb1", "/notfoo/bar/one"), false],
        [url("verb1", "/notfoo/baz/one"), false],
      ],
    },
    {
      name: "star verb, exact nonresource",
      rule: { verbs: ["*"], nonResourceURLs: ["/foo", "/foo/bar/one"] },
      expect: ["verb1", "verb2"].flatMap((v) => [
        [url(v, "/foo"), true] as [RbacRequest, boolean],
        [url(v, "/foo/bar"), false] as [RbacRequest, boolean],
        [url(v, "/foo/baz"), false] as [RbacRequest, boolean],
        [url(v, "/foo/bar/one"), true] as [RbacRequest, boolean],
        [url(v, "/foo/baz/one"), false] as [RbacRequest, boolean],
      ]),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      for (const [request, expected] of c.expect) expect(ruleAllows(c.rule, request), JSON.stringify(request)).toBe(expected);
    });
  }

  it("matches */subresource for any resource, and resourceNames only the named objects", () => {
    expect(ruleAllows({ verbs: ["get"], apiGroups: ["apps"], resources: ["*/scale"] }, res("get", "apps", "deployments", "scale"))).toBe(true);
    expect(ruleAllows({ verbs: ["get"], apiGroups: ["apps"], resources: ["*/scale"] }, res("get", "apps", "deployments"))).toBe(false);
    const named: PolicyRule = { verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["app"] };
    expect(ruleAllows(named, { ...res("get", "", "configmaps"), name: "app" })).toBe(true);
    expect(ruleAllows(named, { ...res("get", "", "configmaps"), name: "other" })).toBe(false);
    expect(ruleAllows(named, res("list", "", "configmaps"))).toBe(false);
  });
});

describe("subjects, errors and reasons (pkg/registry/rbac/validation/rule.go)", () => {
  it("matches ServiceAccount subjects by user name, defaulting their namespace to the RoleBinding's", () => {
    const policy = new RbacPolicy({
      roles: [{ metadata: { namespace: "ci", name: "reader" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }] }],
      roleBindings: [{ metadata: { namespace: "ci", name: "sa" }, roleRef: { apiGroup: GROUP, kind: "Role", name: "reader" }, subjects: [{ kind: "ServiceAccount", name: "builder" }] }],
      clusterRoles: [],
      clusterRoleBindings: [],
    });
    const sa = serviceAccountUser("ci", "builder");
    expect(sa).toEqual({ username: "system:serviceaccount:ci:builder", groups: ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"] });
    const d = policy.authorize(sa, { verb: "get", apiGroup: "", resource: "pods", namespace: "ci" });
    expect(d).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "sa/ci" of Role "reader" to ServiceAccount "builder/ci"' });
    expect(policy.authorize(serviceAccountUser("other", "builder"), { verb: "get", apiGroup: "", resource: "pods", namespace: "ci" }).allowed).toBe(false);
  });

  it("reports bindings to missing roles as the reason of a denial and as the rules' evaluation error", () => {
    const policy = new RbacPolicy({
      roles: [],
      roleBindings: [{ metadata: { namespace: "ns", name: "b" }, roleRef: { apiGroup: GROUP, kind: "Role", name: "gone" }, subjects: [{ kind: "User", name: "jane" }] }],
      clusterRoles: [],
      clusterRoleBindings: [{ metadata: { name: "c" }, roleRef: { apiGroup: GROUP, kind: "ClusterRole", name: "missing" }, subjects: [{ kind: "User", name: "jane" }] }],
    });
    const d = policy.authorize({ username: "jane" }, { verb: "get", apiGroup: "", resource: "pods", namespace: "ns" });
    expect(d).toEqual({ allowed: false, reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "missing" not found, role.rbac.authorization.k8s.io "gone" not found]' });
    expect(policy.rulesFor({ username: "jane" }, "ns").evaluationError).toBe('[clusterrole.rbac.authorization.k8s.io "missing" not found, role.rbac.authorization.k8s.io "gone" not found]');
  });

  it("allows system:masters everything, with no reason, as the privileged-group authorizer", () => {
    const policy = new RbacPolicy({ roles: [], roleBindings: [], clusterRoles: [], clusterRoleBindings: [] });
    expect(policy.authorize({ username: "x", groups: ["system:masters"] }, { verb: "escalate", apiGroup: GROUP, resource: "clusterroles" })).toEqual({ allowed: true, reason: "" });
  });
});

describe("bootstrap policy and aggregation", () => {
  const bootstrap = { roles: [], roleBindings: [], clusterRoles: bootstrapClusterRoles(), clusterRoleBindings: bootstrapClusterRoleBindings() };

  it("aggregates view into edit into admin, as the clusterrole-aggregation controller writes them", () => {
    const rules = aggregateClusterRoles(bootstrap.clusterRoles);
    const view = rules.get("view")!;
    const edit = rules.get("edit")!;
    const admin = rules.get("admin")!;
    expect(view).toEqual((bootstrap.clusterRoles.find((r) => (r.metadata as { name: string }).name === "system:aggregate-to-view") as { rules: PolicyRule[] }).rules);
    expect(edit.length).toBeGreaterThan(view.length);
    expect(admin.length).toBeGreaterThan(edit.length);
    for (const r of view) expect(admin).toContainEqual(r);
  });

  it("lets view read but not write, edit write but not touch roles, admin manage roles in a namespace", () => {
    const bind = (user: string, role: string) => ({ metadata: { namespace: "team", name: `${user}-${role}` }, roleRef: { apiGroup: GROUP, kind: "ClusterRole", name: role }, subjects: [{ kind: "User", name: user, apiGroup: GROUP }] });
    const policy = new RbacPolicy({ ...bootstrap, roleBindings: [bind("viewer", "view"), bind("editor", "edit"), bind("boss", "admin")] });
    const can = (user: string, verb: string, apiGroup: string, resource: string, subresource?: string) =>
      policy.authorize({ username: user, groups: ["system:authenticated"] }, { verb, apiGroup, resource, namespace: "team", ...(subresource ? { subresource } : {}) }).allowed;
    expect(can("viewer", "list", "", "pods")).toBe(true);
    expect(can("viewer", "get", "", "pods", "log")).toBe(true);
    expect(can("viewer", "get", "", "secrets")).toBe(false);
    expect(can("viewer", "create", "apps", "deployments")).toBe(false);
    expect(can("editor", "create", "apps", "deployments")).toBe(true);
    expect(can("editor", "get", "", "secrets")).toBe(true);
    expect(can("editor", "create", GROUP, "roles")).toBe(false);
    expect(can("boss", "create", GROUP, "roles")).toBe(true);
    expect(can("boss", "list", "", "pods")).toBe(true);
    expect(policy.authorize({ username: "boss" }, { verb: "list", apiGroup: "", resource: "pods", namespace: "elsewhere" }).allowed).toBe(false);
  });

  it("gives every authenticated user self reviews and discovery, and everyone health and version", () => {
    const policy = new RbacPolicy(bootstrap);
    const jane = { username: "jane", groups: ["system:authenticated"] };
    expect(policy.authorize(jane, { verb: "create", apiGroup: "authorization.k8s.io", resource: "selfsubjectaccessreviews" })).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"',
    });
    expect(policy.authorize(jane, { verb: "get", nonResourceURL: "/apis/apps/v1" }).allowed).toBe(true);
    expect(policy.authorize(jane, { verb: "list", apiGroup: "", resource: "pods", namespace: "default" }).allowed).toBe(false);
    const anonymous = { username: "system:anonymous", groups: ["system:unauthenticated"] };
    expect(policy.authorize(anonymous, { verb: "get", nonResourceURL: "/version" }).allowed).toBe(true);
    expect(policy.authorize(anonymous, { verb: "get", nonResourceURL: "/apis" }).allowed).toBe(false);
    const rules = policy.rulesFor(jane, "default");
    expect(rules.resourceRules).toEqual([
      { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] },
      { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"] },
    ]);
    expect(rules.nonResourceRules.map((r) => r.nonResourceURLs[0])).toEqual(["/api", "/healthz"]);
    expect(rules.evaluationError).toBeUndefined();
  });
});

describe("Covers (component-helpers policy_comparator_test.go)", () => {
  type Case = [name: string, owner: PolicyRule[], servant: PolicyRule[], covered: boolean, uncovered: PolicyRule[]];
  const r = (apiGroups: string[], verbs: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ apiGroups, verbs, resources, ...(resourceNames ? { resourceNames } : {}) });
  const u = (nonResourceURLs: string[], verbs: string[]): PolicyRule => ({ nonResourceURLs, verbs });
  const cases: Case[] = [
    ["ExactMatch", [r(["v1"], ["get"], ["builds"])], [r(["v1"], ["get"], ["builds"])], true, []],
    ["SubresourceWildcard", [r(["v1"], ["get"], ["*/scale"])], [r(["v1"], ["get"], ["foo/scale"])], true, []],
    [
      "MultipleRulesCoveringSingleRule",
      [r(["v1"], ["delete"], ["deployments"]), r(["v1"], ["delete"], ["builds"]), r(["v1"], ["update"], ["builds", "deployments"])],
      [r(["v1"], ["delete", "update"], ["builds", "deployments"])],
      true,
      [],
    ],
    [
      "MultipleRulesMissingSingleVerbResourceCombination",
      [r(["v1"], ["delete", "update"], ["builds", "deployments"]), r(["v1"], ["delete"], ["pods"])],
      [r(["v1"], ["delete", "update"], ["builds", "deployments", "pods"])],
      false,
      [r(["v1"], ["update"], ["pods"])],
    ],
    ["APIGroupStarCoveringMultiple", [r(["*"], ["get"], ["roles"])], [r(["group1", "group2"], ["get"], ["roles"])], true, []],
    ["EnumerationNotCoveringAPIGroupStar", [r(["dummy-group"], ["get"], ["roles"])], [r(["*"], ["get"], ["roles"])], false, [r(["*"], ["get"], ["roles"])]],
    ["VerbStarCoveringMultiple", [r(["v1"], ["*"], ["roles"])], [r(["v1"], ["watch", "list"], ["roles"])], true, []],
    [
      "EnumerationNotCoveringVerbStar",
      [r(["v1"], ["get", "list", "watch", "create", "update", "delete", "exec"], ["roles"])],
      [r(["v1"], ["*"], ["roles"])],
      false,
      [r(["v1"], ["*"], ["roles"])],
    ],
    ["ResourceStarCoveringMultiple", [r(["v1"], ["get"], ["*"])], [r(["v1"], ["get"], ["resourcegroup:deployments"])], true, []],
    ["EnumerationNotCoveringResourceStar", [r(["v1"], ["get"], ["roles", "resourcegroup:deployments"])], [r(["v1"], ["get"], ["*"])], false, [r(["v1"], ["get"], ["*"])]],
    ["ResourceNameEmptyCoveringMultiple", [r(["v1"], ["get"], ["pods"], [])], [r(["v1"], ["get"], ["pods"], ["foo", "bar"])], true, []],
    ["EnumerationNotCoveringResourceNameEmpty", [r(["v1"], ["get"], ["pods"], ["foo", "bar"])], [r(["v1"], ["get"], ["pods"], [])], false, [r(["v1"], ["get"], ["pods"])]],
    ["NonResourceURLs", [u(["/apis"], ["*"])], [u(["/apis"], ["*"])], true, []],
    ["NonResourceURLsStar", [u(["*"], ["*"])], [u(["/apis", "/apis/v1", "/"], ["*"])], true, []],
    ["NonResourceURLsStarAfterPrefixDoesntCover", [u(["/apis/*"], ["*"])], [u(["/apis", "/apis/v1"], ["get"])], false, [u(["/apis"], ["get"])]],
    ["NonResourceURLsStarAfterPrefix", [u(["/apis/*"], ["*"])], [u(["/apis/v1/foo", "/apis/v1"], ["get"])], true, []],
    ["NonResourceURLsWithOtherFields", [{ ...r(["v1"], ["get"], ["builds"]), nonResourceURLs: ["/apis"] }], [{ ...r(["v1"], ["get"], ["builds"]), nonResourceURLs: ["/apis"] }], true, []],
    ["NonResourceURLsWithOtherFieldsFailure", [r(["v1"], ["get"], ["builds"])], [{ ...r(["v1"], ["get"], ["builds"]), nonResourceURLs: ["/apis"] }], false, [u(["/apis"], ["get"])]],
  ];
  for (const [name, owner, servant, covered, uncovered] of cases) {
    it(`TestCovers${name}`, () => {
      const got = coversRules(owner, servant);
      expect(got.covered).toBe(covered);
      expect(got.uncovered).toEqual(uncovered);
    });
  }

  it("words a refused grant as the apiserver's escalation check", () => {
    const policy = new RbacPolicy({
      roles: [],
      clusterRoles: bootstrapClusterRoles(),
      roleBindings: [{ metadata: { namespace: "team", name: "b" }, roleRef: { apiGroup: GROUP, kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", name: "jane" }] }],
      clusterRoleBindings: bootstrapClusterRoleBindings(),
    });
    const jane = { username: "jane", groups: ["devs", "system:authenticated"] };
    expect(confirmNoEscalation(policy, jane, "team", [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }])).toBeUndefined();
    expect(confirmNoEscalation(policy, jane, "team", [{ verbs: ["get", "list", "delete"], apiGroups: ["", "apps"], resources: ["pods", "nodes"] }])).toBe(
      'user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list" "delete"]}\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n' +
        '{APIGroups:["apps"], Resources:["nodes"], Verbs:["get" "list" "delete"]}\n' +
        '{APIGroups:["apps"], Resources:["pods"], Verbs:["get" "list" "delete"]}',
    );
  });
});
