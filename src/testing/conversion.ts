/**
 * Custom resources converted by their CRD's conversion webhook. Objects of such a resource are
 * stored at the CRD's storage version; a request at another version has its object converted on
 * the way in and its answer on the way out, as apiextensions-apiserver does. The server's request
 * handling is synchronous, so a conversion not yet known pauses it ({@link ConversionPause}): the
 * server calls the webhook, remembers the answer and runs the request again
 * ({@link runWithConversions}). Watches convert each event before sending it, in order.
 */
import { createHash, randomUUID } from "node:crypto";
import type * as z from "zod";
import { conversionReview, convertedObjects, pruneConverted, type WebhookConversion } from "../apiserver/apiextensions/conversion.js";
import { convertObject } from "../apiserver/conversion.js";
import type { Catalog, ServedResource } from "./catalog.js";
import { statusError } from "./status.js";
import type { KubeObject } from "./store.js";
import { callWebhook, type ObjectConverter, type WebhookTransport, type WebhookWrite } from "./webhooks.js";

/** The apiserver's timeout for a conversion webhook call (its webhook client's default). */
const CONVERSION_TIMEOUT_SECONDS = 30;
/** How many known conversions are remembered per CRD. */
const CACHE_ENTRIES = 10_000;

/** What a webhook's conversion of an object brought: the object and its new labels and annotations. */
interface KnownConversion {
  object: KubeObject;
  labels: unknown;
  annotations: unknown;
}

/**
 * Conversions already answered by a CRD's webhook, by desired version and the object's content
 * apart from metadata the webhook may not change (uid, resourceVersion, timestamps…): a request
 * run again after the call finds its answer though its create filled in a new uid. The metadata
 * of a known conversion is the object's own, with the labels and annotations the webhook gave
 * (as `restoreObjectMeta`).
 */
export class ConversionCache {
  private readonly entries = new Map<string, KnownConversion>();

  private static key(obj: KubeObject, desired: string): string {
    const { name, namespace, generateName, labels, annotations } = obj.metadata;
    const identity = { ...obj, metadata: { name, namespace, generateName, labels, annotations } };
    return `${createHash("sha256").update(JSON.stringify(identity)).digest("base64")}>${desired}`;
  }

  /** The known conversion of `obj` to `desired` (a fresh copy), or undefined. */
  get(obj: KubeObject, desired: string): KubeObject | undefined {
    const key = ConversionCache.key(obj, desired);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    const metadata = structuredClone(obj.metadata);
    delete metadata.labels;
    delete metadata.annotations;
    if (hit.labels !== undefined) metadata.labels = structuredClone(hit.labels);
    if (hit.annotations !== undefined) metadata.annotations = structuredClone(hit.annotations);
    return { ...structuredClone(hit.object), metadata };
  }

  set(obj: KubeObject, desired: string, converted: KubeObject): void {
    const key = ConversionCache.key(obj, desired);
    const { metadata, ...rest } = converted;
    this.entries.delete(key);
    this.entries.set(key, { object: { ...rest, metadata: {} } as KubeObject, labels: metadata?.labels, annotations: metadata?.annotations });
    if (this.entries.size > CACHE_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** How a custom resource whose CRD converts by webhook is converted. */
export interface CustomConversion {
  webhook: WebhookConversion;
  /** The apiVersion objects are stored at (the CRD's `storage: true` version). */
  storageApiVersion: string;
  cache: ConversionCache;
  /** The schema of each version, by apiVersion: what the webhook answers is pruned to the desired one's. */
  schemas?: ReadonlyMap<string, z.ZodType>;
}

/** A request paused until the webhook has converted these objects to `desiredAPIVersion`. */
export class ConversionPause extends Error {
  constructor(
    readonly conversion: CustomConversion,
    readonly objects: readonly KubeObject[],
    readonly desiredAPIVersion: string,
  ) {
    super(`paused for the conversion webhook of ${conversion.webhook.crdName}`);
  }
}

/**
 * The object at `desired`: itself when it already is, a known conversion, or a pause until the
 * webhook has answered.
 *
 * @example
 * const served = convertCustom(stored, "stable.example.com/v2", conversion);
 */
export function convertCustom(obj: KubeObject, desired: string, conversion: CustomConversion): KubeObject {
  if (obj.apiVersion === desired) return obj;
  const known = conversion.cache.get(obj, desired);
  if (known) return known;
  throw new ConversionPause(conversion, [obj], desired);
}

/**
 * Every object at `desired`, pausing once for all of those whose conversion is not known (one
 * ConversionReview for a list, as the apiserver sends one).
 *
 * @example
 * const items = convertCustomAll(stored, "stable.example.com/v2", conversion);
 */
export function convertCustomAll(objects: readonly KubeObject[], desired: string, conversion: CustomConversion): KubeObject[] {
  const missing = objects.filter((o) => o.apiVersion !== desired && !conversion.cache.get(o, desired));
  if (missing.length) throw new ConversionPause(conversion, missing, desired);
  return objects.map((o) => convertCustom(o, desired, conversion));
}

/**
 * Send the paused objects to the CRD's webhook and remember the answer; a failure is the
 * apiserver's `conversion webhook for <gvk> failed: …` error (500).
 *
 * @example
 * await resolveConversion(pause, { services });
 */
export async function resolveConversion(pause: ConversionPause, transport: WebhookTransport): Promise<void> {
  const { webhook, cache } = pause.conversion;
  const built = conversionReview(webhook.conversionReviewVersions, pause.objects, pause.desiredAPIVersion, randomUUID());
  if ("error" in built) throw statusError(500, "", built.error);
  const result = await callWebhook({ clientConfig: webhook.clientConfig, timeoutSeconds: CONVERSION_TIMEOUT_SECONDS }, built.review, transport);
  const first = pause.objects[0]!;
  if ("error" in result && result.error !== undefined) throw statusError(500, "", `conversion webhook for ${String(first.apiVersion)}, Kind=${String(first.kind)} failed: ${result.error}`);
  const out = convertedObjects("body" in result ? result.body : undefined, { review: built.review, originals: pause.objects, desiredAPIVersion: pause.desiredAPIVersion });
  if ("error" in out) throw statusError(500, "", out.error);
  const schema = pause.conversion.schemas?.get(pause.desiredAPIVersion);
  pause.objects.forEach((o, i) => cache.set(o, pause.desiredAPIVersion, (schema ? pruneConverted(schema, out.objects[i]!) : out.objects[i]) as KubeObject));
}

/**
 * Run a request, calling the conversion webhooks it pauses for and running it again, until it
 * completes.
 *
 * @example
 * const reply = await runWithConversions(() => rest.get(call), transport);
 */
export async function runWithConversions<T>(run: () => T | Promise<T>, transport: WebhookTransport): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof ConversionPause) || i >= 8) throw e;
      await resolveConversion(e, transport);
    }
  }
}

