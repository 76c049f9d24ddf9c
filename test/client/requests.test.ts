/**
 * Requests are built without I/O and compared as strings (kube-rs' kube-core approach): method,
 * path, query, content type and body for every verb, from the schemas' annotations.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ClusterRole, ConfigMap, Deployment, Pod } from "kubezod/k8s";
import { defineResource, resourceInfo, UsageError } from "../../src/index.js";
import {
  connectRequest,
  createRequest,
  deleteCollectionRequest,
  deleteRequest,
  evictionRequest,
  getRequest,
  listRequest,
  logRequest,
  patchRequest,
  renderRequest,
  replaceRequest,
  watchRequest,
} from "../../src/client/requests.js";

const cm = resourceInfo(ConfigMap)!;
const pods = resourceInfo(Pod)!;
const deployments = resourceInfo(Deployment)!;
const clusterRoles = resourceInfo(ClusterRole)!;
const widgets = resourceInfo(defineResource({ group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true, schema: z.object({}) }))!;

describe("requests as strings", () => {
  it("reads: get, list, watch", () => {
    expect(renderRequest(getRequest(cm, { namespace: "default", name: "settings" }))).toBe("GET /api/v1/namespaces/default/configmaps/settings");
    expect(renderRequest(getRequest(deployments, { namespace: "a", name: "web", subresource: "scale", resourceVersion: "0" }))).toBe("GET /apis/apps/v1/namespaces/a/deployments/web/scale?resourceVersion=0");
    expect(renderRequest(listRequest(pods, { namespace: "shop", labelSelector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }] }, fieldSelector: { "status.phase": "Running" }, limit: 50 }))).toBe(
      "GET /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&fieldSelector=status.phase%3DRunning&limit=50",
    );
    expect(renderRequest(listRequest(pods, {}))).toBe("GET /api/v1/pods");
    expect(renderRequest(listRequest(clusterRoles, { continue: "abc", resourceVersionMatch: "NotOlderThan", resourceVersion: "5" }))).toBe(
      "GET /apis/rbac.authorization.k8s.io/v1/clusterroles?continue=abc&resourceVersion=5&resourceVersionMatch=NotOlderThan",
    );
    expect(renderRequest(watchRequest(cm, { namespace: "a", name: "one", resourceVersion: "10", allowWatchBookmarks: true, timeoutSeconds: 60 }))).toBe(
      "GET /api/v1/namespaces/a/configmaps?fieldSelector=metadata.name%3Done&resourceVersion=10&timeoutSeconds=60&watch=true&allowWatchBookmarks=true",
    );
    expect(renderRequest(watchRequest(cm, { sendInitialEvents: true, allowWatchBookmarks: true }))).toBe(
      "GET /api/v1/configmaps?resourceVersionMatch=NotOlderThan&watch=true&allowWatchBookmarks=true&sendInitialEvents=true",
    );
  });

  it("writes: create, replace, patch of every type, apply", () => {
    expect(renderRequest(createRequest(cm, { namespace: "a", body: { metadata: { name: "x" } }, fieldManager: "me", dryRun: true, fieldValidation: "Strict" }))).toBe(
      'POST /api/v1/namespaces/a/configmaps?dryRun=All&fieldValidation=Strict&fieldManager=me\n{"metadata":{"name":"x"}}',
    );
    expect(renderRequest(replaceRequest(deployments, { namespace: "a", name: "web", subresource: "status", body: { status: {} } }))).toBe('PUT /apis/apps/v1/namespaces/a/deployments/web/status\n{"status":{}}');
    expect(renderRequest(patchRequest(deployments, { namespace: "a", name: "web", type: "strategic", patch: { spec: { replicas: 3 } } }))).toBe(
      'PATCH /apis/apps/v1/namespaces/a/deployments/web\nContent-Type: application/strategic-merge-patch+json\n{"spec":{"replicas":3}}',
    );
    expect(renderRequest(patchRequest(cm, { namespace: "a", name: "x", type: "json", patch: [{ op: "remove", path: "/data/a" }] }))).toBe(
      'PATCH /api/v1/namespaces/a/configmaps/x\nContent-Type: application/json-patch+json\n[{"op":"remove","path":"/data/a"}]',
    );
    // kube-apiserver encodes the stored object as Go's json.Marshal does (`&` as \u0026) and evanphx's
    // `test` compares strings byte by byte: a JSON patch goes out in the same form.
    expect(renderRequest(patchRequest(cm, { namespace: "a", name: "x", type: "json", patch: [{ op: "test", path: "/metadata/annotations/url", value: "https://x/?a=1&b=<2>\f" }] }))).toBe(
      'PATCH /api/v1/namespaces/a/configmaps/x\nContent-Type: application/json-patch+json\n[{"op":"test","path":"/metadata/annotations/url","value":"https://x/?a=1\\u0026b=\\u003c2\\u003e\\u000c"}]',
    );
    expect(renderRequest(patchRequest(cm, { namespace: "a", name: "x", type: "merge", patch: { data: null } }))).toBe('PATCH /api/v1/namespaces/a/configmaps/x\nContent-Type: application/merge-patch+json\n{"data":null}');
    expect(renderRequest(patchRequest(cm, { namespace: "a", name: "x", type: "apply", fieldManager: "op", force: true, patch: { apiVersion: "v1", kind: "ConfigMap" } }))).toBe(
      'PATCH /api/v1/namespaces/a/configmaps/x?fieldManager=op&force=true\nContent-Type: application/apply-patch+yaml\n{"apiVersion":"v1","kind":"ConfigMap"}',
    );
  });

  it("refuses what the resource does not allow, naming it", () => {
    expect(() => patchRequest(widgets, { name: "x", type: "strategic", patch: {} })).toThrow(UsageError);
    expect(() => patchRequest(widgets, { name: "x", type: "strategic", patch: {} })).toThrow(/Widget \(example\.com\/v1\) does not accept strategic patches; it accepts json, merge, apply/);
    expect(() => patchRequest(cm, { name: "x", type: "apply", patch: {} })).toThrow(/needs a fieldManager/);
    expect(() => logRequest(deployments, { name: "web" })).toThrow(/Deployment \(apps\/v1\) has no log subresource; it has scale, status/);
    expect(() => getRequest(cm, { name: "x", subresource: "scale" })).toThrow(/ConfigMap \(v1\) has no scale subresource; it has none/);
    expect(() => getRequest(cm, { name: ".." })).toThrow(/not a valid path segment/);
  });

  it("deletes with DeleteOptions in the body", () => {
    expect(renderRequest(deleteRequest(deployments, { namespace: "a", name: "web" }))).toBe("DELETE /apis/apps/v1/namespaces/a/deployments/web");
    expect(renderRequest(deleteRequest(deployments, { namespace: "a", name: "web", propagationPolicy: "Foreground", gracePeriodSeconds: 0, preconditions: { uid: "u" }, dryRun: "All" }))).toBe(
      'DELETE /apis/apps/v1/namespaces/a/deployments/web\n{"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Foreground","gracePeriodSeconds":0,"preconditions":{"uid":"u"},"dryRun":["All"]}',
    );
    expect(renderRequest(deleteCollectionRequest(cm, { namespace: "a", labelSelector: "batch=true" }))).toBe("DELETE /api/v1/namespaces/a/configmaps?labelSelector=batch%3Dtrue");
  });

  it("subresources from the annotations: log, eviction (body kind from the annotation), connect", () => {
    expect(renderRequest(logRequest(pods, { namespace: "a", name: "web-1", container: "app", tailLines: 10, follow: true }))).toBe(
      "GET /api/v1/namespaces/a/pods/web-1/log?container=app&follow=true&tailLines=10\nAccept: text/plain, */*",
    );
    expect(renderRequest(evictionRequest(pods, { namespace: "a", name: "web-1", gracePeriodSeconds: 5 }))).toBe(
      'POST /api/v1/namespaces/a/pods/web-1/eviction\n{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-1","namespace":"a"},"deleteOptions":{"apiVersion":"v1","kind":"DeleteOptions","gracePeriodSeconds":5}}',
    );
    expect(renderRequest(connectRequest(pods, "exec", { namespace: "a", name: "web-1", query: { command: ["sh", "-c", "ls /"], stdout: true } }))).toBe(
      "GET /api/v1/namespaces/a/pods/web-1/exec?command=sh&command=-c&command=ls+%2F&stdout=true",
    );
    expect(() => connectRequest(deployments, "exec", { name: "web" })).toThrow(/no exec subresource/);
  });
});
