import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by name; run them against the sources like every other test.
    alias: [
      { find: /^kubezod$/, replacement: src("index.ts") },
      { find: /^kubezod\/testing$/, replacement: src("testing/index.ts") },
      { find: /^kubezod\/cel$/, replacement: src("apiserver/cel/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
