/**
 * Start the local API server, write a kubeconfig for kubectl, talk to it over HTTPS, inject a fault.
 *
 * Run: npx tsx examples/local-api-server.ts
 */
import { Agent, request } from "undici";
import { startTestServer } from "kubezod/testing";

const server = await startTestServer({ kubernetesVersion: "1.32" });
const kubeconfig = await server.writeKubeconfig(`${process.env.TMPDIR ?? "/tmp"}/kubezod-example.kubeconfig`);
console.log(`KUBECONFIG=${kubeconfig} kubectl get namespaces`);

// Any HTTP client works: the kubeconfig carries the server URL, its CA and a bearer token.
const dispatcher = new Agent({ connect: { ca: server.caCertificate } });
const headers = { authorization: `Bearer ${server.kubeconfig.users[0]!.user.token}`, "content-type": "application/json" };
const call = async (method: "GET" | "POST", path: string, body?: unknown) => {
  const res = await request(`${server.url}${path}`, { method, headers, dispatcher, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, any> };
};

const created = await call("POST", "/api/v1/namespaces/default/configmaps", {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings" },
  data: { mode: "fast" },
});
console.log(created.status, created.body.metadata.name, created.body.metadata.uid !== undefined); // 201 settings true

// Writes are validated like kube-apiserver validates them.
const invalid = await call("POST", "/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad Name" } });
console.log(invalid.status, invalid.body.message); // 422 ConfigMap "Bad Name" is invalid: metadata.name: Invalid value: …

// Faults for reliability tests: the next list of configmaps gets a 429 with Retry-After.
server.faults.inject({ match: { verb: "list", resource: "configmaps" }, status: 429, retryAfter: 1, times: 1 });
const throttled = await call("GET", "/api/v1/namespaces/default/configmaps");
const listed = await call("GET", "/api/v1/namespaces/default/configmaps");
console.log(throttled.status, listed.status, listed.body.items.length); // 429 200 1

await dispatcher.close();
await server.close();

export default { created: created.status, invalid: invalid.status, throttled: throttled.status, listed: listed.body.items.length as number };
