/**
 * The validator's full JSON reports on the benchmark corpora (clean, an error near the top of every
 * third resource, one deep inside, and the Gateway API corpus with CEL), written to files so that a
 * change meant to keep every verdict and message can be compared byte for byte:
 *   DIR=/tmp/reports-before tsx bench/validate-reports.ts   (then again after, and `cmp` the files)
 * The corpora are written once under CORPUS (default <tmpdir>/kubezod-report-corpus) and reused.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { formatReport, validateManifests } from "../src/index.js";
import { writeCorpus } from "./validate-corpus.js";

const TOTAL = Number(process.env.RESOURCES ?? 20_000);
const root = resolve(import.meta.dirname, "..");
const gatewayCrds = join(root, "..", "shared", "crds", "gateway-api");
const corpus = process.env.CORPUS ?? join(tmpdir(), "kubezod-report-corpus");
const out = process.env.DIR ?? join(tmpdir(), "kubezod-reports");

function files(dir: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) found.push(join(e.parentPath, e.name));
  return found.sort();
}

/** As bench/validate.ts makes its error corpora. */
function withErrors(from: string, to: string, deep: boolean): void {
  for (const f of files(from)) {
    const docs = readFileSync(f, "utf8").split("---\n");
    const changed = docs.map((d, i) => {
      if (i % 3) return d;
      if (deep) {
        const k = d.lastIndexOf("readOnlyRootFilesystem: true");
        if (k >= 0) return `${d.slice(0, k)}readOnlyRootFilesystem: "yes"${d.slice(k + "readOnlyRootFilesystem: true".length)}`;
      }
      const k = d.indexOf("  name: app-");
      if (k < 0) return d;
      return `${d.slice(0, k)}  name: App-${d.slice(k + "  name: app-".length)}`;
    });
    writeFileSync(join(to, f.slice(from.length + 1).replace(/\//g, "_")), changed.join("---\n"));
  }
}

const dir = (name: string) => join(corpus, name);
if (!existsSync(join(corpus, "done"))) {
  for (const d of ["builtin", "crds", "shallow", "deep"]) mkdirSync(dir(d), { recursive: true });
  writeCorpus(dir("builtin"), TOTAL, 50, false);
  if (existsSync(gatewayCrds)) writeCorpus(dir("crds"), TOTAL, 50, true);
  withErrors(dir("builtin"), dir("shallow"), false);
  withErrors(dir("builtin"), dir("deep"), true);
  writeFileSync(join(corpus, "done"), "");
}
mkdirSync(out, { recursive: true });
for (const name of ["builtin", "shallow", "deep", "crds"]) {
  if (!existsSync(dir(name)) || !readdirSync(dir(name)).length) continue;
  const r = await validateManifests([{ path: dir(name) }], { crds: name === "crds" ? [gatewayCrds] : [], workers: 0 });
  writeFileSync(join(out, `${name}.json`), formatReport(r, "json"));
  console.log(`${name}: ${r.summary.resources ?? ""} ${JSON.stringify(r.summary)}`);
}
