import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Deployment, Pod } from "#schemas/v1.32/index.js";
import { CertificateAuthority } from "../../src/testing/certificates.js";
import { compare, fieldSetOf, fromFieldsV1, members, mergeApplied, pathString, removeFields, toFieldsV1 } from "../../src/testing/fieldset.js";
import { applyConfiguration, managedAfterUpdate } from "../../src/testing/managed-fields.js";
import { decodeProtobuf } from "../../src/testing/protobuf.js";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from "../../src/testing/selectors.js";
import { evalJsonPath, humanDuration } from "../../src/testing/table.js";
import { Store } from "../../src/testing/store.js";

const dep = (containers: Array<Record<string, unknown>>, replicas = 1) => ({
  spec: { replicas, selector: { matchLabels: { a: "b" } }, template: { spec: { containers } } },
});

describe("field sets", () => {
  it("lists leaves, associative items (with '.') and atomic values", () => {
    const set = fieldSetOf(Deployment, dep([{ name: "web", image: "x", args: ["a", "b"] }]));
    const v1 = toFieldsV1(set) as any;
    expect(v1["f:spec"]["f:replicas"]).toEqual({});
    expect(v1["f:spec"]["f:selector"]).toEqual({});
    expect(v1["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}']).toEqual({ ".": {}, "f:args": {}, "f:image": {}, "f:name": {} });
    expect(toFieldsV1(fromFieldsV1(v1))).toEqual(v1);
  });

  it("prints paths as structured-merge-diff does", () => {
    expect(pathString(["f:spec", "f:containers", 'k:{"name":"web"}', "f:image"])).toBe('.spec.containers[name="web"].image');
    expect(pathString(["f:metadata", "f:finalizers", 'v:"a"'])).toBe('.metadata.finalizers[="a"]');
  });

  it("compares: added containers carry '.', changed leaves are modified, removed items removed", () => {
    const before = dep([{ name: "a", image: "1" }, { name: "b", image: "1" }]);
    const after = dep([{ name: "a", image: "2" }, { name: "c", image: "1" }], 2);
    const cmp = compare(Deployment, before, after);
    expect(members(cmp.modified).map(pathString).sort()).toEqual(['.spec.replicas', '.spec.template.spec.containers[name="a"].image']);
    expect(members(cmp.added).map(pathString)).toContain('.spec.template.spec.containers[name="c"]');
    expect(members(cmp.removed).map(pathString)).toContain('.spec.template.spec.containers[name="b"]');
  });

  it("merges applied configurations per list type: map by key, atomic replaced", () => {
    const live = dep([{ name: "a", image: "1", args: ["x"] }]);
    const merged = mergeApplied(Deployment, live, dep([{ name: "a", args: ["y"] }, { name: "b", image: "2" }])) as any;
    expect(merged.spec.template.spec.containers).toEqual([
      { name: "a", image: "1", args: ["y"] },
      { name: "b", image: "2" },
    ]);
  });

  it("removes member paths and drops maps it empties", () => {
    const obj = { metadata: { labels: { a: "1" } }, spec: { containers: [{ name: "a" }, { name: "b" }] } };
    const set = fromFieldsV1({ "f:metadata": { "f:labels": { "f:a": {} } }, "f:spec": { "f:containers": { 'k:{"name":"b"}': {} } } });
    expect(removeFields(Pod, obj, set)).toEqual({ spec: { containers: [{ name: "a" }] } });
  });
});

describe("managed fields", () => {
  const scope = { hasStatus: true, subresource: "" };
  const writer = (manager: string) => ({ manager, apiVersion: "apps/v1", now: "2024-01-01T00:00:00Z" });

  it("gives an updater the fields it changed and takes them from others", () => {
    const v1 = { ...dep([{ name: "a", image: "1" }]), metadata: {} };
    const created = { ...v1, metadata: { managedFields: managedAfterUpdate(Deployment, undefined, v1, scope, writer("creator")) } };
    const v2 = { ...dep([{ name: "a", image: "1" }], 3), metadata: created.metadata };
    const managed = managedAfterUpdate(Deployment, created, v2, scope, writer("scaler"));
    expect(managed.map((m) => m.manager)).toEqual(["creator", "scaler"]);
    expect((managed[0]!.fieldsV1 as any)["f:spec"]["f:replicas"]).toBeUndefined();
    expect(managed[1]!.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
  });

  it("applies: conflicts name the manager and path; force moves ownership; equal values co-own", () => {
    const first = applyConfiguration(Deployment, undefined, dep([{ name: "a", image: "1" }]), scope, writer("one"), false);
    const live = { ...first.tracked, metadata: { managedFields: first.managedFields } };
    expect(() => applyConfiguration(Deployment, live, dep([{ name: "a", image: "1" }], 5), scope, writer("two"), false)).toThrow(
      'Apply failed with 1 conflict: conflict with "one": .spec.replicas',
    );
    const same = applyConfiguration(Deployment, live, dep([{ name: "a", image: "1" }]), scope, writer("two"), false);
    expect(same.managedFields.map((m) => m.manager)).toEqual(["one", "two"]);
    const forced = applyConfiguration(Deployment, live, dep([{ name: "a", image: "1" }], 5), scope, writer("two"), true);
    expect((forced.tracked as any).spec.replicas).toBe(5);
    expect((forced.managedFields[0]!.fieldsV1 as any)["f:spec"]["f:replicas"]).toBeUndefined();
  });
});

describe("selectors", () => {
  it("parses equality, set-based, existence and numeric requirements", () => {
    expect(parseLabelSelector("a=b,c!=d,e in (f, g),h notin (i),j,!k,l>3")).toEqual([
      { key: "a", operator: "=", values: ["b"] },
      { key: "c", operator: "!=", values: ["d"] },
      { key: "e", operator: "in", values: ["f", "g"] },
      { key: "h", operator: "notin", values: ["i"] },
      { key: "j", operator: "exists", values: [] },
      { key: "k", operator: "!", values: [] },
      { key: "l", operator: "gt", values: ["3"] },
    ]);
    expect(matchesLabels(parseLabelSelector("a=b,e in (f),!k"), { a: "b", e: "f" })).toBe(true);
    expect(matchesLabels(parseLabelSelector("h notin (i)"), {})).toBe(true);
    expect(matchesLabels(parseLabelSelector("j"), {})).toBe(false);
  });

  it("refuses malformed selectors", () => {
    for (const bad of ["a in b", "a in (b", "=a", "a=b,", "a b", "Bad Key=x"]) expect(() => parseLabelSelector(bad), bad).toThrow(SelectorError);
  });

  it("parses field selectors with escapes", () => {
    const reqs = parseFieldSelector("metadata.name=a\\,b,status.phase!=Running");
    expect(reqs).toEqual([
      { field: "metadata.name", operator: "=", value: "a,b" },
      { field: "status.phase", operator: "!=", value: "Running" },
    ]);
    expect(matchesFields(reqs, { "metadata.name": "a,b", "status.phase": "Pending" })).toBe(true);
  });
});

describe("tables", () => {
  it("prints ages like kubectl", () => {
    expect(humanDuration(45_000)).toBe("45s");
    expect(humanDuration(200_000)).toBe("3m20s");
    expect(humanDuration(3 * 3600_000 + 5 * 60_000)).toBe("3h5m");
    expect(humanDuration(50 * 3600_000)).toBe("2d2h");
    expect(humanDuration(400 * 24 * 3600_000)).toBe("400d");
  });

  it("evaluates printer-column JSONPath", () => {
    const o = { status: { conditions: [{ type: "A", status: "False" }, { type: "Ready", status: "True" }] }, spec: { list: [1, 2] } };
    expect(evalJsonPath(o, '.status.conditions[?(@.type=="Ready")].status')).toBe("True");
    expect(evalJsonPath(o, ".spec.list[1]")).toBe(2);
    expect(evalJsonPath(o, ".spec.missing")).toBeUndefined();
  });
});

describe("store", () => {
  it("keeps one revision counter, reconstructs past states and compacts history", () => {
    const store = new Store(3);
    const a = store.create("k", { metadata: { name: "a" } });
    const b = store.create("other", { metadata: { name: "b" } });
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    const rv = store.revision;
    store.update("k", { metadata: { name: "a" }, x: 1 }, a);
    const past = store.listAt("k", rv);
    expect(past.ok && past.value[0]!.x).toBeUndefined();
    for (let i = 0; i < 5; i++) store.create("k", { metadata: { name: `n${i}` } });
    expect(store.eventsSince("k", rv).ok).toBe(false);
  });
});

describe("certificates", () => {
  it("issues a CA, a serving certificate with SANs and client certificates", () => {
    const ca = new CertificateAuthority();
    const caCert = new X509Certificate(ca.cert);
    const serving = new X509Certificate(ca.serving(["localhost"], ["127.0.0.1", "::1"]).cert);
    expect(serving.verify(caCert.publicKey)).toBe(true);
    expect(serving.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    expect(caCert.ca).toBe(true);
    const client = new X509Certificate(ca.client("bob", ["team"]).cert);
    expect(client.subject).toBe("O=team\nCN=bob");
  });
});

describe("protobuf bodies", () => {
  // A Namespace as kubectl create namespace sends it: k8s\0 + Unknown{typeMeta, raw}.
  const field = (no: number, payload: Buffer) => Buffer.concat([Buffer.from([(no << 3) | 2, payload.length]), payload]);
  const str = (no: number, s: string) => field(no, Buffer.from(s));

  it("decodes the envelope and a namespace", () => {
    const meta = Buffer.concat([str(1, "demo"), field(11, Buffer.concat([str(1, "team"), str(2, "a")]))]);
    const raw = Buffer.concat([field(1, meta), field(2, Buffer.alloc(0)), field(3, Buffer.alloc(0))]);
    const body = Buffer.concat([Buffer.from("k8s\0", "latin1"), field(1, Buffer.concat([str(1, "v1"), str(2, "Namespace")])), field(2, raw)]);
    // Empty messages are structs Go always writes: they read as empty objects, as Go's JSON shows them.
    expect(decodeProtobuf(body)).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "demo", labels: { team: "a" } }, spec: {}, status: {} });
  });

  it("refuses kinds it has no message for (custom resources), with a 415", () => {
    const body = Buffer.concat([Buffer.from("k8s\0", "latin1"), field(1, Buffer.concat([str(1, "example.com/v1"), str(2, "Widget")]))]);
    expect(() => decodeProtobuf(body)).toThrow(/unknown format/);
  });
});
