/**
 * The public surface is a contract: every entry point lists its exports one by one, and what the
 * package exports matches the checked-in report (`npm run surface` rewrites it after a deliberate
 * change; renames need a reason in CHANGELOG.md).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { entryPoints, starExports, SURFACE_REPORT, surfaceReport } from "./support/surface.js";
import { repoRoot } from "./support/shared.js";

describe("public surface", () => {
  it("matches api-surface.md (run `npm run surface` after a deliberate change)", async () => {
    expect(await surfaceReport()).toBe(readFileSync(SURFACE_REPORT, "utf8"));
  }, 120_000);

  it("keeps internals out of every entry point", async () => {
    const internals = ["yamlLib", "normaliseServer", "TokenBucket", "unwrap", "shapeOf", "metaOf", "retryPolicy", "backoffDelay", "readPayload"];
    for (const { subpath, source } of entryPoints().filter((e) => e.source.startsWith("src/"))) {
      const mod = (await import(join(repoRoot, source))) as Record<string, unknown>;
      expect(internals.filter((n) => n in mod), subpath).toEqual([]);
    }
  });

  it("has no `export *` in any entry point", () => {
    const problems = entryPoints().flatMap(({ subpath, source }) => starExports(readFileSync(join(repoRoot, source), "utf8")).map((s) => `${subpath} (${source}): export * from ${s}`));
    expect(problems).toEqual([]);
  });

  it("names every change of the surface in CHANGELOG.md", () => {
    const changelog = readFileSync(join(repoRoot, "CHANGELOG.md"), "utf8");
    expect(changelog).toMatch(/^## /m);
  });
});
