/**
 * `pods/proxy` and `services/proxy`: an HTTP request to
 * `/api/v1/namespaces/NS/pods/[scheme:]NAME[:PORT]/proxy/PATH` (or `services/…`) is sent to the
 * pod's port — reached, as port-forward reaches it, through the target the test names for that
 * port (`portForward` of `startTestServer`) — and the answer is passed back. A Service is reached
 * through one of the pods its selector picks (ready ones first), at the port its `targetPort`
 * names, as the apiserver picks an endpoint. Failures are the apiserver's: a missing pod or
 * Service is 404, a Service without a backing pod 503 `no endpoints available for service "x"`,
 * a target that cannot be reached 500 `error trying to reach service: …`.
 */
import * as http from "node:http";
import type { Duplex } from "node:stream";
import type { KubeApiError } from "../errors.js";
import type { PortForwardHandler, PortForwardRequest } from "./exec.js";
import { notFound, statusError } from "./status.js";
import type { Store } from "./store.js";
import { labelsMatch, podReady, targetPort } from "./controllers/util.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** `SplitSchemeNamePort`: `name`, `name:port` or `scheme:name:port`. */
function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(":");
  if (parts.length === 1) return { scheme: "", name: parts[0]!, port: "" };
  if (parts.length === 2) return { scheme: "", name: parts[0]!, port: parts[1]! };
  if (parts.length === 3 && (parts[0] === "http" || parts[0] === "https")) return { scheme: parts[0], name: parts[1]!, port: parts[2]! };
  return undefined;
}

/**
 * Where a proxy request goes: the pod and port, or the apiserver's error.
 *
 * @example
 * const target = proxyTarget(store, "pods", "default", "web:8080"); // { namespace: "default", pod: "web", port: 8080 }
 */
export function proxyTarget(store: Store, resource: "pods" | "services", namespace: string, id: string): PortForwardRequest | KubeApiError {
  const parsed = splitSchemeNamePort(id);
  if (!parsed || !parsed.name) return statusError(400, "BadRequest", `invalid ${resource === "pods" ? "pod" : "service"} request ${JSON.stringify(id)}`);
  if (resource === "pods") {
    const pod = store.get("/pods", namespace, parsed.name);
    if (!pod) return notFound({ group: "", plural: "pods" }, parsed.name);
    const port = parsed.port === "" ? 80 : /^\d+$/.test(parsed.port) ? Number(parsed.port) : undefined;
    if (port === undefined) return statusError(500, "", `error trying to reach service: dial tcp: lookup port ${parsed.port}: unknown port`);
    return { namespace, pod: parsed.name, port };
  }
  const svc = store.get("/services", namespace, parsed.name);
  if (!svc) return notFound({ group: "", plural: "services" }, parsed.name);
  const spec = isObj(svc.spec) ? svc.spec : {};
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isObj) : [];
  // A port by name, or by number; none given: the Service's unnamed (only) port.
  const servicePort = ports.find((p) => (parsed.port === "" ? !p.name || ports.length === 1 : p.name === parsed.port || String(p.port) === parsed.port));
  const selector = isObj(spec.selector) ? spec.selector : undefined;
  const noEndpoints = () => statusError(503, "ServiceUnavailable", `no endpoints available for service ${JSON.stringify(parsed.name)}`);
  if (!servicePort || !selector || !Object.keys(selector).length) return noEndpoints();
  const pods = store
    .list("/pods", namespace)
    .filter((p) => labelsMatch(selector, p.metadata.labels) && !p.metadata.deletionTimestamp)
    .sort((a, b) => Number(podReady(b)) - Number(podReady(a)) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  for (const pod of pods) {
    const port = targetPort(pod, servicePort);
    if (port !== undefined) return { namespace, pod: String(pod.metadata.name), port };
  }
  return noEndpoints();
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "proxy-authenticate", "proxy-authorization"]);

/**
 * Send a proxied request to its target (through the port-forward handler) and pass the answer
 * back; `path` is what follows `/proxy` (with the query). The client's credentials are not passed
 * on, as the apiserver strips them.
 *
 * @example
 * forwardProxy(req, res, target, handler, "/healthz", body, (e) => sendError(e));
 */
export function forwardProxy(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: PortForwardRequest,
  handler: PortForwardHandler,
  path: string,
  body: Buffer | undefined,
  fail: (e: KubeApiError) => void,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || k === "authorization" || k === "host" || k.startsWith(":")) continue;
    headers[k] = v;
  }
  headers.host = `${target.pod}:${target.port}`;
  if (body?.length) headers["content-length"] = String(body.length);
  else delete headers["content-length"];
  let settled = false;
  const failOnce = (message: string) => {
    if (settled) return;
    settled = true;
    fail(statusError(500, "", `error trying to reach service: ${message}`));
  };
  let connection: Duplex;
  try {
    connection = handler(target);
  } catch (e) {
    return failOnce((e as Error).message);
  }
  const out = http.request({ method: req.method, path: path || "/", headers, createConnection: () => connection as never }, (answer) => {
    if (settled) return void answer.resume();
    settled = true;
    const back: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) back[k] = v;
    res.writeHead(answer.statusCode ?? 502, back);
    answer.pipe(res);
    answer.on("error", () => res.destroy());
  });
  out.on("error", (e) => failOnce(e.message));
  connection.on("error", (e) => failOnce(e.message));
  res.on("close", () => {
    out.destroy();
    connection.destroy();
  });
  out.end(body?.length ? body : undefined);
}
