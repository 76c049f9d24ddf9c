/**
 * Custom resources: install a CRD, then work with its objects three ways: a schema written by hand
 * with `defineResource`, the schema generated from the CRD, and `kube.resource()`, which asks the
 * server (kubesdk guide, "Custom Resources (CRDs)", with CloudNativePG's Cluster).
 *
 * Run: npx tsx examples/custom-resources.ts
 */
import * as z from "zod";
import { defineResource, schemasFromCrd, ValidationError } from "kubezod";
import { CustomResourceDefinition } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "clusters.postgresql.cnpg.io" },
  spec: {
    group: "postgresql.cnpg.io",
    scope: "Namespaced",
    names: { plural: "clusters", singular: "cluster", kind: "Cluster", listKind: "ClusterList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {}, scale: { specReplicasPath: ".spec.instances", statusReplicasPath: ".status.instances" } },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["instances"],
                properties: {
                  instances: { type: "integer", minimum: 1 },
                  storage: { type: "object", properties: { size: { type: "string" } } },
                },
              },
              status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        },
      },
    ],
  },
} as const;

const server = await startTestServer();
const kube = await server.connect();
await kube.create(CustomResourceDefinition, crd as never);

// 1. A schema written by hand: defineResource adds apiVersion, kind, metadata and the REST facts.
const Cluster = defineResource({
  group: "postgresql.cnpg.io",
  version: "v1",
  kind: "Cluster",
  plural: "clusters",
  namespaced: true,
  subresources: ["status", "scale"],
  schema: z.object({ spec: z.object({ instances: z.int().min(1), storage: z.object({ size: z.string() }).optional() }) }),
});
const created = await kube.create(Cluster, { metadata: { name: "example-pg" }, spec: { instances: 1, storage: { size: "1Gi" } } });
console.log("Created:", created.metadata?.name, created.spec.instances); // Created: example-pg 1

const fetched = await kube.get(Cluster, "example-pg");
const bigger = structuredClone(fetched);
bigger.spec.instances = 2;
console.log("Updated: instances =", (await kube.update(bigger, { builtFromLatest: fetched })).spec.instances); // Updated: instances = 2
console.log("Scale:", (await kube.getScale(Cluster, "example-pg")).spec?.replicas); // Scale: 2

// 2. The schema generated from the CRD itself (what `kubezod generate --crd` writes, built at run time).
const [generated] = schemasFromCrd(crd);
const bad = await kube.create(generated!.schema, { metadata: { name: "bad-pg" }, spec: { instances: 0 } }).catch((e: unknown) => e);
console.log("Rejected before sending:", bad instanceof ValidationError, (bad as ValidationError).issues[0]?.path.join(".")); // Rejected before sending: true spec.instances

// 3. Whatever the server serves, resolved through discovery and its OpenAPI document.
const Served = await kube.resource({ apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster" });
const listed = await kube.list(Served);
console.log("Listed:", listed.items.map((c) => (c as { metadata?: { name?: string } }).metadata?.name).join(",")); // Listed: example-pg

await kube.delete(Cluster, "example-pg");
console.log("Deleted"); // Deleted

await kube.close();
await server.close();
