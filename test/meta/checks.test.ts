import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { Deployment, Namespace, Pod, Role, Service, ConfigMap } from "kubezod/k8s";
import { kubeMeta, schemasFromCrd } from "../../src/index.js";
import {
  duplicateListEntries,
  FieldPath,
  formatFieldError,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  nameFormatOf,
  structuralIssues,
  unknownFields,
  validateName,
  validateObjectMeta,
} from "../../src/meta/public.js";

describe("name syntax", () => {
  it("follows apimachinery's rules", () => {
    expect(isDNS1123Subdomain("web.example-1")).toEqual([]);
    expect(isDNS1123Subdomain("Web")).toHaveLength(1);
    expect(isDNS1123Subdomain("a".repeat(254))).toContain("must be no more than 253 characters");
    expect(isDNS1123Label("a.b")).toHaveLength(1);
    expect(isDNS1035Label("1web")).toHaveLength(1);
    expect(isDNS1035Label("web-1")).toEqual([]);
    expect(isValidPathSegmentName("system:kube-proxy")).toEqual([]);
    expect(isValidPathSegmentName("a/b")).toEqual(["may not contain '/'"]);
    expect(isValidPathSegmentName("..")).toEqual(["may not be '..'"]);
    expect(isQualifiedName("app.kubernetes.io/name")).toEqual([]);
    expect(isQualifiedName("a/b/c")).toHaveLength(1);
    expect(isQualifiedName("/x")).toEqual(["prefix part must be non-empty"]);
    expect(isValidLabelValue("")).toEqual([]);
    expect(isValidLabelValue("-x")).toHaveLength(1);
    expect(validateName("web-", "dns-subdomain", true)).toEqual([]);
    expect(validateName("web-", "dns-subdomain")).toHaveLength(1);
  });

  it("reads each kind's name format from its schema", () => {
    expect(nameFormatOf(Service)).toBe("dns1035-label");
    expect(nameFormatOf(Namespace)).toBe("dns-label");
    expect(nameFormatOf(Role)).toBe("path-segment");
    expect(nameFormatOf(ConfigMap)).toBe("dns-subdomain");
  });
});

describe("validateObjectMeta", () => {
  it("reports apiserver-style field errors", () => {
    const errs = validateObjectMeta(
      { name: "Web", labels: { "bad key!": "x", ok: "-nope" }, annotations: { "a/b/c": "v" }, finalizers: ["example.com/ok", "not ok"] },
      { nameFormat: "dns-subdomain", namespaced: true },
    );
    expect(errs.map((e) => `${e.type} ${e.field}`)).toEqual([
      "FieldValueInvalid metadata.name",
      "FieldValueRequired metadata.namespace",
      "FieldValueInvalid metadata.labels",
      "FieldValueInvalid metadata.labels",
      "FieldValueInvalid metadata.annotations",
      "FieldValueInvalid metadata.finalizers[1]",
    ]);
    expect(formatFieldError(errs[0]!)).toMatch(/^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain/);
  });

  it("requires a name or generateName, forbids namespaces on cluster-scoped kinds, limits annotation size", () => {
    expect(validateObjectMeta({ generateName: "web-" }, { nameFormat: "dns-subdomain", namespaced: true, namespaceOptional: true })).toEqual([]);
    expect(validateObjectMeta({}, { nameFormat: "dns-subdomain" }).map(formatFieldError)).toEqual([
      "metadata.name: Required value: name or generateName is required",
    ]);
    expect(validateObjectMeta({ name: "n", namespace: "x" }, { nameFormat: "dns-label", namespaced: false })[0]!.type).toBe("FieldValueForbidden");
    const big = { name: "a", annotations: { "example.com/blob": "x".repeat(256 * 1024) } };
    expect(validateObjectMeta(big, { nameFormat: "dns-subdomain" }).map((e) => e.type)).toEqual(["FieldValueTooLong"]);
  });
});

