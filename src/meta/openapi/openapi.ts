/**
 * Kubernetes OpenAPI v2 (`/openapi/v2`, `swagger.json`) and v3 (`/openapi/v3/apis/<g>/<v>`) documents
 * → IR definitions with resource facts read from the paths.
 */
import {
  apiVersionOf,
  type ApiModel,
  type Definition,
  type GroupVersionKind,
  type Node,
  type PatchType,
  type ResourceFacts,
  type SubresourceFacts,
  type Verb,
} from "./ir.js";
import { readSchema, refName, SpecError, type RawSchema } from "./schema-reader.js";
import { knownNames } from "./known-names.js";

const SCALAR_DEFINITIONS: Record<string, () => Node> = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": () => ({ type: "quantity" }),
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": () => ({ type: "int-or-string" }),
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": () => ({ type: "time" }),
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": () => ({ type: "micro-time" }),
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": () => ({ type: "any" }),
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": () => ({
    type: "union",
    options: [schemaPropsRef(), { type: "array", items: schemaPropsRef() }],
  }),
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": () => ({
    type: "union",
    options: [schemaPropsRef(), { type: "boolean" }],
  }),
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": () => ({
    type: "union",
    options: [schemaPropsRef(), { type: "array", items: { type: "string" } }],
  }),
};

function schemaPropsRef(): Node {
  return { type: "ref", name: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps" };
}

const VERSION_SEGMENT = /^v\d+((alpha|beta)\d+)?$/;

/**
 * The module a definition belongs to: `apps/v1` for `io.k8s.api.apps.v1.Deployment`, `meta/v1` for
 * `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, `postgresql.cnpg.io/v1` for
 * `io.cnpg.postgresql.v1.Cluster`, `apimachinery` for the version-less apimachinery packages.
 */
export function moduleOf(definitionName: string): string {
  const parts = definitionName.split(".");
  parts.pop();
  const versionAt = parts.findLastIndex((p) => VERSION_SEGMENT.test(p));
  if (versionAt <= 0) {
    if (definitionName.startsWith("io.k8s.apimachinery.")) return "apimachinery";
    return parts.join(".") || "types";
  }
  const version = parts[versionAt]!;
  if (parts[0] === "io" && parts[1] === "k8s") {
    return `${parts[versionAt - 1]}/${version}`;
  }
  // Reversed-domain packages: io.cnpg.postgresql.v1 → postgresql.cnpg.io/v1
  return `${parts.slice(0, versionAt).reverse().join(".")}/${version}`;
}

function readGvks(raw: unknown): GroupVersionKind[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (g): g is GroupVersionKind =>
      typeof g === "object" && g !== null && typeof g.kind === "string" && typeof g.version === "string",
  ).map((g) => ({ group: g.group ?? "", version: g.version, kind: g.kind }));
}

