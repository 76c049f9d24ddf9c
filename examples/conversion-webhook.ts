/**
 * A CRD with two versions converted by a webhook the program serves over HTTPS: the local API
 * server stores `v1` (`spec.hostPort: "host:port"`) and serves `v2` (`spec.host`, `spec.port`).
 *
 * Run: npx tsx examples/conversion-webhook.ts
 */
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";
import { CertificateAuthority, startTestServer } from "kubezod/testing";

type Endpoint = { apiVersion: string; spec: Record<string, unknown> } & Record<string, unknown>;

// The conversion: v1's "host:port" split into v2's host and port, and joined again.
const convert = (o: Endpoint, desired: string): Endpoint => {
  if (desired.endsWith("/v2")) {
    const [host, port] = String(o.spec.hostPort).split(":");
    return { ...o, apiVersion: desired, spec: { host, port: Number(port) } };
  }
  return { ...o, apiVersion: desired, spec: { hostPort: `${String(o.spec.host)}:${String(o.spec.port)}` } };
};

const ca = new CertificateAuthority("conversion-ca");
const hook = https.createServer(ca.serving(["localhost"], ["127.0.0.1"]), (req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const { request: review } = JSON.parse(body);
    const convertedObjects = review.objects.map((o: Endpoint) => convert(o, review.desiredAPIVersion));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ apiVersion: "apiextensions.k8s.io/v1", kind: "ConversionReview", response: { uid: review.uid, result: { status: "Success" }, convertedObjects } }));
  });
});
await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));

const server = await startTestServer({ controllers: false });
const dispatcher = new Agent({ connect: { ca: server.caCertificate } });
const headers = { authorization: `Bearer ${server.kubeconfig.users[0]!.user.token}`, "content-type": "application/json" };
const call = async (method: "GET" | "POST", path: string, body?: unknown) => {
  const res = await request(`${server.url}${path}`, { method, headers, dispatcher, ...(body ? { body: JSON.stringify(body) } : {}) });
  return (await res.body.json()) as Record<string, any>;
};

const schema = (properties: Record<string, unknown>) => ({ openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties } } } });
await call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
  metadata: { name: "endpoints.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "endpoints", singular: "endpoint", kind: "Endpoint" },
    versions: [
      { name: "v1", served: true, storage: true, schema: schema({ hostPort: { type: "string" } }) },
      { name: "v2", served: true, storage: false, schema: schema({ host: { type: "string" }, port: { type: "integer" } }) },
    ],
    conversion: {
      strategy: "Webhook",
      webhook: { conversionReviewVersions: ["v1"], clientConfig: { url: `https://127.0.0.1:${(hook.address() as AddressInfo).port}/convert`, caBundle: Buffer.from(ca.cert).toString("base64") } },
    },
  },
});

const path = (version: string) => `/apis/example.com/${version}/namespaces/default/endpoints`;
await call("POST", path("v2"), { apiVersion: "example.com/v2", kind: "Endpoint", metadata: { name: "db" }, spec: { host: "db.local", port: 5432 } });
const stored = await call("GET", `${path("v1")}/db`);
console.log(stored.spec); // { hostPort: 'db.local:5432' }
const served = await call("GET", `${path("v2")}/db`);
console.log(served.spec); // { host: 'db.local', port: 5432 }

await dispatcher.close();
await server.close();
hook.close();

export default { stored: stored.spec.hostPort as string, served: served.spec.port as number };
