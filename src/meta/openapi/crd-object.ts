/**
 * A parsed CustomResourceDefinition object → IR definitions, one per served version (no YAML
 * reading here, so that building schemas at run time does not load a YAML library).
 */
import type { Definition, Node, ObjectNode, ResourceFacts, SubresourceFacts } from "./ir.js";
import { readSchema, SpecError } from "./schema-reader.js";

export const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

const ALL_VERBS: ResourceFacts["verbs"] = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `gateway.networking.k8s.io` + `v1` + `HTTPRoute` → `io.k8s.networking.gateway.v1.HTTPRoute`, as kube-apiserver names it. */
export function crdDefinitionName(group: string, version: string, kind: string): string {
  return [...group.split(".").reverse(), version, kind].join(".");
}

function requireString(obj: Raw, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== "string" || !v) throw new SpecError(`${where}: missing ${key}`);
  return v;
}

/** The IR root of a custom resource: its own schema with apiVersion/kind/metadata made exact. */
function resourceNode(schema: Node, group: string, version: string, kind: string, where: string): ObjectNode {
  const root: ObjectNode =
    schema.type === "object"
      ? { ...schema, properties: { ...schema.properties } }
      : schema.type === "any"
        ? { type: "object", properties: {}, required: [], ...(schema.facts ? { facts: schema.facts } : {}) }
        : (() => {
            throw new SpecError(`${where}: openAPIV3Schema must be an object schema`);
          })();
  const apiVersion = `${group}/${version}`;
  root.properties.apiVersion = {
    type: "literal",
    value: apiVersion,
    defaulted: true,
    description: root.properties.apiVersion?.description ?? "APIVersion of this resource.",
  };
  root.properties.kind = {
    type: "literal",
    value: kind,
    defaulted: true,
    description: root.properties.kind?.description ?? "Kind of this resource.",
  };
  root.properties.metadata = {
    type: "ref",
    name: OBJECT_META,
    description: root.properties.metadata?.description ?? "Standard object's metadata.",
  };
  root.required = root.required.filter((k) => k !== "apiVersion" && k !== "kind" && k !== "metadata");
  return root;
}

/**
 * The definitions of one parsed CustomResourceDefinition object, one per served version; none
 * when the object is not a CRD.
 */
export function readCrdObject(crd: unknown, source: string): Definition[] {
  if (!isRecord(crd) || crd.kind !== "CustomResourceDefinition") return [];
  const out: Definition[] = [];
  const crdName = isRecord(crd.metadata) && typeof crd.metadata.name === "string" ? crd.metadata.name : "(unnamed)";
  const where = `${source}: CustomResourceDefinition ${crdName}`;
  if (crd.apiVersion !== "apiextensions.k8s.io/v1" && crd.apiVersion !== "apiextensions.k8s.io/v1beta1") {
    throw new SpecError(`${where}: unsupported apiVersion ${JSON.stringify(crd.apiVersion)}`);
  }
  const spec = crd.spec;
  if (!isRecord(spec)) throw new SpecError(`${where}: missing spec`);
  const group = requireString(spec, "group", `${where}: spec`);
  const names = spec.names;
  if (!isRecord(names)) throw new SpecError(`${where}: missing spec.names`);
  const kind = requireString(names, "kind", `${where}: spec.names`);
  const plural = requireString(names, "plural", `${where}: spec.names`);
  const scope = spec.scope;
  if (scope !== "Namespaced" && scope !== "Cluster") {
    throw new SpecError(`${where}: spec.scope must be Namespaced or Cluster, got ${JSON.stringify(scope)}`);
  }
  const versions = Array.isArray(spec.versions)
    ? spec.versions
    : typeof spec.version === "string"
      ? [{ name: spec.version, served: true }]
      : [];
  if (!versions.length) throw new SpecError(`${where}: spec.versions is empty`);
  versions.forEach((v: unknown, i: number) => {
    if (!isRecord(v)) throw new SpecError(`${where}: spec.versions[${i}] is not an object`);
    const version = requireString(v, "name", `${where}: spec.versions[${i}]`);
    if (v.served === false) return;
    const vwhere = `${where} version ${version}`;
    const schemaHolder = isRecord(v.schema) ? v.schema : isRecord(spec.validation) ? spec.validation : undefined;
    const raw = schemaHolder?.openAPIV3Schema;
    if (!isRecord(raw)) {
      throw new SpecError(`${vwhere}: has no schema (spec.versions[${i}].schema.openAPIV3Schema)`);
    }
    const node = resourceNode(readSchema(raw, { where: `${vwhere}: openAPIV3Schema`, crd: true }), group, version, kind, vwhere);
    const subs = isRecord(v.subresources) ? v.subresources : isRecord(spec.subresources) ? spec.subresources : {};
    const subresources: SubresourceFacts[] = [];
    if (isRecord(subs.scale)) {
      subresources.push({ name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] });
    }
    if (isRecord(subs.status)) {
      subresources.push({ name: "status", group, version, kind, verbs: ["get", "patch", "update"] });
    }
    const resource: ResourceFacts = {
      group,
      version,
      kind,
      plural,
      singular: typeof names.singular === "string" && names.singular ? names.singular : kind.toLowerCase(),
      namespaced: scope === "Namespaced",
      verbs: ALL_VERBS,
      subresources,
      patchTypes: ["json", "merge", "apply"],
      listKind: typeof names.listKind === "string" && names.listKind ? names.listKind : `${kind}List`,
    };
    if (Array.isArray(names.shortNames) && names.shortNames.length) resource.shortNames = names.shortNames as string[];
    if (Array.isArray(names.categories) && names.categories.length) resource.categories = names.categories as string[];
    const name = crdDefinitionName(group, version, kind);
    out.push({ name, module: `${group}/${version}`, exportName: kind, node, gvk: { group, version, kind }, resource });
  });
  if (!out.length) throw new SpecError(`${where}: no served versions`);
  return out;
}
