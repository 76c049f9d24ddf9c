import { expect } from "vitest";
import { connect, defineCluster, type ConnectOptions, type Kube } from "../../../src/index.js";
import type { TestServer } from "../../../src/testing/index.js";

/** Wait until `check` holds (polling), failing the test after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(await check(), `${what} within ${timeoutMs} ms`).toBe(true);
}

/** A client for `server` that talks to `url` (a proxy in front of it) trusting `ca`. */
export function connectVia(server: TestServer, url: string, ca: string, options: Omit<ConnectOptions, "config"> = {}): Promise<Kube> {
  const token = server.kubeconfig.users[0]!.user.token!;
  return connect({ ...options, config: defineCluster({ server: url, ca, token, namespace: "default" }) });
}

/** Apply informer events to a map, failing on any event that does not fit the state (a strict replay). */
export function replay<T extends { metadata?: { namespace?: string | null; name?: string | null; resourceVersion?: string | null } | null }>(
  events: ReadonlyArray<{ type: "add" | "update" | "delete"; object: T; old?: T }>,
): { state: Map<string, string>; problems: string[] } {
  const state = new Map<string, string>();
  const problems: string[] = [];
  for (const e of events) {
    const key = `${e.object.metadata?.namespace ?? ""}/${e.object.metadata?.name ?? ""}`;
    const rv = e.object.metadata?.resourceVersion ?? "";
    if (e.type === "add") {
      if (state.has(key)) problems.push(`add of ${key}, which was there`);
      state.set(key, rv);
    } else if (e.type === "update") {
      if (!state.has(key)) problems.push(`update of ${key}, which was not there`);
      else if (e.old && state.get(key) !== (e.old.metadata?.resourceVersion ?? "")) problems.push(`update of ${key} from ${e.old.metadata?.resourceVersion}, but it was at ${state.get(key)}`);
      state.set(key, rv);
    } else {
      if (!state.has(key)) problems.push(`delete of ${key}, which was not there`);
      state.delete(key);
    }
  }
  return { state, problems };
}
