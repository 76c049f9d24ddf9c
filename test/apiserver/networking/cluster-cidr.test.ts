/**
 * ClusterCIDR (networking.k8s.io v1alpha1, Kubernetes 1.28): TestValidateClusterCIDR and
 * TestValidateClusterConfigUpdate of pkg/apis/networking/validation, with their
 * makeClusterCIDR/makeNodeSelector fixtures, and the messages Go prints.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const selector = (key: string, values: string[]): Obj => ({ nodeSelectorTerms: [{ matchExpressions: [{ key, operator: "In", values }] }] });
const cc = (perNodeHostBits: number, ipv4: string, ipv6: string, nodeSelector?: Obj, name = "foo"): Obj => ({
  apiVersion: "networking.k8s.io/v1alpha1",
  kind: "ClusterCIDR",
  metadata: { name, resourceVersion: "9" },
  spec: { perNodeHostBits, ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}), ...(nodeSelector ? { nodeSelector } : {}) },
});
const errorsOf = (obj: Obj, old?: Obj): string[] => validateWrite(obj, { minor: 28, ...(old ? { old } : {}) }).errors.map(formatFieldError);
const foo = selector("foo", ["bar"]);

describe("ClusterCIDR (TestValidateClusterCIDR)", () => {
  it.each<[string, Obj]>([
    ["valid SingleStack IPv4 ClusterCIDR", cc(8, "10.1.0.0/16", "", foo)],
    ["perNodeHostBits = maxPerNodeHostBits", cc(16, "10.1.0.0/16", "", foo)],
    ["perNodeHostBits = minPerNodeHostBits", cc(4, "10.1.0.0/16", "", foo)],
    ["valid SingleStack IPv6 ClusterCIDR", cc(8, "", "fd00:1:1::/64", foo)],
    ["valid DualStack ClusterCIDR", cc(8, "10.1.0.0/16", "fd00:1:1::/64", foo)],
    ["valid DualStack ClusterCIDR, no NodeSelector", cc(8, "10.1.0.0/16", "fd00:1:1::/64")],
  ])("accepts: %s", (_name, obj) => {
    expect(errorsOf(obj)).toEqual([]);
  });

  it.each<[string, Obj]>([
    ["invalid nodeSelector", cc(8, "10.1.0.0/16", "fd00:1:1::/64", selector("NoUppercaseOrSpecialCharsLike=Equals", ["bar"]))],
    ["invalid SingleStack IPv4, invalid spec.IPv4", cc(8, "test", "", foo)],
    ["invalid SingleStack IPv4, perNodeHostBits > maxPerNodeHostBits", cc(100, "10.1.0.0/16", "", foo)],
    ["invalid SingleStack IPv4, perNodeHostBits < minPerNodeHostBits", cc(2, "10.1.0.0/16", "", foo)],
    ["invalid SingleStack IPv6, invalid spec.IPv6", cc(8, "", "testv6", foo)],
    ["invalid SingleStack IPv6, valid IPv4 CIDR in spec.IPv6", cc(8, "", "10.2.0.0/16", foo)],
    ["invalid SingleStack IPv6, perNodeHostBits > maxPerNodeHostBits", cc(12, "", "fd00::/120", foo)],
    ["invalid SingleStack IPv6, perNodeHostBits < minPerNodeHostBits", cc(3, "", "fd00::/120", foo)],
    ["invalid DualStack, invalid spec.IPv6", cc(8, "10.1.0.0/16", "testv6", foo)],
    ["invalid DualStack, invalid spec.IPv4", cc(8, "testv4", "fd00::/120", foo)],
    ["invalid DualStack, perNodeHostBits > maxPerNodeHostBits", cc(24, "10.1.0.0/16", "fd00:1:1::/64", foo)],
    ["invalid DualStack, valid IPv6 CIDR in spec.IPv4", cc(8, "fd00::/120", "fd00:1:1::/64", foo)],
  ])("refuses: %s", (_name, obj) => {
    expect(errorsOf(obj).length).toBeGreaterThan(0);
  });

  it("prints Go's messages (the family's name as the field, as Go writes it)", () => {
    expect(errorsOf(cc(8, "", ""))).toEqual(["spec: Required value: one or both of `ipv4` and `ipv6` must be specified"]);
    expect(errorsOf(cc(8, "test", ""))).toEqual(['spec.IPv4: Invalid value: "test": must be a valid CIDR: test']);
    expect(errorsOf(cc(8, "", "10.2.0.0/16"))).toEqual(['spec.IPv6: Invalid value: "10.2.0.0/16": must be a valid IPv6 CIDR']);
    expect(errorsOf(cc(12, "", "fd00::/120"))).toEqual(["spec.perNodeHostBits: Invalid value: 12: must be less than or equal to 8"]);
    expect(errorsOf(cc(2, "10.1.0.0/16", ""))).toEqual(["spec.perNodeHostBits: Invalid value: 2: must be greater than or equal to 4"]);
    expect(errorsOf(cc(8, "10.1.0.0/16", "", { nodeSelectorTerms: [] }))).toEqual(["spec.nodeSelector.nodeSelectorTerms: Required value: must have at least one node selector term"]);
  });

  it("checks the name as a DNS label", () => {
    expect(errorsOf(cc(8, "10.1.0.0/16", "", undefined, "a.b"))).toEqual([
      "metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
});

describe("ClusterCIDR updates (TestValidateClusterConfigUpdate)", () => {
  const old = cc(8, "10.1.0.0/16", "fd00:1:1::/64", foo);
  it("allows no change", () => {
    expect(errorsOf(cc(8, "10.1.0.0/16", "fd00:1:1::/64", foo), old)).toEqual([]);
  });
  it.each<[string, Obj, string]>([
    ["perNodeHostBits", cc(12, "10.1.0.0/16", "fd00:1:1::/64", foo), "spec.perNodeHostBits: Invalid value: 12: field is immutable"],
    ["ipv4", cc(8, "10.2.0.0/16", "fd00:1:1::/64", foo), 'spec.ipv4: Invalid value: "10.2.0.0/16": field is immutable'],
    ["ipv6", cc(8, "10.1.0.0/16", "fd00:2::/112", foo), 'spec.ipv6: Invalid value: "fd00:2::/112": field is immutable'],
  ])("refuses changing %s", (_name, obj, message) => {
    expect(errorsOf(obj, old)).toEqual([message]);
  });
  it("refuses changing the node selector", () => {
    const errs = errorsOf(cc(8, "10.1.0.0/16", "fd00:1:1::/64", selector("foo", ["bar2"])), old);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^spec\.nodeSelector: Invalid value: .*: field is immutable$/);
  });
});