describe("structural checks", () => {
  it("finds fields the schema does not declare, with apiserver paths", () => {
    const found = unknownFields(Deployment, {
      spec: { replicaz: 1, template: { spec: { containers: [{ name: "a", imagee: "x" }] } } },
      metadata: { labels: { anything: "goes" } },
    });
    expect(found.map(String)).toEqual(["spec.replicaz", "spec.template.spec.containers[0].imagee"]);
  });

  it("respects x-kubernetes-preserve-unknown-fields and embedded resources", () => {
    const [widget] = schemasFromCrd({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gizmos.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "gizmos", kind: "Gizmo" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    properties: {
                      free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                      template: { type: "object", "x-kubernetes-embedded-resource": true, properties: { spec: { type: "object" } } },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    });
    const found = unknownFields(widget!.schema, {
      spec: { free: { any: { thing: 1 } }, template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {}, other: 1 }, oops: 1 },
    });
    expect(found.map(String)).toEqual(["spec.template.other", "spec.oops"]);
  });

  it("finds duplicate keys in list-map and set lists", () => {
    const errs = duplicateListEntries(Pod, {
      metadata: { finalizers: ["a", "b", "a"] },
      spec: { containers: [{ name: "a", ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 80, protocol: "TCP" }] }, { name: "a" }] },
    });
    expect(errs.map(formatFieldError)).toEqual([
      'metadata.finalizers[2]: Duplicate value: "a"',
      "spec.containers[1]: Duplicate value: {\"name\":\"a\"}",
      'spec.containers[0].ports[1]: Duplicate value: {"containerPort":80,"protocol":"TCP"}',
    ]);
    expect(FieldPath.of("a").key("b/c").index(0).toString()).toBe("a[b/c][0]");
  });

  it("tells entries apart by the values of all their list-map keys, and set items by value", () => {
    const errs = duplicateListEntries(Pod, {
      spec: {
        containers: [
          {
            name: "a",
            ports: [{ containerPort: 80 }, { containerPort: 80, protocol: "UDP" }, { containerPort: 80 }, { containerPort: "80" }, { protocol: "UDP", containerPort: 80 }],
          },
          { name: 1 },
          { name: "1" },
          { name: 1 },
          {},
          {},
        ],
      },
      metadata: { finalizers: ["1", 1, { a: [1] }, { a: [1] }, "1"] },
    });
    expect(errs.map(formatFieldError)).toEqual([
      "spec.containers[3]: Duplicate value: {\"name\":1}",
      "spec.containers[5]: Duplicate value: {}",
      'spec.containers[0].ports[2]: Duplicate value: {"containerPort":80}',
      'spec.containers[0].ports[4]: Duplicate value: {"containerPort":80,"protocol":"UDP"}',
      'metadata.finalizers[3]: Duplicate value: {"a":[1]}',
      'metadata.finalizers[4]: Duplicate value: "1"',
    ]);
  });

  it("finds the same duplicates in short lists (compared value by value) as in long ones (compared by identity)", () => {
    // Entries are the same when the canonical JSON of their keys is: 80 and "80" differ, 0 and -0 do not.
    const key = fc.oneof(fc.constant(80), fc.constant("80"), fc.constant(0), fc.constant(-0), fc.constant(true), fc.constant(undefined), fc.constant(1.5));
    const protocol = fc.oneof(fc.constant("TCP"), fc.constant("UDP"), fc.constant(undefined), fc.constant(1));
    const port = fc.tuple(key, protocol).map(([containerPort, p]) => ({ ...(containerPort !== undefined ? { containerPort } : {}), ...(p !== undefined ? { protocol: p } : {}) }));
    const finalizer = fc.oneof(fc.constant("a"), fc.constant("1"), fc.constant(1), fc.constant(true), fc.constant(0), fc.constant(-0));
    const identity = (v: unknown) => JSON.stringify(v);
    fc.assert(
      fc.property(fc.array(port, { maxLength: 20 }), fc.array(finalizer, { maxLength: 20 }), (ports, finalizers) => {
        const errs = duplicateListEntries(Pod, { metadata: { finalizers }, spec: { containers: [{ name: "a", ports }] } });
        const seen = (items: unknown[], id: (v: unknown) => string) => {
          const ids = new Set<string>();
          return items.flatMap((v, i) => {
            const k = id(v);
            const dup = ids.has(k);
            ids.add(k);
            return dup ? [i] : [];
          });
        };
        const portId = (v: unknown) => {
          const p = v as { containerPort?: unknown; protocol?: unknown };
          return `${p.containerPort === undefined ? "-" : identity(p.containerPort)}|${p.protocol === undefined ? "-" : identity(p.protocol)}`;
        };
        const expected = [
          ...seen(finalizers, (v) => (typeof v === "string" ? `s${v}` : `o${identity(v)}`)).map((i) => `metadata.finalizers[${i}]`),
          ...seen(ports, portId).map((i) => `spec.containers[0].ports[${i}]`),
        ];
        expect(errs.map((e) => e.field).sort()).toEqual(expected.sort());
      }),
      { numRuns: 300 },
    );
  });

  it("checks inside typed maps, reports map keys in brackets, and skips free-form values", () => {
    const Item = z.looseObject({ size: z.number().optional() });
    const Thing = z.looseObject({
      byName: z.record(z.string(), Item).optional(),
      extra: z.looseObject({ known: z.string().optional() }).catchall(Item).optional(),
      free: z.unknown().optional(),
      either: z.union([z.string(), z.looseObject({})]).optional(),
    });
    kubeMeta.add(Thing, { kind: "Thing" });
    const value = {
      byName: { "a.b": { size: 1, colour: "red" } },
      extra: { known: "k", other: { size: 2, shape: "round" } },
      free: { anything: { goes: 1 } },
      either: { nested: 1 },
      stray: true,
    };
    expect(unknownFields(Thing, value).map(String)).toEqual(["byName[a.b].colour", "extra[other].shape", "stray"]);
  });

  it("finds in one walk what unknownFields and duplicateListEntries find", () => {
    const junk = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 3 }), fc.constant({ extra: 1 }), fc.constant({ name: "a" }), fc.constant("x"));
    const base = {
      metadata: { name: "p", finalizers: ["x"] },
      spec: { containers: [{ name: "a", ports: [{ containerPort: 80 }], env: [{ name: "E", value: "1" }] }], volumes: [{ name: "v", emptyDir: {} }] },
    };
    const lists = [["metadata", "finalizers"], ["spec", "containers"], ["spec", "volumes"], ["spec", "containers", 0, "ports"], ["spec", "containers", 0, "env"]] as const;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(lists.length - 1), junk), { maxLength: 6 }), fc.string({ maxLength: 4 }), (adds, stray) => {
        const value = structuredClone(base) as Record<string, unknown>;
        for (const [i, item] of adds) {
          let list: unknown = value;
          for (const seg of lists[i]!) list = (list as Record<string | number, unknown>)[seg];
          (list as unknown[]).push(structuredClone(item));
        }
        if (stray) (value.spec as Record<string, unknown>)[stray] = 1;
        const both = structuralIssues(Pod, value);
        expect(both.unknownFields.map(String)).toEqual(unknownFields(Pod, value).map(String));
        expect(both.duplicateEntries).toEqual(duplicateListEntries(Pod, value));
      }),
      { numRuns: 300 },
    );
  });
});
