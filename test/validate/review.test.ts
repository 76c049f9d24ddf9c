/**
 * Reviewing a change: objects paired between an old tree (a git ref or a directory) and the new
 * one, admitted as CREATE, UPDATE or DELETE with update rules, CRD transition rules, ratcheting
 * and admission policies. Each case names the Kubernetes behaviour it pins.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reviewManifests, type ReviewReport } from "../../src/validate/review.js";
import { validateWrite } from "../../src/apiserver/strategy.js";
import { runCli } from "../support/cli.js";
import { hasShared, sharedPath } from "../support/shared.js";

const TRANSITION = "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go (transition rules run only on updates, with oldSelf)";
const RATCHET = "k8s.io/apiextensions-apiserver/pkg/apiserver/validation/ratcheting.go (CRDValidationRatcheting, on by default from 1.30)";
const DISPATCH = "k8s.io/apiserver/pkg/admission/plugin/policy/validating (operations CREATE/UPDATE/DELETE, oldObject)";
const STRATEGY = "pkg/registry/*/strategy.go ValidateUpdate (native update rules)";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "kubezod-review-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              region:
                type: string
                x-kubernetes-validations:
                - rule: "self == oldSelf"
                  message: "region is immutable"
              size:
                type: integer
                x-kubernetes-validations:
                - rule: "self >= oldSelf"
                  message: "size may only grow"
              name:
                type: string
                maxLength: 5
              tier:
                type: string
                x-kubernetes-validations:
                - rule: "self in ['gold', 'silver']"
                  message: "unknown tier"
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    number:
                      type: integer
                      x-kubernetes-validations:
                      - rule: "self == oldSelf"
                        message: "port numbers are immutable"