/**
 * The object at `desired`, calling the webhook when its conversion is not known (for watches).
 *
 * @example
 * const event = await convertCustomAsync(stored, "stable.example.com/v2", conversion, transport);
 */
export async function convertCustomAsync(obj: KubeObject, desired: string, conversion: CustomConversion, transport: WebhookTransport): Promise<KubeObject> {
  return runWithConversions(() => convertCustom(obj, desired, conversion), transport);
}

/**
 * How an object of `resource` reaches another served version of it for admission: built-in kinds
 * (and a subresource's own kind, a Scale, the same at every equivalent resource) by their
 * conversions, custom resources by their CRD's conversion webhook, or, without one, a new
 * `apiVersion` (the `None` strategy).
 */
function admissionConversionOf(catalog: Catalog, resource: ServedResource, ownKind: boolean, to: { group: string; version: string }): "builtin" | CustomConversion | undefined {
  if (ownKind || !resource.custom) return "builtin";
  const target = catalog.siblings(resource.storageKey).find((r) => r.group === to.group && r.version === to.version);
  return target?.custom?.conversion ?? resource.custom.conversion;
}

const apiVersionOf = (to: { group: string; version: string }): string => (to.group ? `${to.group}/${to.version}` : to.version);

/** The object at `to` by the conversion `how` names; a CRD's conversion webhook through `viaWebhook`. */
function convertedFor<T>(
  how: ReturnType<typeof admissionConversionOf>,
  object: Record<string, unknown>,
  to: { group: string; version: string; kind: string },
  viaWebhook: (conversion: CustomConversion, apiVersion: string) => T,
): Record<string, unknown> | T {
  const apiVersion = apiVersionOf(to);
  if (how === "builtin") return convertObject(object, apiVersion, to.kind);
  if (how) return viaWebhook(how, apiVersion);
  return { ...object, apiVersion, kind: to.kind };
}

/**
 * How a write's object is converted to another served version of its resource for an admission
 * webhook matched through it (`ObjectConvertor`): built-in kinds by their conversions, custom
 * resources by their CRD's conversion webhook, or, without one, a new `apiVersion` (the `None`
 * strategy).
 *
 * @example
 * const convert = admissionConverter(catalog, write);
 * const v1 = await convert(hpaV2, { group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscaler" }, transport);
 */
export function admissionConverter(catalog: Catalog, w: WebhookWrite): ObjectConverter {
  return async (object, to, transport) => {
    const how = admissionConversionOf(catalog, w.resource, w.kind !== undefined, to);
    return convertedFor(how, object, to, (conversion, apiVersion) => convertCustomAsync(object as KubeObject, apiVersion, conversion, transport));
  };
}

/**
 * The same conversions, synchronous, for admission policies matched through an equivalent
 * resource (the kind converted to names the resource): a custom resource's conversion not yet
 * known pauses the request ({@link ConversionPause}) until its CRD's webhook has answered, and the
 * request runs again.
 *
 * @example
 * const convert = policyConverter(catalog);
 * const v2 = convert(hpa, { group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler" });
 */
export function policyConverter(catalog: Catalog): (object: Record<string, unknown>, to: { group: string; version: string; kind: string }) => Record<string, unknown> {
  return (object, to) => {
    const resource = catalog.kind(apiVersionOf(to), to.kind);
    const how = resource ? admissionConversionOf(catalog, resource, false, to) : "builtin";
    return convertedFor(how, object, to, (conversion, apiVersion) => convertCustom(object as KubeObject, apiVersion, conversion));
  };
}
