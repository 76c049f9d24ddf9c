/**
 * API discovery: aggregated (`apidiscovery.k8s.io/v2`, one request per root) when the server offers
 * it, the per-group-version documents otherwise; and schemas for kinds that have no bundled one.
 */
import * as z from "zod";
import { InvalidResponseError, KubeError, NotFoundError, UsageError } from "../errors.js";
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

/**
 * A group-version discovery could not read: the server failed to answer for it, or aggregated
 * discovery marks it stale.
 *
 * @example
 * for (const f of (await kube.discover()).failed) console.warn(`couldn't get resource list for ${f.groupVersion}: ${f.error.message}`);
 */
export interface DiscoveryFailure {
  group: string;
  version: string;
  /** `group/version` (`version` for the core group). */
  groupVersion: string;
  /** Why: the typed API or connection error of its request, or an `InvalidResponseError` for a stale or unreadable answer. */
  error: KubeError;
}

/** Everything discovery found. */
export interface DiscoveryResult {
  groups: DiscoveredGroup[];
  resources: DiscoveredResource[];
  /** Whether the server answered with aggregated discovery. */
  aggregated: boolean;
  /**
   * Group-versions left out because they failed (an aggregated API server that is down answers
   * 503, aggregated discovery marks its versions stale): the rest is still served, as client-go's
   * `ErrGroupDiscoveryFailed` keeps it. Empty when everything was read.
   */
  failed: DiscoveryFailure[];
}

const AGGREGATED =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

/** Most groups, versions, resources or subresources read from one discovery list. */
const MAX_ENTRIES = 100_000;

function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/**
 * Reads a discovery document with the types `metav1` and `apidiscovery` give its fields: a field
 * of another type fails the whole answer (as Go's decoder does) with an `InvalidResponseError`
 * naming the request and the field's path; an absent optional field reads as Go's zero value.
 */
class Reader {
  constructor(
    private readonly res: KubeResponse,
    private readonly what: string,
  ) {}

  fail(path: string, problem: string): never {
    throw new InvalidResponseError(`${this.what}: ${path || "the answer"} ${problem}`, this.res.status, this.res.request);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(path, `is not an object (${typeName(value)})`);
    return value as Record<string, unknown>;
  }

  /** An entry of a list of objects: null reads as an empty object (Go's decoder leaves a null element at its zero value). */
  entry(value: unknown, path: string): Record<string, unknown> {
    return value === null ? {} : this.object(value, path);
  }

  /** An optional object: undefined for absent or null. */
  maybeObject(value: unknown, path: string): Record<string, unknown> | undefined {
    return value === undefined || value === null ? undefined : this.object(value, path);
  }

  /** A list (absent or null: empty). */
  array(value: unknown, path: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, `is not a list (${typeName(value)})`);
    if (value.length > MAX_ENTRIES) this.fail(path, `has ${value.length} entries, more than the ${MAX_ENTRIES} read`);
    return value;
  }

  /** A string (absent or null: ""). */
  string(value: unknown, path: string): string {
    if (value === undefined || value === null) return "";
    if (typeof value !== "string") this.fail(path, `is not a string (${typeName(value)})`);
    return value;
  }

  /** A list of strings (absent or null: empty). */
  strings(value: unknown, path: string): string[] {
    return this.array(value, path).map((v, i) => this.string(v, `${path}[${i}]`));
  }

  boolean(value: unknown, path: string): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value !== "boolean") this.fail(path, `is not a boolean (${typeName(value)})`);
    return value;
  }

  /** The body as a JSON object. */
  body(): Record<string, unknown> {
    return this.object(this.res.json(), "");
  }
}

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** One group-version's resources, as the legacy `APIResourceList` gives them. */
function readResourceList(res: KubeResponse, group: string, version: string, preferred: boolean): DiscoveredResource[] {
  const r = new Reader(res, `discovery of ${apiVersionOf(group, version)}`);
  const list = r.body();
  const entries = r.array(list.resources, "resources").map((raw, i) => {
    const path = `resources[${i}]`;
    const e = r.entry(raw, path);
    return {
      name: r.string(e.name, `${path}.name`),
      singularName: r.string(e.singularName, `${path}.singularName`),
      namespaced: r.boolean(e.namespaced, `${path}.namespaced`),
      group: e.group === undefined || e.group === null ? undefined : r.string(e.group, `${path}.group`),
      version: e.version === undefined || e.version === null ? undefined : r.string(e.version, `${path}.version`),
      kind: r.string(e.kind, `${path}.kind`),
      verbs: r.strings(e.verbs, `${path}.verbs`),
      shortNames: r.strings(e.shortNames, `${path}.shortNames`),
      categories: r.strings(e.categories, `${path}.categories`),
    };
  });
  const subs = new Map<string, SubresourceInfo[]>();
  for (const e of entries) {
    const slash = e.name.indexOf("/");
    if (slash < 0) continue;
    const parent = e.name.slice(0, slash);
    const entry: SubresourceInfo = { name: e.name.slice(slash + 1), kind: e.kind, group: e.group ?? group, version: e.version ?? version, verbs: e.verbs as Verb[] };
    subs.set(parent, [...(subs.get(parent) ?? []), entry]);
  }
  const out: DiscoveredResource[] = [];
  for (const e of entries) {
    // A resource without a name or a kind cannot be addressed or looked up: left out.
    if (!e.name || !e.kind || e.name.includes("/")) continue;
    out.push({
      group,
      version,
      apiVersion: apiVersionOf(group, version),
      kind: e.kind,
      plural: e.name,
      singular: e.singularName || e.kind.toLowerCase(),
      namespaced: e.namespaced,
      verbs: e.verbs,
      shortNames: e.shortNames,
      categories: e.categories,
      subresources: subs.get(e.name) ?? [],
      preferred,
    });
  }
  return out;
}

