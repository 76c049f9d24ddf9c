/**
 * Custom resource conversion by webhook, as apiextensions-apiserver's webhook converter does it
 * (pkg/apiserver/conversion/webhook_converter.go): the ConversionReview sent for the objects not
 * yet at the desired version, and the checks on what comes back — the response's uid and result,
 * one object per object sent, the desired apiVersion and the same kind, name, namespace and uid;
 * of the metadata only labels and annotations may change — and what it answered pruned to the
 * desired version's structural schema, as the apiserver's schema-coercing converter does.
 */
import type * as z from "zod";
import { formatFieldError } from "../../meta/field-errors.js";
import { childSchema, metaOf, unknownFields, type PathSegment } from "../../meta/index.js";
import { validateAnnotations, validateLabels } from "../../meta/object-meta.js";
import { FieldPath } from "../field.js";

type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** A CRD's `spec.conversion` when its strategy is `Webhook`. */
export interface WebhookConversion {
  /** The CRD's name (`conversion_webhook_for_<name>` in the apiserver's logs). */
  crdName: string;
  clientConfig: { url?: string; service?: { namespace: string; name: string; port: number; path?: string }; caBundle?: string };
  conversionReviewVersions: string[];
}

/**
 * The webhook conversion of a CRD, or undefined when its strategy is `None` (or absent).
 *
 * @example
 * webhookConversionOf(crd)?.conversionReviewVersions; // ["v1"]
 */
export function webhookConversionOf(crd: Obj): WebhookConversion | undefined {
  const spec = rec(crd.spec);
  const conversion = rec(spec?.conversion);
  if (conversion?.strategy !== "Webhook") return undefined;
  // apiextensions/v1 nests the client config under `webhook`; v1beta1 kept it at the top.
  const webhook = rec(conversion.webhook);
  const config = rec(webhook?.clientConfig) ?? rec(conversion.webhookClientConfig) ?? {};
  const versions = (webhook?.conversionReviewVersions ?? conversion.conversionReviewVersions ?? ["v1beta1"]) as unknown;
  const service = rec(config.service);
  const caBundle = typeof config.caBundle === "string" && config.caBundle ? Buffer.from(config.caBundle, "base64").toString("utf8") : undefined;
  return {
    crdName: String(rec(crd.metadata)?.name ?? ""),
    clientConfig: {
      ...(typeof config.url === "string" ? { url: config.url } : {}),
      ...(service
        ? { service: { namespace: String(service.namespace ?? ""), name: String(service.name ?? ""), port: typeof service.port === "number" ? service.port : 443, ...(typeof service.path === "string" ? { path: service.path } : {}) } }
        : {}),
      ...(caBundle ? { caBundle } : {}),
    },
    conversionReviewVersions: Array.isArray(versions) ? versions.map(String) : [],
  };
}

/**
 * A group/version/kind as Go prints `schema.GroupVersionKind`: `stable.example.com/v1, Kind=CronTab`.
 *
 * @example
 * gvkString("stable.example.com/v1", "CronTab"); // "stable.example.com/v1, Kind=CronTab"
 */
export function gvkString(apiVersion: string, kind: string): string {
  return `${apiVersion}, Kind=${kind}`;
}

/**
 * The ConversionReview for the objects, at the first review version the webhook accepts
 * (`createConversionReviewObjects`), or the apiserver's error when it accepts none.
 *
 * @example
 * conversionReview(["v1"], [obj], "stable.example.com/v2", uid);
 */
export function conversionReview(reviewVersions: readonly string[], objects: readonly Obj[], desiredAPIVersion: string, uid: string): { review: Obj } | { error: string } {
  for (const version of reviewVersions) {
    if (version === "v1" || version === "v1beta1") {
      return { review: { kind: "ConversionReview", apiVersion: `apiextensions.k8s.io/${version}`, request: { uid, desiredAPIVersion, objects } } };
    }
  }
  return { error: "no supported conversion review versions" };
}

