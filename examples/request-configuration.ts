/**
 * Request configuration: timeouts, retries with backoff (fixed or computed), logging switches and
 * statuses that are not errors (kubesdk guide, "Request Configuration").
 *
 * Run: npx tsx examples/request-configuration.ts
 */
import { ConfigMap } from "kubezod/k8s";
import { startTestServer } from "kubezod/testing";

const server = await startTestServer();
const lines: string[] = [];
const kube = await server.connect({
  timeoutMs: 45_000,
  // Capped exponential backoff, retried on these statuses (never on 409).
  retry: { backoffLimit: 3, backoffInterval: (attempt) => Math.min(2 ** attempt * 50, 1_000), retryStatuses: [502, 503, 504] },
  log: { logger: (entry) => lines.push(`${entry.method} ${entry.path} ${entry.status ?? entry.error}`), onSuccess: true, notErrorStatuses: [404] },
});

// Two 503s, then the request goes through.
server.faults.inject({ match: { verb: "list", resource: "configmaps" }, status: 503, times: 2 });
const list = await kube.list(ConfigMap);
console.log("after retries:", list.items.length, "items"); // after retries: 0 items

// A per-call time limit.
server.faults.inject({ match: { verb: "get", resource: "configmaps" }, latencyMs: 500, times: 1 });
const slow = await kube.get(ConfigMap, "x", { timeoutMs: 100, retry: false }).catch((e: Error) => e.name);
console.log("slow call:", slow); // slow call: TimeoutError

// A 404 during cleanup is expected: returned, and not logged as an error.
const maybe = await kube.get(ConfigMap, "maybe-missing", { returnErrors: [404] });
console.log("cleanup:", maybe.constructor.name); // cleanup: NotFoundError
console.log(lines.length > 0, lines.some((l) => l.includes("503"))); // true true

await kube.close();
await server.close();
