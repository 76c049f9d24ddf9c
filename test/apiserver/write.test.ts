/**
 * The write pipeline (`checkWrite`): the order of work, copy on write, decoding failures of
 * built-in kinds, CRD structural defaults before validation, list-map keys with defaults, object
 * metadata on create and update, CRD validation ratcheting per minor, and CEL rules not run over
 * objects with blocking errors (with kube-apiserver's note, worded per minor).
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { formatFieldError, schemaFor, schemasFromCrd } from "../../src/meta/index.js";
import { checkWrite, keepStoredMetadata, loadCelRules, unchangedSince, validateObjectMetaUpdate, validateWrite } from "../../src/apiserver/index.js";

type Obj = Record<string, unknown>;

function crd(spec: Obj, scope = "Namespaced"): Obj {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope,
      names: { plural: "widgets", kind: "Widget" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec } } } }],
    },
  };
}

function widgetSchema(spec: Obj): z.ZodType {
  return schemasFromCrd(crd(spec))[0]!.schema as z.ZodType;
}

const texts = (issues: ReadonlyArray<Parameters<typeof formatFieldError>[0] & { rule: string; severity?: string }>) =>
  issues.filter((i) => i.severity !== "warning").map((i) => `${i.rule} ${formatFieldError(i)}`);

describe("custom resources: structural defaults come before validation", () => {
  // The shape of Gateway API's `spec.addresses[]`: `type` defaults to IPAddress, and a oneOf on the
  // item keys the value's format off the type; without the default, no branch matches.
  const addresses = widgetSchema({
    type: "object",
    properties: {
      addresses: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type", "value"],
        items: {
          type: "object",
          required: ["value"],
          properties: { type: { type: "string", default: "IPAddress" }, value: { type: "string" } },
          oneOf: [{ properties: { type: { enum: ["IPAddress"] } } }, { properties: { type: { enum: ["Hostname"] } } }],
        },
      },
    },
  });

  it("a defaulted discriminator satisfies oneOf", () => {
    const w = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "ns" }, spec: { addresses: [{ value: "1.2.3.4" }, { type: "Hostname", value: "example.com" }] } };
    const { issues, object } = checkWrite(w, { schema: addresses, custom: true, minor: 36 });
    expect(texts(issues)).toEqual([]);
    expect(((object.spec as Obj).addresses as Obj[])[0]!.type).toBe("IPAddress");
    // The manifest itself is not changed.
    expect((w.spec.addresses[0] as Obj).type).toBeUndefined();
  });

  it("list-map keys are unique after defaulting", () => {
    const w = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { addresses: [{ value: "1.2.3.4" }, { type: "IPAddress", value: "1.2.3.4" }] } };
    const { issues } = checkWrite(w, { schema: addresses, custom: true, minor: 36, namespaceOptional: true });
    expect(texts(issues)).toEqual(['strict/duplicate-entry spec.addresses[1]: Duplicate value: {"type":"IPAddress","value":"1.2.3.4"}']);
  });
});

describe("built-in kinds: duplicate list-map entries", () => {
  // kube-apiserver decodes built-in kinds into Go slices: only the kind's own rules refuse a duplicate
  // (container names, Service ports); the field manager tolerates the rest outside server-side apply
  // (FieldManager.UpdateNoErrors), and pkg/api/pod/warnings.go warns about some of them.
  const pod = (spec: Obj): Obj => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns" }, spec });
  const options = async () => ({ schema: (await schemaFor({ apiVersion: "v1", kind: "Pod" }, { kubernetesVersion: "1.36" }))!, minor: 36, builtinDuplicates: true });

  it("are warnings, not repeated where the kind's own warning names the entry", async () => {
    const { issues, warnings } = checkWrite(pod({ imagePullSecrets: [{ name: "reg" }, { name: "reg" }], containers: [{ name: "c", image: "i", env: [{ name: "A" }, { name: "A" }] }] }), await options());
    expect(texts(issues)).toEqual([]);
    expect(issues.filter((i) => i.rule === "strict/duplicate-entry")).toEqual([]);
    expect(warnings).toEqual(['spec.imagePullSecrets[1].name: duplicate name "reg"', 'spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply']);
  });

  it("are warnings where nothing else names them (ValidateServiceAccount checks only metadata)", async () => {
    const schema = (await schemaFor({ apiVersion: "v1", kind: "ServiceAccount" }, { kubernetesVersion: "1.36" }))!;
    const sa = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa", namespace: "ns" }, secrets: [{ name: "t" }, { name: "t" }] };
    const { issues } = checkWrite(sa, { schema, minor: 36, builtinDuplicates: true });
    expect(issues.map((i) => `${i.rule} ${i.severity} ${formatFieldError(i)}`)).toEqual(['strict/duplicate-entry warning secrets[1]: Duplicate value: {"name":"t"}']);
  });

  it("the kind's own rules still refuse the duplicates they check", async () => {
    const { issues } = checkWrite(pod({ containers: [{ name: "c", image: "i" }, { name: "c", image: "j" }] }), await options());
    expect(texts(issues)).toEqual(['native/duplicate spec.containers[1].name: Duplicate value: "c"']);
  });
});

describe("built-in kinds: unknown fields whose value is null", () => {
  // kube-apiserver's strict decoding (Go's encoding/json with unknown fields disallowed) reports an
  // unknown key before it reads its value; null only unsets the fields the type declares.
  const options = async () => ({ schema: (await schemaFor({ apiVersion: "apps/v1", kind: "Deployment" }, { kubernetesVersion: "1.36" }))!, minor: 36, unknownFields: true });
  const deployment = (podSpec: Obj, spec: Obj = {}): Obj => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d", namespace: "ns", creationTimestamp: null },
    spec: { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec: podSpec }, ...spec },
  });
  const unknownOf = (issues: { rule: string; field: string }[]) => issues.filter((i) => i.rule === "strict/unknown-field").map((i) => i.field);

  it("are unknown as any other value is, at any depth, lists included", async () => {
    const { issues } = checkWrite(deployment({ spec: null, containers: [{ name: "c", image: "i", resourcez: null }] }, { strategyy: null }), await options());
    expect(unknownOf(issues).sort()).toEqual(["spec.strategyy", "spec.template.spec.containers[0].resourcez", "spec.template.spec.spec"]);
  });

  it("while null in a declared field only unsets it, and an unknown parent is named once", async () => {
    const declared = checkWrite(deployment({ containers: [{ name: "c", image: "i", resources: null, env: null }], nodeSelector: { zone: null } }, { strategy: null }), await options());
    expect(unknownOf(declared.issues)).toEqual([]);
    const parent = checkWrite(deployment({ containers: [{ name: "c", image: "i" }], extra: { inner: null } }), await options());
    expect(unknownOf(parent.issues)).toEqual(["spec.template.spec.extra"]);
    const lenient = checkWrite(deployment({ spec: null, containers: [{ name: "c", image: "i" }] }), { ...(await options()), unknownFields: false });
    expect(unknownOf(lenient.issues)).toEqual([]);
  });
});

describe("copy on write", () => {
  it("changes an owned object in place, copies one it does not own", async () => {
    const ConfigMap = (await schemaFor({ apiVersion: "v1", kind: "ConfigMap" }, { kubernetesVersion: "1.36" }))!;
    const mine = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", annotations: null }, data: { k: "v" } };
    const theirs = structuredClone(mine);
    const owned = checkWrite(mine, { schema: ConfigMap, minor: 36, owned: true });
    expect(owned.object).toBe(mine);
    // null means unset, as Go decoding makes it.
    expect("annotations" in mine.metadata).toBe(false);
    const copied = checkWrite(theirs, { schema: ConfigMap, minor: 36 });
    expect(copied.object).not.toBe(theirs);
    expect(theirs.metadata.annotations).toBeNull();
  });
});

describe("built-in kinds: a value that does not decode stops the rest", () => {
  it("reports the type error and no metadata or native findings", async () => {
    const ConfigMap = (await schemaFor({ apiVersion: "v1", kind: "ConfigMap" }, { kubernetesVersion: "1.36" }))!;
    const { issues } = checkWrite({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad Name" }, immutable: "yes" }, { schema: ConfigMap, minor: 36 });
    expect(issues.map((i) => i.rule)).toEqual(["schema/type"]);
  });

  it("checks object metadata with the kind's name format", async () => {
    const Service = (await schemaFor({ apiVersion: "v1", kind: "Service" }, { kubernetesVersion: "1.36" }))!;
    const { issues } = checkWrite({ apiVersion: "v1", kind: "Service", metadata: { name: "1web", namespace: "default" }, spec: { ports: [{ port: 80 }] } }, { schema: Service, minor: 36 });
    // ValidateServiceName is a DNS-1035 label: it may not start with a digit.
    expect(issues.filter((i) => i.rule === "meta/name").map((i) => i.field)).toEqual(["metadata.name"]);
  });

  it("warns that a cluster-scoped kind's namespace is ignored, and drops it", async () => {
    const Namespace = (await schemaFor({ apiVersion: "v1", kind: "Namespace" }, { kubernetesVersion: "1.36" }))!;
    const { issues, object } = checkWrite({ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", namespace: "default" } }, { schema: Namespace, minor: 36 });
    expect(issues.map((i) => [i.rule, i.severity, i.text])).toEqual([["meta/namespace", "warning", "metadata.namespace: Namespace is cluster-scoped; the namespace is ignored"]]);
    expect((object.metadata as Obj).namespace).toBeUndefined();
  });
});

describe("updates", () => {
  it("carries over what the client cannot change (rest.BeforeUpdate)", () => {
    const meta: Obj = { name: "a", generation: 7 };
    keepStoredMetadata(meta, { name: "a", namespace: "ns", uid: "u-1", generation: 2, resourceVersion: "41", creationTimestamp: "2026-01-01T00:00:00Z" }, true);
    expect(meta).toEqual({ name: "a", namespace: "ns", uid: "u-1", generation: 2, resourceVersion: "41", creationTimestamp: "2026-01-01T00:00:00Z" });
  });

  it("refuses a changed name, uid or namespace, and new finalizers while deleting (ValidateObjectMetaAccessorUpdate)", () => {
    const errs = validateObjectMetaUpdate(
      { name: "b", namespace: "ns", uid: "u-2", finalizers: ["x/a", "x/c"], deletionTimestamp: "2026-01-01T00:00:00Z" },
      { name: "a", namespace: "ns", uid: "u-1", finalizers: ["x/a"], deletionTimestamp: "2026-01-01T00:00:00Z" },
    );
    expect(errs.map(formatFieldError)).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/c"}',
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.uid: Invalid value: "u-2": field is immutable',
    ]);
  });

  it("a manifest without server fields updates the stored object it matches", async () => {
    const ConfigMap = (await schemaFor({ apiVersion: "v1", kind: "ConfigMap" }, { kubernetesVersion: "1.36" }))!;
    const old = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "ns", uid: "u-1", resourceVersion: "9", creationTimestamp: "2026-01-01T00:00:00Z" }, data: { k: "v" } };
    const { issues, object } = checkWrite({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { k: "w" } }, { schema: ConfigMap, minor: 36, old });
    expect(issues).toEqual([]);
    expect(object.metadata).toEqual({ name: "a", namespace: "ns", uid: "u-1", resourceVersion: "9", creationTimestamp: "2026-01-01T00:00:00Z" });
  });
});

describe("CRD validation ratcheting (CRDValidationRatcheting: beta and on from 1.30)", () => {
  const schema = widgetSchema({
    type: "object",
    properties: {
      size: { type: "integer", maximum: 10 },
      name: { type: "string", pattern: "^[a-z]+$" },
      ports: { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], items: { type: "object", required: ["name"], properties: { name: { type: "string" }, port: { type: "integer", maximum: 100 } } } },
      tags: { type: "array", items: { type: "string", maxLength: 3 } },
    },
  });
  const w = (spec: Obj): Obj => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "ns" }, spec });
  const old = w({ size: 20, name: "BAD", ports: [{ name: "a", port: 500 }], tags: ["long"] });

  it("drops errors on values the update did not change, from 1.30", () => {
    const next = w({ size: 20, name: "BAD", ports: [{ name: "b", port: 1 }, { name: "a", port: 500 }], tags: ["long"] });
    expect(texts(checkWrite(next, { schema, custom: true, minor: 30, old }).issues)).toEqual([
      // Items of an atomic list do not correlate with the old list: their errors stand
      // (field.TooLongMaxLength's wording before 1.32).
      "schema/length spec.tags[0]: Too long: may not be longer than 3",
    ]);
    expect(texts(checkWrite(next, { schema, custom: true, minor: 32, old }).issues)).toEqual(["schema/length spec.tags[0]: Too long: may not be more than 3 bytes"]);
    expect(texts(checkWrite(next, { schema, custom: true, minor: 29, old }).issues).map((t) => t.split(":")[0])).toEqual(["schema/range spec.size", "schema/format spec.name", "schema/range spec.ports[1].port", "schema/length spec.tags[0]"]);
  });

  it("keeps errors on values the update changed", () => {
    const next = w({ size: 30, name: "BAD", ports: [{ name: "a", port: 600 }] });
    expect(texts(checkWrite(next, { schema, custom: true, minor: 36, old }).issues)).toEqual([
      "schema/range spec.size: Invalid value: 30: spec.size in body should be less than or equal to 10",
      "schema/range spec.ports[0].port: Invalid value: 600: spec.ports[0].port in body should be less than or equal to 100",
    ]);
  });

  it("correlates as kube-apiserver does: fields and map keys, list-map items by key, never atomic lists", () => {
    expect(unchangedSince(schema, ["spec", "ports", 1, "port"], w({ ports: [{ name: "b" }, { name: "a", port: 500 }] }), old)).toBe(true);
    expect(unchangedSince(schema, ["spec", "tags", 0], old, old)).toBe(false);
    expect(unchangedSince(schema, ["spec", "size"], w({}), old)).toBe(false);
  });

  it("does not run CEL rules over unchanged values, except transition rules", async () => {
    await loadCelRules();
    const ruled = widgetSchema({
      type: "object",
      "x-kubernetes-validations": [{ rule: "self.size <= 10", message: "too big" }],
      properties: { size: { type: "integer" }, mode: { type: "string", "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "mode is immutable" }] } },
    });
    const stored = w({ size: 20, mode: "a" });
    expect(texts(checkWrite(w({ size: 20, mode: "a" }), { schema: ruled, custom: true, minor: 36, old: stored }).issues)).toEqual([]);
    expect(texts(checkWrite(w({ size: 20, mode: "b" }), { schema: ruled, custom: true, minor: 36, old: stored }).issues)).toEqual([
      'crd/cel spec: Invalid value: "object": too big',
      'crd/cel spec.mode: Invalid value: "string": mode is immutable',
    ]);
  });
});

describe("CEL rules are not run over an object with blocking errors (hasBlockingErr)", () => {
  it("says so as kube-apiserver does, the value printed as each minor prints nil", async () => {
    await loadCelRules();
    const schema = widgetSchema({ type: "object", required: ["size"], "x-kubernetes-validations": [{ rule: "self.size > 1" }], properties: { size: { type: "integer" } } });
    const w = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "ns" }, spec: {} };
    const note = "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";
    const at = (minor: number) => checkWrite(w, { schema, custom: true, minor }).issues.map(formatFieldError);
    expect(at(33)).toEqual(["spec.size: Required value", `<nil>: Invalid value: "null": ${note}`]);
    expect(at(34)).toEqual(["spec.size: Required value", `<nil>: Invalid value: null: ${note}`]);
  });
});

describe("validateWrite (the error list alone)", () => {
  it("never changes the object given", () => {
    const obj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", labels: null }, data: { k: "v" } };
    const before = structuredClone(obj);
    validateWrite(obj, { minor: 36 });
    expect(obj).toEqual(before);
  });
});