/** `getConvertedObjectsFromResponse`: the converted objects, or the error text. */
function convertedOf(response: unknown, reviewApiVersion: string, uid: string): { objects: unknown[] } | { error: string } {
  const review = rec(response) ?? {};
  if (reviewApiVersion === "apiextensions.k8s.io/v1") {
    const gvk = `${String(review.apiVersion ?? "")}, Kind=${String(review.kind ?? "")}`;
    if (review.apiVersion !== "apiextensions.k8s.io/v1" || review.kind !== "ConversionReview") {
      return { error: `expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got ${review.apiVersion === undefined && review.kind === undefined ? "/, Kind=" : gvk}` };
    }
  }
  const res = rec(review.response);
  if (!res) return { error: "no response provided" };
  if (reviewApiVersion === "apiextensions.k8s.io/v1" && res.uid !== uid) return { error: `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(String(res.uid ?? ""))}` };
  const result = rec(res.result) ?? {};
  if (result.status !== "Success") {
    if (typeof result.message === "string" && result.message) return { error: result.message };
    return { error: `response.result.status was '${String(result.status ?? "")}', not 'Success'` };
  }
  return { objects: Array.isArray(res.convertedObjects) ? res.convertedObjects : [] };
}

/** `validateConvertedObject`: kind, name, namespace and uid unchanged. */
function validateConverted(original: Obj, converted: Obj): string | undefined {
  const om = rec(original.metadata) ?? {};
  const cm = rec(converted.metadata) ?? {};
  const same: Array<[string, unknown, unknown]> = [
    ["kind", original.kind ?? "", converted.kind ?? ""],
    ["name", om.name ?? "", cm.name ?? ""],
    ["namespace", om.namespace ?? "", cm.namespace ?? ""],
    ["UID", om.uid ?? "", cm.uid ?? ""],
  ];
  for (const [what, e, a] of same) if (e !== a) return `must have the same ${what}: ${String(e)} != ${String(a)}`;
  return undefined;
}

/** `restoreObjectMeta`: the original metadata with the converted object's labels and annotations. */
function restoreObjectMeta(original: Obj, converted: Obj): { object: Obj } | { error: string } {
  if (!("metadata" in converted)) return { error: "missing metadata in converted object" };
  const response = rec(converted.metadata);
  if (!response) return { error: `invalid metadata of type ${goType(converted.metadata)} in converted object` };
  const meta: Obj = structuredClone(rec(original.metadata) ?? {});
  for (const field of ["labels", "annotations"] as const) {
    const value = response[field];
    if (value === undefined || value === null) {
      delete meta[field];
      continue;
    }
    const map = rec(value);
    if (!map) return { error: `invalid metadata.${field} of type ${goType(value)} in converted object` };
    const before = rec(meta[field]) ?? {};
    let changed = Object.keys(before).length !== Object.keys(map).length;
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== "string") return { error: `metadata.${field}[${k}] must be a string, but is ${goType(v)} in converted object` };
      if (before[k] !== v) changed = true;
    }
    if (changed) {
      const errs = field === "labels" ? validateLabels(map, FieldPath.of("metadata", "labels")) : validateAnnotations(map, FieldPath.of("metadata", "annotation"));
      if (errs.length) return { error: errs.length === 1 ? formatFieldError(errs[0]!) : `[${errs.map(formatFieldError).join(", ")}]` };
    }
    meta[field] = map;
  }
  return { object: { ...converted, metadata: meta } };
}

function goType(v: unknown): string {
  if (Array.isArray(v)) return "[]interface {}";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "float64";
  if (typeof v === "boolean") return "bool";
  return "map[string]interface {}";
}

/**
 * What a conversion webhook answered, checked as kube-apiserver checks it: the converted objects
 * (in the order of `originals`, with their original metadata but the new labels and annotations),
 * or the error the apiserver reports (`conversion webhook for <gvk> …`).
 *
 * @example
 * const out = convertedObjects(response, { review, originals: [obj], desiredAPIVersion: "stable.example.com/v2" });
 * if ("error" in out) throw new Error(out.error);
 */
