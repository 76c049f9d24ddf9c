#!/usr/bin/env -S node --max-semi-space-size=2 --min-semi-space-size=2 --heap-growing-percent=20 --v8-pool-size=1 --no-maglev --verify-snapshot-checksum --conditions=kubezod-command
// Peak memory of `kubezod validate` (the command holds little; most of its peak is garbage V8 has
// not collected yet), at about the same CPU time on a 20,000-resource run:
// - a young generation of 2 MiB instead of 16, at 2 MiB from the start (a one-file run then
//   collects it twice instead of three times; a large run's peak is the same);
// - the old generation grows by a fifth over what survived the last collection, instead of up to
//   four times it (the serve command restores V8's default growth);
// - one background thread for V8 (collection, optimising compilation) instead of one per core:
//   fewer threads holding memory freed by their compilations (compiling on the main thread instead
//   saves as much memory but costs a quarter more wall time);
// - without Maglev (V8's mid-tier compiler, on by default from Node 22; Node 20 runs without it):
//   its zones and code were a third of the peak under Node 24.
// The `kubezod-command` condition gives the command its own one-file zod (package.json "#zod").
// This file is CommonJS: an ES module entry would start Node's ES module loader (and with it
// fs/promises, readline and the streams) on every run, which `validate` under Node 20 never needs.
// Where Node has it (22+), compiled code is cached on disk between runs: a third off a cold start.
// Before 22, `validate` runs from its image, one script compiled with V8's code cache kept on disk
// (dist/src/cli/image.cjs), and the other commands compile as they load.
"use strict";
const { enableCompileCache } = require("node:module");
const commandModules = () => import("../dist/src/cli/bin.js");
if (!enableCompileCache && process.argv[2] === "validate") {
  require("../dist/src/cli/image.cjs")
    .runValidateImage(process.argv.slice(3))
    .then(
      (code) => (code === undefined ? commandModules() : void (process.exitCode = code)),
      (err) => {
        process.stderr.write(`kubezod: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      },
    );
} else {
  enableCompileCache?.();
  commandModules();
}
