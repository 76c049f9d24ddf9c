/**
 * Admission policies in the local API server: the ValidatingAdmissionPolicies and
 * MutatingAdmissionPolicies stored in it, with their bindings, params, Namespaces and RBAC
 * objects, run on every write by the same engine as `kubezod validate`. A denial is the
 * apiserver's Status; Warn bindings become `Warning` headers.
 */
import { PolicySet, rbacAuthorizer, type AdmissionOperation, type AdmissionRequest } from "../apiserver/admission/index.js";
import type { Catalog, ServedResource } from "./catalog.js";
import { policyConverter } from "./conversion.js";
import { equivalentResources } from "./webhooks.js";
import { qualified, statusError } from "./status.js";
import type { KubeObject, Store } from "./store.js";

type Obj = Record<string, unknown>;

const POLICY_GROUP = "admissionregistration.k8s.io";
const POLICY_KINDS = new Set(["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"]);
const RBAC_GROUP = "rbac.authorization.k8s.io";

/** What the server's write path needs from its state. */
export interface PolicyContext {
  catalog: Catalog;
  store: Store;
  /** Kubernetes minor served. */
  minor: number;
}

const cache = new WeakMap<Store, { key: string; set: PolicySet | undefined }>();

function storageKeysOf(catalog: Catalog, pick: (r: ServedResource) => boolean): string[] {
  return [...new Set(catalog.all().filter(pick).map((r) => r.storageKey))];
}

/** Where policies and bindings are stored, per catalog (found again only when the catalog changed). */
const policyKeysOf = new WeakMap<Catalog, { generation: number; keys: string[] }>();

/** The policies in force, rebuilt only when a policy, binding, param, Namespace or RBAC object changed. */
function policySet(ctx: PolicyContext): PolicySet | undefined {
  let known = policyKeysOf.get(ctx.catalog);
  if (!known || known.generation !== ctx.catalog.generation) {
    known = { generation: ctx.catalog.generation, keys: storageKeysOf(ctx.catalog, (r) => r.group === POLICY_GROUP && POLICY_KINDS.has(r.kind)) };
    policyKeysOf.set(ctx.catalog, known);
  }
  const policyKeys = known.keys;
  const policies = policyKeys.flatMap((k) => ctx.store.list(k));
  if (!policies.some((p) => String(p.kind).endsWith("Binding"))) return undefined;
  const paramKinds = new Set<string>();
  for (const p of policies) {
    const pk = (p.spec as Obj | undefined)?.paramKind as Obj | undefined;
    if (pk && typeof pk.apiVersion === "string" && typeof pk.kind === "string") paramKinds.add(`${pk.apiVersion}/${pk.kind}`);
  }
  const otherKeys = storageKeysOf(ctx.catalog, (r) => r.group === RBAC_GROUP || (r.group === "" && r.kind === "Namespace") || paramKinds.has(`${r.apiVersion}/${r.kind}`));
  const others = otherKeys.flatMap((k) => ctx.store.list(k));
  const all = [...policies, ...others];
  const key = all.map((o) => `${String(o.kind)}/${String(o.metadata.namespace ?? "")}/${String(o.metadata.name)}@${String(o.metadata.resourceVersion ?? "")}`).join("|");
  const hit = cache.get(ctx.store);
  if (hit?.key === key) return hit.set;
  const authorize = rbacAuthorizer(all as Obj[]);
  const set = new PolicySet(all as Obj[], {
    minor: ctx.minor,
    resourceOf: (apiVersion, kind) => {
      const r = ctx.catalog.kind(apiVersion, kind);
      return r ? { resource: r.plural, namespaced: r.namespaced } : undefined;
    },
    schemaOf: (apiVersion, kind) => ctx.catalog.kind(apiVersion, kind)?.schema,
    convert: policyConverter(ctx.catalog),
    ...(authorize ? { authorize } : {}),
  });
  cache.set(ctx.store, { key, set });
  return set;
}

/**
 * What a request is where the object does not say: the subresource, the resource's group and
 * version, the object's kind, the name and namespace admission sees.
 *
 * @example
 * const extras: PolicyRequestExtras = { subResource: "scale", group: "apps", version: "v1", kind: { group: "autoscaling", version: "v1", kind: "Scale" } };
 */
export type PolicyRequestExtras = Pick<AdmissionRequest, "subResource" | "group" | "version" | "kind" | "name" | "namespace">;

/**
 * Run the policies on a write: returns the object to store (mutated) and the `Warning` texts,
 * or throws the apiserver's Status when a policy denies the request.
 *
 * @example
 * const { object, warnings } = admitPolicies(ctx, resource, "CREATE", obj, undefined, "alice");
 */
export function admitPolicies(
  ctx: PolicyContext,
  r: ServedResource,
  operation: AdmissionOperation,
  object: KubeObject | undefined,
  old: KubeObject | undefined,
  user: string,
  dryRun = false,
  phase?: "mutating" | "validating",
  request: PolicyRequestExtras = {},
): { object?: KubeObject; warnings: string[] } {
  const set = policySet(ctx);
  if (!set) return { ...(object ? { object } : {}), warnings: [] };
  const result = set.admit({
    operation,
    ...(object ? { object: object as Obj } : {}),
    ...(old ? { oldObject: old as Obj } : {}),
    resource: r.plural,
    namespaced: r.namespaced,
    userInfo: { username: user, groups: user ? ["system:authenticated"] : ["system:unauthenticated"] },
    dryRun,
    ...(phase ? { phase } : {}),
    ...request,
    // Policies matching another served version of the resource see the object converted to it.
    equivalents: equivalentResources(ctx.catalog, r, request.subResource || undefined, request.kind),
  });
  if (result.denied) {
    const name = request.name ?? String((object ?? old)?.metadata?.name ?? "");
    const message = `${qualified(r)} "${name}" is forbidden: ${result.denied.message}`;
    throw statusError(result.denied.code, result.denied.reason, message, { name, ...(r.group ? { group: r.group } : {}), kind: r.plural, causes: [{ message: result.denied.message }] });
  }
  return { ...(result.object ? { object: result.object as KubeObject } : {}), warnings: result.warnings };
}