`;

const widget = (spec: Record<string, unknown>) => `apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec: ${JSON.stringify(spec)}
`;

async function review(oldFiles: Record<string, string>, newFiles: Record<string, string>, options: { minor?: string; policies?: Record<string, string> } = {}): Promise<ReviewReport> {
  const old = tree(oldFiles);
  const cur = tree({ ...newFiles, ...(options.policies ?? {}) });
  return reviewManifests(["."], { cwd: cur, against: old, ...(options.minor ? { kubernetesVersion: options.minor } : {}) });
}

const messages = (r: ReviewReport, kind: string) => r.results.filter((x) => x.kind === kind).flatMap((x) => x.issues.filter((i) => i.severity === "error").map((i) => i.message));

describe("change review: CRD transition rules and ratcheting", () => {
  it(`runs transition rules on an update (${TRANSITION})`, async () => {
    const r = await review({ "crd.yaml": crd, "w.yaml": widget({ region: "eu", size: 3 }) }, { "crd.yaml": crd, "w.yaml": widget({ region: "us", size: 2 }) });
    expect(messages(r, "Widget")).toEqual(['spec.region: Invalid value: "string": region is immutable', 'spec.size: Invalid value: "integer": size may only grow']);
    expect(r.results.find((x) => x.kind === "Widget")?.operation).toBe("UPDATE");
  });

  it(`does not run transition rules on a create (${TRANSITION})`, async () => {
    const r = await review({ "crd.yaml": crd }, { "crd.yaml": crd, "w.yaml": widget({ region: "us", size: 2 }) });
    expect(messages(r, "Widget")).toEqual([]);
    expect(r.results.find((x) => x.kind === "Widget")?.operation).toBe("CREATE");
  });

  it(`correlates list-map items by key for oldSelf (${TRANSITION})`, async () => {
    const r = await review(
      { "crd.yaml": crd, "w.yaml": widget({ ports: [{ name: "a", number: 1 }, { name: "b", number: 2 }] }) },
      { "crd.yaml": crd, "w.yaml": widget({ ports: [{ name: "b", number: 3 }, { name: "a", number: 1 }, { name: "c", number: 9 }] }) },
    );
    expect(messages(r, "Widget")).toEqual(['spec.ports[0].number: Invalid value: "integer": port numbers are immutable']);
  });

  it(`ratchets an unchanged invalid field on update (${RATCHET})`, async () => {
    const r = await review({ "crd.yaml": crd, "w.yaml": widget({ name: "too-long", tier: "bronze", size: 1 }) }, { "crd.yaml": crd, "w.yaml": widget({ name: "too-long", tier: "bronze", size: 2 }) });
    expect(messages(r, "Widget")).toEqual([]);
  });

  it(`reports an invalid field the update changes (${RATCHET})`, async () => {
    const r = await review({ "crd.yaml": crd, "w.yaml": widget({ name: "ok", tier: "bronze" }) }, { "crd.yaml": crd, "w.yaml": widget({ name: "ok", tier: "copper" }) });
    expect(messages(r, "Widget")).toEqual(['spec.tier: Invalid value: "string": unknown tier']);
  });

  it(`reports a changed value too long, and then runs no rules, as strategy.go's hasBlockingErr (${RATCHET})`, async () => {
    const r = await review({ "crd.yaml": crd, "w.yaml": widget({ name: "too-long", tier: "bronze" }) }, { "crd.yaml": crd, "w.yaml": widget({ name: "longer!", tier: "copper" }) });
    expect(messages(r, "Widget")).toEqual(["spec.name: Too long: may not be more than 5 bytes"]);
    expect(r.results.find((x) => x.kind === "Widget")?.issues.map((i) => i.rule)).toContain("crd/cel-not-run");
  });

  it(`does not ratchet before 1.30, where CRDValidationRatcheting is off by default (${RATCHET})`, async () => {
    const r = await review({ "crd.yaml": crd, "w.yaml": widget({ tier: "bronze", size: 1 }) }, { "crd.yaml": crd, "w.yaml": widget({ tier: "bronze", size: 2 }) }, { minor: "1.29" });
    expect(messages(r, "Widget")).toEqual(['spec.tier: Invalid value: "string": unknown tier']);
  });

  it("skips an unchanged object: the cluster sees no request for it", async () => {
    const r = await review({ "crd.yaml": crd, "w.yaml": widget({ tier: "bronze" }) }, { "crd.yaml": crd, "w.yaml": widget({ tier: "bronze" }) });
    const w = r.results.find((x) => x.kind === "Widget")!;
    expect([w.status, w.reason, w.operation]).toEqual(["skipped", "unchanged", undefined]);
  });
});

const deployment = (replicas: number, name = "web") => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
`;

const noScaleDown = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-scale-down}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["deployments"]}]
  validations:
  - expression: "object.spec.replicas >= oldObject.spec.replicas"
    messageExpression: "'scaling down from ' + string(oldObject.spec.replicas) + ' to ' + string(object.spec.replicas)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-scale-down}
spec: {policyName: no-scale-down, validationActions: [Deny]}
`;

