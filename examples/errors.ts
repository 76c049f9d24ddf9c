/**
 * Error handling: typed errors per HTTP status with the server's Status, returning errors instead
 * of throwing them, and aggregating results (kubesdk guide, "Error Handling").
 *
 * Run: npx tsx examples/errors.ts
 */
import { ConflictError, isAlreadyExists, isNotFound, KubeApiError, NotFoundError, UnprocessableEntityError } from "kubezod";
import { ConfigMap } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const server = await startTestServer();
const kube = await server.connect();

try {
  await kube.get(ConfigMap, "does-not-exist");
} catch (err) {
  if (!(err instanceof NotFoundError)) throw err;
  console.log("NotFoundError:", err.status, err.reason, err.body.message); // NotFoundError: 404 NotFound configmaps "does-not-exist" not found
}

const cm = { metadata: { name: "config-1" }, data: { a: "1" } };
await kube.create(ConfigMap, cm);
try {
  await kube.create(ConfigMap, cm);
} catch (err) {
  if (!(err instanceof ConflictError)) throw err;
  console.log("ConflictError:", err.status, err.reason, err.code); // ConflictError: 409 AlreadyExists KUBE_CONFLICT
  // apimachinery's predicates tell the two kinds of 409 apart.
  console.log("isAlreadyExists:", isAlreadyExists(err), "isNotFound:", isNotFound(err)); // isAlreadyExists: true isNotFound: false
}

try {
  await kube.create(ConfigMap, { metadata: { name: "invalid/name" } });
} catch (err) {
  if (!(err instanceof UnprocessableEntityError)) throw err;
  console.log("Invalid:", err.status, err.causes[0]?.field); // Invalid: 422 metadata.name
}

// Return the error instead of throwing it: the result type is ConfigMap | NotFoundError
const result = await kube.get(ConfigMap, "might-not-exist", { returnErrors: [404] });
console.log(result instanceof NotFoundError ? `Returned error: ${result.name}, status=${result.status}` : result.metadata?.name); // Returned error: NotFoundError, status=404

// Batch aggregation
const found: string[] = [];
const missing: string[] = [];
for (const name of ["config-1", "config-2", "config-3"]) {
  const r = await kube.get(ConfigMap, name, { returnErrors: [404] });
  (r instanceof KubeApiError ? missing : found).push(name);
}
console.log(`Found: ${found.length}, Not found: ${missing.length}`); // Found: 1, Not found: 2

await kube.close();
await server.close();
