/**
 * Quick start: CRUD on ConfigMaps against the local API server (kubesdk guide, "Quick Start").
 *
 * Run: npx tsx examples/quick-start.ts
 */
import { connect, NotFoundError } from "kubezod";
import { ConfigMap } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const server = await startTestServer();
const kube = await connect({ kubeconfig: await server.writeKubeconfig(`${process.env.TMPDIR ?? "/tmp"}/quick-start.kubeconfig`) });

// CREATE
const created = await kube.create(ConfigMap, {
  metadata: { name: "my-config", namespace: "default" },
  data: { database_url: "postgres://localhost:5432", debug: "false" },
});
console.log("Created:", created.metadata?.name); // Created: my-config

// READ one, and the whole namespace
const fetched = await kube.get(ConfigMap, "my-config", { namespace: "default" });
console.log("Fetched:", fetched.data); // Fetched: database_url debug
const all = await kube.list(ConfigMap, { namespace: "default" });
console.log(`Found ${all.items.length} ConfigMaps`); // Found 1 ConfigMaps

// UPDATE: change a copy; only the difference is sent, guarded by the resourceVersion it was read at
const changed = structuredClone(fetched);
changed.data = { ...fetched.data, debug: "true", new_key: "new_value" };
const updated = await kube.update(changed, { builtFromLatest: fetched });
console.log("Updated:", updated.data); // Updated: debug new_key

// CREATE OR UPDATE (upsert): created if missing, else merged in — what it does not mention is kept
const upserted = await kube.createOrUpdate({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "my-config", namespace: "default" },
  data: { completely: "new", data: "here" },
});
console.log("Upserted:", Object.keys(upserted.data ?? {}).join(" ")); // Upserted: database_url debug new_key completely data

// DELETE
await kube.delete(ConfigMap, "my-config", { namespace: "default" });
const gone = await kube.get(ConfigMap, "my-config", { namespace: "default", returnErrors: [404] });
console.log("Deleted:", gone instanceof NotFoundError); // Deleted: true

await kube.close();
await server.close();
