/**
 * StorageVersion (pkg/apis/apiserverinternal/validation): the tables of validation_test.go —
 * TestValidateStorageVersionName, TestValidateServerStorageVersion, TestValidateCommonVersion,
 * TestValidateStorageVersionCondition — through writes of the object and of its status.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { validateStorageVersionName } from "../../../src/apiserver/apiserverinternal/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const sv = (name: string, status: Obj = {}): Obj => ({
  apiVersion: "internal.apiserver.k8s.io/v1alpha1",
  kind: "StorageVersion",
  metadata: { name, resourceVersion: "1" },
  spec: {},
  status,
});
const server = (apiServerID: string, encodingVersion: string, decodableVersions?: string[]): Obj => ({
  apiServerID,
  encodingVersion,
  ...(decodableVersions ? { decodableVersions } : {}),
});

function statusErrors(status: Obj, minor = 36): string[] {
  return validateWrite(sv("apps.deployments", status), { minor, old: sv("apps.deployments"), subresource: "status" }).errors.map(formatFieldError);
}
const createErrors = (obj: Obj, minor = 36): string[] => validateWrite(obj, { minor }).errors.map(formatFieldError);

const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe("StorageVersion names (TestValidateStorageVersionName)", () => {
  it.each([
    ["", "name must be in the form of <group>.<resource>"],
    ["pods", "name must be in the form of <group>.<resource>"],
    ["x".repeat(254) + ".tokenreviews", "the group segment must be no more than 253 characters"],
    ["authentication.k8s.io." + "x".repeat(64), "the resource segment must be no more than 63 characters"],
  ])("refuses %j", (name, message) => {
    expect(validateStorageVersionName(name)).toContain(message);
  });

  it.each([["core.pods"], ["authentication.k8s.io.tokenreviews"], ["x".repeat(253) + ".tokenreviews"], ["authentication.k8s.io." + "x".repeat(63)]])("accepts %j", (name) => {
    expect(validateStorageVersionName(name)).toEqual([]);
  });

  it("checks metadata.name on create with the kind's own name function", () => {
    expect(createErrors(sv("pods"))).toEqual(['metadata.name: Invalid value: "pods": name must be in the form of <group>.<resource>']);
    expect(createErrors(sv("apps.Deployments"))).toEqual([`metadata.name: Invalid value: "apps.Deployments": the resource segment ${DNS1035}`]);
    expect(createErrors(sv("apps.deployments"))).toEqual([]);
  });

  it("clears the status on create and keeps the stored status on update", () => {
    const bad = { storageVersions: [server("-fea", "v1")] };
    const created = validateWrite(sv("apps.deployments", bad), { minor: 36 });
    expect(created.errors).toEqual([]);
    expect(created.object.status).toEqual({});
    const updated = validateWrite(sv("apps.deployments", bad), { minor: 36, old: sv("apps.deployments", { commonEncodingVersion: "apps/v1" }) });
    expect(updated.errors).toEqual([]);
    expect(updated.object.status).toEqual({ commonEncodingVersion: "apps/v1" });
  });
});

describe("StorageVersion status: servers (TestValidateServerStorageVersion)", () => {
  const one = (ssv: Obj, common?: string): string[] => statusErrors({ storageVersions: [ssv], commonEncodingVersion: common ?? ssv.encodingVersion });

  it("accepts servers whose decodable versions include the encoding version", () => {
    expect(one(server("fea", "v1alpha1", ["v1alpha1", "v1"]))).toEqual([]);
    expect(one(server("fea", "mygroup.com/v2", ["v1alpha1", "v1", "mygroup.com/v2"]))).toEqual([]);
  });

  it("checks the apiserver id as a DNS subdomain", () => {
    expect(one(server("-fea", "v1alpha1", ["v1alpha1", "v1"]))[0]).toMatch(/^status\.storageVersions\[0\]\.apiServerID: Invalid value: "-fea": a lowercase RFC 1123 subdomain/);
  });

  it("requires the encoding version among the decodable versions (the list printed as JSON from 1.34, Go syntax before)", () => {
    expect(one(server("fea", "v1alpha1", ["v1beta1", "v1"]))).toEqual(['status.storageVersions[0].decodableVersions: Invalid value: ["v1beta1","v1"]: decodableVersions must include encodingVersion v1alpha1']);
    expect(statusErrors({ storageVersions: [server("fea", "v1alpha1", ["v1beta1", "v1"])], commonEncodingVersion: "v1alpha1" }, 33)).toEqual([
      'status.storageVersions[0].decodableVersions: Invalid value: []string{"v1beta1", "v1"}: decodableVersions must include encodingVersion v1alpha1',
    ]);
  });

  it.each([
    [server("fea", "v1alpha1", ["v1alpha1", "v1", "-fea"]), `status.storageVersions[0].decodableVersions[2]: Invalid value: "-fea": version part: ${DNS1035}`],
    [server("fea", "mygroup.com/v2", ["mygroup.com/v2", "/v3"]), 'status.storageVersions[0].decodableVersions[1]: Invalid value: "/v3": group part: must be non-empty'],
    [server("fea", "mygroup.com/v2", ["mygroup.com/v2", "mygroup.com/"]), 'status.storageVersions[0].decodableVersions[1]: Invalid value: "mygroup.com/": version part: must be non-empty'],
    [
      server("fea", "v1", ["v1", "mygroup_com/v2"]),
      "status.storageVersions[0].decodableVersions[1]: Invalid value: \"mygroup_com/v2\": group part: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
    [server("fea", "v1", ["v1", "mygroup.com/v2_"]), `status.storageVersions[0].decodableVersions[1]: Invalid value: "mygroup.com/v2_": version part: ${DNS1035}`],
    [
      server("fea", "v1", ["v1", "mygroup.com/v2/myresource"]),
      "status.storageVersions[0].decodableVersions[1]: Invalid value: \"mygroup.com/v2/myresource\": an apiVersion is a DNS-1035 label, which must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyVersion')",
    ],
  ])("checks each version (%#)", (ssv, message) => {
    expect(one(ssv)).toEqual([message]);
  });

  it("checks the encoding version too", () => {
    expect(one(server("fea", "/v3", ["mygroup.com/v2", "/v3"]))).toEqual([
      'status.storageVersions[0].encodingVersion: Invalid value: "/v3": group part: must be non-empty',
      'status.storageVersions[0].decodableVersions[1]: Invalid value: "/v3": group part: must be non-empty',
    ]);
  });
});

describe("StorageVersion status: common encoding version (TestValidateCommonVersion)", () => {
  const NOT_AGREED = "should be nil if servers do not agree on the same encoding version, or if there is no server reporting the supported versions yet";
  const two = (a: string, b: string): Obj[] => [server("one", a, [a]), server("two", b, [b])];

  it("is unset when no server reports or the servers disagree", () => {
    expect(statusErrors({ storageVersions: [], commonEncodingVersion: "v1alpha1" })).toEqual([`status.commonEncodingVersion: Invalid value: "v1alpha1": ${NOT_AGREED}`]);
    expect(statusErrors({ storageVersions: two("v1alpha1", "v1"), commonEncodingVersion: "v1alpha1" })).toEqual([`status.commonEncodingVersion: Invalid value: "v1alpha1": ${NOT_AGREED}`]);
    expect(statusErrors({ storageVersions: two("v1alpha1", "v1") })).toEqual([]);
  });

  it("is the version every server agrees on", () => {
    expect(statusErrors({ storageVersions: two("v1alpha1", "v1alpha1") })).toEqual(["status.commonEncodingVersion: Invalid value: null: the common encoding version is v1alpha1"]);
    expect(statusErrors({ storageVersions: two("v1alpha1", "v1alpha1") }, 33)).toEqual(['status.commonEncodingVersion: Invalid value: "null": the common encoding version is v1alpha1']);
    expect(statusErrors({ storageVersions: two("v1alpha1", "v1alpha1"), commonEncodingVersion: "v1" })).toEqual(['status.commonEncodingVersion: Invalid value: "v1": the actual common encoding version is v1alpha1']);
    expect(statusErrors({ storageVersions: two("v1alpha1", "v1alpha1"), commonEncodingVersion: "v1alpha1" })).toEqual([]);
    expect(statusErrors({ storageVersions: [server("one", "v1alpha1", ["v1alpha1"])], commonEncodingVersion: "v1alpha1" })).toEqual([]);
  });
});

describe("StorageVersion status: conditions (TestValidateStorageVersionCondition)", () => {
  const cond = (extra: Obj): Obj => ({ type: "fea", status: "True", reason: "unknown", message: "unknown", ...extra });
  const QUALIFIED = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

  it("accepts a complete condition", () => {
    expect(statusErrors({ conditions: [cond({})] })).toEqual([]);
  });

  it("reports at status[i] as Go does, a bad status with the condition's type as its value", () => {
    expect(statusErrors({ conditions: [cond({ type: "-fea" })] })).toEqual([`status[0].type: Invalid value: "-fea": ${QUALIFIED}`]);
    expect(statusErrors({ conditions: [cond({ status: "-True" })] })).toEqual([`status[0].status: Invalid value: "fea": ${QUALIFIED}`]);
    expect(statusErrors({ conditions: [cond({ reason: undefined })] })).toEqual(["status[0].reason: Required value: reason cannot be empty"]);
    expect(statusErrors({ conditions: [cond({ message: "" })] })).toEqual(["status[0].message: Required value: message cannot be empty"]);
  });

  it("refuses a repeated type", () => {
    expect(statusErrors({ conditions: [cond({}), cond({})] })).toEqual(['status[1].type: Invalid value: "fea": the type of the condition is not unique, it also appears in conditions[0]']);
  });
});
