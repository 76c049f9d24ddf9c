/**
 * JSON Patch (RFC 6902): the examples of the RFC's Appendix A, error reporting, safety and the
 * `test` guard helper.
 */
import { describe, expect, it } from "vitest";
import { applyJsonPatch, guardJsonPatch, JsonPatchError, PatchError, type JsonPatchOperation } from "../../src/index.js";

type Case = { title: string; doc: unknown; patch: unknown[]; expected?: unknown; error?: boolean };

const appendixA: Case[] = [
  { title: "A.1 adding an object member", doc: { foo: "bar" }, patch: [{ op: "add", path: "/baz", value: "qux" }], expected: { baz: "qux", foo: "bar" } },
  { title: "A.2 adding an array element", doc: { foo: ["bar", "baz"] }, patch: [{ op: "add", path: "/foo/1", value: "qux" }], expected: { foo: ["bar", "qux", "baz"] } },
  { title: "A.3 removing an object member", doc: { baz: "qux", foo: "bar" }, patch: [{ op: "remove", path: "/baz" }], expected: { foo: "bar" } },
  { title: "A.4 removing an array element", doc: { foo: ["bar", "qux", "baz"] }, patch: [{ op: "remove", path: "/foo/1" }], expected: { foo: ["bar", "baz"] } },
  { title: "A.5 replacing a value", doc: { baz: "qux", foo: "bar" }, patch: [{ op: "replace", path: "/baz", value: "boo" }], expected: { baz: "boo", foo: "bar" } },
  {
    title: "A.6 moving a value",
    doc: { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    patch: [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    expected: { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  },
  { title: "A.7 moving an array element", doc: { foo: ["all", "grass", "cows", "eat"] }, patch: [{ op: "move", from: "/foo/1", path: "/foo/3" }], expected: { foo: ["all", "cows", "eat", "grass"] } },
  {
    title: "A.8 testing a value: success",
    doc: { baz: "qux", foo: ["a", 2, "c"] },
    patch: [
      { op: "test", path: "/baz", value: "qux" },
      { op: "test", path: "/foo/1", value: 2 },
    ],
    expected: { baz: "qux", foo: ["a", 2, "c"] },
  },
  { title: "A.9 testing a value: error", doc: { baz: "qux" }, patch: [{ op: "test", path: "/baz", value: "bar" }], error: true },
  { title: "A.10 adding a nested member object", doc: { foo: "bar" }, patch: [{ op: "add", path: "/child", value: { grandchild: {} } }], expected: { foo: "bar", child: { grandchild: {} } } },
  { title: "A.11 ignoring unrecognized elements", doc: { foo: "bar" }, patch: [{ op: "add", path: "/baz", value: "qux", xyz: 123 }], expected: { foo: "bar", baz: "qux" } },
  { title: "A.12 adding to a nonexistent target", doc: { foo: "bar" }, patch: [{ op: "add", path: "/baz/bat", value: "qux" }], error: true },
  { title: "A.13 invalid JSON patch document (the last op wins when parsed)", doc: { foo: "bar" }, patch: JSON.parse('[{"op":"add","path":"/baz","value":"qux","op":"remove"}]') as unknown[], error: true },
  { title: "A.14 ~ escape ordering", doc: { "/": 9, "~1": 10 }, patch: [{ op: "test", path: "/~01", value: 10 }], expected: { "/": 9, "~1": 10 } },
  { title: "A.15 comparing strings and numbers", doc: { "/": 9, "~1": 10 }, patch: [{ op: "test", path: "/~01", value: "10" }], error: true },
  { title: "A.16 adding an array value", doc: { foo: ["bar"] }, patch: [{ op: "add", path: "/foo/-", value: ["abc", "def"] }], expected: { foo: ["bar", ["abc", "def"]] } },
];

const more: Case[] = [
  { title: "add replaces the whole document at the root pointer", doc: { a: 1 }, patch: [{ op: "add", path: "", value: [1] }], expected: [1] },
  { title: "replace of a missing member is an error", doc: { a: 1 }, patch: [{ op: "replace", path: "/b", value: 2 }], error: true },
  { title: "test of a missing member is an error", doc: { a: 1 }, patch: [{ op: "test", path: "/b", value: null }], error: true },
  { title: "indexes with leading zeros are refused", doc: { a: [1, 2] }, patch: [{ op: "add", path: "/a/01", value: 0 }], error: true },
  { title: "negative indexes are refused", doc: { a: [1, 2] }, patch: [{ op: "remove", path: "/a/-1" }], error: true },
  { title: "- is only for add", doc: { a: [1, 2] }, patch: [{ op: "replace", path: "/a/-", value: 0 }], error: true },
  { title: "a value cannot move into itself", doc: { a: { b: {} } }, patch: [{ op: "move", from: "/a", path: "/a/b/c" }], error: true },
  { title: "move to the same place is a no-op", doc: { a: { b: 1 } }, patch: [{ op: "move", from: "/a/b", path: "/a/b" }], expected: { a: { b: 1 } } },
  { title: "copy makes an independent value", doc: { a: { x: 1 } }, patch: [{ op: "copy", from: "/a", path: "/b" }, { op: "replace", path: "/b/x", value: 2 }], expected: { a: { x: 1 }, b: { x: 2 } } },
  { title: "test compares structurally, member order aside", doc: { a: { x: 1, y: [1, { z: 2 }] } }, patch: [{ op: "test", path: "/a", value: { y: [1, { z: 2 }], x: 1 } }], expected: { a: { x: 1, y: [1, { z: 2 }] } } },
  { title: "a pointer without a leading slash is refused", doc: { a: 1 }, patch: [{ op: "remove", path: "a" }], error: true },
  { title: "an undefined escape is refused", doc: { a: 1 }, patch: [{ op: "remove", path: "/a~2" }], error: true },
  { title: "add without a value is refused", doc: { a: 1 }, patch: [{ op: "add", path: "/b" }], error: true },
];

describe("applyJsonPatch", () => {
  for (const c of [...appendixA, ...more]) {
    it(c.title, () => {
      const before = JSON.stringify(c.doc);
      const run = () => applyJsonPatch(c.doc, c.patch as JsonPatchOperation[]);
      if (c.error) expect(run).toThrow(JsonPatchError);
      else expect(run()).toEqual(c.expected);
      expect(JSON.stringify(c.doc)).toBe(before);
    });
  }

  it("shares nothing with its input", () => {
    const doc = { a: { b: [1, 2] }, c: { d: 1 } };
    const out = applyJsonPatch(doc, [{ op: "replace", path: "/a/b/0", value: 9 }]);
    out.c.d = 2;
    expect(doc).toEqual({ a: { b: [1, 2] }, c: { d: 1 } });
  });

  it("names the failing operation, its op and its path", () => {
    const ops: JsonPatchOperation[] = [
      { op: "test", path: "/spec/replicas", value: 1 },
      { op: "remove", path: "/spec/paused" },
    ];
    try {
      applyJsonPatch({ spec: { replicas: 1 } }, ops);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonPatchError);
      const err = e as JsonPatchError;
      expect(err.index).toBe(1);
      expect(err.op).toBe("remove");
      expect(err.path).toBe("/spec/paused");
      expect(err.message).toBe("JSON patch operation 1 (remove /spec/paused): the path does not exist");
      expect(err.kubernetesMessage).toBe("error in remove for path: '/spec/paused': Unable to remove nonexistent key: paused: missing value");
      expect(err.status).toBe(422);
    }
  });

  it("refuses __proto__, constructor and prototype segments", () => {
    for (const path of ["/__proto__/polluted", "/a/constructor/prototype", "/prototype"]) {
      expect(() => applyJsonPatch({ a: {} }, [{ op: "add", path, value: 1 }])).toThrow(/is not allowed/);
    }
    expect(() => applyJsonPatch({ a: {} }, [{ op: "copy", from: "/__proto__", path: "/b" }])).toThrow(/is not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps a __proto__ member of the document as plain data", () => {
    const doc = JSON.parse('{"__proto__": {"x": 1}, "a": 1}') as Record<string, unknown>;
    const out = applyJsonPatch(doc, [{ op: "replace", path: "/a", value: 2 }]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__", "a"]);
  });

  it("rejects a patch that is not a list, and malformed operations", () => {
    expect(() => applyJsonPatch({}, {} as unknown as JsonPatchOperation[])).toThrow(PatchError);
    expect(() => applyJsonPatch({}, [null] as unknown as JsonPatchOperation[])).toThrow(/operation 0 \(\(no op\) \(no path\)\): an operation must be an object/);
    expect(() => applyJsonPatch({}, [{ op: "bogus", path: "/a" }] as unknown as JsonPatchOperation[])).toThrow(/unknown op "bogus"/);
    expect(() => applyJsonPatch({}, [{ op: "move", path: "/a" }] as unknown as JsonPatchOperation[])).toThrow(/has no from/);
  });
});

describe("guardJsonPatch", () => {
  const live = { metadata: { name: "web", resourceVersion: "42", labels: { a: "1" } }, spec: { replicas: 1, list: ["x", "y"] } };

  it("tests the resourceVersion and every value it replaces or removes", () => {
    const ops: JsonPatchOperation[] = [
      { op: "replace", path: "/spec/replicas", value: 3 },
      { op: "remove", path: "/spec/list/0" },
      { op: "add", path: "/spec/list/0", value: "z" },
      { op: "add", path: "/metadata/labels/b", value: "2" },
      { op: "add", path: "/metadata/labels/a", value: "3" },
    ];
    expect(guardJsonPatch(live, ops)).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "42" },
      { op: "test", path: "/spec/replicas", value: 1 },
      ops[0],
      { op: "test", path: "/spec/list/0", value: "x" },
      ops[1],
      ops[2],
      ops[3],
      { op: "test", path: "/metadata/labels/a", value: "1" },
      ops[4],
    ]);
    expect(applyJsonPatch(live, guardJsonPatch(live, ops)).spec).toEqual({ replicas: 3, list: ["z", "y"] });
  });

  it("makes the patch fail on an object that changed since", () => {
    const ops = guardJsonPatch(live, [{ op: "remove", path: "/spec/list/0" }], { resourceVersion: false });
    expect(ops[0]).toEqual({ op: "test", path: "/spec/list/0", value: "x" });
    const moved = { ...live, spec: { ...live.spec, list: ["y", "x"] } };
    expect(() => applyJsonPatch(moved, ops)).toThrow(/testing value \/spec\/list\/0 failed|the value differs/);
  });
});
