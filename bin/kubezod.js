#!/usr/bin/env -S node --max-semi-space-size=8
// A young generation of 8 MiB instead of 16: the same speed here, a sixth less peak memory for `kubezod validate`.
import "../dist/src/cli/bin.js";
