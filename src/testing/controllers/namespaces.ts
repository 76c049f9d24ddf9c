/**
 * Namespace lifecycle and what every namespace gets: the namespace controller empties a
 * Terminating namespace (reporting its progress in the namespace's deletion conditions) and then
 * removes the `kubernetes` finalizer; the service account controller keeps a `default`
 * ServiceAccount in each namespace; the root CA publisher keeps the `kube-root-ca.crt` ConfigMap;
 * the tokens controller fills Secrets of type `kubernetes.io/service-account-token`.
 */
import type { KubeObject } from "../store.js";
import type { WebhookState } from "../webhooks.js";
import { CONFIGMAPS, NAMESPACES, SECRETS, SERVICE_ACCOUNTS } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { arr, obj, rfc3339, same, setCondition, type Condition } from "./util.js";

const ROOT_CA = "kube-root-ca.crt";
const ROOT_CA_DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";
const TOKEN_TYPE = "kubernetes.io/service-account-token";
const SA_NAME = "kubernetes.io/service-account.name";
const SA_UID = "kubernetes.io/service-account.uid";

/** The namespace controller: delete the content of a Terminating namespace, then finalize it. */
export function registerNamespaceController(ctx: ControllerContext, finish: (name: string, webhooks?: () => WebhookState | undefined) => void, remaining: (name: string) => { resources: Map<string, number>; finalizers: Map<string, number> }): void {
  const api = ctx.as({ manager: "kube-controller-manager", user: "system:serviceaccount:kube-system:namespace-controller" });
  ctx.watch("/namespaces", "namespace", (e) => (e.type !== "DELETED" && e.object.metadata.deletionTimestamp ? `/${String(e.object.metadata.name)}` : undefined));
  // Each removal inside a terminating namespace may be the last thing holding it.
  ctx.watchAll((e) => {
    const ns = e.type === "DELETED" ? e.object.metadata.namespace : undefined;
    return typeof ns === "string" && ns && api.get(NAMESPACES, "", ns)?.metadata.deletionTimestamp ? `/${ns}` : undefined;
  }, "namespace");
  ctx.reconciler("namespace", (key) => {
    const { name } = splitKey(key);
    const ns = api.get(NAMESPACES, "", name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    // Its deletes go through admission as the namespace controller (a delete waiting for webhooks pauses the reconcile).
    finish(name, () => api.webhookState());
    const current = api.get(NAMESPACES, "", name);
    if (!current) return;
    // Report what holds the namespace, as the namespace controller's deletion conditions do.
    const left = remaining(name);
    const at = rfc3339(ctx.now());
    const cond = (type: string, status: string, reason: string, message: string): Condition => ({ type, status, lastTransitionTime: at, reason, message });
    let conditions = arr<Condition>(obj(current.status).conditions);
    conditions = setCondition(conditions, cond("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered", "All resources successfully discovered"));
    conditions = setCondition(conditions, cond("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions", "All legacy kube types successfully parsed"));
    conditions = setCondition(conditions, cond("NamespaceDeletionContentFailure", "False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"));
    const resources = [...left.resources].map(([r, n]) => `${r} has ${n} resource instances`).sort();
    conditions = setCondition(
      conditions,
      resources.length ? cond("NamespaceContentRemaining", "True", "SomeResourcesRemain", `Some resources are remaining: ${resources.join(", ")}`) : cond("NamespaceContentRemaining", "False", "ContentRemoved", "All content successfully removed"),
    );
    const finalizers = [...left.finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
    conditions = setCondition(
      conditions,
      finalizers.length ? cond("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain", `Some content in the namespace has finalizers remaining: ${finalizers.join(", ")}`) : cond("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
    );
    const status = { ...obj(current.status), conditions };
    if (!same(obj(current.status), status)) api.updateStatus(NAMESPACES, { ...current, status });
  });
}

/** The service account and root CA controllers: a `default` ServiceAccount and `kube-root-ca.crt` in every namespace. */
export function registerNamespaceDefaults(ctx: ControllerContext, caCertificate: string | undefined): void {
  const api = ctx.as({ manager: "kube-controller-manager", user: "system:serviceaccount:kube-system:service-account-controller" });
  const active = (name: string) => {
    const ns = api.get(NAMESPACES, "", name);
    return ns !== undefined && !ns.metadata.deletionTimestamp;
  };
  ctx.watch("/namespaces", "namespace-defaults", (e) => (e.type === "DELETED" ? undefined : String(e.object.metadata.name)));
  ctx.watch("/serviceaccounts", "namespace-defaults", (e) => (e.type === "DELETED" && e.object.metadata.name === "default" ? String(e.object.metadata.namespace) : undefined));
  ctx.watch("/configmaps", "namespace-defaults", (e) => (e.object.metadata.name === ROOT_CA ? String(e.object.metadata.namespace) : undefined));
  ctx.reconciler("namespace-defaults", (name) => {
    if (!active(name)) return;
    if (!api.get(SERVICE_ACCOUNTS, name, "default")) api.create(SERVICE_ACCOUNTS, name, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: name } });
    if (caCertificate === undefined) return;
    const data = { "ca.crt": caCertificate };
    const annotations = { "kubernetes.io/description": ROOT_CA_DESCRIPTION };
    const cm = api.get(CONFIGMAPS, name, ROOT_CA);
    const publisher = ctx.as({ manager: "kube-controller-manager", user: "system:serviceaccount:kube-system:root-ca-cert-publisher" });
    if (!cm) publisher.create(CONFIGMAPS, name, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: ROOT_CA, namespace: name, annotations }, data });
    else if (!same(cm.data, data) || obj(cm.metadata.annotations)["kubernetes.io/description"] !== ROOT_CA_DESCRIPTION) {
      publisher.update(CONFIGMAPS, { ...cm, metadata: { ...cm.metadata, annotations: { ...obj(cm.metadata.annotations), ...annotations } }, data });
    }
  });
}

