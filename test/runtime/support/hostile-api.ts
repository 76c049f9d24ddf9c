/**
 * A tiny API peer that answers exactly what a test chooses: lists of fixed items per resource
 * (items as given, malformed or not), watches that stay open and quiet, watch-list requests refused
 * (400) so informers list then watch, and a hook for every other request. For objects the local
 * API server would never store.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, defineCluster, type Kube } from "../../../src/index.js";

export interface HostileApi {
  url: string;
  kube: Kube;
  /** Every request seen: `METHOD path?query`. */
  seen: string[];
  close(): Promise<void>;
}

/** The resource plural of a path (`/api/v1/namespaces/default/secrets` → `secrets`). */
function pluralOf(path: string): string {
  const parts = path.split("/").filter(Boolean);
  const ns = parts.indexOf("namespaces");
  const rest = ns >= 0 ? parts.slice(ns + 2) : parts.slice(parts[0] === "api" ? 2 : 3);
  return rest[0] ?? "";
}

export async function hostileApi(
  lists: Record<string, unknown[]>,
  other?: (req: IncomingMessage, res: ServerResponse, body: string) => boolean,
): Promise<HostileApi> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      if (other?.(req, res, body)) return;
      const url = new URL(req.url!, "http://x");
      const plural = pluralOf(url.pathname);
      const items = lists[plural];
      if (req.method !== "GET" || !items) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: `${plural} not served` }));
        return;
      }
      if (url.searchParams.get("sendInitialEvents") === "true") {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "BadRequest", code: 400, message: "sendInitialEvents is not supported" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      if (url.searchParams.get("watch")) {
        res.write("");
        return; // open and quiet
      }
      res.end(JSON.stringify({ kind: "List", apiVersion: "v1", metadata: { resourceVersion: "10" }, items }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kube = await connect({ config: defineCluster({ server: url, namespace: "default" }), retry: false });
  return {
    url,
    kube,
    seen,
    async close() {
      await kube.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
