/**
 * Integers beyond 2^53 in custom resources sent to the local server as JSON: kube-apiserver decodes
 * a number into int64 when it fits and float64 otherwise, so an `integer` field takes every int64
 * and refuses a larger value as `must be of type integer: "number"`; a `number` field takes both.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { readYamlDocuments } from "../../src/yaml/documents.js";
import { WIDE_CRD } from "../fixtures/wide-integers.js";
import { client, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;
const counters = "/apis/example.com/v1/namespaces/default/counters";
/** A Counter as JSON text, the spec written out as given (JSON.stringify would round it). */
const counter = (name: string, spec: string) => `{"apiVersion":"example.com/v1","kind":"Counter","metadata":{"name":"${name}"},"spec":${spec}}`;

beforeAll(async () => {
  server = await startTestServer();
  api = client(server);
  expect((await api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", readYamlDocuments(WIDE_CRD)[0]!.value)).status).toBe(201);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

describe("integers beyond 2^53 in a custom resource, over HTTP", () => {
  it("are created when they fit int64, or where the schema says number", async () => {
    const bodies = [
      counter("a", `{"big":9007199254740993}`),
      counter("b", `{"big":9223372036854775807,"plain":-9223372036854775808}`),
      counter("c", `{"ratio":1e20,"items":[9007199254740993,-9223372036854775808]}`),
      counter("d", `{"ratio":9223372036854775808}`),
    ];
    for (const body of bodies) {
      const res = await api.req("POST", counters, { body });
      expect([res.status, res.json?.message]).toEqual([201, undefined]);
    }
  });

  it("are refused in an integer field beyond int64", async () => {
    for (const [name, spec, field] of [
      ["e", `{"big":9223372036854775808}`, "spec.big"],
      ["f", `{"plain":-9223372036854775809}`, "spec.plain"],
      ["g", `{"items":[1e20]}`, "spec.items[0]"],
    ] as const) {
      const res = await api.req("POST", counters, { body: counter(name, spec) });
      expect(res.status).toBe(422);
      expect(res.json.message).toBe(`Counter.example.com "${name}" is invalid: ${field}: Invalid value: "number": ${field} in body must be of type integer: "number"`);
    }
  });

  it("in a merge patch too", async () => {
    const ok = await api.req("PATCH", `${counters}/a`, { body: `{"spec":{"plain":9223372036854775807}}`, contentType: "application/merge-patch+json" });
    expect(ok.status).toBe(200);
    const refused = await api.req("PATCH", `${counters}/a`, { body: `{"spec":{"plain":9223372036854775808}}`, contentType: "application/merge-patch+json" });
    expect(refused.status).toBe(422);
  });

  it("in a server-side apply body written in YAML", async () => {
    const yaml = (name: string, big: string) => `apiVersion: example.com/v1\nkind: Counter\nmetadata: {name: ${name}}\nspec:\n  big: ${big}\n`;
    const apply = (name: string, big: string) => api.req("PATCH", `${counters}/${name}?fieldManager=t`, { body: yaml(name, big), contentType: "application/apply-patch+yaml" });
    expect((await apply("h", "9223372036854775807")).status).toBe(201);
    const refused = await apply("i", "-9223372036854775809");
    expect(refused.status).toBe(422);
    expect(refused.json.message).toBe(`Counter.example.com "i" is invalid: spec.big: Invalid value: "number": spec.big in body must be of type integer: "number"`);
  });
});

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

// kubectl turns the YAML into JSON with go-yaml, which keeps an int64 literal exact.
describe.skipIf(!hasKubectl)("kubectl create of a custom resource with wide integers", () => {
  it("creates int64 values and refuses one beyond with kube-apiserver's message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubezod-wide-"));
    const kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    // The server answers from this process: kubectl runs beside it, not blocking it.
    const run = (name: string, spec: string) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const f = join(dir, `${name}.yaml`);
        writeFileSync(f, `apiVersion: example.com/v1\nkind: Counter\nmetadata: {name: ${name}, namespace: default}\nspec:\n  ${spec}\n`);
        const child = spawn("kubectl", ["--cache-dir", join(dir, "cache"), "create", "-f", f], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d));
        child.stderr.on("data", (d: Buffer) => (stderr += d));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      });
    const ok = await run("k1", "big: 9223372036854775807\n  plain: -9223372036854775808\n  items: [9007199254740993]");
    expect([ok.status, ok.stdout, ok.stderr]).toEqual([0, "counter.example.com/k1 created\n", ""]);
    const refused = await run("k2", "big: 9223372036854775808");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe('The Counter "k2" is invalid: spec.big: Invalid value: "number": spec.big in body must be of type integer: "number"\n');
  });
});
