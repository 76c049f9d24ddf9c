/**
 * StorageVersionMigration status writes: ValidateStorageVersionMigrationStatusUpdate
 * (pkg/apis/storagemigration/validation), through the status subresource.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const svm = (status: Obj): Obj => ({
  apiVersion: "storagemigration.k8s.io/v1beta1",
  kind: "StorageVersionMigration",
  metadata: { name: "m", resourceVersion: "1" },
  spec: { resource: { group: "", resource: "secrets" } },
  status,
});
const cond = (type: string, status: string, extra: Obj = {}): Obj => ({ type, status, lastUpdateTime: "2025-01-01T00:00:00Z", reason: "Done", ...extra });

function statusErrors(next: Obj, old: Obj): string[] {
  return validateWrite(svm(next), { minor: 36, old: svm(old), subresource: "status" }).errors.map(formatFieldError);
}

describe("StorageVersionMigration status", () => {
  it("accepts a migration that runs, then succeeds", () => {
    expect(statusErrors({ resourceVersion: "42", conditions: [cond("Running", "True")] }, {})).toEqual([]);
    expect(statusErrors({ resourceVersion: "42", conditions: [cond("Running", "False"), cond("Succeeded", "True")] }, { resourceVersion: "42", conditions: [cond("Running", "True")] })).toEqual([]);
  });

  it("keeps the resource version once set", () => {
    expect(statusErrors({ resourceVersion: "43" }, { resourceVersion: "42" })).toEqual(['status.resourceVersion: Invalid value: "43": resourceVersion cannot be updated']);
  });

  it("checks conditions: unique types, statuses, reasons, times", () => {
    expect(statusErrors({ conditions: [cond("Running", "Maybe"), cond("Running", "True", { reason: "1bad", lastUpdateTime: undefined })] }, {})).toEqual([
      'status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      'status.conditions[1].type: Duplicate value: "Running"',
      "status.conditions[1].lastTransitionTime: Required value: must be set",
      "status.conditions[1].reason: Invalid value: \"1bad\": a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')",
    ]);
  });

  it("refuses success and failure together, and taking success back", () => {
    const both = statusErrors({ conditions: [cond("Succeeded", "True"), cond("Failed", "True")] }, {});
    expect(both.map((e) => e.replace(/Invalid value: .*: /, ""))).toEqual(["status.conditions: Both success and failed conditions cannot be true at the same time"]);
    const back = statusErrors({ conditions: [cond("Succeeded", "False")] }, { conditions: [cond("Succeeded", "True")] });
    expect(back.map((e) => e.replace(/Invalid value: .*: /, ""))).toEqual(["status.conditions: Success condition cannot be set to false once it is true"]);
  });
});
