/**
 * Declaring a resource by hand: a schema for a custom resource with its REST facts registered.
 */
import * as z from "zod";
import type { ObjectMeta } from "#schemas/latest/meta/v1.js";
import { $ as metaV1 } from "#schemas/latest/meta/v1.table.js";
import { nullishOf } from "#schemas/runtime.js";
import { defOf } from "./zod.js";
import { kubeMeta, apiVersionOf, type KubeMeta, type PatchType, type SubresourceInfo, type Verb } from "./registry.js";

/** `apps` + `v1` → `"apps/v1"` at the type level; the core group has no prefix. */
export type ApiVersionOf<G extends string, V extends string> = G extends "" ? V : `${G}/${V}`;

/** The object type of a resource defined from a spec/status schema. */
export type ResourceOf<T, A extends string, K extends string> = Omit<T, "apiVersion" | "kind" | "metadata"> & {
  apiVersion: A;
  kind: K;
  metadata?: (T extends { metadata?: infer M } ? M : ObjectMeta) | null;
};

/** Options of {@link defineResource}. */
export interface DefineResourceOptions<G extends string, V extends string, K extends string, S extends z.ZodObject> {
  group: G;
  version: V;
  kind: K;
  /** The lower-case plural used in URLs (`clusters`). */
  plural: string;
  namespaced: boolean;
  /** The object's own fields (`spec`, `status`, …); apiVersion, kind and metadata are added. */
  schema: S;
  singular?: string;
  /** Default: every verb. */
  verbs?: readonly Verb[];
  /** `"status"`, `"scale"` or full subresource descriptions. */
  subresources?: ReadonlyArray<"status" | "scale" | SubresourceInfo>;
  /** Default: JSON patch, merge patch and apply, as for custom resources. */
  patchTypes?: readonly PatchType[];
  listKind?: string;
  shortNames?: readonly string[];
  categories?: readonly string[];
}

const ALL_VERBS: readonly Verb[] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];


/**
 * The schema with every object that would strip unknown keys made loose, so data a newer server
 * sends survives a read-modify-write. Strict objects stay strict; annotations are carried over.
 *
 * @example
 * loosen(z.object({ spec: z.object({ a: z.string() }) })).parse({ spec: { a: "x", b: 1 } }); // b is kept
 */
export function loosen<T extends z.ZodType>(schema: T): T {
  return loosenWith(schema, new Map()) as T;
}

function loosenWith(schema: z.ZodType, seen: Map<z.ZodType, z.ZodType>): z.ZodType {
  const done = seen.get(schema);
  if (done) return done;
  const d = defOf(schema);
  const again = (s: unknown) => loosenWith(s as z.ZodType, seen);
  let out: z.ZodType;
  switch (d.type) {
    case "object": {
      const shape = Object.fromEntries(Object.entries(d.shape as Record<string, z.ZodType>).map(([k, v]) => [k, again(v)]));
      const catchall = d.catchall as z.ZodType | undefined;
      out = catchall ? z.object(shape).catchall(again(catchall)) : z.looseObject(shape);
      break;
    }
    case "array":
      out = z.array(again(d.element));
      break;
    case "record":
      out = z.record(d.keyType as z.ZodString, again(d.valueType));
      break;
    case "optional":
      out = again(d.innerType).optional();
      break;
    case "nullable":
      out = again(d.innerType).nullable();
      break;
    case "default":
      out = again(d.innerType).default(d.defaultValue as never);
      break;
    case "union":
      out = z.union((d.options as z.ZodType[]).map(again) as [z.ZodType, ...z.ZodType[]]);
      break;
    case "lazy": {
      const getter = d.getter as () => z.ZodType;
      out = z.lazy(() => again(getter()));
      break;
    }
    default:
      return schema;
  }
  if (d.checks?.length) out = out.check(...(d.checks as z.core.$ZodCheck<unknown>[]));
  const meta = kubeMeta.get(schema);
  if (meta) out.register(kubeMeta, meta);
  seen.set(schema, out);
  return out;
}

/**
 * Make a resource schema in one call: adds `apiVersion`/`kind` (defaulted) and `metadata`, keeps
 * unknown fields at every level (objects that would strip them are made loose), and registers
 * plural, scope, verbs and subresources so the client can use it.
 *
 * @example
 * import * as z from "zod";
 * import { defineResource } from "kubezod";
 *
 * export const Cluster = defineResource({
 *   group: "postgresql.cnpg.io",
 *   version: "v1",
 *   kind: "Cluster",
 *   plural: "clusters",
 *   namespaced: true,
 *   subresources: ["status", "scale"],
 *   schema: z.object({ spec: z.object({ instances: z.int() }).loose().nullish() }),
 * });
 */
export function defineResource<
  const G extends string,
  const V extends string,
  const K extends string,
  S extends z.ZodObject,
>(options: DefineResourceOptions<G, V, K, S>): z.ZodType<ResourceOf<z.output<S>, ApiVersionOf<G, V>, K>> {
  const { group, version, kind } = options;
  const apiVersion = apiVersionOf(group, version);
  const shape = options.schema.shape as Record<string, z.ZodType>;
  const extension: Record<string, z.ZodType> = {
    apiVersion: z.literal(apiVersion).default(apiVersion),
    kind: z.literal(kind).default(kind),
  };
  if (!("metadata" in shape)) extension.metadata = nullishOf(metaV1.ObjectMeta);
  const schema = (loosen(options.schema) as z.ZodObject).extend(extension);
  const subresources = (options.subresources ?? []).map((s): SubresourceInfo => {
    if (s === "status") return { name: "status", group, version, kind, verbs: ["get", "patch", "update"] };
    if (s === "scale") return { name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] };
    return s;
  });
  const meta: KubeMeta = {
    group,
    version,
    apiVersion,
    kind,
    plural: options.plural,
    singular: options.singular ?? kind.toLowerCase(),
    namespaced: options.namespaced,
    verbs: options.verbs ?? ALL_VERBS,
    subresources,
    patchTypes: options.patchTypes ?? ["json", "merge", "apply"],
    listKind: options.listKind ?? `${kind}List`,
    ...(options.shortNames ? { shortNames: options.shortNames } : {}),
    ...(options.categories ? { categories: options.categories } : {}),
  };
  schema.register(kubeMeta, meta);
  return schema as unknown as z.ZodType<ResourceOf<z.output<S>, ApiVersionOf<G, V>, K>>;
}
