/**
 * One YAML reader for every entry point: kubectl's reading (YAML 1.1 scalars, merge keys,
 * timestamps as strings) for request bodies, kubeconfigs, CRD files and manifests, with nesting
 * and aliases bounded so hostile input gets a clear error.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { YamlError } from "../../src/errors.js";
import { parseKubeConfig } from "../../src/config/public.js";
import { parseYaml, parseYamlAll, stringifyYaml } from "../../src/yaml/text.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, tokenOf } from "../testing/helpers.js";

const nested = (depth: number) => `${"a:\n".replace("a", "x")}${Array.from({ length: depth }, (_, i) => `${" ".repeat(i + 1)}k:`).join("\n")}\n`;

describe("parseYaml", () => {
  it("reads YAML 1.1 scalars as kubectl does and keeps timestamps as strings", () => {
    expect(parseYaml("when: 2024-01-01T00:00:00Z\nday: 2024-01-01\nmode: 0644\nenabled: yes\nname: 'yes'\n")).toEqual({
      when: "2024-01-01T00:00:00Z",
      day: "2024-01-01",
      mode: 420,
      enabled: true,
      name: "yes",
    });
  });

  it("applies merge keys", () => {
    expect(parseYaml("base: &b {a: 1, b: 2}\nmine:\n  <<: *b\n  b: 3\n")).toEqual({ base: { a: 1, b: 2 }, mine: { a: 1, b: 3 } });
  });

  it("refuses nesting deeper than the limit with the line, not a crash", () => {
    const flow = `a: ${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(() => parseYaml(flow, { source: "body" })).toThrow(YamlError);
    expect(() => parseYaml(flow, { source: "body" })).toThrow(/^body:1:\d+: nesting exceeded maxDepth/);
    expect(() => parseYaml(nested(10_000))).toThrow(/nesting exceeded maxDepth \(256\)/);
  });

  it("refuses alias expansion beyond the budget", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    expect(() => parseYaml(bomb)).toThrow(/excessive aliasing/);
  });

  it("writes YAML that reads back to the same values, quoting what YAML 1.1 would convert", () => {
    const value = { a: "yes", b: "0644", c: "1e3", d: "~", e: "on", f: "2024-01-01T00:00:00Z", g: 7, h: [true, null, "n"] };
    const text = stringifyYaml(value);
    expect(parseYaml(text)).toEqual(value);
    expect(parseYamlAll("a: 1\n---\n---\nb: 2\n")).toEqual([{ a: 1 }, { b: 2 }]);
  });
});

describe("kubeconfig", () => {
  it("is read with the same reader: YAML 1.1 booleans, errors with line and column", () => {
    const cfg = parseKubeConfig("clusters:\n- name: c\n  cluster:\n    server: https://x\n    insecure-skip-tls-verify: yes\n", "cfg");
    expect(cfg.clusters?.[0]?.cluster?.["insecure-skip-tls-verify"]).toBe(true);
    expect(() => parseKubeConfig("clusters: [\n", "cfg")).toThrow(/^kubeconfig cfg:2:1: malformed YAML/);
    expect(() => parseKubeConfig(nested(5_000), "cfg")).toThrow(/kubeconfig cfg:\d+:\d+: malformed YAML: nesting exceeded maxDepth/);
  });
});

describe("the local API server", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), "kubezod-yaml-"));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("accepts a server-side apply body holding a timestamp-like value (kube-apiserver does)", async () => {
    const c = client(server, tokenOf(server));
    const body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stamped\n  namespace: default\ndata:\n  when: 2024-01-01T00:00:00Z\n";
    const res = await c.req("PATCH", "/api/v1/namespaces/default/configmaps/stamped?fieldManager=test", { body, contentType: "application/apply-patch+yaml" });
    expect(res.status).toBe(201);
    expect(res.json.data).toEqual({ when: "2024-01-01T00:00:00Z" });
    await c.close();
  });

  it("answers a YAML body nested 10,000 levels with a 400 naming the problem", async () => {
    const c = client(server, tokenOf(server));
    const res = await c.req("PATCH", "/api/v1/namespaces/default/configmaps/deep?fieldManager=test", { body: `data: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}`, contentType: "application/apply-patch+yaml" });
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.json.message).toMatch(/error converting YAML to JSON: yaml: line \d+: exceeded max depth of \d+/);
    const flow = await c.req("PATCH", "/api/v1/namespaces/default/configmaps/deep?fieldManager=test", { body: `a: ${"[".repeat(50_000)}`, contentType: "application/apply-patch+yaml" });
    expect(flow.status).toBe(400);
    await c.close();
  });

  it("reads CRD files for `kubezod serve` with the same reader", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "kind: CustomResourceDefinition\nspec: [\n");
    const { run } = await import("../../src/cli/serve.js");
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      expect(await run(["--crd", file])).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    expect(written.join("")).toMatch(/bad\.yaml:3:1: /);
  });
});

describe("js-yaml, loaded on first use", () => {
  it("has the event numbers the reader assumes", async () => {
    const { EVENT_ID } = await import("js-yaml");
    const { EVENT } = await import("../../src/yaml/js-yaml.js");
    expect({ ...EVENT }).toEqual({ ...EVENT_ID });
  });
});
