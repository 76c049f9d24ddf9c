/**
 * DRA admin access through both front doors: the local server reads the namespace from its store
 * (`AuthorizedForAdmin` asks the namespace client); `kubezod validate` knows a namespace only when
 * the Namespace object is among its inputs, and otherwise says nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../src/testing/index.js";
import { validateManifests } from "../../../src/validate/index.js";
import { client, type Client } from "../../testing/helpers.js";

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.36", controllers: false });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const FORBIDDEN = "spec.devices.requests[0].adminAccess: Forbidden: admin access to devices requires the `resource.kubernetes.io/admin-access: true` label on the containing namespace";
const namespace = (name: string, admin: boolean) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, ...(admin ? { labels: { "resource.kubernetes.io/admin-access": "true" } } : {}) } });
const claim = (ns: string) => ({
  apiVersion: "resource.k8s.io/v1",
  kind: "ResourceClaim",
  metadata: { name: "monitor", namespace: ns },
  spec: { devices: { requests: [{ name: "all", exactly: { deviceClassName: "gpu.example.com", allocationMode: "All", adminAccess: true } }] } },
});
const yaml = (o: unknown) => JSON.stringify(o);

describe("DRA admin access and the namespace label", () => {
  it("the local server refuses it in an unlabelled namespace and takes it in a labelled one", async () => {
    expect((await api.post("/api/v1/namespaces", namespace("plain", false))).status).toBe(201);
    expect((await api.post("/api/v1/namespaces", namespace("admins", true))).status).toBe(201);
    const refused = await api.post("/apis/resource.k8s.io/v1/namespaces/plain/resourceclaims", claim("plain"));
    expect(refused.status).toBe(422);
    expect((refused.json as { message: string }).message).toBe(`ResourceClaim.resource.k8s.io "monitor" is invalid: ${FORBIDDEN}`);
    expect((await api.post("/apis/resource.k8s.io/v1/namespaces/admins/resourceclaims", claim("admins"))).status).toBe(201);
  });

  it("kubezod validate judges it against a Namespace among the inputs, and says nothing without one", async () => {
    const run = async (docs: unknown[]) => (await validateManifests(docs.map((d, i) => ({ file: `m${i}.yaml`, text: yaml(d) })), { kubernetesVersion: "1.36" })).results;
    const unlabelled = await run([claim("plain"), namespace("plain", false)]);
    expect(unlabelled.find((r) => r.kind === "ResourceClaim")!.issues.map((i) => i.message)).toEqual([FORBIDDEN]);
    const labelled = await run([namespace("admins", true), claim("admins")]);
    expect(labelled.every((r) => r.status === "valid")).toBe(true);
    const unknown = await run([claim("elsewhere")]);
    expect(unknown[0]!.status).toBe("valid");
  });

  it("a Namespace among the previous objects counts too (the cluster as it is)", async () => {
    const report = await validateManifests({ file: "c.yaml", text: yaml(claim("plain")) }, { kubernetesVersion: "1.36", previous: [namespace("plain", false)] });
    expect(report.results[0]!.issues.map((i) => i.message)).toEqual([FORBIDDEN]);
  });
});
