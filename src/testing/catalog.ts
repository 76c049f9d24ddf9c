/**
 * What the server serves: every resource of a Kubernetes minor, read from the schemas' annotations,
 * plus the resources of CustomResourceDefinitions created at run time.
 */
import type { CustomConversion } from "./conversion.js";
import type * as z from "zod";
import {
  compileValidator,
  loadBuiltinModules,
  nameFormatOf,
  resourceInfo,
  type CompiledValidator,
  type NameFormat,
  type ResourceInfo,
} from "../meta/index.js";
import { compareVersions, isServed, isSubresourceServed, type RuntimeConfig } from "../apiserver/served.js";
import { storageResourceOf } from "../apiserver/conversion.js";
import { deprecationWarning } from "../apiserver/deprecations.js";

export type { RuntimeConfig };

/** How a custom resource is served beyond its schema (from its CRD). */
export interface CustomServing {
  /** The CRD's name (`widgets.example.com`). */
  crdName: string;
  /** The version's `additionalPrinterColumns`. */
  printerColumns: PrinterColumnSpec[];
  /** `selectableFields` JSON paths (without the leading dot). */
  selectableFields: string[];
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /** The version's raw `openAPIV3Schema` (served in OpenAPI and used by `explain`). */
  openAPIV3Schema: Record<string, unknown>;
  storage: boolean;
  /** The schema of each of the CRD's versions, by apiVersion: an object read from storage gets its own version's defaults before it is converted. */
  versionSchemas?: ReadonlyMap<string, z.ZodType>;
  /** Present when the CRD converts between its versions by webhook. */
  conversion?: CustomConversion;
  /** The warning sent with every request to this version, when it is deprecated. */
  deprecationWarning?: string;
}

/** An `additionalPrinterColumns` entry. */
export interface PrinterColumnSpec {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** A resource the server serves at one group/version. */
export interface ServedResource extends ResourceInfo {
  schema: z.ZodType;
  nameFormat: NameFormat;
  /**
   * Objects of every version of a resource share one store, keyed `group/plural`; resources of
   * several groups that kube-apiserver keeps in one storage share the store of one of them
   * (events.k8s.io `events` live in core's `/events`).
   */
  storageKey: string;
  /** Present for custom resources. */
  custom?: CustomServing;
  /** For a built-in type deprecated in the served minor: the warning sent with every request to it. */
  deprecationWarning?: string;
  /** The compiled validator (undefined: use Zod). */
  validate: CompiledValidator | undefined;
}

/** A group with its served versions, preferred first. */
export interface ServedGroup {
  name: string;
  versions: string[];
}

/** The resource table: lookups by URL parts, kind and short name, and discovery order. */
export class Catalog {
  private readonly byPath = new Map<string, ServedResource>();
  private readonly byKind = new Map<string, ServedResource>();
  /** Bumped on every change, so discovery and OpenAPI caches know to rebuild. */
  generation = 0;

  static async builtin(kubernetesVersion: string, runtimeConfig: RuntimeConfig = {}): Promise<Catalog> {
    const catalog = new Catalog();
    const modules = await loadBuiltinModules(kubernetesVersion);
    for (const exports of Object.values(modules)) {
      for (const value of Object.values(exports)) {
        const info = resourceInfo(value as z.ZodType);
        if (!info || !isServed(info.group, info.version, info.plural, runtimeConfig)) continue;
        const served = catalog.add(value as z.ZodType);
        const minor = Number(kubernetesVersion.split(".")[1]);
        if (served.subresources.some((s) => !isSubresourceServed(info.group, info.plural, s.name, minor))) served.subresources = served.subresources.filter((s) => isSubresourceServed(info.group, info.plural, s.name, minor));
        const warning = deprecationWarning(info.apiVersion, info.kind, kubernetesVersion);
        if (warning !== undefined) served.deprecationWarning = warning;
      }
    }
    return catalog;
  }

  /** Serve a schema that has resource annotations. */
  add(schema: z.ZodType, custom?: CustomServing): ServedResource {
    const info = resourceInfo(schema);
    if (!info) throw new TypeError("schema has no resource annotations (plural, kind, version)");
    const served: ServedResource = {
      ...info,
      schema,
      nameFormat: nameFormatOf(schema),
      storageKey: custom ? `${info.group}/${info.plural}` : storageResourceOf(info.group, info.plural),
      validate: compileValidator(schema),
      ...(custom ? { custom } : {}),
    };
    this.byPath.set(`${info.group}/${info.version}/${info.plural}`, served);
    this.byKind.set(`${info.apiVersion}/${info.kind}`, served);
    this.generation++;
    return served;
  }

  /** Stop serving every version of a custom resource. */
  removeCustom(crdName: string): void {
    for (const [key, r] of this.byPath) if (r.custom?.crdName === crdName) this.byPath.delete(key);
    for (const [key, r] of this.byKind) if (r.custom?.crdName === crdName) this.byKind.delete(key);
    this.generation++;
  }

  resource(group: string, version: string, plural: string): ServedResource | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  kind(apiVersion: string, kind: string): ServedResource | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  all(): ServedResource[] {
    return [...this.byPath.values()];
  }

  /** Every version of a group that serves something. */
  versionsOf(group: string): string[] {
    const versions = new Set<string>();
    for (const r of this.byPath.values()) if (r.group === group) versions.add(r.version);
    return [...versions].sort(compareVersions);
  }

  /** Groups in discovery order: core first, then by name; versions preferred first. */
  groups(): ServedGroup[] {
    const names = new Set<string>();
    for (const r of this.byPath.values()) names.add(r.group);
    return [...names]
      .sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)))
      .map((name) => ({ name, versions: this.versionsOf(name) }));
  }

  /** The resources of one group/version, by plural. */
  resourcesOf(group: string, version: string): ServedResource[] {
    return this.all()
      .filter((r) => r.group === group && r.version === version)
      .sort((a, b) => a.plural.localeCompare(b.plural));
  }

  /** Every served version of the store a resource lives in. */
  siblings(storageKey: string): ServedResource[] {
    return this.all().filter((r) => r.storageKey === storageKey);
  }
}
