/**
 * The project's configuration and transport against the local API server: its kubeconfig resolves
 * to a working cluster config (TLS with the generated CA, bearer token), and injected faults are
 * what the transport's retries see.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringifyYaml as stringify } from "../../src/yaml/text.js";
import { createTransport, resolveCluster, UnprocessableEntityError } from "../../src/index.js";
import { parseKubeConfig } from "../../src/config/public.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { configMap } from "./helpers.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.32" });
});
afterAll(async () => {
  await server.close();
});

describe("the transport against the local API server", () => {
  it("connects with the server's kubeconfig, retries injected 429s and reads typed errors", async () => {
    const kubeconfig = parseKubeConfig(stringify(server.kubeconfig), "local API server");
    const transport = createTransport(await resolveCluster({ kubeconfig, inCluster: false }), { retry: { backoffLimit: 3, retryStatuses: [429] } });
    server.faults.inject({ match: { verb: "create", resource: "configmaps" }, status: 429, retryAfter: 0, times: 2 });
    const created = await transport.request({ method: "POST", path: "/api/v1/namespaces/default/configmaps", body: configMap("via-transport") });
    expect(created.status).toBe(201);
    expect(created.retries).toBe(2);
    expect(server.requests.filter((r) => r.verb === "create" && r.resource === "configmaps").map((r) => r.status)).toEqual([429, 429, 201]);
    const invalid = await transport.request({ method: "POST", path: "/api/v1/namespaces/default/configmaps", body: configMap("Bad Name"), returnErrors: true });
    expect(invalid).toBeInstanceOf(UnprocessableEntityError);
    expect((invalid as UnprocessableEntityError).causes[0]).toMatchObject({ reason: "FieldValueInvalid", field: "metadata.name" });
    await transport.close();
  });
});
