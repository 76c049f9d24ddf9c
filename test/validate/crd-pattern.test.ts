/**
 * A custom resource's `pattern`, matched as kube-apiserver's kube-openapi matches it: Go's
 * `regexp` (RE2 syntax and semantics, time linear in the text), refused with
 * `<path> in body should match '<pattern>'` quoting the pattern as written. A pattern that makes a
 * backtracking engine take exponential time (`^(a+)+$`) answers at once, and RE2 syntax JavaScript
 * does not share (`\z`, inline flags mid-pattern, negated POSIX classes) is checked too.
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/index.js";
import { patternRegExp } from "../../src/meta/re2.js";
import { startTestServer } from "../../src/testing/index.js";
import type { KubeApiError } from "../../src/errors.js";

const crdObject = (pattern: string) => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "things.example.com" },
  spec: {
    group: "example.com",
    names: { kind: "Thing", plural: "things" },
    scope: "Namespaced",
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { s: { type: "string", pattern } } } } } },
      },
    ],
  },
});
// JSON is YAML.
const crd = (pattern: string) => `${JSON.stringify(crdObject(pattern))}\n`;

const thing = (name: string, s: string) => `---\napiVersion: example.com/v1\nkind: Thing\nmetadata: {name: ${name}, namespace: default}\nspec: {s: ${JSON.stringify(s)}}\n`;

async function messages(pattern: string, values: string[]): Promise<string[][]> {
  const report = await validateManifests({ file: "t.yaml", text: crd(pattern) + values.map((v, i) => thing(`t${i}`, v)).join("") });
  return report.results.slice(1).map((r) => r.issues.map((i) => i.message));
}

describe("custom resources: pattern", () => {
  it("a pattern a backtracking engine takes exponential time on is answered at once", async () => {
    const long = `${"a".repeat(5000)}!`;
    expect(await messages("^(a+)+$", [long, "aaaa"])).toEqual([[`spec.s: Invalid value: "${long}": spec.s in body should match '^(a+)+$'`], []]);
  });

  it("reads RE2 syntax as Go does: \\z, inline flags mid-pattern, negated POSIX classes, \\pL", async () => {
    expect((await messages("^[a-z]+\\z", ["abc", "abc\n"])).map((m) => m.length)).toEqual([0, 1]);
    expect((await messages("^a(?i)b$", ["aB", "AB"])).map((m) => m.length)).toEqual([0, 1]);
    expect((await messages("^[[:^digit:]]+$", ["abc", "a1"])).map((m) => m.length)).toEqual([0, 1]);
    expect((await messages("^\\pL+$", ["héllo", "a-b"])).map((m) => m.length)).toEqual([0, 1]);
    expect(await messages("^[a-z]+\\z", ["ABC"])).toEqual([[`spec.s: Invalid value: "ABC": spec.s in body should match '^[a-z]+\\z'`]]);
  });

  it("patternRegExp prints as the pattern and finds matches where RE2 does", () => {
    const re = patternRegExp("b+\\z")!;
    expect(re.source).toBe("b+\\z");
    expect(String(re)).toBe("/b+\\z/");
    expect(re.exec("abbb")).toMatchObject({ 0: "bbb", index: 1 });
    expect(re.exec("abbb\n")).toBeNull();
    expect(patternRegExp("(?=x)")).toBeUndefined();
  });

  it("the local server answers a create with such a value at once, with 422", async () => {
    // 2^40 steps for a backtracking engine.
    const value = `${"a".repeat(40)}!`;
    const server = await startTestServer({ crds: [crdObject("^(a+)+$")], controllers: false });
    try {
      const kube = await server.connect();
      const res = await kube.transport.request({
        method: "POST",
        path: "/apis/example.com/v1/namespaces/default/things",
        body: { apiVersion: "example.com/v1", kind: "Thing", metadata: { name: "t" }, spec: { s: value } },
        returnErrors: true,
      });
      expect(res.status).toBe(422);
      const causes = (res as KubeApiError).body.details?.causes ?? [];
      expect(causes).toEqual([{ reason: "FieldValueInvalid", field: "spec.s", message: `Invalid value: "${value}": spec.s in body should match '^(a+)+$'` }]);
      await kube.close();
    } finally {
      await server.close();
    }
  });
});

describe("generated schemas: pattern", () => {
  it("emit RE2 patterns for the runtime's matcher, and leave out what RE2 refuses", async () => {
    const { definitionExpression } = await import("../../codegen/emit.js");
    const def = (pattern: string) => ({ name: "io.example.v1.S", module: "example/v1", exportName: "S", node: { type: "string" as const, pattern } });
    expect(definitionExpression(def("^(a+)+$"), (n) => n)).toBe('z.string().regex(k.pattern("^(a+)+$"))');
    expect(definitionExpression(def("(?=x)"), (n) => n)).toBe("z.string()");
    const { pattern } = await import("../../schemas/runtime.js");
    expect(pattern("^(a+)+$").test(`${"a".repeat(5000)}!`)).toBe(false);
    expect(String(pattern("^[a-z]+\\z"))).toBe("/^[a-z]+\\z/");
  });
});
