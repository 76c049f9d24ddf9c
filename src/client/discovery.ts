/**
 * API discovery: aggregated (`apidiscovery.k8s.io/v2`, one request per root) when the server offers
 * it, the per-group-version documents otherwise; and schemas for kinds that have no bundled one.
 */
import * as z from "zod";
import { UsageError } from "../errors.js";
import { $ as metaV1 } from "#schemas/latest/meta/v1.table.js";
import { nullishOf } from "#schemas/runtime.js";
import { schemasFromOpenApi } from "../meta/build.js";
import { kubeMeta, resourceInfo, type KubeMeta, type ResourceInfo, type SubresourceInfo, type Verb } from "../meta/registry.js";
import type { KubeResponse } from "../transport/response.js";
import type { Transport } from "../transport/transport.js";

/** A resource the server serves: the facts `resourceInfo` gives, as discovery reports them. */
export interface DiscoveredResource extends Omit<ResourceInfo, "verbs" | "patchTypes" | "listKind"> {
  /** The verbs discovery lists (may include verbs beyond the standard eight). */
  verbs: readonly string[];
  /** Whether this is the group's preferred version. */
  preferred: boolean;
}

/** A group and its versions, preferred first. */
export interface DiscoveredGroup {
  name: string;
  preferredVersion: string;
  versions: string[];
}

/** Everything discovery found. */
export interface DiscoveryResult {
  groups: DiscoveredGroup[];
  resources: DiscoveredResource[];
  /** Whether the server answered with aggregated discovery. */
  aggregated: boolean;
}

const AGGREGATED =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

interface AggregatedList {
  kind?: string;
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      resources?: Array<{
        resource: string;
        responseKind?: { group?: string; version?: string; kind?: string };
        scope?: string;
        singularResource?: string;
        verbs?: string[];
        shortNames?: string[];
        categories?: string[];
        subresources?: Array<{ subresource: string; responseKind?: { group?: string; version?: string; kind?: string }; verbs?: string[] }>;
      }>;
    }>;
  }>;
}

interface ResourceList {
  groupVersion: string;
  resources: Array<{ name: string; singularName?: string; namespaced: boolean; kind: string; verbs: string[]; shortNames?: string[]; categories?: string[]; group?: string; version?: string }>;
}

function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Discovery of one cluster, cached. */
export class Discovery {
  #result: Promise<DiscoveryResult> | undefined;
  readonly #schemas = new Map<string, Promise<z.ZodType>>();

  constructor(private readonly transport: Transport) {}