const protect = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-deletes}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["DELETE"], resources: ["deployments"]}]
  validations: [{expression: "false", message: "deployments are not deleted by a change"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-deletes}
spec: {policyName: no-deletes, validationActions: [Deny]}
`;

describe("change review: admission policies on CREATE, UPDATE and DELETE", () => {
  it(`runs UPDATE policies with oldObject on changed objects (${DISPATCH})`, async () => {
    const r = await review({ "d.yaml": deployment(3) }, { "d.yaml": deployment(1) }, { policies: { "p.yaml": noScaleDown } });
    expect(messages(r, "Deployment")).toEqual([`deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'no-scale-down' with binding 'no-scale-down' denied request: scaling down from 3 to 1`]);
  });

  it(`does not run UPDATE policies on new objects (${DISPATCH})`, async () => {
    const r = await review({}, { "d.yaml": deployment(1) }, { policies: { "p.yaml": noScaleDown } });
    expect(messages(r, "Deployment")).toEqual([]);
  });

  it(`admits removed objects as DELETE requests (${DISPATCH})`, async () => {
    const r = await review({ "d.yaml": deployment(1), "p.yaml": protect }, { "p.yaml": protect });
    const gone = r.results.find((x) => x.kind === "Deployment")!;
    expect(gone.operation).toBe("DELETE");
    expect(gone.issues.map((i) => i.message)).toEqual([`deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'no-deletes' with binding 'no-deletes' denied request: deployments are not deleted by a change`]);
    expect(r.valid).toBe(false);
  });

  it("applies a policy added by the change itself to the change", async () => {
    const r = await review({ "d.yaml": deployment(3) }, { "d.yaml": deployment(2), "p.yaml": noScaleDown });
    expect(messages(r, "Deployment")).toHaveLength(1);
  });

  it("reads the old tree from a git ref (git show)", async () => {
    const repo = tree({ "k8s/d.yaml": deployment(3), "k8s/p.yaml": noScaleDown });
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-qm", "base");
    writeFileSync(join(repo, "k8s/d.yaml"), deployment(1));
    writeFileSync(join(repo, "k8s/new.yaml"), deployment(1, "api"));
    const r = await reviewManifests(["k8s"], { cwd: repo, against: "main" });
    expect(r.results.filter((x) => x.kind === "Deployment").map((x) => [x.name, x.operation, x.status])).toEqual([
      ["web", "UPDATE", "invalid"],
      ["api", "CREATE", "valid"],
    ]);
    const cli = await runCli(["validate", "--against", "main", join(repo, "k8s")]);
    expect(cli.stdout + cli.stderr).toContain("denied request: scaling down from 3 to 1");
    expect(cli.code).toBe(1);
    const bad = await reviewManifests(["k8s"], { cwd: repo, against: "no-such-ref" });
    expect(bad.results[0]!.issues[0]!.message).toContain("neither a directory nor a git revision");
  });
});

/** Whether the native update rules of a kind are present (they come with its group's module). */
function hasUpdateRules(old: Record<string, unknown>, cur: Record<string, unknown>): boolean {
  return validateWrite(cur, { minor: 36, old }).errors.length > 0;
}

const cm = (value: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, immutable: true, data: { a: value } });
const rb = (role: string) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "r", namespace: "default" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role }, subjects: [{ kind: "User", name: "a" }] });
const dep = (app: string) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "default" }, spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: "c", image: "x" }] } } } });
const yaml = (o: unknown) => JSON.stringify(o);

describe(`change review: native update rules (${STRATEGY})`, () => {
  it.skipIf(!hasUpdateRules(cm("1"), cm("2")))("refuses new data in an immutable ConfigMap (ValidateConfigMapUpdate)", async () => {
    const r = await review({ "c.json": yaml(cm("1")) }, { "c.json": yaml(cm("2")) });
    expect(messages(r, "ConfigMap").join("\n")).toMatch(/^data: Forbidden: field is immutable when `immutable` is set/m);
  });

  it.skipIf(!hasUpdateRules(rb("a"), rb("b")))("refuses a changed roleRef (ValidateRoleBindingUpdate)", async () => {
    const r = await review({ "r.json": yaml(rb("a")) }, { "r.json": yaml(rb("b")) });
    expect(messages(r, "RoleBinding").join("\n")).toMatch(/^roleRef: Invalid value: .*cannot change roleRef/m);
  });

  it.skipIf(!hasUpdateRules(dep("a"), dep("b")))("refuses a changed Deployment selector (ValidateDeploymentUpdate)", async () => {
    const r = await review({ "d.json": yaml(dep("a")) }, { "d.json": yaml(dep("b")) });
    expect(messages(r, "Deployment").join("\n")).toMatch(/^spec\.selector: Invalid value: .*field is immutable/m);
  });

  it("reports update rules only where the same object as a create would pass", async () => {
    const r = await review({ "c.json": yaml(cm("1")) }, { "c.json": yaml(cm("1")).replace('"immutable":true', '"immutable":true,"binaryData":{}') });
    expect(r.results.find((x) => x.kind === "ConfigMap")?.issues.filter((i) => i.rule === "update/immutable" && !i.message.includes("immutable")).length ?? 0).toBe(0);
  });
});

describe("kubezod validate with policies among the inputs", () => {
  const maxReplicas = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments"]}]
  validations: [{expression: "object.spec.replicas <= 5"}]
`;
  const binding = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas-binding}
