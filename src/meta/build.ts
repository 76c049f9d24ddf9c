/**
 * Schemas built at run time from CRDs and OpenAPI documents (a CRD found among manifests, one
 * created on a server, a cluster's published schemas), with the same mapping the generator writes,
 * as Zod objects (no generated source is evaluated, so this works where `eval` is disabled).
 */
import type * as z from "zod";
// ObjectMeta is built when first needed, not on import (the table builds only what is read).
import { $ as metaV1 } from "#schemas/latest/meta/v1.table.js";
import { SpecError } from "../errors.js";
import { OBJECT_META, readCrdObject } from "./openapi/crd-object.js";
import type { Definition } from "./openapi/ir.js";
import { readOpenApi } from "./openapi/openapi.js";
import { buildSchemas } from "./openapi/zod.js";

export { SpecError };

/** A schema built at run time, with the apiVersion and kind it was registered under. */
export interface BuiltSchema {
  apiVersion: string;
  kind: string;
  schema: z.ZodType;
}

function build(definitions: Definition[], externals: Record<string, z.ZodType>): Map<string, z.ZodType> {
  return buildSchemas(definitions, externals);
}

function kindOf(d: Definition): { apiVersion: string; kind: string } {
  return { apiVersion: d.gvk!.group ? `${d.gvk!.group}/${d.gvk!.version}` : d.gvk!.version, kind: d.gvk!.kind };
}

/**
 * Build and register the schemas of a CustomResourceDefinition object, one per served version.
 * Throws SpecError naming the CRD and the problem when it cannot be read.
 *
 * @example
 * const [httpRoute] = schemasFromCrd(crdObject);
 * httpRoute.schema.parse(manifest);
 */
export function schemasFromCrd(crd: unknown, source = "CustomResourceDefinition"): BuiltSchema[] {
  const defs = readCrdObject(crd, source);
  const built = build(defs, { [OBJECT_META]: metaV1.ObjectMeta });
  return defs.map((d) => ({ ...kindOf(d), schema: built.get(d.name)! }));
}

/**
 * The apiVersion and kind of each schema `schemasFromCrd` would build from a CRD, without building
 * them. Throws SpecError when the CRD cannot be read.
 *
 * @example
 * crdKinds(httpRoutesCrd); // [{ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute" }, …]
 */
export function crdKinds(crd: unknown, source = "CustomResourceDefinition"): Array<{ apiVersion: string; kind: string }> {
  return readCrdObject(crd, source).map(kindOf);
}

/**
 * Build and register every kind defined in an OpenAPI v2 or v3 document (as served at
 * `/openapi/v2` or `/openapi/v3/apis/<group>/<version>`).
 *
 * @example
 * const kinds = schemasFromOpenApi(await (await fetch(url)).json());
 */
export function schemasFromOpenApi(doc: unknown, source = "OpenAPI document"): BuiltSchema[] {
  const model = readOpenApi(doc, source);
  const defs = [...model.definitions.values()];
  const externals: Record<string, z.ZodType> = {};
  if (!model.definitions.has(OBJECT_META)) externals[OBJECT_META] = metaV1.ObjectMeta;
  const built = build(defs, externals);
  return defs
    .filter((d) => d.gvk)
    .map((d) => ({ ...kindOf(d), schema: built.get(d.name)! }));
}
