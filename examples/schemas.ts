// Run: npx tsx examples/schemas.ts
import * as z from "zod";
import { defineResource, fieldInfo, resourceInfo, schemaFor } from "kubezod";
import { Deployment } from "kubezod/k8s";

// Every kind is a Zod schema: loose (unknown fields survive), typed, with Kubernetes' wire formats.
const web = Deployment.parse({
  metadata: { name: "web" },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "nginx:1.27", resources: { limits: { cpu: 1, memory: "256Mi" } } }] },
    },
  },
});
console.log(web.apiVersion, web.kind, web.spec?.replicas); // apps/v1 Deployment 2

// The schema carries the API's facts…
console.log(resourceInfo(Deployment)?.plural, resourceInfo(Deployment)?.patchTypes); // deployments [json, merge, strategic, apply]
// …and the patch annotations of every field.
console.log(fieldInfo(Deployment, "spec.template.spec.containers")?.patchMergeKey); // name

// Look a kind up lazily, for a pinned Kubernetes minor.
const CronJob = await schemaFor({ apiVersion: "batch/v1", kind: "CronJob" }, { kubernetesVersion: "1.30" });
console.log(CronJob?.safeParse({ spec: { schedule: 5, jobTemplate: {} } }).error?.issues[0]?.path); // [ 'spec', 'schedule' ]

// A custom resource by hand, in one call.
const Backup = defineResource({
  group: "example.com",
  version: "v1",
  kind: "Backup",
  plural: "backups",
  namespaced: true,
  subresources: ["status"],
  schema: z.object({ spec: z.object({ schedule: z.string(), keep: z.int().min(1) }) }),
});
console.log(Backup.parse({ metadata: { name: "nightly" }, spec: { schedule: "0 3 * * *", keep: 7 } }).apiVersion); // example.com/v1
