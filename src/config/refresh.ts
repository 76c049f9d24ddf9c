import type { Credentials } from "./credentials.js";

/**
 * The refresh after a 401 for providers that fetch credentials (exec, OIDC): wait for a refresh
 * already running, skip it when the credentials changed since `used` was handed out, otherwise run
 * one. Always worth a retry afterwards.
 */
export async function refreshUnlessRotated(
  used: Credentials,
  current: Credentials | undefined,
  inFlight: Promise<unknown> | undefined,
  run: () => Promise<unknown>,
): Promise<boolean> {
  if (inFlight) await inFlight;
  else if (current === used) await run();
  return true;
}
