/**
 * What kube-apiserver's decoder does with the type of a request body before anything else looks
 * at it: a missing `kind` or `apiVersion` is taken from the endpoint (the decoder's default
 * group/version/kind), a kind the endpoint does not serve is refused with the decoder's message,
 * and an object of another version of the same kind with the handler's version check.
 */
import type { ServedResource } from "./catalog.js";
import { badRequest, invalid } from "./status.js";
import { fieldError, FieldPath } from "../meta/index.js";

type Obj = Record<string, unknown>;

/** The scheme the apiserver's built-in types are registered in, as its errors name it. */
const LEGACY_SCHEME = "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30";

/** Go package names of the internal API groups (`core.Pod`, `apps.Deployment`, `rbac.Role`). */
const INTERNAL_PACKAGES: Record<string, string> = {
  "": "core",
  "events.k8s.io": "core",
  "internal.apiserver.k8s.io": "apiserverinternal",
};

function internalPackage(group: string): string {
  return INTERNAL_PACKAGES[group] ?? group.split(".")[0]!;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * Settle the type of a create/update body for a resource: fill a missing kind and apiVersion
 * from the endpoint (in place), then refuse a body of another kind as kube-apiserver does.
 * `registered(apiVersion, kind)` says whether the server knows the kind at that version.
 */
export function identifyBody(r: ServedResource, obj: Obj, registered: (apiVersion: string, kind: string) => boolean): void {
  const name = typeof (obj.metadata as Obj | undefined)?.name === "string" ? String((obj.metadata as Obj).name) : "";
  if (r.custom) return identifyCustom(r, obj, name);
  identifyAs(r, obj, registered);
}

/** The endpoint's type as the decoder defaults to it. */
export interface ExpectedType {
  group: string;
  apiVersion: string;
  kind: string;
}

/** Settle a body's type against an endpoint's type (a subresource's `Eviction`, a review's kind). */
export function identifyAs(r: ExpectedType, obj: Obj, registered: (apiVersion: string, kind: string) => boolean): void {
  const kind = typeof obj.kind === "string" && obj.kind ? obj.kind : r.kind;
  let apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  // The decoder's defaults: no group and version means the endpoint's; a group without version its version.
  if (!apiVersion) apiVersion = r.apiVersion;
  else if (apiVersion === `${r.group}/`) apiVersion = r.apiVersion;
  obj.kind = kind;
  obj.apiVersion = apiVersion;
  const { group, version } = splitApiVersion(apiVersion);
  if (kind === r.kind && apiVersion === r.apiVersion) return;
  const prefix = `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${r.kind}`;
  if (!registered(apiVersion, kind)) throw badRequest(`${prefix}: no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme ${JSON.stringify(LEGACY_SCHEME)}`);
  if (kind !== r.kind || internalPackage(group) !== internalPackage(r.group)) {
    throw badRequest(`${prefix}: converting (${version}.${kind}) to (${internalPackage(r.group)}.${r.kind}): unknown conversion`);
  }
  throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${r.apiVersion})`);
}

/** Custom resources decode as unstructured: a kind is required, and the type is checked by validation. */
function identifyCustom(r: ServedResource, obj: Obj, name: string): void {
  if (typeof obj.kind !== "string" || !obj.kind) {
    // The apiserver quotes the body here; only its top-level keys are shown, so no data leaks.
    const shape = `{${Object.keys(obj).join(", ")}}`;
    throw badRequest(`the object provided is unrecognized (must be of type ${r.kind}): Object 'Kind' is missing in '${shape}'`);
  }
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  if (apiVersion !== r.apiVersion) {
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${r.apiVersion})`);
  }
  // The custom resource validator's type check.
  if (obj.kind !== r.kind) throw invalid(r.kind, r.group, name, [fieldError("FieldValueInvalid", FieldPath.of("kind"), `must be ${r.kind}`, obj.kind)]);
}

/**
 * How deeply the local server lets a request body nest (objects and arrays). kube-apiserver's
 * decoders stop at 10,000 levels (Go's JSON scanner, `maxNestingDepth`; the YAML scanner's
 * `max_flow_level` and `max_indents`); the local server's pipeline (copies, patches, validation)
 * recurses on a JavaScript stack, so its default is lower. Change it with `maxNestingDepth`.
 */
export const DEFAULT_MAX_NESTING_DEPTH = 1000;

/** kube-apiserver's own nesting limit, the most the local server accepts. */
export const KUBERNETES_MAX_NESTING_DEPTH = 10_000;

/**
 * The bracket that opens a level deeper than `max` in a JSON text, or undefined when the text
 * stays within it. One pass without recursion, strings skipped, as Go's JSON scanner counts:
 * every `{` and `[` is a level.
 */
export function jsonTooDeep(text: string, max: number): "{" | "[" | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return c === 0x7b ? "{" : "[";
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}
