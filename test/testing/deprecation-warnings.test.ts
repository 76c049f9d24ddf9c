/**
 * Deprecated built-in API versions over real HTTP: kube-apiserver's endpoint installer wraps every
 * handler of a type that `deprecation.IsDeprecated` in the served minor with a `Warning: 299 -
 * "<deprecation.WarningMessage>"` header, for every verb (list and watch included), answered or
 * refused. The texts are the ones k8s.io/apiserver builds from the types'
 * zz_generated.prerelease-lifecycle.go; `kubezod validate` reports the same text as api/deprecated.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateManifests } from "../../src/validate/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, type Client } from "./helpers.js";

const header = (text: string) => `299 - ${JSON.stringify(text)}`;

const V1BETA2_28 = "flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema is deprecated in v1.26+, unavailable in v1.29+; use flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema";
const V1BETA2_PLC_28 =
  "flowcontrol.apiserver.k8s.io/v1beta2 PriorityLevelConfiguration is deprecated in v1.26+, unavailable in v1.29+; use flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration";
const V1BETA3_31 = "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema";
const COMPONENT_STATUS = "v1 ComponentStatus is deprecated in v1.19+";
const ENDPOINTS = "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice";

const flowSchema = (apiVersion: string, name: string) => ({
  apiVersion,
  kind: "FlowSchema",
  metadata: { name },
  spec: { priorityLevelConfiguration: { name: "global-default" }, matchingPrecedence: 5000 },
});
const flowSchemas = (version: string) => `/apis/flowcontrol.apiserver.k8s.io/${version}/flowschemas`;

async function started(kubernetesVersion: string): Promise<{ server: TestServer; api: Client }> {
  const server = await startTestServer({ kubernetesVersion });
  return { server, api: client(server) };
}

describe("deprecated built-in versions at 1.28", () => {
  let s: { server: TestServer; api: Client };
  beforeAll(async () => (s = await started("1.28")));
  afterAll(async () => {
    await s.api.close();
    await s.server.close();
  });

  it("warn on create, get, list, watch, update, patch, status and delete of flowcontrol v1beta2", async () => {
    const { api } = s;
    const w = header(V1BETA2_28);
    const created = await api.post(flowSchemas("v1beta2"), flowSchema("flowcontrol.apiserver.k8s.io/v1beta2", "a"));
    expect(created.status).toBe(201);
    expect(created.headers.warning).toBe(w);
    const got = await api.get(`${flowSchemas("v1beta2")}/a`);
    expect(got.headers.warning).toBe(w);
    expect((await api.get(flowSchemas("v1beta2"))).headers.warning).toBe(w);
    const watched = await api.get(`${flowSchemas("v1beta2")}?watch=1&timeoutSeconds=1`);
    expect(watched.status).toBe(200);
    expect(watched.headers.warning).toBe(w);
    expect((await api.put(`${flowSchemas("v1beta2")}/a`, got.json)).headers.warning).toBe(w);
    expect((await api.patch(`${flowSchemas("v1beta2")}/a`, { metadata: { labels: { x: "y" } } }, "merge")).headers.warning).toBe(w);
    expect((await api.get(`${flowSchemas("v1beta2")}/a/status`)).headers.warning).toBe(w);
    const missing = await api.get(`${flowSchemas("v1beta2")}/none`);
    expect(missing.status).toBe(404);
    expect(missing.headers.warning).toBe(w);
    expect((await api.del(`${flowSchemas("v1beta2")}/a`)).headers.warning).toBe(w);
    expect((await api.get("/apis/flowcontrol.apiserver.k8s.io/v1beta2/prioritylevelconfigurations")).headers.warning).toBe(header(V1BETA2_PLC_28));
  });

  it("leave v1beta3 (deprecated only from 1.29) and GA versions silent", async () => {
    const { api } = s;
    expect((await api.post(flowSchemas("v1beta3"), flowSchema("flowcontrol.apiserver.k8s.io/v1beta3", "b"))).headers.warning).toBeUndefined();
    expect((await api.get(flowSchemas("v1beta3"))).headers.warning).toBeUndefined();
    expect((await api.get("/api/v1/namespaces/default/configmaps")).headers.warning).toBeUndefined();
    expect((await api.get("/api/v1/namespaces/default/endpoints")).headers.warning).toBeUndefined();
  });

  it("warn on v1 ComponentStatus", async () => {
    expect((await s.api.get("/api/v1/componentstatuses")).headers.warning).toBe(header(COMPONENT_STATUS));
  });
});

describe("deprecated built-in versions at 1.31 and 1.33", () => {
  it("1.31: v1beta3 names v1; v1 is silent; v1beta2 is no longer served", async () => {
    const { server, api } = await started("1.31");
    try {
      const created = await api.post(flowSchemas("v1beta3"), flowSchema("flowcontrol.apiserver.k8s.io/v1beta3", "c"));
      expect(created.status).toBe(201);
      expect(created.headers.warning).toBe(header(V1BETA3_31));
      expect((await api.get(flowSchemas("v1"))).headers.warning).toBeUndefined();
      const gone = await api.get(flowSchemas("v1beta2"));
      expect(gone.status).toBe(404);
      expect(gone.headers.warning).toBeUndefined();
    } finally {
      await api.close();
      await server.close();
    }
  });

  it("1.33: v1 Endpoints names EndpointSlice; EndpointSlice is silent", async () => {
    const { server, api } = await started("1.33");
    try {
      expect((await api.get("/api/v1/namespaces/default/endpoints")).headers.warning).toBe(header(ENDPOINTS));
      expect((await api.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices")).headers.warning).toBeUndefined();
    } finally {
      await api.close();
      await server.close();
    }
  });
});

// resource.k8s.io/v1beta2 (introduced 1.33, so deprecated in 1.36 and removed in 1.39) and
// coordination.k8s.io/v1alpha2 LeaseCandidate (introduced 1.32; the 1.35 tree carries deprecated 1.35
// and no removal yet) are served only with --runtime-config; kube-apiserver 1.36 warns on both.
const CLAIM_V1BETA2_36 = "resource.k8s.io/v1beta2 ResourceClaim is deprecated in v1.36+, unavailable in v1.39+";
const LEASE_CANDIDATE_V1ALPHA2_36 = "coordination.k8s.io/v1alpha2 LeaseCandidate is deprecated in v1.35+";

describe("alpha and beta versions turned on with runtimeConfig", () => {
  it("1.36: resource.k8s.io/v1beta2 and coordination.k8s.io/v1alpha2 warn on every request; v1 stays silent", async () => {
    const server = await startTestServer({
      kubernetesVersion: "1.36",
      runtimeConfig: { "resource.k8s.io/v1beta2": true, "coordination.k8s.io/v1alpha2": true },
    });
    const api = client(server);
    try {
      const claims = "/apis/resource.k8s.io/v1beta2/namespaces/default/resourceclaims";
      const claim = {
        apiVersion: "resource.k8s.io/v1beta2",
        kind: "ResourceClaim",
        metadata: { name: "gpu" },
        spec: { devices: { requests: [{ name: "gpu", exactly: { deviceClassName: "gpu.example.com" } }] } },
      };
      const created = await api.post(claims, claim);
      expect(created.status).toBe(201);
      expect(created.headers.warning).toBe(header(CLAIM_V1BETA2_36));
      expect((await api.get(`${claims}/gpu`)).headers.warning).toBe(header(CLAIM_V1BETA2_36));
      expect((await api.get(claims)).headers.warning).toBe(header(CLAIM_V1BETA2_36));
      expect((await api.del(`${claims}/gpu`)).headers.warning).toBe(header(CLAIM_V1BETA2_36));
      expect((await api.get("/apis/resource.k8s.io/v1/namespaces/default/resourceclaims")).headers.warning).toBeUndefined();

      const candidates = "/apis/coordination.k8s.io/v1alpha2/namespaces/default/leasecandidates";
      const listed = await api.get(candidates);
      expect(listed.status).toBe(200);
      expect(listed.headers.warning).toBe(header(LEASE_CANDIDATE_V1ALPHA2_36));
      const missing = await api.get(`${candidates}/none`);
      expect(missing.status).toBe(404);
      expect(missing.headers.warning).toBe(header(LEASE_CANDIDATE_V1ALPHA2_36));
    } finally {
      await api.close();
      await server.close();
    }
  });

  it("1.36: without runtimeConfig the versions are not served, so nothing warns", async () => {
    const { server, api } = await started("1.36");
    try {
      const gone = await api.get("/apis/resource.k8s.io/v1beta2/namespaces/default/resourceclaims");
      expect(gone.status).toBe(404);
      expect(gone.headers.warning).toBeUndefined();
    } finally {
      await api.close();
      await server.close();
    }
  });
});

describe("kubezod validate reports the text the server sends", () => {
  it("api/deprecated carries kube-apiserver's warning", async () => {
    const cases: Array<[string, string, string]> = [
      ["flowcontrol.apiserver.k8s.io/v1beta2", "1.28", V1BETA2_28],
      ["flowcontrol.apiserver.k8s.io/v1beta3", "1.31", V1BETA3_31],
    ];
    for (const [apiVersion, minor, text] of cases) {
      const doc = `apiVersion: ${apiVersion}\nkind: FlowSchema\nmetadata: {name: f}\nspec:\n  priorityLevelConfiguration: {name: x}\n`;
      const report = await validateManifests({ file: "m.yaml", text: doc }, { kubernetesVersion: minor });
      expect(report.results[0]!.issues.map((i) => [i.rule, i.message])).toEqual([["api/deprecated", text]]);
    }
  });
});

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

function kubectl(dir: string, kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("kubectl", ["--cache-dir", join(dir, "cache"), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

// client-go's default warning handler prints each Warning header's text as "Warning: <text>".
describe.skipIf(!hasKubectl)("kubectl prints the warning", () => {
  it("on apply and get of a deprecated version, and not of a current one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubezod-deprecation-"));
    const server = await startTestServer({ kubernetesVersion: "1.31" });
    try {
      const kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
      const f = join(dir, "fs.yaml");
      writeFileSync(f, `apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: old}\nspec:\n  priorityLevelConfiguration: {name: global-default}\n  matchingPrecedence: 5000\n`);
      const applied = await kubectl(dir, kubeconfig, ["apply", "-f", f]);
      expect(applied.code).toBe(0);
      expect(applied.stdout).toBe("flowschema.flowcontrol.apiserver.k8s.io/old created\n");
      expect(applied.stderr).toContain(`Warning: ${V1BETA3_31}\n`);
      const cs = await kubectl(dir, kubeconfig, ["get", "componentstatuses"]);
      expect(cs.stderr).toContain(`Warning: ${COMPONENT_STATUS}\n`);
      const current = await kubectl(dir, kubeconfig, ["get", "flowschemas.v1.flowcontrol.apiserver.k8s.io", "old", "-o", "name"]);
      expect(current).toMatchObject({ code: 0, stdout: "flowschema.flowcontrol.apiserver.k8s.io/old\n", stderr: "" });
    } finally {
      await server.close();
    }
  });
});
