/**
 * The `/version` response.
 */
import * as z from "zod";

/**
 * The server's version information (`version.Info`).
 *
 * @example
 * VersionInfo.parse(await res.json()).gitVersion;
 */
export const VersionInfo = z.looseObject({
  major: z.string(),
  minor: z.string(),
  gitVersion: z.string(),
  gitCommit: z.string().optional(),
  gitTreeState: z.string().optional(),
  buildDate: z.string().optional(),
  goVersion: z.string().optional(),
  compiler: z.string().optional(),
  platform: z.string().optional(),
});

/** The server's version information. */
export type VersionInfo = z.output<typeof VersionInfo>;
