const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const c0 = cpu();
await import("zod");
const c1 = cpu();
await import(process.argv[2]);
const c2 = cpu();
console.log(`zod ${(c1 - c0).toFixed(1)} ms cpu; kubezod on top ${(c2 - c1).toFixed(1)} ms cpu; ratio ${((c2 - c1) / (c1 - c0)).toFixed(2)}`);
