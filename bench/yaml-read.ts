/**
 * Reading manifests, alone: the files of the validator benchmark's corpus (bench/validate-corpus.ts,
 * 20,000 resources in 400 files) read into values the way `kubezod validate` reads them — bytes
 * from the file, each document decoded as it is read (`yamlDocumentsOfBytes`) — next to the same
 * files decoded whole and read as text (`yamlDocuments`), the exact reader alone (the fast path
 * off), and js-yaml's `loadAll` of the decoded files (what @kubernetes-models/validate is given).
 * The bytes are in memory (no file system in the measure); CPU time of this thread, the readers
 * taking turns in each round, ratios taken within each round:
 *   npm run bench -- yaml-read
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { yamlDocuments, yamlDocumentsOfBytes } from "../src/yaml/documents.js";
import { median, table } from "./report.js";
import { writeCorpus } from "./validate-corpus.js";

const TOTAL = Number(process.env.RESOURCES ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);

/** CPU time of a function in ms (this thread). */
function cpu(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}

const work = mkdtempSync(join(tmpdir(), "kubezod-yaml-read-"));
try {
  writeCorpus(work, TOTAL, 50, false);
  const files: string[] = [];
  for (const e of readdirSync(work, { withFileTypes: true, recursive: true })) if (e.isFile()) files.push(join(e.parentPath, e.name));
  files.sort();
  const bytes = files.map((f) => readFileSync(f));
  const size = bytes.reduce((s, b) => s + b.length, 0);
  // As the command reads: no implicit-conversion notices (0644 is read as 420 on the fast path).
  const quiet = { implicitConversionNotices: false };
  let sink = 0;
  const readers: Record<string, () => void> = {
    "kubezod, bytes (as kubezod validate reads files)": () => {
      for (const b of bytes) for (const d of yamlDocumentsOfBytes(b, quiet)) sink += d.value ? 1 : 0;
    },
    "kubezod, files decoded whole, read as text": () => {
      for (const b of bytes) for (const d of yamlDocuments(b.toString("utf8"), quiet)) sink += d.value ? 1 : 0;
    },
    "kubezod, exact reader only (fast path off)": () => {
      for (const b of bytes) for (const d of yamlDocuments(b.toString("utf8"), { ...quiet, fastPath: false })) sink += d.value ? 1 : 0;
    },
    "js-yaml loadAll, files decoded whole": () => {
      for (const b of bytes) for (const d of loadAll(b.toString("utf8"))) sink += d ? 1 : 0;
    },
  };
  const names = Object.keys(readers);
  const times = new Map(names.map((n) => [n, [] as number[]]));
  for (const n of names) readers[n]!(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    // Each round in another order, so that no reader always follows the same one.
    const order = names.map((_, i) => names[(i + r) % names.length]!);
    for (const n of order) times.get(n)!.push(cpu(readers[n]!));
  }
  const first = times.get(names[0]!)!;
  const rows = names.map((n) => {
    const t = times.get(n)!;
    const per = t.map((x, i) => x / first[i]!);
    return [n, `${median(t).toFixed(0)} ms`, `${(size / 1024 / 1024 / (median(t) / 1000)).toFixed(0)} MiB/s`, n === names[0] ? "1.00×" : `${median(per).toFixed(2)}× (rounds ${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)})`];
  });
  console.log(`Node ${process.versions.node}; ${TOTAL.toLocaleString("en")} resources in ${files.length} files (${(size / 1024 / 1024).toFixed(1)} MiB); CPU time, medians of ${ROUNDS} rounds (${sink > 0 ? "read" : "nothing read"})`);
  table(["reader", "CPU time", "throughput", "CPU time × the bytes reader (median of rounds)"], rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}