export function convertedObjects(response: unknown, sent: { review: Obj; originals: readonly Obj[]; desiredAPIVersion: string }): { objects: Obj[] } | { error: string } {
  const first = sent.originals[0] ?? {};
  const gvk = gvkString(String(first.apiVersion ?? ""), String(first.kind ?? ""));
  const request = rec(sent.review.request) ?? {};
  const out = convertedOf(response, String(sent.review.apiVersion), String(request.uid ?? ""));
  if ("error" in out) return { error: `conversion webhook for ${gvk} failed: ${out.error}` };
  if (out.objects.length !== sent.originals.length) return { error: `conversion webhook for ${gvk} returned ${out.objects.length} objects, expected ${sent.originals.length}` };
  const objects: Obj[] = [];
  const single = sent.originals.length === 1;
  for (let i = 0; i < out.objects.length; i++) {
    const converted = rec(out.objects[i]);
    const original = sent.originals[i]!;
    if (!converted) return { error: `conversion webhook for ${gvk} returned invalid converted object at index ${i}: Object 'Kind' is missing in '${JSON.stringify(out.objects[i])}'` };
    // Go reports a list's later failures with the index already advanced past the object.
    const at = single ? "invalid object at index 0" : `invalid converted object at index ${i + 1}`;
    if (converted.apiVersion !== sent.desiredAPIVersion) {
      return { error: `conversion webhook for ${gvk} returned ${at}: invalid groupVersion (expected ${sent.desiredAPIVersion}, received ${String(converted.apiVersion ?? "")})` };
    }
    if (converted.kind !== original.kind) return { error: `conversion webhook for ${gvk} returned ${at}: invalid kind (expected ${String(original.kind)}, received ${String(converted.kind ?? "")})` };
    const invalid = validateConverted(original, converted);
    if (invalid) return { error: `conversion webhook for ${gvk} returned ${single ? "invalid object" : `invalid converted object at index ${i + 1}`}: ${invalid}` };
    const restored = restoreObjectMeta(original, converted);
    if ("error" in restored) return { error: `conversion webhook for ${gvk} returned invalid metadata${single ? "" : ` in object at index ${i + 1}`}: ${restored.error}` };
    objects.push(restored.object);
  }
  return { objects };
}

/**
 * `PruneNonNullableNullsWithoutDefaults`: a null in an object field without a default is dropped.
 * The schemas built from a CRD take null in every optional field (null is "unset", as on writes),
 * so `nullable: true` is not told apart here: the write path drops those nulls too.
 */
function dropNulls(schema: z.core.$ZodType | undefined, value: unknown, depth: number): void {
  if (depth > 256 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    const element = schema && childSchema(schema, 0);
    for (const v of value) dropNulls(element, v, depth + 1);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const child = schema && childSchema(schema, key);
    if (v === null) {
      if (!child || metaOf(child).default === undefined) delete (value as Obj)[key];
      continue;
    }
    dropNulls(child, v, depth + 1);
  }
}

function removeAt(obj: Obj, path: readonly PathSegment[]): void {
  let cur: unknown = obj;
  for (let i = 0; i < path.length - 1; i++) {
    if (cur === null || typeof cur !== "object") return;
    cur = (cur as Record<string | number, unknown>)[path[i]!];
  }
  if (cur && typeof cur === "object" && !Array.isArray(cur)) delete (cur as Obj)[String(path[path.length - 1])];
}

/**
 * A converted custom resource as the apiserver keeps it (`unstructuredSchemaCoercer.apply` after a
 * conversion): fields the desired version's structural schema does not declare pruned (unless it
 * preserves unknown fields), nulls without a default dropped. The
 * metadata is the original's (see {@link convertedObjects}); the input is not changed.
 *
 * @example
 * pruneConverted(v2Schema, { apiVersion: "stable.example.com/v2", kind: "CronTab", metadata: {}, spec: { gone: 1 } }); // spec: {}
 */
export function pruneConverted(schema: z.core.$ZodType, obj: Obj): Obj {
  const out = structuredClone(obj);
  dropNulls(schema, out, 0);
  for (const p of unknownFields(schema, out)) {
    const segments = p.segments;
    if (segments[0] === "metadata" || (segments.length === 1 && (segments[0] === "apiVersion" || segments[0] === "kind"))) continue;
    removeAt(out, segments);
  }
  return out;
}
