/**
 * Reading a request URL the way kube-apiserver's RequestInfoFactory does: API prefix, group,
 * version, namespace, resource, name, subresource and verb.
 */

/** What a resource request asks for. */
export interface ResourceRequest {
  verb: "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";
  group: string;
  version: string;
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: string | undefined;
  /** Other path parts after the subresource (`pods/x/proxy/...`). */
  rest: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/** Parse a resource path (`/api/v1/namespaces/ns/pods/name/log`), or undefined when it is none. */
export function parseResourcePath(method: string, pathname: string, watchParam: boolean): ResourceRequest | undefined {
  let parts: string[];
  try {
    parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) {
    group = "";
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return undefined;
  let legacyWatch = false;
  if (rest[0] === "watch") {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
    else {
      // The namespace object itself (or its status/finalize subresource).
      rest = ["namespaces", ...rest.slice(1)];
      namespace = undefined;
    }
  }
  const [resource, name, subresource, ...more] = rest;
  if (!resource) return undefined;
  let verb: ResourceRequest["verb"];
  switch (method) {
    case "GET":
    case "HEAD":
      verb = name === undefined ? (legacyWatch || watchParam ? "watch" : "list") : legacyWatch || watchParam ? "watch" : "get";
      break;
    case "POST":
      verb = "create";
      break;
    case "PUT":
      verb = "update";
      break;
    case "PATCH":
      verb = "patch";
      break;
    case "DELETE":
      verb = name === undefined ? "deletecollection" : "delete";
      break;
    default:
      return undefined;
  }
  return { verb, group, version, namespace, resource, name, subresource, rest: more };
}