/** The tokens controller: legacy service account token Secrets get a token, the CA and the namespace. */
export function registerTokens(ctx: ControllerContext, caCertificate: string | undefined, issue: (namespace: string, serviceAccount: KubeObject) => string): void {
  const api = ctx.as({ manager: "kube-controller-manager", user: "system:serviceaccount:kube-system:tokens-controller" });
  ctx.watch("/secrets", "tokens", (e) => (e.type !== "DELETED" && e.object.type === TOKEN_TYPE ? objectKeyOf(e.object) : undefined));
  // Tokens of a deleted service account go with it.
  ctx.watch("/serviceaccounts", "tokens", (e) => {
    if (e.type !== "DELETED") return undefined;
    return api
      .list(SECRETS, String(e.object.metadata.namespace))
      .filter((s) => s.type === TOKEN_TYPE && obj(s.metadata.annotations)[SA_NAME] === e.object.metadata.name)
      .map(objectKeyOf);
  });
  ctx.reconciler("tokens", (key) => {
    const { namespace, name } = splitKey(key);
    const secret = api.get(SECRETS, namespace, name);
    if (!secret || secret.type !== TOKEN_TYPE || secret.metadata.deletionTimestamp) return;
    const annotations = obj(secret.metadata.annotations);
    const sa = api.get(SERVICE_ACCOUNTS, namespace, String(annotations[SA_NAME] ?? ""));
    if (!sa || (annotations[SA_UID] !== undefined && annotations[SA_UID] !== sa.metadata.uid)) {
      api.delete(SECRETS, secret);
      return;
    }
    const data = obj(secret.data);
    if (data.token) return;
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    api.update(SECRETS, {
      ...secret,
      metadata: { ...secret.metadata, annotations: { ...annotations, [SA_UID]: String(sa.metadata.uid) } },
      data: { ...data, token: b64(issue(namespace, sa)), namespace: b64(namespace), ...(caCertificate ? { "ca.crt": b64(caCertificate) } : {}) },
    });
  });
}
