/**
 * Test access to `../shared` (Kubernetes OpenAPI documents, CRDs). A user's clone does not have it;
 * tests that need it are skipped and say so. CI always has it.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const sharedDir = resolve(repoRoot, "..", "shared");
export const hasShared = existsSync(join(sharedDir, "kubernetes-openapi"));

/** A suffix for test names that need ../shared, so a skip explains itself. */
export const needsShared = hasShared ? "" : " [skipped: ../shared is absent]";

export function sharedPath(...parts: string[]): string {
  return join(sharedDir, ...parts);
}

/** The bundled Kubernetes minors that have a spec in ../shared. */
export const specVersions = ["v1.28", "v1.29", "v1.30", "v1.31", "v1.32", "v1.33", "v1.34", "v1.35", "v1.36"];
