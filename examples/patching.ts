/**
 * Patching and updates: strategic merge from a diff, picking paths (a field, one map key), full
 * replacement with PUT, conflicts, explicit patches and server-side apply (kubesdk guide,
 * "Patching and Updates").
 *
 * Run: npx tsx examples/patching.ts
 */
import { ConflictError, pathOf } from "kubezod";
import { ConfigMap } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const server = await startTestServer();
const kube = await server.connect();
await kube.create(ConfigMap, { metadata: { name: "my-config", labels: { app: "shop" } }, data: { a: "1", b: "2" } });

// Strategic merge patch computed from the difference
let original = await kube.get(ConfigMap, "my-config");
let modified = structuredClone(original);
modified.metadata!.labels = { ...original.metadata?.labels, environment: "production", version: "v2" };
modified.data = { ...original.data, "new-key": "new-value" };
let updated = await kube.update(modified, { builtFromLatest: original });
console.log(updated.metadata?.labels, updated.data); // environment production new-key

// Selective: only labels are sent, the other edits are ignored
original = await kube.get(ConfigMap, "my-config");
modified = structuredClone(original);
modified.metadata!.labels = { ...original.metadata?.labels, selective: "update" };
modified.metadata!.annotations = { note: "this won't be updated" };
modified.data = { ...original.data, a: "this also won't be updated" };
updated = await kube.update(modified, { builtFromLatest: original, paths: [pathOf(ConfigMap, (c) => c.metadata.labels)] });
console.log(updated.metadata?.labels?.selective, updated.metadata?.annotations, updated.data?.a); // update undefined 1

// One key of a map
original = await kube.get(ConfigMap, "my-config");
modified = structuredClone(original);
modified.data = { ...original.data, b: "changed", a: "ignored" };
updated = await kube.update(modified, { builtFromLatest: original, paths: [pathOf(ConfigMap, (c) => c.data["b"])] });
console.log(updated.data?.a, updated.data?.b); // 1 changed

// Full replacement (PUT): the object becomes exactly this
const current = await kube.get(ConfigMap, "my-config");
const replaced = await kube.update(
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "my-config", labels: { app: "replaced" }, resourceVersion: current.metadata?.resourceVersion }, data: { completely: "new" } },
  { force: true },
);
console.log(replaced.metadata?.labels, replaced.data); // replaced completely

// Conflicts: a change made from a stale copy is refused, not lost
const stale = structuredClone(current);
stale.data = { stale: "write" };
try {
  await kube.update(stale, { builtFromLatest: current });
} catch (err) {
  if (!(err instanceof ConflictError)) throw err;
  console.log("ConflictError:", err.status, err.reason); // ConflictError: 409 Conflict
  const fresh = await kube.get(ConfigMap, "my-config");
  const retried = structuredClone(fresh);
  retried.data = { ...fresh.data, retried: "success" };
  console.log((await kube.update(retried, { builtFromLatest: fresh })).data?.retried); // success
}

// Explicit patches of every type, and server-side apply
await kube.patch(ConfigMap, "my-config", [{ op: "add", path: "/data/json", value: "patch" }], { type: "json" });
await kube.patch(ConfigMap, "my-config", { data: { merge: "patch" } }, { type: "merge" });
await kube.patch(ConfigMap, "my-config", { data: { strategic: "patch" } });
const applied = await kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "my-config" }, data: { owned: "by-me" } }, { fieldManager: "example" });
console.log(Object.keys(applied.data ?? {}).sort().join(",")); // completely,json,merge,owned,retried,strategic

await kube.close();
await server.close();
