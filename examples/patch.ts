/**
 * Patching a Deployment: a strategic merge patch computed from an edit, applied as the apiserver
 * would, the same change as JSON Patch, and a diff restricted to one picked field.
 *
 * Run: npx tsx examples/patch.ts
 */
import { applySmp, guardJsonPatch, jsonPatchDiff, jsonPatchToSmp, pathOf, smpDiff } from "kubezod";
import { Deployment } from "kubezod/k8s";

export function main(): Record<string, unknown> {
  const live = Deployment.parse({
    metadata: { name: "web", resourceVersion: "42" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            { name: "log-shipper", image: "fluent-bit:3.0" },
            { name: "web", image: "nginx:1.25" },
          ],
        },
      },
    },
  });

  // Edit a copy: drop the first container, bump the image of the other, scale up.
  const edited = structuredClone(live);
  edited.spec!.template.spec!.containers.shift();
  edited.spec!.template.spec!.containers[0]!.image = "nginx:1.27";
  edited.spec!.replicas = 3;

  // The strategic merge patch client-go would send: containers addressed by name.
  const patch = smpDiff(Deployment, live, edited);
  // What the apiserver makes of it.
  const result = applySmp(Deployment, live, patch);

  // The same change as JSON Patch: one remove, not an index-by-index rewrite.
  const ops = jsonPatchDiff(live, edited, { schema: Deployment });
  // Guarded with tests, for kinds without strategic merge patch.
  const guarded = guardJsonPatch(live, ops);
  // Or converted to a strategic merge patch.
  const converted = jsonPatchToSmp(Deployment, live, ops);

  // Only the image, whatever else changed; the container is addressed by its name.
  const image = pathOf(Deployment, (o) => o.spec.template.spec.containers[1].image, live);
  const imageOnly = smpDiff(Deployment, live, edited, { paths: [image] });

  return { patch, result, ops, guarded, converted, image: String(image), imageOnly };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(main(), null, 2));