/** The group-version of a failed request: the typed error kept, anything else (an abort) thrown. */
function failureOf(group: string, version: string, err: unknown): DiscoveryFailure {
  if (!(err instanceof KubeError)) throw err;
  return { group, version, groupVersion: apiVersionOf(group, version), error: err };
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

  private fetch(path: string, accept: string | undefined, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<KubeResponse>;
  private fetch(path: string, accept: string | undefined, options: { signal?: AbortSignal; timeoutMs?: number }, notFound: boolean): Promise<KubeResponse | NotFoundError>;
  private async fetch(path: string, accept: string | undefined, options: { signal?: AbortSignal; timeoutMs?: number }, notFound = false): Promise<KubeResponse | NotFoundError> {
    return (await this.transport.request({
      path,
      ...(accept ? { accept } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(notFound ? { returnErrors: [404] } : {}),
    })) as KubeResponse | NotFoundError;
  }

  private async load(options: { signal?: AbortSignal; timeoutMs?: number }): Promise<DiscoveryResult> {
    // As client-go's GroupsAndMaybeResources: each root answers aggregated or legacy discovery on
    // its own; a 404 for /api is tolerated (aggregated API servers answer it), /apis must answer.
    const [core, groups] = await Promise.all([
      this.fetch("/api", AGGREGATED, options, true).then((res) => (res instanceof NotFoundError ? undefined : res)),
      this.fetch("/apis", AGGREGATED, options),
    ]);
    const out: DiscoveryResult = { groups: [], resources: [], aggregated: true, failed: [] };
    const wanted: Array<{ group: string; version: string; preferred: boolean; path: string }> = [];
    if (core) {
      const r = new Reader(core, "discovery (/api)");
      const body = r.body();
      if (body.kind === "APIGroupDiscoveryList") fromAggregated(r, body, out);
      else {
        out.aggregated = false;
        const versions = r.strings(body.versions, "versions").filter(Boolean);
        out.groups.push({ name: "", preferredVersion: versions[0] ?? "", versions });
        versions.forEach((v, i) => wanted.push({ group: "", version: v, preferred: i === 0, path: `/api/${v}` }));
      }
    }
    const r = new Reader(groups as KubeResponse, "discovery (/apis)");
    const body = r.body();
    if (body.kind === "APIGroupDiscoveryList") fromAggregated(r, body, out);
    else {
      // Legacy discovery: every group-version of /apis; a group-version that fails is reported in
      // `failed`, the others are kept (client-go's ServerGroupsAndResources).
      out.aggregated = false;
      r.array(body.groups, "groups").forEach((raw, gi) => {
        const g = r.entry(raw, `groups[${gi}]`);
        const name = r.string(g.name, `groups[${gi}].name`);
        const versions = r
          .array(g.versions, `groups[${gi}].versions`)
          .map((v, vi) => r.string(r.entry(v, `groups[${gi}].versions[${vi}]`).version, `groups[${gi}].versions[${vi}].version`))
          .filter(Boolean);
        const pv = r.maybeObject(g.preferredVersion, `groups[${gi}].preferredVersion`);
        const preferred = (pv && r.string(pv.version, `groups[${gi}].preferredVersion.version`)) || versions[0] || "";
        if (!name) return;
        out.groups.push({ name, preferredVersion: preferred, versions: [preferred, ...versions.filter((v) => v !== preferred)].filter(Boolean) });
        for (const v of versions) wanted.push({ group: name, version: v, preferred: v === preferred, path: `/apis/${name}/${v}` });
      });
    }
    const read = await Promise.all(
      wanted.map(async (w) => {
        try {
          const res = await this.fetch(w.path, undefined, options, w.group === "" && w.version === "v1");
          // A 404 for the core v1 list reads as an empty list (client-go tolerates it).
          if (res instanceof NotFoundError) return [];
          return readResourceList(res, w.group, w.version, w.preferred);
        } catch (err) {
          return failureOf(w.group, w.version, err);
        }
      }),
    );
    for (const result of read) {
      if (Array.isArray(result)) out.resources.push(...result);
      else out.failed.push(result);
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
    let { resources, failed } = await this.get();
    const find = () => resources.find((r) => r.apiVersion === type.apiVersion && r.kind === type.kind);
    let found = find();
    if (!found && failed.some((f) => f.groupVersion === type.apiVersion)) {
      // Its group-version failed when discovery was cached: ask again once (client-go's memory
      // cache re-fetches a group-version whose error was transient when it is looked up).
      ({ resources, failed } = await this.get({ refresh: true }));
      found = find();
    }
    if (!found) {
      // Not found because its group-version could not be read: that failure is the answer.
      const failure = failed.find((f) => f.groupVersion === type.apiVersion);
      if (failure) throw failure.error;
      throw new UsageError(`the server does not serve ${type.kind} in ${type.apiVersion}`);
    }
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

/** Aggregated discovery (`APIGroupDiscoveryList`), as client-go's `SplitGroupsAndResources` reads it. */
function fromAggregated(r: Reader, list: Record<string, unknown>, out: DiscoveryResult): void {
  r.array(list.items, "items").forEach((rawItem, ii) => {
    const ip = `items[${ii}]`;
    const item = r.entry(rawItem, ip);
    const metadata = r.maybeObject(item.metadata, `${ip}.metadata`);
    const group = metadata ? r.string(metadata.name, `${ip}.metadata.name`) : "";
    const versions: string[] = [];
    r.array(item.versions, `${ip}.versions`).forEach((rawVersion, vi) => {
      const vp = `${ip}.versions[${vi}]`;
      const v = r.entry(rawVersion, vp);
      const version = r.string(v.version, `${vp}.version`);
      const freshness = r.string(v.freshness, `${vp}.freshness`);
      if (!version) return;
      // A stale version (its aggregated API server is not answering) is reported, not read.
      if (freshness === "Stale") {
        out.failed.push({
          group,
          version,
          groupVersion: apiVersionOf(group, version),
          error: new InvalidResponseError(`discovery: ${apiVersionOf(group, version)} is stale (its API server did not answer the aggregator)`, 0, undefined),
        });
        return;
      }
      // The preferred version is the first one that is not stale.
      const preferred = versions.length === 0;
      versions.push(version);
      r.array(v.resources, `${vp}.resources`).forEach((rawResource, ri) => {
        const rp = `${vp}.resources[${ri}]`;
        const res = r.entry(rawResource, rp);
        const plural = r.string(res.resource, `${rp}.resource`);
        const rk = r.maybeObject(res.responseKind, `${rp}.responseKind`);
        const kind = rk ? r.string(rk.kind, `${rp}.responseKind.kind`) : "";
        const scope = r.string(res.scope, `${rp}.scope`);
        const singular = r.string(res.singularResource, `${rp}.singularResource`);
        const verbs = r.strings(res.verbs, `${rp}.verbs`);
        const shortNames = r.strings(res.shortNames, `${rp}.shortNames`);
        const categories = r.strings(res.categories, `${rp}.categories`);
        const subresources: SubresourceInfo[] = [];
        r.array(res.subresources, `${rp}.subresources`).forEach((rawSub, si) => {
          const sp = `${rp}.subresources[${si}]`;
          const sub = r.entry(rawSub, sp);
          const name = r.string(sub.subresource, `${sp}.subresource`);
          const sk = r.maybeObject(sub.responseKind, `${sp}.responseKind`);
          const subKind = sk ? { kind: r.string(sk.kind, `${sp}.responseKind.kind`), group: r.string(sk.group, `${sp}.responseKind.group`), version: r.string(sk.version, `${sp}.responseKind.version`) } : undefined;
          const subVerbs = r.strings(sub.verbs, `${sp}.verbs`) as Verb[];
          if (!name) return;
          subresources.push({ name, ...(subKind?.kind ? subKind : {}), verbs: subVerbs });
        });
        // A resource without a kind is only the parent of its subresources (client-go leaves it out
        // of the resources); one without a name cannot be addressed.
        if (!plural || !kind) return;
        out.resources.push({
          group,
          version,
          apiVersion: apiVersionOf(group, version),
          kind,
          plural,
          singular: singular || kind.toLowerCase(),
          namespaced: scope === "Namespaced",
          verbs,
          shortNames,
          categories,
          subresources,
          preferred,
        });
      });
    });
    out.groups.push({ name: group, preferredVersion: versions[0] ?? "", versions });
  });
}
