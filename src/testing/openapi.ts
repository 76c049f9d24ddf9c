/**
 * `/openapi/v2` and `/openapi/v3` generated from the served schemas: definitions named as
 * kube-apiserver names them (`io.k8s.api.apps.v1.Deployment`), `x-kubernetes-*` extensions and
 * `x-kubernetes-group-version-kind` read back from the annotation registry, and the REST paths of
 * every resource with their operations and query parameters (kubectl reads these to learn that the
 * server supports `fieldValidation` and `dryRun`). Custom resources use their CRD's own schema.
 */
import { createHash } from "node:crypto";
import { defOf, isZodSchema } from "../meta/zod.js";
import type * as z from "zod";
import { metaOf, type DocNode } from "../meta/index.js";
import type { Catalog, ServedResource } from "./catalog.js";

type Obj = Record<string, unknown>;
type Schema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };


const APIMACHINERY: Record<string, string> = {
  IntOrString: "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
  Quantity: "io.k8s.apimachinery.pkg.api.resource.Quantity",
  RawExtension: "io.k8s.apimachinery.pkg.runtime.RawExtension",
  Info: "io.k8s.apimachinery.pkg.version.Info",
};

/** kube-apiserver's definition name for a generated module's export. */
export function definitionName(module: string, exportName: string): string {
  if (module === "apimachinery") return APIMACHINERY[exportName] ?? `io.k8s.apimachinery.pkg.${exportName}`;
  const [group, version] = module.split("/") as [string, string];
  if (group === "meta") return `io.k8s.apimachinery.pkg.apis.meta.${version}.${exportName}`;
  if (group === "apiextensions") return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${exportName}`;
  if (group === "apiregistration") return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}.${exportName}`;
  return `io.k8s.api.${group}.${version}.${exportName}`;
}

function crdDefinitionName(group: string, version: string, kind: string): string {
  return [...group.split(".").reverse(), version, kind].join(".");
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "nonoptional", "readonly", "catch"]);

function isOptional(s: Schema): boolean {
  let cur = s;
  for (let i = 0; i < 16; i++) {
    const d = defOf(cur);
    if (d.type === "optional" || d.type === "default" || d.type === "prefault") return true;
    if (!WRAPPERS.has(d.type)) return false;
    cur = d.innerType as Schema;
  }
  return false;
}

/** Converts schemas to OpenAPI, collecting the named definitions they reference. */
class Converter {
  readonly used = new Map<string, Schema>();
  constructor(
    private readonly names: Map<object, string>,
    private readonly refPrefix: string,
  ) {}

  nameOf(s: Schema): string | undefined {
    return this.names.get(defOf(s));
  }

  ref(s: Schema): Obj {
    let cur = s;
    for (let i = 0; i < 16; i++) {
      const name = this.names.get(defOf(cur));
      const extensions = this.fieldExtensions(s);
      if (name) {
        this.used.set(name, cur);
        return { ...extensions, ...(Object.keys(extensions).length ? { allOf: [{ $ref: `${this.refPrefix}${name}` }] } : { $ref: `${this.refPrefix}${name}` }) };
      }
      const d = defOf(cur);
      if (!WRAPPERS.has(d.type) && d.type !== "lazy") break;
      cur = d.type === "lazy" ? (d.getter as () => Schema)() : (d.innerType as Schema);
    }
    return { ...this.body(cur), ...this.fieldExtensions(s) };
  }

  private fieldExtensions(s: Schema): Obj {
    const m = metaOf(s);
    const out: Obj = {};
    if (m.patchStrategy) out["x-kubernetes-patch-strategy"] = m.patchStrategy;
    if (m.patchMergeKey) out["x-kubernetes-patch-merge-key"] = m.patchMergeKey;
    if (m.listType) out["x-kubernetes-list-type"] = m.listType;
    if (m.listMapKeys) out["x-kubernetes-list-map-keys"] = [...m.listMapKeys];
    if (m.mapType) out["x-kubernetes-map-type"] = m.mapType;
    if (m.preserveUnknownFields) out["x-kubernetes-preserve-unknown-fields"] = true;
    if (m.embeddedResource) out["x-kubernetes-embedded-resource"] = true;
    return out;
  }

