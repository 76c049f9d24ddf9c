/**
 * `npm run codegen [-- --check] [--openapi DIR] [--protobuf DIR] [--out DIR]`: (re)generate the
 * bundled schemas from the Kubernetes OpenAPI documents and protobuf IDL, or check that `schemas/` matches what would be generated.
 */
import { parseArgs } from "node:util";
import { builtinFiles, builtinPaths, diffFiles, SpecError, writeFiles } from "./generate.js";

function main(): number {
  const { values } = parseArgs({
    options: {
      check: { type: "boolean", default: false },
      openapi: { type: "string" },
      protobuf: { type: "string" },
      out: { type: "string" },
    },
  });
  const defaults = builtinPaths();
  const openapiDir = values.openapi ?? defaults.openapiDir;
  const outDir = values.out ?? defaults.outDir;
  const started = performance.now();
  const files = builtinFiles(openapiDir, values.protobuf ?? defaults.protobufDir);
  if (values.check) {
    const problems = diffFiles(files, outDir);
    if (problems.length) {
      console.error(`schemas/ is out of date (${problems.length} file(s)); run \`npm run codegen\`:`);
      for (const p of problems.slice(0, 20)) console.error(`  ${p}`);
      if (problems.length > 20) console.error(`  … and ${problems.length - 20} more`);
      return 1;
    }
    console.log(`schemas/ is up to date (${files.length} files)`);
    return 0;
  }
  writeFiles(files, outDir, { clean: true });
  console.log(`wrote ${files.length} files to ${outDir} in ${Math.round(performance.now() - started)} ms`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  if (err instanceof SpecError) {
    console.error(`codegen: ${err.message}`);
    process.exitCode = 1;
  } else throw err;
}
