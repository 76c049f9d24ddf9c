#!/usr/bin/env -S node --max-semi-space-size=4
// A young generation of 4 MiB instead of 16: the same speed for `kubezod validate`, a fifth less peak memory.
import "../dist/src/cli/bin.js";
