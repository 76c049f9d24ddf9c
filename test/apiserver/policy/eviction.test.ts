/**
 * The Eviction body (policy/v1): what kube-apiserver's EvictionREST refuses — an Eviction without
 * the pod's name — and ValidateDeleteOptions over its deleteOptions (the table of
 * apimachinery's validation_test.go: propagation policies, orphanDependents with a policy, dry-run
 * values). Nothing else: no object metadata checks run on an Eviction.
 */
import { describe, expect, it } from "vitest";
import { validateWrite } from "../../../src/apiserver/index.js";
import { validateDeleteOptions } from "../../../src/apiserver/validation/index.js";
import { formatFieldError } from "../../../src/meta/index.js";

type Obj = Record<string, unknown>;

const eviction = (metadata: Obj, deleteOptions?: Obj): Obj => ({ apiVersion: "policy/v1", kind: "Eviction", metadata, ...(deleteOptions ? { deleteOptions } : {}) });
const errorsOf = (obj: Obj, minor = 36): string[] => validateWrite(obj, { minor }).errors.map(formatFieldError);

describe("Eviction", () => {
  it("accepts an Eviction naming its pod, with or without delete options", () => {
    expect(errorsOf(eviction({ name: "web-1", namespace: "default" }))).toEqual([]);
    expect(errorsOf(eviction({ name: "web-1" }, { gracePeriodSeconds: 30, propagationPolicy: "Foreground", dryRun: ["All"], preconditions: { uid: "u" } }))).toEqual([]);
    // Names are not checked as object names: the pod's own name is what the URL holds.
    expect(errorsOf(eviction({ name: "Web_1" }))).toEqual([]);
  });

  it("refuses an Eviction without a name (it cannot match the pod of the URL)", () => {
    expect(errorsOf(eviction({ namespace: "default" }))).toEqual(['metadata.name: Invalid value: "": name in URL does not match name in Eviction object']);
  });

  it("validates the delete options under deleteOptions", () => {
    expect(errorsOf(eviction({ name: "p" }, { propagationPolicy: "Sideways" }))).toEqual([
      'deleteOptions.propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"',
    ]);
  });
});

describe("ValidateDeleteOptions", () => {
  it.each([[{}], [{ propagationPolicy: "Orphan" }], [{ orphanDependents: true }], [{ dryRun: ["All"] }], [{ dryRun: [] }]])("accepts %j", (options) => {
    expect(validateDeleteOptions(options, 36)).toEqual([]);
  });

  it("refuses orphanDependents together with a propagation policy", () => {
    expect(validateDeleteOptions({ orphanDependents: false, propagationPolicy: "Background" }, 36).map(formatFieldError)).toEqual([
      'propagationPolicy: Invalid value: "Background": orphanDependents and deletionPropagation cannot be both set',
    ]);
  });

  it("refuses dry-run values other than All (the list printed as the minor prints it)", () => {
    expect(validateDeleteOptions({ dryRun: ["All", "Client"] }, 36).map(formatFieldError)).toEqual(['dryRun: Unsupported value: ["All","Client"]: supported values: "All"']);
    expect(validateDeleteOptions({ dryRun: ["Client"] }, 33).map(formatFieldError)).toEqual(['dryRun: Unsupported value: []string{"Client"}: supported values: "All"']);
  });
});
