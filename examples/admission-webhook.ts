/**
 * An admission webhook served by the program over HTTPS and honoured by the local API server: it
 * labels every ConfigMap and refuses those without an owner, in kube-apiserver's words.
 *
 * Run: npx tsx examples/admission-webhook.ts
 */
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";
import { CertificateAuthority, startTestServer } from "kubezod/testing";

// The webhook: a serving certificate from a CA of its own, whose certificate is the caBundle.
const ca = new CertificateAuthority("webhook-ca");
const hook = https.createServer(ca.serving(["localhost"], ["127.0.0.1"]), (req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const { request: review } = JSON.parse(body);
    const owned = Boolean(review.object?.metadata?.labels?.owner);
    const patch = [{ op: "add", path: "/metadata/annotations", value: { "example.com/checked": "true" } }];
    const response = req.url!.startsWith("/mutate")
      ? { uid: review.uid, allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") }
      : { uid: review.uid, allowed: owned, ...(owned ? {} : { status: { code: 403, reason: "Forbidden", message: "ConfigMaps need an owner label" } }) };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response }));
  });
});
await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
const hookUrl = `https://127.0.0.1:${(hook.address() as AddressInfo).port}`;

const server = await startTestServer({ controllers: false });
const dispatcher = new Agent({ connect: { ca: server.caCertificate } });
const headers = { authorization: `Bearer ${server.kubeconfig.users[0]!.user.token}`, "content-type": "application/json" };
const post = async (path: string, body: unknown) => {
  const res = await request(`${server.url}${path}`, { method: "POST", headers, dispatcher, body: JSON.stringify(body) });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, any> };
};

// The configurations, as in a cluster (a Service instead of a URL: the webhookServices option).
const webhook = (name: string, path: string) => ({
  name,
  clientConfig: { url: `${hookUrl}${path}`, caBundle: Buffer.from(ca.cert).toString("base64") },
  rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["CREATE", "UPDATE"] }],
  sideEffects: "None",
  admissionReviewVersions: ["v1"],
});
await post("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", { metadata: { name: "annotate" }, webhooks: [webhook("annotate.example.com", "/mutate")] });
await post("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", { metadata: { name: "owners" }, webhooks: [webhook("owners.example.com", "/validate")] });

const refused = await post("/api/v1/namespaces/default/configmaps", { metadata: { name: "orphan" }, data: { a: "1" } });
console.log(refused.status, refused.body.message); // 403 admission webhook "owners.example.com" denied the request: ConfigMaps need an owner label

const created = await post("/api/v1/namespaces/default/configmaps", { metadata: { name: "owned", labels: { owner: "team-a" } }, data: { a: "1" } });
console.log(created.status, created.body.metadata.annotations); // 201 { 'example.com/checked': 'true' }

await dispatcher.close();
await server.close();
hook.close();

export default { refused: refused.status, created: created.status, annotated: created.body.metadata.annotations["example.com/checked"] as string };
