/**
 * Converting an object between the versions a resource is served at, as kube-apiserver does
 * through its internal version, and the version each resource is stored at. Kinds whose versions
 * have the same fields only change `apiVersion` (as a CRD's `None` strategy); kinds whose fields
 * differ convert their fields.
 */
import { hpaToV1, hpaToV2 } from "./autoscaling/conversion.js";
import { convertEvent } from "./events/conversion.js";
import { convertResourceObject } from "./resource/conversion.js";

type Obj = Record<string, unknown>;

interface KindConversion {
  /** The version objects are stored at (`apiVersion`); without one, objects are stored as written. */
  storage?: string;
  /** The object at `apiVersion`, from an object at another served version of the kind. */
  convert(obj: Obj, apiVersion: string): Obj;
}

const CONVERSIONS: Record<string, KindConversion> = {
  // core/v1 and events.k8s.io Events are one resource, stored at core/v1.
  "/Event": { storage: "v1", convert: convertEvent },
  "events.k8s.io/Event": { storage: "v1", convert: convertEvent },
  "autoscaling/HorizontalPodAutoscaler": { storage: "autoscaling/v2", convert: (o, v) => (v === "autoscaling/v1" ? hpaToV1(o) : hpaToV2(o)) },
  "resource.k8s.io/ResourceClaim": { convert: convertResourceObject },
  "resource.k8s.io/ResourceClaimTemplate": { convert: convertResourceObject },
  "resource.k8s.io/ResourceSlice": { convert: convertResourceObject },
};

const groupOf = (apiVersion: string): string => (apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "");

/**
 * The object as served at `apiVersion` (the same object when it already is).
 *
 * @example
 * convertObject(hpaV2, "autoscaling/v1", "HorizontalPodAutoscaler").spec.targetCPUUtilizationPercentage;
 */
export function convertObject<T extends Obj>(obj: T, apiVersion: string, kind: string): T {
  if (obj.apiVersion === apiVersion && obj.kind === kind) return obj;
  const conversion = CONVERSIONS[`${groupOf(apiVersion)}/${kind}`];
  if (conversion && obj.apiVersion !== apiVersion && obj.kind === kind) return { ...conversion.convert(obj, apiVersion), kind } as unknown as T;
  return { ...obj, apiVersion, kind };
}

/**
 * Resources served by more than one group that share one storage (kube-apiserver's cohabitating
 * resources, keyed by their storage prefix: `EquivalentResourceRegistry` keys resources by
 * `RESTOptions.ResourcePrefix`), by `group/plural`: the `group/plural` of the store they live in.
 */
const SHARED_STORAGE: Record<string, string> = {
  "events.k8s.io/events": "/events",
};

/**
 * The store a built-in resource lives in, as `group/plural`: its own, or that of the resource of
 * another group it shares its storage with (events.k8s.io `events` live with core `events`).
 * Resources with the same store are equivalent resources for admission (`matchPolicy: Equivalent`).
 *
 * @example
 * storageResourceOf("events.k8s.io", "events"); // "/events"
 * storageResourceOf("apps", "deployments"); // "apps/deployments"
 */
export function storageResourceOf(group: string, plural: string): string {
  const own = `${group}/${plural}`;
  return SHARED_STORAGE[own] ?? own;
}

/**
 * The version a built-in kind is stored at, when it converts between versions; undefined for kinds
 * stored as written.
 *
 * @example
 * storageVersionOf("autoscaling", "HorizontalPodAutoscaler"); // "autoscaling/v2"
 */
export function storageVersionOf(group: string, kind: string): string | undefined {
  return CONVERSIONS[`${group}/${kind}`]?.storage;
}
