/**
 * The deprecation warnings of the alpha and beta versions kube-apiserver serves with
 * --runtime-config, translated from each type's generated prerelease lifecycle
 * (zz_generated.prerelease-lifecycle.go, or types.go tags through prerelease-lifecycle-gen:
 * deprecated = introduced + 3, removed = deprecated + 3 unless tagged; from 1.31 an untagged alpha
 * type carries a derived value only once the release reaches it). Each row names the release tree
 * whose lifecycle values it comes from. The text is k8s.io/apiserver's deprecation.WarningMessage.
 */
import { describe, expect, it } from "vitest";
import { deprecationOf, deprecationWarning } from "../../src/apiserver/deprecations.js";

type Row = {
  apiVersion: string;
  kinds: string[];
  /** The release tree the lifecycle values come from. */
  source: string;
  /** Minor → expected warning (undefined: silent; "removed": no longer served). */
  at: Record<number, string | undefined | "removed">;
};

const rows: Row[] = [
  {
    apiVersion: "networking.k8s.io/v1alpha1",
    kinds: ["ClusterCIDR"],
    source: "1.28 (introduced 1.25, deprecated 1.28, removed 1.31)",
    at: { 28: "networking.k8s.io/v1alpha1 ClusterCIDR is deprecated in v1.28+, unavailable in v1.31+", 31: "removed" },
  },
  {
    apiVersion: "admissionregistration.k8s.io/v1alpha1",
    kinds: ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    source: "1.29–1.31 (introduced 1.26, deprecated 1.29, removed 1.32, replacement admissionregistration.k8s.io/v1)",
    at: {
      28: undefined,
      29: "admissionregistration.k8s.io/v1alpha1 <Kind> is deprecated in v1.29+, unavailable in v1.32+; use admissionregistration.k8s.io/v1 <Kind>",
      30: "admissionregistration.k8s.io/v1alpha1 <Kind> is deprecated in v1.29+, unavailable in v1.32+; use admissionregistration.k8s.io/v1 <Kind>",
      31: "admissionregistration.k8s.io/v1alpha1 <Kind> is deprecated in v1.29+; use admissionregistration.k8s.io/v1 <Kind>",
      32: "removed",
    },
  },
  {
    apiVersion: "authentication.k8s.io/v1alpha1",
    kinds: ["SelfSubjectReview"],
    source: "1.30 and 1.31 (introduced 1.26, deprecated 1.29; removal 1.32 written before 1.31)",
    at: {
      28: undefined,
      29: "authentication.k8s.io/v1alpha1 SelfSubjectReview is deprecated in v1.29+, unavailable in v1.32+",
      31: "authentication.k8s.io/v1alpha1 SelfSubjectReview is deprecated in v1.29+",
      32: "removed",
    },
  },
  {
    apiVersion: "authentication.k8s.io/v1beta1",
    kinds: ["SelfSubjectReview"],
    source: "types.go of 1.32+ (introduced 1.27)",
    at: {
      29: undefined,
      30: "authentication.k8s.io/v1beta1 SelfSubjectReview is deprecated in v1.30+, unavailable in v1.33+",
      32: "authentication.k8s.io/v1beta1 SelfSubjectReview is deprecated in v1.30+, unavailable in v1.33+",
      33: "removed",
    },
  },
  {
    apiVersion: "networking.k8s.io/v1alpha1",
    kinds: ["IPAddress", "ServiceCIDR"],
    source: "1.30 (introduced 1.27)",
    at: { 29: undefined, 30: "networking.k8s.io/v1alpha1 <Kind> is deprecated in v1.30+, unavailable in v1.33+", 33: "removed" },
  },
  {
    apiVersion: "admissionregistration.k8s.io/v1beta1",
    kinds: ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    source: "types.go of 1.34+ (introduced 1.28)",
    at: {
      28: undefined,
      30: undefined,
      31: "admissionregistration.k8s.io/v1beta1 <Kind> is deprecated in v1.31+, unavailable in v1.34+",
      33: "admissionregistration.k8s.io/v1beta1 <Kind> is deprecated in v1.31+, unavailable in v1.34+",
      34: "removed",
    },
  },
  {
    apiVersion: "storage.k8s.io/v1alpha1",
    kinds: ["VolumeAttributesClass"],
    source: "1.29 (introduced 1.29, removed 1.35) and 1.32+ (no removal written yet)",
    at: { 31: undefined, 32: "storage.k8s.io/v1alpha1 VolumeAttributesClass is deprecated in v1.32+", 34: "storage.k8s.io/v1alpha1 VolumeAttributesClass is deprecated in v1.32+", 35: "removed" },
  },
  {
    apiVersion: "storage.k8s.io/v1beta1",
    kinds: ["VolumeAttributesClass"],
    source: "types.go of 1.34+ (introduced 1.31, deprecated 1.34, replacement storage.k8s.io/v1)",
    at: {
      31: undefined,
      33: undefined,
      34: "storage.k8s.io/v1beta1 VolumeAttributesClass is deprecated in v1.34+, unavailable in v1.37+; use storage.k8s.io/v1 VolumeAttributesClass",
      36: "storage.k8s.io/v1beta1 VolumeAttributesClass is deprecated in v1.34+, unavailable in v1.37+; use storage.k8s.io/v1 VolumeAttributesClass",
    },
  },
  {
    apiVersion: "storagemigration.k8s.io/v1alpha1",
    kinds: ["StorageVersionMigration"],
    source: "1.33 (introduced 1.30, deprecated 1.33, no removal written yet)",
    at: { 32: undefined, 33: "storagemigration.k8s.io/v1alpha1 StorageVersionMigration is deprecated in v1.33+", 34: "storagemigration.k8s.io/v1alpha1 StorageVersionMigration is deprecated in v1.33+" },
  },
  {
    apiVersion: "certificates.k8s.io/v1alpha1",
    kinds: ["ClusterTrustBundle"],
    source: "1.34+ (introduced 1.26, deprecated=1.34 and removed=1.37 tagged)",
    at: { 33: undefined, 34: "certificates.k8s.io/v1alpha1 ClusterTrustBundle is deprecated in v1.34+, unavailable in v1.37+", 36: "certificates.k8s.io/v1alpha1 ClusterTrustBundle is deprecated in v1.34+, unavailable in v1.37+" },
  },
  {
    apiVersion: "certificates.k8s.io/v1beta1",
    kinds: ["ClusterTrustBundle"],
    source: "1.34+ (introduced 1.33)",
    at: { 35: undefined, 36: "certificates.k8s.io/v1beta1 ClusterTrustBundle is deprecated in v1.36+, unavailable in v1.39+" },
  },
  {
    apiVersion: "networking.k8s.io/v1beta1",
    kinds: ["IPAddress", "ServiceCIDR"],
    source: "types.go of the 1.37 development tree (introduced 1.31)",
    at: { 33: undefined, 34: "networking.k8s.io/v1beta1 <Kind> is deprecated in v1.34+, unavailable in v1.37+", 36: "networking.k8s.io/v1beta1 <Kind> is deprecated in v1.34+, unavailable in v1.37+" },
  },
  {
    apiVersion: "coordination.k8s.io/v1alpha2",
    kinds: ["LeaseCandidate"],
    source: "1.35 (introduced 1.32, deprecated 1.35, no removal written yet)",
    at: { 34: undefined, 35: "coordination.k8s.io/v1alpha2 LeaseCandidate is deprecated in v1.35+", 36: "coordination.k8s.io/v1alpha2 LeaseCandidate is deprecated in v1.35+" },
  },
  {
    apiVersion: "coordination.k8s.io/v1beta1",
    kinds: ["LeaseCandidate"],
    source: "introduced 1.33",
    at: { 35: undefined, 36: "coordination.k8s.io/v1beta1 LeaseCandidate is deprecated in v1.36+, unavailable in v1.39+" },
  },
  {
    apiVersion: "admissionregistration.k8s.io/v1alpha1",
    kinds: ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"],
    source: "1.33 (introduced 1.32, nothing derived yet) and the alpha rule from 1.35",
    at: { 33: undefined, 34: undefined, 35: "admissionregistration.k8s.io/v1alpha1 <Kind> is deprecated in v1.35+", 36: "admissionregistration.k8s.io/v1alpha1 <Kind> is deprecated in v1.35+" },
  },
  {
    apiVersion: "resource.k8s.io/v1beta1",
    kinds: ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"],
    source: "types.go of the 1.37 development tree (introduced 1.32)",
    at: { 32: undefined, 34: undefined, 35: "resource.k8s.io/v1beta1 <Kind> is deprecated in v1.35+, unavailable in v1.38+", 36: "resource.k8s.io/v1beta1 <Kind> is deprecated in v1.35+, unavailable in v1.38+" },
  },
  {
    apiVersion: "resource.k8s.io/v1beta2",
    kinds: ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"],
    source: "1.36 (introduced 1.33)",
    at: { 33: undefined, 35: undefined, 36: "resource.k8s.io/v1beta2 <Kind> is deprecated in v1.36+, unavailable in v1.39+" },
  },
  {
    apiVersion: "resource.k8s.io/v1alpha3",
    kinds: ["DeviceTaintRule"],
    source: "1.36 (introduced 1.33, deprecated 1.36, no removal written yet)",
    at: { 35: undefined, 36: "resource.k8s.io/v1alpha3 DeviceTaintRule is deprecated in v1.36+" },
  },
  // Generated lifecycles that warn nowhere in 1.28–1.36.
  { apiVersion: "resource.k8s.io/v1alpha3", kinds: ["ResourcePoolStatusRequest"], source: "1.36 (introduced 1.36)", at: { 36: undefined } },
  { apiVersion: "resource.k8s.io/v1beta2", kinds: ["DeviceTaintRule"], source: "1.36 (introduced 1.36)", at: { 36: undefined } },
  { apiVersion: "resource.k8s.io/v1alpha3", kinds: ["ResourceClaim", "DeviceClass"], source: "1.31–1.33 (introduced 1.31)", at: { 31: undefined, 33: undefined } },
  { apiVersion: "coordination.k8s.io/v1alpha1", kinds: ["LeaseCandidate"], source: "1.31 (introduced 1.31)", at: { 31: undefined } },
  { apiVersion: "certificates.k8s.io/v1alpha1", kinds: ["PodCertificateRequest"], source: "1.34 (introduced 1.34)", at: { 34: undefined } },
  { apiVersion: "certificates.k8s.io/v1beta1", kinds: ["PodCertificateRequest"], source: "1.35+ (introduced 1.35)", at: { 36: undefined } },
  { apiVersion: "admissionregistration.k8s.io/v1beta1", kinds: ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"], source: "introduced 1.34", at: { 34: undefined, 36: undefined } },
  { apiVersion: "scheduling.k8s.io/v1alpha1", kinds: ["Workload"], source: "1.35 (new in 1.35: a derived deprecation is 1.38 at the earliest)", at: { 35: undefined } },
  { apiVersion: "scheduling.k8s.io/v1alpha2", kinds: ["PodGroup", "Workload"], source: "1.36 (new in 1.36: a derived deprecation is 1.39 at the earliest)", at: { 36: undefined } },
  { apiVersion: "storagemigration.k8s.io/v1beta1", kinds: ["StorageVersionMigration"], source: "introduced 1.35", at: { 36: undefined } },
  // No generated lifecycle at all.
  { apiVersion: "resource.k8s.io/v1alpha2", kinds: ["ResourceClaim", "ResourceClass"], source: "1.28–1.30 (no zz_generated.prerelease-lifecycle.go)", at: { 28: undefined, 30: undefined } },
  { apiVersion: "internal.apiserver.k8s.io/v1alpha1", kinds: ["StorageVersion"], source: "apiserverinternal (no zz_generated.prerelease-lifecycle.go)", at: { 28: undefined, 36: undefined } },
];

describe("deprecation warnings of alpha and beta versions, per group-version and minor", () => {
  for (const row of rows) {
    for (const kind of row.kinds) {
      it(`${row.apiVersion} ${kind} (lifecycle of ${row.source})`, () => {
        for (const [minor, want] of Object.entries(row.at)) {
          const version = `1.${minor}`;
          const status = deprecationOf(row.apiVersion, kind, version);
          if (want === "removed") {
            expect(status?.removed, `${version}`).toBe(true);
            expect(deprecationWarning(row.apiVersion, kind, version), `${version}`).toBeUndefined();
          } else if (want === undefined) {
            expect(status, `${version}`).toBeUndefined();
            expect(deprecationWarning(row.apiVersion, kind, version), `${version}`).toBeUndefined();
          } else {
            const text = want.replaceAll("<Kind>", kind);
            expect(status, `${version}`).toMatchObject({ removed: false, message: text });
            expect(deprecationWarning(row.apiVersion, kind, version), `${version}`).toBe(text);
          }
        }
      });
    }
  }

  it("names the replacement kind of a binding as its own tag does", () => {
    expect(deprecationWarning("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicyBinding", "1.29")).toBe(
      "admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicyBinding is deprecated in v1.29+, unavailable in v1.32+; use admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding",
    );
  });

  it("says what to use once a removed version is gone", () => {
    expect(deprecationOf("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicy", "1.32")?.message).toBe(
      "admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicy is no longer served since Kubernetes 1.32; use admissionregistration.k8s.io/v1",
    );
    expect(deprecationOf("authentication.k8s.io/v1beta1", "SelfSubjectReview", "1.33")?.message).toBe(
      "authentication.k8s.io/v1beta1 SelfSubjectReview is no longer served since Kubernetes 1.33; use authentication.k8s.io/v1 SelfSubjectReview",
    );
  });
});

describe("advice for a removed version whose replacement is gone too", () => {
  it("follows the replacement while it is no longer served either: extensions/v1beta1 PodSecurityPolicy named policy/v1beta1", () => {
    expect(deprecationOf("extensions/v1beta1", "PodSecurityPolicy", "1.24")?.message).toBe(
      "extensions/v1beta1 PodSecurityPolicy is no longer served since Kubernetes 1.16; use policy/v1beta1",
    );
    expect(deprecationOf("extensions/v1beta1", "PodSecurityPolicy", "1.28")?.message).toBe(
      "extensions/v1beta1 PodSecurityPolicy is no longer served since Kubernetes 1.16; PodSecurityPolicy was removed; use Pod Security Admission or a third-party admission webhook",
    );
    expect(deprecationOf("extensions/v1beta1", "Ingress", "1.28")?.message).toBe("extensions/v1beta1 Ingress is no longer served since Kubernetes 1.22; use networking.k8s.io/v1");
  });
});

describe("the table against the bundled schemas", () => {
  const minors = [28, 29, 30, 31, 32, 33, 34, 35, 36];

  it("never calls a version removed in a minor whose schemas still have it", async () => {
    for (const minor of minors) {
      const { kinds } = (await import(`../../schemas/v1.${minor}/catalog.js`)) as { kinds: Record<string, Record<string, string>> };
      for (const [apiVersion, byKind] of Object.entries(kinds)) {
        for (const kind of Object.keys(byKind)) {
          expect(deprecationOf(apiVersion, kind, `1.${minor}`)?.removed ?? false, `${apiVersion} ${kind} at 1.${minor}`).toBe(false);
        }
      }
    }
  });

  it("has a row above for every alpha and beta kind the bundled minors serve", async () => {
    const covered = new Set(rows.flatMap((r) => r.kinds.map((k) => `${r.apiVersion} ${k}`)));
    const legacy = ["flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1beta3"];
    const missing = new Set<string>();
    for (const minor of minors) {
      const { kinds } = (await import(`../../schemas/v1.${minor}/catalog.js`)) as { kinds: Record<string, Record<string, string>> };
      for (const [apiVersion, byKind] of Object.entries(kinds)) {
        if (!/(alpha|beta)\d+$/.test(apiVersion) || legacy.includes(apiVersion)) continue;
        for (const kind of Object.keys(byKind)) {
          if (kind.endsWith("List")) continue;
          const key = `${apiVersion} ${kind}`;
          // Kinds of a version that share the rows' lifecycle (same group-version, introduced together).
          if (!covered.has(key) && !rows.some((r) => r.apiVersion === apiVersion && sameGeneration(r, kind))) missing.add(key);
        }
      }
    }
    expect([...missing].sort()).toEqual([]);
  });
});

/** Kinds introduced with a row's kinds: the rest of resource.k8s.io v1alpha2/v1alpha3. */
function sameGeneration(row: Row, kind: string): boolean {
  const siblings: Record<string, string[]> = {
    "resource.k8s.io/v1alpha2": ["PodSchedulingContext", "ResourceClaimTemplate", "ResourceClaimParameters", "ResourceClassParameters", "ResourceSlice"],
    "resource.k8s.io/v1alpha3": ["PodSchedulingContext", "ResourceClaimTemplate", "ResourceSlice"],
  };
  return siblings[row.apiVersion]?.includes(kind) ?? false;
}