spec: {policyName: max-replicas, validationActions: [Deny]}
`;

  it("denies the 50-replica Deployment given with its policy and binding (the issue's first try)", async () => {
    const dir = tree({ "p.yaml": `${maxReplicas}---\n${binding}`, "d.yaml": deployment(50) });
    const cli = await runCli(["validate", dir]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: failed expression: object.spec.replicas <= 5`);
  });

  it("reports a policy kube-apiserver refuses on the policy only: what it matches is not denied by it", async () => {
    // A policy that fails creation (compilation failed) is not in the cluster; its errors are not repeated as denials.
    const broken = maxReplicas.replace('"object.spec.replicas <= 5"', '"object.spec.replicas +"');
    const r = await review({}, { "p.yaml": `${broken}---\n${binding}`, "d.yaml": deployment(50) });
    expect(messages(r, "ValidatingAdmissionPolicy")[0]).toMatch(/^spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas \+": compilation failed: ERROR: <input>:1:23: /);
    expect(messages(r, "Deployment")).toEqual([]);
    expect(r.results.find((x) => x.kind === "Deployment")?.issues.map((i) => [i.rule, i.message])).toEqual([
      ["policy/unevaluated", "max-replicas not evaluated: kube-apiserver refuses to create this policy (its errors are reported on it)"],
    ]);
  });

  it("does nothing with a policy that has no binding, and says so", async () => {
    const r = await review({}, { "p.yaml": maxReplicas, "d.yaml": deployment(50), "b.yaml": binding.replace("policyName: max-replicas", "policyName: other") });
    expect(messages(r, "Deployment")).toEqual([]);
    expect(r.results.find((x) => x.kind === "ValidatingAdmissionPolicy")?.issues.map((i) => i.rule)).toEqual(["policy/unbound"]);
  });

  it("--show-mutated prints what the cluster would store after mutating policies", async () => {
    const map = `apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicy
metadata: {name: cap-replicas}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration: {expression: "Object{spec: Object.spec{replicas: 5}}"}
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingAdmissionPolicyBinding
metadata: {name: cap-replicas}
spec: {policyName: cap-replicas}
`;
    const dir = tree({ "m.yaml": map, "p.yaml": `${maxReplicas}---\n${binding}`, "d.yaml": deployment(50) });
    // admissionregistration.k8s.io/v1beta1 is served only when the cluster turns it on: without it
    // the policy is reported and mutates nothing.
    const unserved = await runCli(["validate", "--show-mutated", dir]);
    expect(unserved.stdout).toContain("[api/not-served]");
    expect(unserved.stdout).not.toMatch(/replicas: 5\n/);
    const cli = await runCli(["validate", "--runtime-config", "admissionregistration.k8s.io/v1beta1=true", "--show-mutated", dir]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/--- # .*d\.yaml:1 Deployment default\/web \(CREATE\)\n[\s\S]*replicas: 5/);
  });

  it("--user and --groups set request.userInfo", async () => {
    const admins = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: admins}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]
  validations: [{expression: "'admins' in request.userInfo.groups", messageExpression: "request.userInfo.username + ' may not'"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: admins}
spec: {policyName: admins, validationActions: [Deny]}
`;
    const dir = tree({ "p.yaml": admins, "d.yaml": deployment(1) });
    expect((await runCli(["validate", "--user", "bob", "--groups", "dev", dir])).stdout).toContain("denied request: bob may not");
    expect((await runCli(["validate", "--user", "ann", "--groups", "dev,admins", dir])).code).toBe(0);
  });
});

describe("policies see the object as the apiserver holds it at admission", () => {
  it("puts the request's namespace in the object's metadata (no false denial for a manifest without one)", async () => {
    const nsPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: not-kube-system}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]
  validations: [{expression: "object.metadata.namespace != 'kube-system'"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: not-kube-system}
spec: {policyName: not-kube-system, validationActions: [Deny]}
`;
    const r = await review({}, { "p.yaml": nsPolicy, "d.yaml": deployment(1).replace("namespace: default", "labels: {a: b}") });
    expect(messages(r, "Deployment")).toEqual([]);
  });

  it("applies a CRD's structural defaults before policies read the object", async () => {
    const crdWithDefault = crd.replace("              tier:\n                type: string", "              tier:\n                type: string\n                default: gold");
    const tierPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: tier}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["example.com"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["widgets"]}]
  validations: [{expression: "object.spec.tier == 'gold'", message: "gold only"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: tier}
spec: {policyName: tier, validationActions: [Deny]}
`;
    const r = await review({}, { "crd.yaml": crdWithDefault, "p.yaml": tierPolicy, "w.yaml": widget({ size: 1 }) });
    expect(messages(r, "Widget")).toEqual([]);
  });
});

describe("a real policy: Gateway API's safe-upgrades ValidatingAdmissionPolicy", () => {
  const vap = hasShared ? readFileSync(sharedPath("crds", "gateway-api", "gateway.networking.k8s.io_vap_safeupgrades.yaml"), "utf8") : "";
  const gwCrd = (channel: string, version: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gizmos.gateway.networking.k8s.io
  annotations: {api-approved.kubernetes.io: "https://github.com/kubernetes-sigs/gateway-api/pull/3328", gateway.networking.k8s.io/channel: ${channel}, gateway.networking.k8s.io/bundle-version: ${version}}
spec:
  group: gateway.networking.k8s.io
  names: {kind: Gizmo, plural: gizmos, singular: gizmo, listKind: GizmoList}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
`;

  it.skipIf(!hasShared)("admits the CRDs it ships with when they are the tree's definitions", async () => {
    const r = await review({}, { "vap.yaml": vap, "crd.yaml": gwCrd("standard", "v1.5.0") });
    expect(r.valid).toBe(true);
  });

  it.skipIf(!hasShared)("refuses an experimental CRD over a standard one on upgrade", async () => {
    const r = await review({ "vap.yaml": vap, "crd.yaml": gwCrd("standard", "v1.5.0") }, { "vap.yaml": vap, "crd.yaml": gwCrd("experimental", "v1.5.0") });
    expect(messages(r, "CustomResourceDefinition")).toEqual([
      `customresourcedefinitions.apiextensions.k8s.io "gizmos.gateway.networking.k8s.io" is forbidden: ValidatingAdmissionPolicy 'safe-upgrades.gateway.networking.k8s.io' with binding 'safe-upgrades.gateway.networking.k8s.io' denied request: Installing experimental CRDs on top of standard channel CRDs is prohibited by default. Uninstall ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io to install experimental CRDs on top of standard channel CRDs.`,
    ]);
  });

  it.skipIf(!hasShared)("refuses a downgrade to a bundle before v1.5.0 and admits v1.5.0", async () => {
    const down = await review({ "vap.yaml": vap, "crd.yaml": gwCrd("standard", "v1.5.0") }, { "vap.yaml": vap, "crd.yaml": gwCrd("standard", "v1.3.1") });
    expect(messages(down, "CustomResourceDefinition")[0]).toContain("Installing CRDs with version before v1.5.0 is prohibited by default.");
    const up = await review({ "vap.yaml": vap, "crd.yaml": gwCrd("standard", "v1.4.0") }, { "vap.yaml": vap, "crd.yaml": gwCrd("standard", "v1.5.0") });
    expect(messages(up, "CustomResourceDefinition")).toEqual([]);
  });
});
