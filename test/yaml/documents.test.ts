import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readYamlDocuments, resolvePlainScalar } from "../../src/yaml/public.js";

const dir = "test/fixtures/validate/kubectl";
const kubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("reading YAML like kubectl", () => {
  for (const name of ["yaml-scalars", "merge-keys", "yaml-escapes", "yaml-flow-indentation"]) {
    it(`reads ${name}.yaml as kubectl does (recorded)`, () => {
      const [doc] = readYamlDocuments(readFileSync(`${dir}/${name}.yaml`, "utf8"));
      expect(doc!.value).toEqual(JSON.parse(readFileSync(`${dir}/${name}.json`, "utf8")));
    });
    it.skipIf(!kubectl)(`reads ${name}.yaml as the installed kubectl does`, () => {
      const live = execFileSync("kubectl", ["patch", "--local", "-f", `${dir}/${name}.yaml`, "-p", "{}", "-o", "json"], { encoding: "utf8" });
      const [doc] = readYamlDocuments(readFileSync(`${dir}/${name}.yaml`, "utf8"));
      expect(doc!.value).toEqual(JSON.parse(live));
    });
  }

  it("flags YAML 1.1-only conversions and nothing that YAML 1.2 reads the same", () => {
    expect(resolvePlainScalar("0644")).toEqual({ value: 420, yaml12Differs: true });
    expect(resolvePlainScalar("off")).toEqual({ value: false, yaml12Differs: true });
    expect(resolvePlainScalar("true").yaml12Differs).toBe(false);
    expect(resolvePlainScalar("0x1F")).toEqual({ value: 31, yaml12Differs: false });
    expect(resolvePlainScalar("2024-01-01")).toEqual({ value: "2024-01-01", yaml12Differs: false });
    expect(resolvePlainScalar("1:20").value).toBe("1:20");
  });

  it("splits documents on --- lines, skips empty ones and keeps positions", () => {
    const docs = readYamlDocuments("# head\n---\na: 1\n--- # two\n\n---\nb:\n  c: [1, 2]\n");
    expect(docs.map((d) => d.value)).toEqual([{ a: 1 }, { b: { c: [1, 2] } }]);
    expect(docs[1]!.locate(["b", "c", 1])).toEqual({ line: 8, column: 10 });
    expect(docs[1]!.locate(["b", "missing"])).toEqual({ line: 7, column: 1 });
  });

  it("keeps positions after a \\' escape, and refuses \\/ and unknown escapes as kubectl does", () => {
    const [doc] = readYamlDocuments('a: "it\\\'s"\nb:\n  c: "x\\\'"\n');
    expect(doc!.value).toEqual({ a: "it's", b: { c: "x'" } });
    expect(doc!.locate(["b", "c"])).toEqual({ line: 3, column: 3 });
    // kubectl: "error converting YAML to JSON: yaml: line 1: found unknown escape character"
    expect(readYamlDocuments('a: "\\/"\n')[0]!.error).toEqual({ message: "found unknown escape character", position: { line: 1, column: 6 } });
    expect(readYamlDocuments('a: "\\q"\n')[0]!.error?.message).toBe("unknown escape sequence");
  });

  it("reads lines of flow collections and quoted scalars less indented than their key, as kubectl does, and keeps positions", () => {
    const text = "spec:\n  command: [\n    \"sh\",\n  \"-c\"\n  ]\n  name: web\n  note: \"a\n b\"\n  bad: [1, 2\n";
    const [doc] = readYamlDocuments(text.replace("\n  bad: [1, 2\n", "\n"));
    expect(doc!.value).toEqual({ spec: { command: ["sh", "-c"], name: "web", note: "a b" } });
    expect(doc!.locate(["spec", "command", 1])).toEqual({ line: 4, column: 4 });
    expect(doc!.locate(["spec", "name"])).toEqual({ line: 6, column: 3 });
    // Other errors keep their position in the text as written.
    expect(readYamlDocuments(text)[0]!.error?.position.line).toBeGreaterThanOrEqual(8);
  });

  it("reports duplicate keys at the repeated key and keeps the last value, as kubectl does", () => {
    const [doc] = readYamlDocuments("a: 1\nb:\n  x: 1\n  x: 2\n");
    expect(doc!.value).toEqual({ a: 1, b: { x: 2 } });
    expect(doc!.notices).toEqual([{ kind: "duplicate-key", path: ["b", "x"], message: 'mapping key "x" already defined', position: { line: 4, column: 3 } }]);
  });

  it("resolves aliases to independent copies", () => {
    const [doc] = readYamlDocuments("a: &x {k: [1]}\nb: *x\n");
    const v = doc!.value as { a: { k: number[] }; b: { k: number[] } };
    expect(v.b).toEqual(v.a);
    v.b.k.push(2);
    expect(v.a.k).toEqual([1]);
  });
});

describe("null fields", () => {
  it("the fast path says when no mapping field is null, and never when one is", () => {
    const docs = readYamlDocuments(
      [
        "a: 1\nb:\n  - null\n  - c: d\n",
        "a:\nb: 1\n",
        "a: {b: null}\n",
        "a:\n  - b: ~\n",
        "a: [1, null]\n",
        "a: &x 1\nb: *x\n", // the exact reader's: nothing said
      ].join("---\n"),
    );
    expect(docs.map((d) => d.nullFree ?? false)).toEqual([true, false, false, false, true, false]);
  });
});

describe("plain scalars that look like numbers", () => {
  it("integers and floats as go-yaml reads them; quantities, versions and times stay strings", () => {
    const cases: Array<[string, unknown]> = [["0x1F",31],["0X1f",31],["1_000",1000],["1e3",1000],["1E+3",1000],["-.5",-0.5],["+12",12],["0o17",15],["0b101",5],["250m","250m"],["128Mi","128Mi"],["1.2.3","1.2.3"],["12:30","12:30"],["0644",420],["0xZZ","0xZZ"],["1.5e-2",0.015],["-0",-0],["+.inf",null],["0b12","0b12"],["0o8","0o8"],["1__0",10],["_1","_1"],["0x_1F",31],["1e","1e"],["e1","e1"],["1.",1],[".5",0.5],["2024-01-01","2024-01-01"],["1Ki","1Ki"],["0.5Gi","0.5Gi"],["-","-"],["+","+"],["1-2","1-2"],["3ab","3ab"],["0xabcdef",11259375],["0Xg","0Xg"]];
    for (const [text, value] of cases) expect(resolvePlainScalar(text).value, text).toBe(value === null ? Infinity : value);
  });
});
