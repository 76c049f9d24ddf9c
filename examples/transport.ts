// Run: npx tsx examples/transport.ts
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTransport, defineCluster, NotFoundError } from "kubezod";

// A stand-in API server so the example runs anywhere: busy once, then answers.
let calls = 0;
const server = createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url === "/version" && ++calls === 1) {
    res.writeHead(503, { "retry-after": "1" }).end(JSON.stringify({ kind: "Status", code: 503, reason: "ServiceUnavailable", message: "busy" }));
  } else if (req.url === "/version") {
    res.end(JSON.stringify({ gitVersion: "v1.34.2" }));
  } else {
    res.writeHead(404).end(JSON.stringify({ kind: "Status", code: 404, reason: "NotFound", message: 'configmaps "settings" not found' }));
  }
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

// With a real cluster: createTransport(await resolveCluster()).
const cluster = defineCluster({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: "my-token" });
const transport = createTransport(cluster, {
  timeoutMs: 10_000,
  retry: { backoffLimit: 3, retryStatuses: [429, 503, 504] },
  log: { logger: (e) => console.log(`${e.level}: ${e.method} ${e.path} → ${e.status}`), notErrorStatuses: [404] },
  onMetrics: (m) => console.log(`metrics: ${m.method} ${m.path} ${m.status} retries=${m.retries}`),
});

const version = await transport.request({ path: "/version" }); // waits for Retry-After, then retries
console.log(version.json<{ gitVersion: string }>().gitVersion, version.retries); // v1.34.2 1

const settings = await transport.request({ path: "/api/v1/namespaces/default/configmaps/settings", returnErrors: [404] });
console.log(settings instanceof NotFoundError ? settings.reason : settings.json()); // NotFound

await transport.close();
server.close();
