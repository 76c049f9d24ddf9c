import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

/** The package's entry points, by subpath, as package.json maps them (to the sources). */
const ENTRY_POINTS: Record<string, string> = {
  config: "config/public.ts",
  transport: "transport/public.ts",
  patch: "patch/public.ts",
  meta: "meta/public.ts",
  yaml: "yaml/public.ts",
  apiserver: "apiserver/public.ts",
  validate: "validate/public.ts",
  testing: "testing/index.ts",
  cel: "apiserver/cel/index.ts",
};

export default defineConfig({
  resolve: {
    // Examples import the package by name; run them against the sources like every other test.
    alias: [
      { find: /^kubezod$/, replacement: src("index.ts") },
      ...Object.entries(ENTRY_POINTS).map(([name, file]) => ({ find: new RegExp(`^kubezod/${name}$`), replacement: src(file) })),
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Test files share their worker's module cache (each still gets fresh servers and state of
    // its own): re-importing the sources for each of 130 files was most of the suite's time.
    isolate: false,
    // The generated schemas are plain ES modules: Node loads them natively, once per worker,
    // instead of each test file sending 1,400 files through Vite's transform.
    server: { deps: { external: [/\/schemas\//] } },
    // Vitest's default leaves one core to the main process (one worker on two cores); the tests
    // spend much of their time waiting on servers and child processes, so use every core.
    maxWorkers: Math.max(availableParallelism(), 1),
  },
});
