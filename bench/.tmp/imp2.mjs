const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
await import("zod");
let last = cpu();
for (const m of process.argv.slice(2)) {
  await import(m);
  const now = cpu();
  console.log(`${(now - last).toFixed(1).padStart(7)} ms  ${m.replace("/work/wt/contract/dist/", "")}`);
  last = now;
}
