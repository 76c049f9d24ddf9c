/**
 * The bootstrap policy per Kubernetes minor against kube-apiserver's recorded policy
 * (test/fixtures/rbac/bootstrap-policy.yaml, translated from bootstrappolicy/testdata and the
 * gates of kube_features.go): which controller roles and bindings each minor creates, the system
 * roles, whole roles whose rules changed between releases, the rules a gate adds, the
 * leader-locking Role, and roles following gates switched away from a minor's defaults.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapRoleBindings, bootstrapRoles } from "../../../src/apiserver/rbac/bootstrap.js";
import type { PolicyRule } from "../../../src/apiserver/rbac/evaluate.js";
import type { FeatureGate } from "../../../src/apiserver/features.js";
import { parseYaml } from "../../../src/yaml/text.js";
import { repoRoot } from "../../support/shared.js";

interface Fixture {
  controllerRoles: Record<string, string[]>;
  systemRoles: string[];
  roles: Array<{ name: string; source: string; minors: number[]; rules: PolicyRule[] }>;
  gatedRules: Array<{ name: string; gates: FeatureGate[]; since: number; rules: PolicyRule[] }>;
  leaderLocking: Record<string, { rules: PolicyRule[]; serviceAccounts: string[] }>;
}

const fixture = parseYaml(readFileSync(join(repoRoot, "test/fixtures/rbac/bootstrap-policy.yaml"), "utf8")) as Fixture;

type Named = { metadata: { name: string; namespace?: string }; rules?: PolicyRule[]; subjects?: Array<{ kind: string; name: string }> };
const named = (objects: unknown[]) => objects as Named[];
const names = (objects: unknown[]) => named(objects).map((o) => o.metadata.name);
const byName = (objects: unknown[], name: string) => named(objects).find((o) => o.metadata.name === name);
const PREFIX = "system:controller:";

describe("bootstrap policy per minor", () => {
  describe.each(Object.keys(fixture.controllerRoles))("1.%s", (minor) => {
    const roles = bootstrapClusterRoles({ minor: Number(minor) });
    const bindings = bootstrapClusterRoleBindings({ minor: Number(minor) });

    it("creates the recorded ClusterRoles: the system roles and the minor's controller roles", () => {
      const controllers = names(roles).filter((n) => n.startsWith(PREFIX)).map((n) => n.slice(PREFIX.length));
      expect(controllers.sort()).toEqual(fixture.controllerRoles[minor]);
      expect(names(roles).filter((n) => !n.startsWith(PREFIX)).sort()).toEqual(fixture.systemRoles);
    });

    it("binds each controller role to its service account in kube-system", () => {
      const controllers = named(bindings).filter((b) => b.metadata.name.startsWith(PREFIX));
      expect(controllers.map((b) => b.metadata.name.slice(PREFIX.length)).sort()).toEqual(fixture.controllerRoles[minor]);
      for (const b of controllers) expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: b.metadata.name.slice(PREFIX.length), namespace: "kube-system" }]);
      expect(names(bindings).filter((n) => !n.startsWith(PREFIX))).toContain("system:kube-scheduler");
    });
  });

  describe.each(fixture.roles.flatMap((role) => role.minors.map((minor) => ({ ...role, minor }))))("$name in 1.$minor ($source)", ({ name, minor, rules }) => {
    it("has the recorded rules, in order", () => {
      expect(byName(bootstrapClusterRoles({ minor }), name)?.rules).toEqual(rules);
    });
  });

  describe.each(fixture.gatedRules)("$name from 1.$since ($gates)", ({ name, gates, since, rules }) => {
    const at = (minor: number, featureGates?: Partial<Record<FeatureGate, boolean>>) => byName(bootstrapClusterRoles({ minor, ...(featureGates ? { featureGates } : {}) }), name)!.rules!;
    const switched = (on: boolean) => Object.fromEntries(gates.map((g) => [g, on]));

    it("has the rules from that minor on, and not before", () => {
      for (const rule of rules) {
        expect(at(since - 1)).not.toContainEqual(rule);
        expect(at(since)).toContainEqual(rule);
        expect(at(36)).toContainEqual(rule);
      }
    });

    it.skipIf(!gates.length)("follows the gates, not the release, when they are switched", () => {
      for (const rule of rules) {
        expect(at(36, switched(false))).not.toContainEqual(rule);
        expect(at(since - 1, switched(true))).toContainEqual(rule);
      }
    });
  });

  describe.each(Object.entries(fixture.leaderLocking))("kube-system leader locking of the controller manager in 1.%s", (minor, { rules, serviceAccounts }) => {
    it("has the recorded Role and binding", () => {
      const role = named(bootstrapRoles({ minor: Number(minor) })).find((r) => r.metadata.namespace === "kube-system" && r.metadata.name === "system::leader-locking-kube-controller-manager");
      expect(role?.rules).toEqual(rules);
      const binding = named(bootstrapRoleBindings({ minor: Number(minor) })).find((b) => b.metadata.name === "system::leader-locking-kube-controller-manager");
      expect(binding?.subjects?.filter((s) => s.kind === "ServiceAccount").map((s) => s.name)).toEqual(serviceAccounts);
    });
  });

  it("gates switched away from a minor's defaults add and remove the roles they guard, as policy.go does", () => {
    const at28 = names(bootstrapClusterRoles({ minor: 28, featureGates: { ValidatingAdmissionPolicy: true, LegacyServiceAccountTokenCleanUp: true } }));
    expect(at28).toContain(`${PREFIX}validatingadmissionpolicy-status-controller`);
    expect(at28).toContain(`${PREFIX}legacy-service-account-token-cleaner`);
    // The service CIDR controller's role arrived in 1.29: no gate brings it into 1.28.
    expect(names(bootstrapClusterRoles({ minor: 28, featureGates: { MultiCIDRServiceAllocator: true } }))).not.toContain(`${PREFIX}service-cidrs-controller`);
    expect(names(bootstrapClusterRoles({ minor: 31, featureGates: { MultiCIDRServiceAllocator: true } }))).toContain(`${PREFIX}service-cidrs-controller`);
    const noDra = bootstrapClusterRoles({ minor: 36, featureGates: { DynamicResourceAllocation: false } });
    expect(names(noDra)).not.toContain(`${PREFIX}resource-claim-controller`);
    expect(names(noDra)).not.toContain(`${PREFIX}device-taint-eviction-controller`);
    expect(names(bootstrapClusterRoleBindings({ minor: 36, featureGates: { DynamicResourceAllocation: false } }))).not.toContain(`${PREFIX}resource-claim-controller`);
    // Roles of gates off in every minor served exist only when switched on.
    const all = names(bootstrapClusterRoles({ minor: 36, featureGates: { StorageVersionMigrator: true, PodCertificateRequest: true, ClusterTrustBundle: true, StorageVersionAPI: true } }));
    for (const c of ["storage-version-migrator-controller", "podcertificaterequestcleaner", "kube-apiserver-serving-clustertrustbundle-publisher", "storage-version-garbage-collector"]) {
      expect(names(bootstrapClusterRoles({ minor: 36 }))).not.toContain(PREFIX + c);
      expect(all).toContain(PREFIX + c);
    }
    const taintRules = byName(bootstrapClusterRoles({ minor: 36, featureGates: { DRADeviceTaintRules: true } }), `${PREFIX}device-taint-eviction-controller`)!.rules!;
    expect(taintRules).toContainEqual({ verbs: ["get", "list", "watch"], apiGroups: ["resource.k8s.io"], resources: ["devicetaintrules"] });
  });

  it("defaults to the newest minor, 1.36", () => {
    expect(bootstrapClusterRoles()).toEqual(bootstrapClusterRoles({ minor: 36 }));
    expect(bootstrapRoles()).toEqual(bootstrapRoles({ minor: 36 }));
  });
});