interface RawOperation {
  "x-kubernetes-action"?: string;
  "x-kubernetes-group-version-kind"?: GroupVersionKind;
  consumes?: string[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { schema?: RawSchema; content?: Record<string, { schema?: RawSchema }> }>;
  parameters?: Array<{ name?: string; in?: string }>;
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;
type Method = (typeof METHODS)[number];

const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

const VERB_ORDER: Verb[] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const SUB_METHOD_VERB: Record<Method, Verb> = {
  get: "get",
  post: "create",
  put: "update",
  patch: "patch",
  delete: "delete",
};

interface PathParts {
  group: string;
  version: string;
  namespaced: boolean;
  plural: string;
  named: boolean;
  subresource?: string;
  watch: boolean;
}

/** Split a REST path into its resource parts; undefined for paths that are not resource paths. */
export function parseResourcePath(path: string): PathParts | undefined {
  const segs = path.split("/").filter(Boolean);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === "api" && segs.length >= 3) {
    group = "";
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === "apis" && segs.length >= 4) {
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  let watch = false;
  if (rest[0] === "watch") {
    watch = true;
    rest = rest.slice(1);
  }
  let namespaced = false;
  if (rest[0] === "namespaces" && rest[1] === "{namespace}" && rest.length >= 3) {
    namespaced = true;
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...tail] = rest;
  if (!plural || plural.startsWith("{") || tail.length) return undefined;
  if (name !== undefined && name !== "{name}") return undefined;
  if (subresource !== undefined && subresource.startsWith("{")) return undefined;
  return { group, version, namespaced, plural, named: name !== undefined, subresource, watch };
}

function responseRef(op: RawOperation): string | undefined {
  const ok = op.responses?.["200"];
  const schema = ok?.schema ?? ok?.content?.["application/json"]?.schema;
  return typeof schema?.$ref === "string" ? refName(schema.$ref) : undefined;
}

function patchTypesOf(op: RawOperation): PatchType[] {
  const types = op.consumes ?? Object.keys(op.requestBody?.content ?? {});
  return types.map((t) => PATCH_TYPES[t]).filter((t): t is PatchType => t !== undefined);
}

interface ResourceDraft {
  facts: ResourceFacts;
  verbs: Set<Verb>;
  subresources: Map<string, { facts: SubresourceFacts; verbs: Set<Verb> }>;
  hasWatchPath: boolean;
  listHasWatchParam: boolean;
}

/** Derive resource facts from the paths of an OpenAPI document. Keyed by `apiVersion/kind`. */
export function readResources(paths: Record<string, Record<string, unknown>>): Map<string, ResourceFacts> {
  const drafts = new Map<string, ResourceDraft>();
  const watchPaths = new Set<string>();
  const draftFor = (parts: PathParts, gvk: GroupVersionKind): ResourceDraft => {
    const key = `${parts.group}/${parts.version}/${parts.plural}`;
    let draft = drafts.get(key);
    if (!draft) {
      draft = {
        facts: {
          group: parts.group,
          version: parts.version,
          kind: gvk.kind,
          plural: parts.plural,
          singular: gvk.kind.toLowerCase(),
          namespaced: parts.namespaced,
          verbs: [],
          subresources: [],
          patchTypes: [],
        },
        verbs: new Set(),
        subresources: new Map(),
        hasWatchPath: false,
        listHasWatchParam: false,
      };
      drafts.set(key, draft);
    }
    if (parts.namespaced) draft.facts.namespaced = true;
    return draft;
  };

  // Resource paths first, subresource paths second, so a subresource always finds its parent's kind.
  const entries = Object.entries(paths)
    .map(([path, item]) => ({ path, item, parts: parseResourcePath(path) }))
    .filter((e): e is { path: string; item: Record<string, unknown>; parts: PathParts } => e.parts !== undefined)
    .sort((a, b) => Number(a.parts.subresource !== undefined) - Number(b.parts.subresource !== undefined));

  for (const { item, parts } of entries) {
    if (parts.watch) {
      watchPaths.add(`${parts.group}/${parts.version}/${parts.plural}`);
      continue;
    }
    for (const method of METHODS) {
      const op = item[method] as RawOperation | undefined;
      if (!op) continue;
      const action = op["x-kubernetes-action"];
      const gvk = op["x-kubernetes-group-version-kind"];
      if (!action || !gvk) continue;
      const opGvk = { group: gvk.group ?? "", version: gvk.version, kind: gvk.kind };
      if (parts.subresource !== undefined) {
        const parent = drafts.get(`${parts.group}/${parts.version}/${parts.plural}`);
        if (!parent) continue;
        let sub = parent.subresources.get(parts.subresource);
        if (!sub) {
          sub = { facts: { name: parts.subresource, ...opGvk, verbs: [] }, verbs: new Set() };
          parent.subresources.set(parts.subresource, sub);
        }
        sub.verbs.add(SUB_METHOD_VERB[method]);
        continue;
      }
      const draft = draftFor(parts, opGvk);
      if (!parts.named) {
        if (method === "get" && action === "list") {
          draft.verbs.add("list");
          const list = responseRef(op);
          if (list) draft.facts.listKind = list.split(".").pop()!;
          if (op.parameters?.some((p) => p.name === "watch")) draft.listHasWatchParam = true;
        } else if (method === "post") draft.verbs.add("create");
        else if (method === "delete") draft.verbs.add("deletecollection");
      } else {
        if (method === "get") draft.verbs.add("get");
        else if (method === "put") draft.verbs.add("update");
        else if (method === "delete") draft.verbs.add("delete");
        else if (method === "patch") {
          draft.verbs.add("patch");
          draft.facts.patchTypes = patchTypesOf(op);
        } else if (method === "post") draft.verbs.add("create");
      }
    }
  }

  const byKind = new Map<string, ResourceFacts>();
  for (const [key, draft] of drafts) {
    if ((watchPaths.has(key) || draft.listHasWatchParam) && draft.verbs.has("list")) draft.verbs.add("watch");
    const facts = draft.facts;
    facts.verbs = VERB_ORDER.filter((v) => draft.verbs.has(v));
    facts.subresources = [...draft.subresources.values()]
      .map(({ facts: sub, verbs }) => ({ ...sub, verbs: VERB_ORDER.filter((v) => verbs.has(v)) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const known = knownNames[`${facts.group}/${facts.plural}`];
    if (known?.shortNames) facts.shortNames = known.shortNames;
    if (known?.categories) facts.categories = known.categories;
    if (known?.nameFormat) facts.nameFormat = known.nameFormat;
    const id = `${apiVersionOf(facts.group, facts.version)}/${facts.kind}`;
    if (!byKind.has(id)) byKind.set(id, facts);
  }
  return byKind;
}

/** A definition name that is a Kubernetes wire scalar (Quantity, Time, …) rather than an object. */
export function isScalarDefinition(name: string): boolean {
  return name in SCALAR_DEFINITIONS;
}

/** Read the definitions of a v2 (`definitions`) or v3 (`components.schemas`) document. */
export function readOpenApi(doc: unknown, source: string): ApiModel {
  if (typeof doc !== "object" || doc === null) throw new SpecError(`${source}: not a JSON object`);
  const d = doc as Record<string, unknown>;
  const isV2 = typeof d.swagger === "string";
  const isV3 = typeof d.openapi === "string";
  if (!isV2 && !isV3) {
    throw new SpecError(`${source}: not an OpenAPI document (no "swagger" or "openapi" version field)`);
  }
  const rawDefs = (isV2 ? d.definitions : (d.components as Record<string, unknown> | undefined)?.schemas) as
    | Record<string, RawSchema>
    | undefined;
  if (!rawDefs || typeof rawDefs !== "object") {
    throw new SpecError(`${source}: the document has no ${isV2 ? "definitions" : "components.schemas"}`);
  }
  const resources = readResources((d.paths ?? {}) as Record<string, Record<string, unknown>>);
  const definitions = new Map<string, Definition>();
  for (const [name, raw] of Object.entries(rawDefs)) {
    const scalar = SCALAR_DEFINITIONS[name];
    const where = `${source}: ${isV2 ? "definitions" : "components.schemas"}.${name}`;
    let node = scalar ? scalar() : readSchema(raw, { where });
    if (scalar && typeof raw.description === "string") node = { ...node, description: raw.description };
    const gvks = readGvks(raw["x-kubernetes-group-version-kind"]);
    const definition: Definition = {
      name,
      module: moduleOf(name),
      exportName: name.split(".").pop()!,
      node,
    };
    if (gvks.length === 1) {
      const gvk = gvks[0]!;
      definition.gvk = gvk;
      definition.node = withTypeMeta(node, gvk);
      const facts = resources.get(`${apiVersionOf(gvk.group, gvk.version)}/${gvk.kind}`);
      if (facts) definition.resource = facts;
    }
    definitions.set(name, definition);
  }
  return { definitions };
}

/** A kind's own `apiVersion` and `kind` become defaulted literals, so list items parse complete. */
export function withTypeMeta(node: Node, gvk: GroupVersionKind): Node {
  if (node.type !== "object" || !("apiVersion" in node.properties) || !("kind" in node.properties)) return node;
  const literal = (value: string, prop: Node): Node => ({
    type: "literal",
    value,
    defaulted: true,
    ...(prop.description !== undefined ? { description: prop.description } : {}),
  });
  return {
    ...node,
    properties: {
      ...node.properties,
      apiVersion: literal(apiVersionOf(gvk.group, gvk.version), node.properties.apiVersion!),
      kind: literal(gvk.kind, node.properties.kind!),
    },
    required: node.required.filter((k) => k !== "apiVersion" && k !== "kind"),
  };
}

/** Merge several models (the per-group-version documents of `/openapi/v3`). */
export function mergeModels(models: ApiModel[]): ApiModel {
  const definitions = new Map<string, Definition>();
  for (const model of models) {
    for (const [name, def] of model.definitions) {
      const existing = definitions.get(name);
      if (!existing || (!existing.resource && def.resource)) definitions.set(name, def);
    }
  }
  return { definitions };
}