  /** The schema body of a definition (not a reference to it). */
  body(s: Schema): Obj {
    const d = defOf(s);
    switch (d.type) {
      case "object": {
        const shape = d.shape as Record<string, Schema>;
        const properties: Obj = {};
        const required: string[] = [];
        for (const [k, v] of Object.entries(shape)) {
          properties[k] = this.ref(v);
          if (!isOptional(v)) required.push(k);
        }
        const out: Obj = { type: "object", properties };
        if (required.length) out.required = required;
        const catchall = d.catchall as Schema | undefined;
        if (catchall && !["unknown", "any", "never"].includes(defOf(catchall).type)) out.additionalProperties = this.ref(catchall);
        const m = metaOf(s);
        if (m.kind && m.version) out["x-kubernetes-group-version-kind"] = [{ group: m.group ?? "", kind: m.kind, version: m.version }];
        if (m.mapType) out["x-kubernetes-map-type"] = m.mapType;
        return out;
      }
      case "record":
        return { type: "object", additionalProperties: this.ref(d.valueType as Schema) };
      case "array":
        return { type: "array", items: this.ref(d.element as Schema) };
      case "string": {
        const format = (d as { format?: string }).format;
        return { type: "string", ...(format && format !== "regex" ? { format } : {}) };
      }
      case "number": {
        const format = (d as { format?: string }).format;
        if (format === "safeint" || format === "int32" || format === "int64" || format === "uint32") return { type: "integer", format: format === "int32" ? "int32" : "int64" };
        return { type: "number", format: "double" };
      }
      case "int":
        return { type: "integer", format: "int64" };
      case "boolean":
        return { type: "boolean" };
      case "literal":
        return { type: "string" };
      case "enum":
        return { type: "string", enum: Object.values(d.entries as Record<string, string>) };
      case "union":
        return { type: "string", format: "int-or-string" };
      case "lazy":
        return this.ref((d.getter as () => Schema)());
      default:
        if (WRAPPERS.has(d.type)) return this.body(d.innerType as Schema);
        return {};
    }
  }
}

/** Definitions that are scalars on the wire, as kube-apiserver publishes them. */
const SCALAR_DEFINITIONS: Record<string, Obj> = {
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { type: "string", format: "int-or-string" },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { type: "string" },
  "io.k8s.apimachinery.pkg.runtime.RawExtension": { type: "object" },
};

const PARAMS: Record<string, Obj> = {
  dryRun: { name: "dryRun", in: "query", description: "When present, indicates that modifications should not be persisted.", schema: { type: "string", uniqueItems: true } },
  fieldManager: { name: "fieldManager", in: "query", description: "fieldManager is a name associated with the actor or entity that is making these changes.", schema: { type: "string", uniqueItems: true } },
  fieldValidation: { name: "fieldValidation", in: "query", description: "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.", schema: { type: "string", uniqueItems: true } },
  force: { name: "force", in: "query", description: "Force is going to \"force\" Apply requests.", schema: { type: "boolean", uniqueItems: true } },
  pretty: { name: "pretty", in: "query", description: "If 'true', then the output is pretty printed.", schema: { type: "string", uniqueItems: true } },
  labelSelector: { name: "labelSelector", in: "query", schema: { type: "string", uniqueItems: true } },
  fieldSelector: { name: "fieldSelector", in: "query", schema: { type: "string", uniqueItems: true } },
  limit: { name: "limit", in: "query", schema: { type: "integer", uniqueItems: true } },
  continue: { name: "continue", in: "query", schema: { type: "string", uniqueItems: true } },
  resourceVersion: { name: "resourceVersion", in: "query", schema: { type: "string", uniqueItems: true } },
  resourceVersionMatch: { name: "resourceVersionMatch", in: "query", schema: { type: "string", uniqueItems: true } },
  watch: { name: "watch", in: "query", schema: { type: "boolean", uniqueItems: true } },
  allowWatchBookmarks: { name: "allowWatchBookmarks", in: "query", schema: { type: "boolean", uniqueItems: true } },
  sendInitialEvents: { name: "sendInitialEvents", in: "query", schema: { type: "boolean", uniqueItems: true } },
  timeoutSeconds: { name: "timeoutSeconds", in: "query", schema: { type: "integer", uniqueItems: true } },
  gracePeriodSeconds: { name: "gracePeriodSeconds", in: "query", schema: { type: "integer", uniqueItems: true } },
  propagationPolicy: { name: "propagationPolicy", in: "query", schema: { type: "string", uniqueItems: true } },
};

