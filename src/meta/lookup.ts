/**
 * Finding a schema by apiVersion and kind, loading only the modules that define it.
 */
import type * as z from "zod";
import { latest, releases } from "#schemas/releases.js";
import { kubeMeta } from "./registry.js";
import type { DocNode } from "#schemas/runtime.js";

export type { DocNode };

interface Catalog {
  modules: Record<string, () => Promise<Record<string, unknown>>>;
  docs: Record<string, () => Promise<{ default: Record<string, DocNode> }>>;
  kinds: Record<string, Record<string, string>>;
  /** Per apiVersion and kind, the loader of the generated file defining it: a table whose definitions are built when first read. */
  tables: Record<string, Record<string, () => Promise<{ $: Record<string, unknown> }>>>;
}

const catalogs = new Map<string, Promise<Catalog>>();

/**
 * The Kubernetes minors whose built-in schemas are bundled (`v1.28` … `v1.36`).
 *
 * @example
 * kubernetesVersions; // ["v1.28", …, "v1.36"]
 */
export const kubernetesVersions: readonly string[] = releases;

/**
 * The newest bundled minor (what `kubezod/k8s` exports).
 *
 * @example
 * latestKubernetesVersion; // "v1.36"
 */
export const latestKubernetesVersion: string = latest;

/**
 * Normalise a Kubernetes version (`1.30`, `v1.30`, `1.30.2`, `v1.30.0-gke.1`) to a bundled minor.
 * Throws a RangeError naming the bundled minors when it is not one of them.
 *
 * @example
 * normalizeKubernetesVersion("1.31.4"); // "v1.31"
 */
export function normalizeKubernetesVersion(version: string | undefined): string {
  if (version === undefined) return latest;
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  const name = m ? `v${m[1]}.${m[2]}` : undefined;
  if (!name || !releases.includes(name)) {
    throw new RangeError(
      `Kubernetes version ${JSON.stringify(version)} has no bundled schemas; choose one of ${releases.join(", ")}`,
    );
  }
  return name;
}

function catalogFor(release: string): Promise<Catalog> {
  let c = catalogs.get(release);
  if (!c) {
    c = import(`#schemas/${release}/catalog.js`) as Promise<Catalog>;
    catalogs.set(release, c);
  }
  return c;
}

/** Options for {@link schemaFor}. */
export interface SchemaLookupOptions {
  /** Which bundled Kubernetes minor to use (default: the newest). */
  kubernetesVersion?: string;
}

/**
 * The schema of an apiVersion and kind: a built-in of the chosen Kubernetes minor, or a schema
 * registered at run time (generated CRD modules, `defineResource`). Only the kind and what it
 * refers to are built (the same instance its module exports). Undefined when nothing defines it.
 *
 * @example
 * const Deployment = await schemaFor({ apiVersion: "apps/v1", kind: "Deployment" }, { kubernetesVersion: "1.30" });
 */
export async function schemaFor(
  type: { apiVersion: string; kind: string },
  options: SchemaLookupOptions = {},
): Promise<z.ZodType | undefined> {
  const release = normalizeKubernetesVersion(options.kubernetesVersion);
  const catalog = await catalogFor(release);
  // Own properties only: a kind named like an Object.prototype member is no kind of the catalog's.
  const table = Object.hasOwn(catalog.tables, type.apiVersion) ? catalog.tables[type.apiVersion]! : undefined;
  const file = table && Object.hasOwn(table, type.kind) ? table[type.kind] : undefined;
  if (file) {
    const schema = (await file()).$[type.kind];
    if (schema) return schema as z.ZodType;
  }
  const module = catalog.kinds[type.apiVersion]?.[type.kind];
  if (module) {
    const load = catalog.modules[module];
    if (load) {
      const mod = await load();
      const schema = mod[type.kind];
      if (schema) return schema as z.ZodType;
    }
  }
  // A built-in kind of another minor is not this minor's kind, even if that minor's module is loaded.
  if (await isBuiltinSomewhere(type.apiVersion, type.kind)) return undefined;
  return kubeMeta.byKind(type.apiVersion, type.kind);
}

async function isBuiltinSomewhere(apiVersion: string, kind: string): Promise<boolean> {
  for (const release of releases) {
    if ((await catalogFor(release)).kinds[apiVersion]?.[kind]) return true;
  }
  return false;
}

/**
 * The schema of an object, from its own `apiVersion` and `kind`.
 *
 * @example
 * const schema = await schemaForObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } });
 */
export async function schemaForObject(obj: unknown, options: SchemaLookupOptions = {}): Promise<z.ZodType | undefined> {
  if (typeof obj !== "object" || obj === null) return undefined;
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  return schemaFor({ apiVersion, kind }, options);
}

/**
 * Every apiVersion and kind that has a built-in schema in a Kubernetes minor, by apiVersion.
 *
 * @example
 * const kinds = await builtinKinds("1.36");
 * kinds["apps/v1"]; // ["ControllerRevision", "DaemonSet", …]
 */
export async function builtinKinds(kubernetesVersion?: string): Promise<Record<string, string[]>> {
  const catalog = await catalogFor(normalizeKubernetesVersion(kubernetesVersion));
  return Object.fromEntries(Object.entries(catalog.kinds).map(([v, kinds]) => [v, Object.keys(kinds)]));
}

/**
 * Load every built-in module of a Kubernetes minor and return its exports by module name
 * (`apps/v1`, `core/v1`, …). Used by tools that need all kinds at once.
 *
 * @example
 * const modules = await loadBuiltinModules("1.36");
 * modules["apps/v1"].Deployment;
 */
export async function loadBuiltinModules(kubernetesVersion?: string): Promise<Record<string, Record<string, unknown>>> {
  const catalog = await catalogFor(normalizeKubernetesVersion(kubernetesVersion));
  const entries = await Promise.all(Object.entries(catalog.modules).map(async ([name, load]) => [name, await load()] as const));
  return Object.fromEntries(entries);
}

/**
 * The OpenAPI descriptions of every definition of a Kubernetes minor, by module and export name
 * (`docs["apps/v1"].Deployment.properties.spec.description`). Loaded on demand: the schemas
 * themselves carry none.
 *
 * @example
 * const docs = await loadDescriptions("1.36");
 * docs["apps/v1"]?.Deployment?.description; // "Deployment enables declarative updates …"
 */
export async function loadDescriptions(kubernetesVersion?: string): Promise<Record<string, Record<string, DocNode>>> {
  const catalog = await catalogFor(normalizeKubernetesVersion(kubernetesVersion));
  const entries = await Promise.all(Object.entries(catalog.docs).map(async ([name, load]) => [name, (await load()).default] as const));
  return Object.fromEntries(entries);
}
