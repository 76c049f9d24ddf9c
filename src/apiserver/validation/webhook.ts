/**
 * k8s.io/apiserver's webhook client checks (`pkg/util/webhook/validation.go`), shared by admission
 * webhooks, CRD conversion webhooks and the API aggregation layer: the URL (https, a host, no user
 * information, query or fragment) and the service reference (name, namespace, port, path).
 */
import { isDNS1123Subdomain } from "../../meta/names.js";
import { FieldPath, invalid, required, type FieldError } from "../field.js";
import { isValidPortNum } from "./strings.js";

const FORM = "; desired format: https://host[/path]";

/** The parts of a URL as Go's `url.Parse` splits them. */
interface GoURL {
  scheme: string;
  user?: string;
  host: string;
  rawQuery: string;
  fragment: string;
}

function parseGoURL(raw: string): GoURL {
  let rest = raw;
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let scheme = "";
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  let rawQuery = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let host = "";
  let user: string | undefined;
  if (rest.startsWith("//")) {
    const authEnd = rest.indexOf("/", 2);
    let authority = authEnd < 0 ? rest.slice(2) : rest.slice(2, authEnd);
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      user = authority.slice(0, at);
      authority = authority.slice(at + 1);
    }
    host = authority;
  }
  return { scheme, host, rawQuery, fragment, ...(user !== undefined ? { user } : {}) };
}

/** User information as printed in errors: the password is never shown. */
function redactedUser(user: string): string {
  const colon = user.indexOf(":");
  return colon < 0 ? user : `${user.slice(0, colon)}:xxxxx`;
}

/**
 * `ValidateWebhookURL`.
 *
 * @example
 * validateWebhookURL(FieldPath.of("url"), "http://example.com/hook?x=1", true);
 * // [url: Invalid value: "http": 'https' is the only allowed URL scheme…, url: Invalid value: "x=1": query parameters are not permitted in the URL]
 */
export function validateWebhookURL(path: FieldPath, url: string, forceHttps: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const u = parseGoURL(url);
  if (forceHttps && u.scheme !== "https") errs.push(invalid(path, u.scheme, `'https' is the only allowed URL scheme${FORM}`));
  if (u.host.length === 0) errs.push(invalid(path, u.host, `host must be specified${FORM}`));
  if (u.user !== undefined) errs.push(invalid(path, redactedUser(u.user), "user information is not permitted in the URL"));
  if (u.fragment.length) errs.push(invalid(path, u.fragment, "fragments are not permitted in the URL"));
  if (u.rawQuery.length) errs.push(invalid(path, u.rawQuery, "query parameters are not permitted in the URL"));
  return errs;
}

/**
 * `ValidateWebhookService`: the service's name, namespace, port and path (DNS subdomain segments).
 *
 * @example
 * validateWebhookService(FieldPath.of("service"), "default", "hook", "/validate", 443); // []
 */
export function validateWebhookService(path: FieldPath, namespace: string, name: string, urlPath: string | undefined, port: number): FieldError[] {
  const errs: FieldError[] = [];
  if (!name) errs.push(required(path.child("name"), "service name is required"));
  if (!namespace) errs.push(required(path.child("namespace"), "service namespace is required"));
  const portErrs = isValidPortNum(port);
  if (portErrs.length) errs.push(invalid(path.child("port"), port, `port is not valid: ${portErrs.join(", ")}`));
  if (urlPath === undefined || urlPath === "/" || urlPath === "") return errs;
  const p = path.child("path");
  if (urlPath === "//") return [...errs, invalid(p, urlPath, "segment[0] may not be empty")];
  if (!urlPath.startsWith("/")) errs.push(invalid(p, urlPath, "must start with a '/'"));
  let toCheck = urlPath.slice(1);
  if (toCheck.endsWith("/")) toCheck = toCheck.slice(0, -1);
  toCheck.split("/").forEach((step, i) => {
    if (step.length === 0) {
      errs.push(invalid(p, urlPath, `segment[${i}] may not be empty`));
      return;
    }
    for (const failure of isDNS1123Subdomain(step)) errs.push(invalid(p, urlPath, `segment[${i}]: ${failure}`));
  });
  return errs;
}
