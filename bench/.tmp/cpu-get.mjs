import { fork } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { ConfigMap } from "kubezod/k8s";
import { connect, defineCluster } from "kubezod";
const dir = mkdtempSync(join(tmpdir(), "cpu-get-"));
const cm = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default", uid: "6a1e1c0e-7d6c-4c8f-9d1e-3c1b5c0a9f11", resourceVersion: "123456", creationTimestamp: "2026-11-01T00:00:00Z" }, data: { "log-level": "info", "feature-x": "enabled", replicas: "3" } });
writeFileSync(join(dir, "s.cjs"), `const http=require("node:http");const b=Buffer.from(${JSON.stringify(cm)});const s=http.createServer((q,r)=>{r.writeHead(200,{"content-type":"application/json","content-length":b.length});r.end(b)});s.keepAliveTimeout=60000;s.listen(0,"127.0.0.1",()=>process.send(s.address().port));`);
const child = fork(join(dir, "s.cjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const port = await new Promise((r) => child.once("message", (m) => r(m)));
const url = `http://127.0.0.1:${port}`;
const kube = await connect({ config: defineCluster({ server: url, token: "t" }), connections: 32 });
const agent = new Agent({ connections: 32 });
const raw = async () => { const res = await request(`${url}/api/v1/namespaces/default/configmaps/settings`, { headers: { authorization: "Bearer t", accept: "application/json" }, dispatcher: agent }); JSON.parse(await res.body.text()); };
const kz = () => kube.get(ConfigMap, "settings", { namespace: "default" });
async function cpuPer(fn, n) {
  const c0 = process.cpuUsage();
  let i = 0;
  await Promise.all(Array.from({ length: 64 }, async () => { while (i++ < n) await fn(); }));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}
for (const f of [raw, kz]) await cpuPer(f, 3000);
for (let r = 0; r < 3; r++) {
  const a = await cpuPer(raw, 10000);
  const b = await cpuPer(kz, 10000);
  console.log(`node ${process.versions.node}: undici ${a.toFixed(1)} µs cpu/req, kubezod ${b.toFixed(1)} µs cpu/req, ratio ${(a / b).toFixed(2)}`);
}
await kube.close(); await agent.close(); child.kill();