const PATCH_TYPES: Record<string, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

function v3Params(names: string[]): Obj[] {
  return names.map((n) => PARAMS[n]!);
}

function v2Params(names: string[]): Obj[] {
  return names.map((n) => {
    const { schema, ...rest } = PARAMS[n]! as { schema: Obj };
    return { ...rest, ...schema };
  });
}

/** Builds and caches the OpenAPI documents. */
/**
 * A definition with its descriptions: the type's, and each property's (a reference becomes
 * `allOf: [{ $ref }]` in v3, as kube-apiserver writes it, so the description can sit beside it).
 */
function describe(definition: Obj, doc: DocNode, v3: boolean): Obj {
  const out: Obj = { ...(doc.description ? { description: doc.description } : {}), ...definition };
  const properties = definition.properties as Record<string, Obj> | undefined;
  if (properties && doc.properties) {
    const described: Record<string, Obj> = {};
    for (const [name, prop] of Object.entries(properties)) {
      const pd = doc.properties[name];
      if (!pd?.description) {
        described[name] = prop;
        continue;
      }
      const base = v3 && typeof prop.$ref === "string" ? { allOf: [{ $ref: prop.$ref }], ...Object.fromEntries(Object.entries(prop).filter(([k]) => k !== "$ref")) } : prop;
      described[name] = { description: pd.description, ...base };
    }
    out.properties = described;
  }
  return out;
}

export class OpenApi {
  /** Definition names by schema definition object (clones share their definition). */
  private readonly names = new Map<object, string>();
  private readonly byName = new Map<string, Schema>();
  /** Go-style type names by schema (for decode errors). */
  readonly structNames = new WeakMap<object, string>();
  private cache = new Map<string, { generation: number; doc: Obj; hash: string }>();

  /** Descriptions by definition name. */
  private readonly docs = new Map<string, DocNode>();

  constructor(
    modules: Record<string, Record<string, unknown>>,
    readonly minor: string,
    docs: Record<string, Record<string, DocNode>> = {},
  ) {
    for (const [module, exports] of Object.entries(modules)) {
      for (const [exportName, value] of Object.entries(exports)) {
        if (!isZodSchema(value)) continue;
        const def = defOf(value as Schema);
        if (!this.names.has(def)) {
          const name = definitionName(module, exportName);
          this.names.set(def, name);
          this.byName.set(name, value as Schema);
          const doc = docs[module]?.[exportName];
          if (doc) this.docs.set(name, doc);
        }
        this.structNames.set(value, exportName);
      }
    }
  }

  /** The definition name of a built-in schema node (`io.k8s.api.core.v1.PodSpec`), if it has one. */
  definitionNameOf(schema: Schema): string | undefined {
    return this.names.get(defOf(schema));
  }

  private customNames(catalog: Catalog): Map<object, string> {
    const names = new Map(this.names);
    for (const r of catalog.all()) if (r.custom) names.set(defOf(r.schema), crdDefinitionName(r.group, r.version, r.kind));
    return names;
  }

  /** The definitions (by name) needed for a set of resources, in a converter's notation. */
  private definitions(resources: ServedResource[], catalog: Catalog, refPrefix: string): { defs: Obj; names: Map<object, string> } {
    const names = this.customNames(catalog);
    const conv = new Converter(names, refPrefix);
    const defs: Obj = {};
    const pending: Array<[string, Schema]> = [];
    for (const r of resources) {
      const name = names.get(defOf(r.schema))!;
      if (r.custom) {
        defs[name] = customDefinition(r, conv);
      } else pending.push([name, r.schema]);
      for (const s of r.subresources) {
        if (s.kind === "Scale") {
          const scale = catalog.kind("autoscaling/v1", "Scale")?.schema ?? this.byName.get("io.k8s.api.autoscaling.v1.Scale");
          if (scale) pending.push([names.get(defOf(scale)) ?? "io.k8s.api.autoscaling.v1.Scale", scale]);
        }
      }
    }
    for (const extra of ["io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"]) {
      const s = this.byName.get(extra);
      if (s) pending.push([extra, s]);
    }
    while (pending.length || conv.used.size) {
      for (const [n, s] of conv.used) {
        conv.used.delete(n);
        if (!(n in defs)) pending.push([n, s]);
      }
      const next = pending.shift();
      if (!next) continue;
      const [n, s] = next;
      if (n in defs) continue;
      const body = SCALAR_DEFINITIONS[n] ?? conv.body(s);
      const doc = this.docs.get(n);
      defs[n] = doc ? describe(body, doc, refPrefix.includes("components")) : body;
    }
    return { defs, names };
  }

