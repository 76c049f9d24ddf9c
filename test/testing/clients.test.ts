/**
 * Clients nobody here wrote, unchanged, against the local API server: the official Python client
 * (Debian's python3-kubernetes) and @kubernetes/client-node (under Node 24). Each is obtained the
 * way CI can (apt-get, the npm registry); a client that cannot be had is skipped with the reason.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { clientNode, pythonClient } from "../support/clients.js";
import { repoRoot } from "../support/shared.js";

const python = pythonClient();
const node = clientNode();

let server: TestServer;
let kubeconfig: string;

function runJson(cmd: string, args: string[], cwd?: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, KUBECONFIG: kubeconfig } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("close", (code) => {
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as Record<string, unknown>);
      } catch {
        reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}${out.slice(-1000)}`));
      }
    });
  });
}

beforeAll(async () => {
  // Pods named "logger" write three lines and exit after a while, so a followed log ends.
  server = await startTestServer({
    kubernetesVersion: "1.32",
    controllers: { pods: (pod) => (pod.metadata.name === "logger" ? { logs: "one\ntwo\nthree\n", exitCode: 0, runMs: 1500 } : undefined) },
  });
  kubeconfig = await server.writeKubeconfig(join(mkdtempSync(join(tmpdir(), "kubezod-clients-")), "kubeconfig"));
});
afterAll(async () => {
  await server?.close();
});

describe.skipIf(!python.ok)(`the official Python client${python.ok ? "" : ` (skipped: ${python.reason})`}`, () => {
  it("creates without apiVersion/kind, reads, patches, replaces, lists, deletes, and watches with watch=True", async () => {
    const out = await runJson(python.ok ? python.value : "python3", [join(repoRoot, "test/testing/clients/python_client.py"), kubeconfig]);
    expect(out).toEqual({
      namespace: ["v1", "Namespace", "py", "Active"],
      created: { a: "1" },
      read: { a: "1" },
      patched: { a: "1", b: "2" },
      replaced: { c: "3" },
      listed: ["kube-root-ca.crt", "settings"],
      deployment_events: "ADDED",
      available: 2,
      pods: 2,
      deleted: 404,
    });
  }, 120_000);
});

describe.skipIf(!python.ok)(`the official Python client's streams${python.ok ? "" : ` (skipped: ${python.reason})`}`, () => {
  it("runs exec and carries bytes through port-forward to the default echo target", async () => {
    const out = await runJson(python.ok ? python.value : "python3", [join(repoRoot, "test/testing/clients/python_streams.py"), kubeconfig]);
    expect(out).toEqual({ exec: "hello from shell\n", forwarded: 100000 });
  }, 120_000);
});

describe.skipIf(!python.ok)(`the official Python client in everyday use${python.ok ? "" : ` (skipped: ${python.reason})`}`, () => {
  it("CRUD, patch_* with the default content type, a stale replace, create_from_yaml, the dynamic client, watch, logs, exec, propagation policies", async () => {
    // As etcd's compaction: resourceVersions from before are gone (410 for a watch or an exact list there).
    server.compact();
    const out = await runJson(python.ok ? python.value : "python3", [join(repoRoot, "test/testing/clients/python_usage.py"), kubeconfig]);
    expect(out.typed).toEqual({
      // stringData is folded into data on create.
      secret: [["user"], null, "Opaque"],
      service: ["ClusterIP", "TCP", 8080, true],
      deployment: ["RollingUpdate", "IfNotPresent", 1],
      // Scaling changes spec.replicas (generation 2), the new image generation 3.
      scale: ["Scale", 1, 2],
      replaced: ["nginx:1.28", 3],
      listed: ["web"],
    });
    expect(out.patch).toEqual({
      // A dict body is sent as a strategic merge patch: containers and env merge by name, new entries first.
      smp: ["sidecar", "web"],
      env: [["B", "2"], ["A", "1"]],
      // A list body is sent as a JSON patch.
      json: ["sidecar"],
      cm: [{ a: "1" }, { b: "2" }, { c: "3" }, { c: "3", d: "4" }],
    });
    expect(out.conflict).toEqual([
      409,
      "Conflict",
      "Conflict",
      "settings",
      "configmaps",
      'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again',
    ]);
    expect(out.createFromYaml).toEqual({
      created: [["ConfigMap", "from-yaml", "py-usage"], ["Deployment", "yaml-web", "py-usage"], ["Service", "yaml-web", "py-usage"]],
      again: [409],
    });
    expect(out.dynamic).toEqual({
      kinds: ["ConfigMap", true, "apps/v1", false, "Scale"],
      created: ["ConfigMap", "dyn", "1"],
      got: { a: "1" },
      patched: { a: "1", b: "2" },
      merged: { b: "2" },
      listed: ["ConfigMapList", ["dyn", "from-yaml", "kube-root-ca.crt", "settings"]],
      deployment: ["Deployment", 2],
      scale: ["Scale", "autoscaling/v1", 2],
      applied: [{ k: "v" }, ["py-dynamic"], ["Apply"]],
      yamlApplied: { k: "v2" },
      deleted: ["Status", "Success"],
      missing: 404,
    });
    expect(out.watch).toEqual({ events: [["MODIFIED", "watched", "1"], ["DELETED", "watched", "1"]], ended: true, quiet: [] });
    expect(out.logs).toEqual({ full: "one\ntwo\nthree\n", tail: "two\nthree\n", followed: ["one", "two", "three"], missing: [404, 'pods "nobody" not found'] });
    // stream() without _preload_content=False returns stdout and stderr together.
    expect(out.exec).toEqual({ plain: "out\nerr\n", separated: ["out\n", "err\n", 4], interactive: "typed\n" });
    expect(out.version).toEqual(["1", "32", true, "linux/amd64"]);
    expect(out.paging).toEqual({
      // Every page but the last says how many items are left.
      pages: [[2, 6], [2, 4], [2, 2], [2, null]],
      bad: [400, "BadRequest"],
      deleted: ["ConfigMapList", ["page-0", "page-1", "page-2", "page-3", "page-4"]],
    });
    expect(out.customObjects).toEqual({
      created: ["Gadget", { count: 1 }, 1],
      patched: [{ count: 2 }, 2],
      // A status change leaves the generation alone.
      status: [{ phase: "Ready" }, 2],
      listed: ["GadgetList", "example.org/v1", ["g1"]],
      everywhere: 1,
      dynamic: ["Gadget", true, true, "Gadget"],
      // The typed calls' field manager is the User-Agent's first part.
      applied: [9, ["OpenAPI-Generator", "py-apply"]],
      invalid: [422, 'Gadget.example.org "g2" is invalid: spec.count: Invalid value: "string": spec.count in body must be of type integer: "string"'],
    });
    expect(out.dynamicWatch).toEqual([["ADDED", "dyn-watched", "ConfigMap"]]);
    expect(out.eviction).toEqual([201, "Status", "Success"]);
    // Every typed list call of the GA APIs deserializes, except events.k8s.io's: the controllers' Events are
    // written as client-go's legacy recorder writes them, without eventTime, which the client's model
    // requires (kubernetes-client/python#1616; it fails the same against a cluster).
    expect(out.listEverything).toEqual({
      calls: true,
      jobSucceeded: 1,
      failures: {
        "EventsV1Api.list_event_for_all_namespaces": "Invalid value for `event_time`, must not be `None`",
        "EventsV1Api.list_namespaced_event": "Invalid value for `event_time`, must not be `None`",
      },
    });
    expect(out.podGrace).toEqual(["V1Pod", 30, true, true]);
    expect(out.expired).toEqual({
      watched: [410, expect.stringMatching(/^Expired: too old resource version: 1 \(\d+\)$/)],
      listed: [410, "Expired", "The resourceVersion for the provided list is too old."],
    });
    // The dynamic client's delete without a name is a deletecollection, answered with what it deleted.
    expect(out.dynamicCollection).toEqual(["ConfigMapList", ["bulk-0", "bulk-1", "bulk-2"], 0]);
    expect(out.propagation).toEqual({
      // While finalizers hold the object, the delete answers 200 with it (202 only for orphanDependents=false).
      orphan: [200, "Deployment", ["orphan"], true],
      foreground: [200, "Deployment", ["foregroundDeletion"], true],
      orphanedReplicaSets: [true, false],
      cascadedReplicaSets: 0,
      background: ["Status", "Success", "settings", "configmaps"],
      bad: [422, "Invalid"],
    });
  }, 120_000);
});

describe.skipIf(!node.ok)(`@kubernetes/client-node${node.ok ? "" : ` (skipped: ${node.reason})`}`, () => {
  it("runs its README's createNamespace, typed calls, an informer and a watch", async () => {
    if (!node.ok) return;
    const [cmd, ...args] = node.value.node;
    const out = await runJson(cmd!, [...args, join(repoRoot, "test/testing/clients/client_node.mjs"), kubeconfig], node.value.dir);
    expect(out).toMatchObject({
      namespace: ["v1", "Namespace", "cn"],
      read: { a: "1" },
      patched: { a: "1", b: "2" },
      replaced: { c: "3" },
      listed: ["kube-root-ca.crt", "settings"],
      informer: "web",
      deleted: 404,
    });
    expect(out.watched).toEqual(expect.arrayContaining(["ADDED kube-root-ca.crt", "ADDED settings"]));
  }, 120_000);
});

describe.skipIf(!node.ok)(`@kubernetes/client-node in everyday use${node.ok ? "" : ` (skipped: ${node.reason})`}`, () => {
  it("KubernetesObjectApi, server-side apply, every PatchStrategy, selectors and paging, a CRD's objects, logs, exec, attach, watch, an informer, ApiException", async () => {
    if (!node.ok) return;
    const [cmd, ...args] = node.value.node;
    // The informer's first watch of secrets is cut after one event.
    const cut = server.faults.inject({ match: { watch: true, resource: "secrets", namespace: "usage" }, cutWatchAfterEvents: 1, times: 1 });
    const out = await runJson(cmd!, [...args, join(repoRoot, "test/testing/clients/client_node_usage.mjs"), kubeconfig], node.value.dir);
    expect(cut.hits).toBe(1);
    expect(out.objectApi).toEqual({
      created: ["v1", "ConfigMap", "generic", "string"],
      read: { a: "1" },
      replaced: { b: "2" },
      patched: { b: "2", c: "3" },
      listKind: ["v1", "ConfigMapList"],
      listed: ["generic", "kube-root-ca.crt"],
      // Deleting an object without finalizers answers a Success Status naming it.
      deleted: ["Status", "Success", { name: "generic", kind: "configmaps", uid: expect.any(String) }],
    });
    expect(out.serverSideApply).toEqual({
      first: ["applied", 1, [["first", "Apply"]]],
      conflict: [409, "Conflict", [["FieldManagerConflict", ".spec.replicas"]]],
      forced: [3, ["first", "kube-controller-manager", "second"]],
    });
    expect(out.patchStrategies).toEqual({
      smp: ["sidecar", "web"],
      merge: [{ tier: "web", patched: "merge" }, 2],
      json: [2, "json"],
      generation: 3,
      cmSmp: { a: "1", b: "2" },
      cmMerge: { b: "2" },
      cmJson: { b: "2", c: "3" },
      cmApply: { b: "2", c: "3", d: "4" },
      failedTest: [422, "Invalid"],
    });
    expect(out.lists).toEqual({
      labelled: ["page-1", "page-3"],
      byName: ["page-3"],
      notName: ["page-1", "page-2", "page-3", "page-4"],
      // With a label selector the pages carry no remainingItemCount.
      pages: [["page-0", "page-1"], null, ["page-2", "page-3"], null, ["page-4"]],
      all: ["usage/page-0", "usage/page-1", "usage/page-2", "usage/page-3", "usage/page-4"],
      // deletecollection answers the list of what it deleted.
      removed: ["ConfigMapList", null],
      left: ["page-1", "page-3"],
    });
    expect(out.customResources).toEqual({
      established: true,
      created: ["Widget", { size: 2 }],
      got: "w1",
      patched: { size: 5 },
      status: { ready: true },
      // A replace does not change the status of a kind with a status subresource.
      replaced: [{ size: 7, color: "red" }, { ready: true }],
      listed: ["WidgetList", ["w1"]],
      smp: 415,
      invalid: [422, "Invalid", [{ reason: "FieldValueInvalid", message: "Invalid value: 0: spec.size in body should be greater than or equal to 1", field: "spec.size" }]],
      viaObjects: { size: 7, color: "red" },
      gone: 404,
    });
    expect(out.logs).toEqual({ followed: "one\ntwo\nthree\n", tail: "three\n" });
    expect(out.exec).toEqual({
      echo: { stdout: "hello\n", stderr: "oops\n", status: "Success" },
      stdin: { stdout: "from stdin\n", stderr: "", status: "Success" },
      failed: { stdout: "", stderr: "", status: "Failure", reason: "NonZeroExitCode", exitCode: "3" },
    });
    expect(out.attach).toEqual({ opened: true, stdout: "" });
    expect(out.watch).toEqual({ seen: ["MODIFIED watched 1", "DELETED watched 1"], bookmark: [["apiVersion", "kind", "metadata"], ["resourceVersion"]] });
    expect(out.informer).toEqual({ result: "deleted", events: ["add before", "add after", "update after 2", "delete after"], cached: ["before"] });
    const status = (code: number, reason: string, message: string, details: Record<string, string>) => ({ apiException: true, code, kind: "Status", status: "Failure", reason, message, details });
    expect(out.errors).toEqual({
      notFound: status(404, "NotFound", 'configmaps "missing" not found', { name: "missing", kind: "configmaps" }),
      exists: status(409, "AlreadyExists", 'configmaps "twice" already exists', { name: "twice", kind: "configmaps" }),
      stale: status(409, "Conflict", 'Operation cannot be fulfilled on configmaps "twice": the object has been modified; please apply your changes to the latest version and try again', { name: "twice", kind: "configmaps" }),
      genericNotFound: status(404, "NotFound", 'deployments.apps "missing" not found', { name: "missing", group: "apps", kind: "deployments" }),
    });
    expect(out.health).toEqual({ readyz: true, livez: true, version: ["1", "32", true] });
    expect(out.yamlApply).toEqual({
      first: ["created ConfigMap", "created Deployment", "created Widget"],
      second: ["patched ConfigMap", "patched Deployment", "patched Widget"],
      widget: { size: 4 },
      cm: { mode: "0644" },
      // dryRun=All answers the object as it would be stored, and stores nothing.
      dry: ["dry", "string", 404],
      paged: [1, "string", true, true],
    });
    expect(out.portForward).toBe("hello");
    expect(out.copy).toEqual({ inside: "copied in\n", out: "copied in\n" });
    // After the cut the informer watches again from its resourceVersion: s2 arrives once, s1 is not re-added.
    expect(out.informerRestart).toEqual({ result: "resumed", events: ["add s1", "add s2"] });
  }, 120_000);
});