  get(options: { refresh?: boolean; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<DiscoveryResult> {
    if (options.refresh || !this.#result) {
      const pending = this.load(options);
      this.#result = pending;
      pending.catch(() => {
        if (this.#result === pending) this.#result = undefined;
      });
    }
    return this.#result;
  }

  private async fetch(path: string, accept: string | undefined, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<KubeResponse> {
    return (await this.transport.request({
      path,
      ...(accept ? { accept } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    })) as KubeResponse;
  }

  private async load(options: { signal?: AbortSignal; timeoutMs?: number }): Promise<DiscoveryResult> {
    const [core, groups] = await Promise.all([this.fetch("/api", AGGREGATED, options), this.fetch("/apis", AGGREGATED, options)]);
    const coreBody = core.json<AggregatedList & { versions?: string[] }>();
    const groupsBody = groups.json<AggregatedList & { groups?: Array<{ name: string; versions: Array<{ version: string }>; preferredVersion?: { version: string } }> }>();
    if (coreBody.kind === "APIGroupDiscoveryList" && groupsBody.kind === "APIGroupDiscoveryList") {
      return fromAggregated([coreBody, groupsBody]);
    }
    // Legacy discovery: /api/v1, then every group-version of /apis.
    const out: DiscoveryResult = { groups: [], resources: [], aggregated: false };
    const coreVersions = coreBody.versions ?? ["v1"];
    out.groups.push({ name: "", preferredVersion: coreVersions[0] ?? "v1", versions: coreVersions });
    const lists: Array<Promise<[string, string, boolean, ResourceList]>> = coreVersions.map(
      async (v, i): Promise<[string, string, boolean, ResourceList]> => ["", v, i === 0, (await this.fetch(`/api/${v}`, undefined, options)).json<ResourceList>()],
    );
    for (const g of groupsBody.groups ?? []) {
      const versions = g.versions.map((v) => v.version);
      const preferred = g.preferredVersion?.version ?? versions[0] ?? "";
      out.groups.push({ name: g.name, preferredVersion: preferred, versions: [preferred, ...versions.filter((v) => v !== preferred)] });
      for (const v of versions) lists.push((async () => [g.name, v, v === preferred, (await this.fetch(`/apis/${g.name}/${v}`, undefined, options)).json<ResourceList>()] as [string, string, boolean, ResourceList])());
    }
    for (const [group, version, preferred, list] of await Promise.all(lists)) {
      const subs = new Map<string, SubresourceInfo[]>();
      for (const r of list.resources) {
        const slash = r.name.indexOf("/");
        if (slash < 0) continue;
        const parent = r.name.slice(0, slash);
        const entry: SubresourceInfo = { name: r.name.slice(slash + 1), kind: r.kind, group: r.group ?? group, version: r.version ?? version, verbs: r.verbs as Verb[] };
        subs.set(parent, [...(subs.get(parent) ?? []), entry]);
      }
      for (const r of list.resources) {
        if (r.name.includes("/")) continue;
        out.resources.push({
          group,
          version,
          apiVersion: apiVersionOf(group, version),
          kind: r.kind,
          plural: r.name,
          singular: r.singularName || r.kind.toLowerCase(),
          namespaced: r.namespaced,
          verbs: r.verbs,
          shortNames: r.shortNames ?? [],
          categories: r.categories ?? [],
          subresources: subs.get(r.name) ?? [],
          preferred,
        });
      }
    }
    return out;
  }

  /** A schema for a kind without a bundled or registered one. */
  schemaFor(type: { apiVersion: string; kind: string }): Promise<z.ZodType> {
    const key = `${type.apiVersion}/${type.kind}`;
    let pending = this.#schemas.get(key);
    if (!pending) {
      pending = this.buildSchema(type);
      this.#schemas.set(key, pending);
      pending.catch(() => this.#schemas.delete(key));
    }
    return pending;
  }

  private async buildSchema(type: { apiVersion: string; kind: string }): Promise<z.ZodType> {
    const registered = kubeMeta.byKind(type.apiVersion, type.kind);
    if (registered && resourceInfo(registered)) return registered;
    const { resources } = await this.get();
    const found = resources.find((r) => r.apiVersion === type.apiVersion && r.kind === type.kind);
    if (!found) throw new UsageError(`the server does not serve ${type.kind} in ${type.apiVersion}`);
    const fromOpenApi = await this.fromOpenApi(found).catch(() => undefined);
    if (fromOpenApi) return fromOpenApi;
    const schema = z.looseObject({
      apiVersion: z.literal(type.apiVersion).default(type.apiVersion),
      kind: z.literal(type.kind).default(type.kind),
      metadata: nullishOf(metaV1.ObjectMeta),
    });
    const meta: KubeMeta = {
      group: found.group,
      version: found.version,
      apiVersion: found.apiVersion,
      kind: found.kind,
      plural: found.plural,
      singular: found.singular,
      namespaced: found.namespaced,
      verbs: found.verbs as Verb[],
      subresources: found.subresources,
      // Discovery does not say which patch types a kind accepts; these work for every kind.
      patchTypes: ["json", "merge", "apply"],
      listKind: `${found.kind}List`,
      shortNames: found.shortNames,
      categories: found.categories,
    };
    schema.register(kubeMeta, meta);
    return schema;
  }

  /** The kind's schema from the server's OpenAPI v3 document of its group-version, when served. */
  private async fromOpenApi(found: DiscoveredResource): Promise<z.ZodType | undefined> {
    const index = (await this.fetch("/openapi/v3", undefined, {})).json<{ paths?: Record<string, { serverRelativeURL?: string }> }>();
    const key = found.group ? `apis/${found.group}/${found.version}` : `api/${found.version}`;
    const entry = index.paths?.[key];
    if (!entry) return undefined;
    const doc = (await this.fetch(entry.serverRelativeURL ?? `/openapi/v3/${key}`, undefined, {})).json();
    const built = schemasFromOpenApi(doc, `${this.transport.server}/openapi/v3/${key}`);
    const schema = built.find((b) => b.apiVersion === found.apiVersion && b.kind === found.kind)?.schema;
    return schema && resourceInfo(schema) ? schema : undefined;
  }
}

function fromAggregated(lists: AggregatedList[]): DiscoveryResult {
  const out: DiscoveryResult = { groups: [], resources: [], aggregated: true };
  for (const list of lists) {
    for (const item of list.items ?? []) {
      const group = item.metadata?.name ?? "";
      const versions = (item.versions ?? []).map((v) => v.version);
      out.groups.push({ name: group, preferredVersion: versions[0] ?? "", versions });
      (item.versions ?? []).forEach((v, i) => {
        for (const r of v.resources ?? []) {
          const kind = r.responseKind?.kind ?? "";
          out.resources.push({
            group,
            version: v.version,
            apiVersion: apiVersionOf(group, v.version),
            kind,
            plural: r.resource,
            singular: r.singularResource || kind.toLowerCase(),
            namespaced: r.scope === "Namespaced",
            verbs: r.verbs ?? [],
            shortNames: r.shortNames ?? [],
            categories: r.categories ?? [],
            subresources: (r.subresources ?? []).map((s) => ({
              name: s.subresource,
              ...(s.responseKind?.kind ? { kind: s.responseKind.kind, group: s.responseKind.group ?? "", version: s.responseKind.version ?? "" } : {}),
              verbs: (s.verbs ?? []) as Verb[],
            })),
            preferred: i === 0,
          });
        }
      });
    }
  }
  return out;
}