  private paths(resources: ServedResource[], names: Map<object, string>, refPrefix: string, v3: boolean): Obj {
    const paths: Obj = {};
    const schemaRef = (r: ServedResource) => ({ $ref: `${refPrefix}${names.get(defOf(r.schema))!}` });
    const params = v3 ? v3Params : v2Params;
    const body = (schema: Obj, types: string[]) =>
      v3 ? { requestBody: { content: Object.fromEntries(types.map((t) => [t, { schema }])), required: true } } : { parameters: [{ name: "body", in: "body", required: true, schema }] };
    const response = (schema: Obj) => (v3 ? { responses: { "200": { description: "OK", content: { "application/json": { schema } } } } } : { responses: { "200": { description: "OK", schema } } });
    for (const r of resources) {
      const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
      const gvk = { group: r.group, version: r.version, kind: r.kind };
      const op = (action: string, verb: string, extra: Obj, query: string[]) => {
        const o: Obj = {
          operationId: `${verb}${r.kind}`,
          "x-kubernetes-action": action,
          "x-kubernetes-group-version-kind": gvk,
          ...extra,
        };
        const ps = params(query);
        o.parameters = [...((o.parameters as Obj[] | undefined) ?? []), ...ps];
        return o;
      };
      const pathParams = (withName: boolean) => [
        ...(withName ? [{ name: "name", in: "path", required: true, ...(v3 ? { schema: { type: "string", uniqueItems: true } } : { type: "string", uniqueItems: true }) }] : []),
        ...(r.namespaced ? [{ name: "namespace", in: "path", required: true, ...(v3 ? { schema: { type: "string", uniqueItems: true } } : { type: "string", uniqueItems: true }) }] : []),
      ];
      const collection: Obj = { parameters: [...pathParams(false), ...params(["pretty"])] };
      if (r.verbs.includes("list")) collection.get = op("list", "list", response({ type: "object" }), ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "resourceVersionMatch", "watch", "allowWatchBookmarks", "sendInitialEvents", "timeoutSeconds"]);
      if (r.verbs.includes("create")) collection.post = op("post", "create", { ...body(schemaRef(r), ["application/json", "application/yaml"]), ...response(schemaRef(r)) }, ["dryRun", "fieldManager", "fieldValidation"]);
      if (r.verbs.includes("deletecollection")) collection.delete = op("deletecollection", "deletecollection", response({ type: "object" }), ["dryRun", "labelSelector", "fieldSelector", "propagationPolicy", "gracePeriodSeconds"]);
      paths[base] = collection;
      const item: Obj = { parameters: [...pathParams(true), ...params(["pretty"])] };
      if (r.verbs.includes("get")) item.get = op("get", "read", response(schemaRef(r)), []);
      if (r.verbs.includes("update")) item.put = op("put", "replace", { ...body(schemaRef(r), ["application/json", "application/yaml"]), ...response(schemaRef(r)) }, ["dryRun", "fieldManager", "fieldValidation"]);
      if (r.verbs.includes("patch")) {
        const patchSchema = { $ref: `${refPrefix}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` };
        item.patch = op("patch", "patch", { ...body(patchSchema, r.patchTypes.map((p) => PATCH_TYPES[p]!)), ...response(schemaRef(r)) }, ["dryRun", "fieldManager", "fieldValidation", "force"]);
      }
      if (r.verbs.includes("delete")) item.delete = op("delete", "delete", response({ $ref: `${refPrefix}io.k8s.apimachinery.pkg.apis.meta.v1.Status` }), ["dryRun", "gracePeriodSeconds", "propagationPolicy"]);
      paths[`${base}/{name}`] = item;
      for (const s of r.subresources) {
        if (s.name !== "status" && s.name !== "scale") continue;
        const target = s.name === "scale" ? { $ref: `${refPrefix}io.k8s.api.autoscaling.v1.Scale` } : schemaRef(r);
        const sgvk = s.kind === "Scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : gvk;
        const sop = (action: string, extra: Obj, query: string[]) => ({ ...op(action, action, extra, query), "x-kubernetes-group-version-kind": sgvk });
        paths[`${base}/{name}/${s.name}`] = {
          parameters: [...pathParams(true), ...params(["pretty"])],
          get: sop("get", response(target), []),
          put: sop("put", { ...body(target, ["application/json", "application/yaml"]), ...response(target) }, ["dryRun", "fieldManager", "fieldValidation"]),
          patch: sop("patch", { ...body({ $ref: `${refPrefix}io.k8s.apimachinery.pkg.apis.meta.v1.Patch` }, r.patchTypes.map((p) => PATCH_TYPES[p]!)), ...response(target) }, ["dryRun", "fieldManager", "fieldValidation", "force"]),
        };
      }
    }
    return paths;
  }

  /** The document served at an `/openapi/...` path, or undefined when there is none. */
  document(path: string, catalog: Catalog): Obj | undefined {
    const cached = this.cache.get(path);
    if (cached && cached.generation === catalog.generation) return cached.doc;
    const doc = this.build(path, catalog);
    if (doc) this.cache.set(path, { generation: catalog.generation, doc, hash: createHash("sha512").update(JSON.stringify(doc)).digest("hex").slice(0, 64).toUpperCase() });
    return doc;
  }

  /** A content hash of a document (its ETag, and the `hash` in the v3 index). */
  hashOf(path: string, catalog: Catalog): string {
    this.document(path, catalog);
    return this.cache.get(path)?.hash ?? "";
  }

  private build(path: string, catalog: Catalog): Obj | undefined {
    const info = { title: "Kubernetes", version: `${this.minor}.0` };
    if (path === "/openapi/v2") {
      const resources = catalog.all();
      const { defs, names } = this.definitions(resources, catalog, "#/definitions/");
      return { swagger: "2.0", info, paths: this.paths(resources, names, "#/definitions/", false), definitions: defs };
    }
    if (path === "/openapi/v3") {
      const paths: Obj = {};
      for (const g of catalog.groups()) {
        for (const v of g.versions) {
          const key = g.name ? `apis/${g.name}/${v}` : `api/${v}`;
          paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${this.hashOf(`/openapi/v3/${key}`, catalog)}` };
        }
      }
      return { paths };
    }
    const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (!m) return undefined;
    const group = m[1] ? "" : m[2]!;
    const version = m[1] ?? m[3]!;
    const resources = catalog.resourcesOf(group, version);
    if (!resources.length) return undefined;
    const { defs, names } = this.definitions(resources, catalog, "#/components/schemas/");
    return {
      openapi: "3.0.0",
      info,
      paths: this.paths(resources, names, "#/components/schemas/", true),
      components: { schemas: defs },
    };
  }
}

/** A custom resource's definition: its CRD schema with metadata referencing ObjectMeta. */
function customDefinition(r: ServedResource, conv: Converter): Obj {
  const raw = structuredClone(r.custom!.openAPIV3Schema) as Obj;
  const properties = { ...((raw.properties as Obj | undefined) ?? {}) };
  const shape = (defOf(r.schema).shape as Record<string, Schema> | undefined) ?? {};
  if (shape.metadata) properties.metadata = conv.ref(shape.metadata);
  properties.apiVersion = { ...((properties.apiVersion as Obj | undefined) ?? {}), type: "string" };
  properties.kind = { ...((properties.kind as Obj | undefined) ?? {}), type: "string" };
  return { ...raw, type: "object", properties, "x-kubernetes-group-version-kind": [{ group: r.group, kind: r.kind, version: r.version }] };
}
