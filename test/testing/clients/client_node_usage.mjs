// @kubernetes/client-node against the local API server, used the way applications use it:
// KubernetesObjectApi (generic CRUD, list, server-side apply), every PatchStrategy on Deployments and
// ConfigMaps, selectors and paging, deleteCollection, a CRD and its objects through
// CustomObjectsApi, logs (follow), exec and attach, watch with resourceVersion and bookmarks, an
// informer with a label selector, and errors as ApiException.
// Run under Node 24: node client_node_usage.mjs <kubeconfig> (the package is resolved from the
// current directory). Prints one JSON object: a key per step, `{ error }` where a step failed.
import { createRequire } from "node:module";
import { PassThrough, Writable } from "node:stream";
const require = createRequire(`${process.cwd()}/`);
const k8s = require("@kubernetes/client-node");

const kc = new k8s.KubeConfig();
kc.loadFromFile(process.argv[2]);
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const ns = "usage";
const out = {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const within = (ms, p) => Promise.race([p, sleep(ms).then(() => "timeout")]);

async function step(name, fn) {
  try {
    out[name] = await fn();
  } catch (e) {
    out[name] = { error: e instanceof k8s.ApiException ? `${e.code} ${JSON.stringify(e.body)}` : String(e?.stack ?? e) };
  }
}

// The typed APIs leave an error's body as the response text (the Status as JSON).
const statusOf = (e) => {
  if (typeof e.body !== "string") return e.body;
  try {
    return JSON.parse(e.body);
  } catch {
    return e.body;
  }
};

const deployment = (name, labels = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns, labels: { tier: "web", ...labels } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "web", image: "nginx:1.27", env: [{ name: "A", value: "1" }] }] },
    },
  },
});

await core.createNamespace({ body: { metadata: { name: ns } } });

// KubernetesObjectApi: create, read, replace, patch, list, delete on a ConfigMap.
await step("objectApi", async () => {
  const created = await objects.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "generic", namespace: ns }, data: { a: "1" } });
  const read = await objects.read({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "generic", namespace: ns } });
  const replaced = await objects.replace({ ...read, data: { b: "2" } });
  const patched = await objects.patch(
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "generic", namespace: ns }, data: { c: "3" } },
    undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch,
  );
  const listed = await objects.list("v1", "ConfigMap", ns);
  const status = await objects.delete({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "generic", namespace: ns } });
  return {
    created: [created.apiVersion, created.kind, created.metadata.name, typeof created.metadata.resourceVersion],
    read: read.data,
    replaced: replaced.data,
    patched: patched.data,
    listKind: [listed.apiVersion, listed.kind],
    listed: listed.items.map((i) => i.metadata.name).sort(),
    deleted: [status.kind, status.status, status.details],
  };
});

// Server-side apply through KubernetesObjectApi.patch: a field manager, a conflict, then force.
await step("serverSideApply", async () => {
  const body = deployment("applied");
  const first = await objects.patch(body, undefined, undefined, "first", undefined, k8s.PatchStrategy.ServerSideApply);
  const again = structuredClone(body);
  again.spec.replicas = 3;
  let conflict;
  try {
    await objects.patch(again, undefined, undefined, "second", undefined, k8s.PatchStrategy.ServerSideApply);
  } catch (e) {
    conflict = [e.code, statusOf(e)?.reason, statusOf(e)?.details?.causes?.map((c) => [c.reason, c.field])];
  }
  const forced = await objects.patch(again, undefined, undefined, "second", true, k8s.PatchStrategy.ServerSideApply);
  return {
    first: [first.metadata.name, first.spec.replicas, first.metadata.managedFields.map((f) => [f.manager, f.operation])],
    conflict,
    forced: [forced.spec.replicas, forced.metadata.managedFields.map((f) => f.manager).sort()],
  };
});

// Each PatchStrategy on a Deployment (containers merge by name) and a ConfigMap.
await step("patchStrategies", async () => {
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment("patched") });
  const opts = (type) => k8s.setHeaderOptions("Content-Type", type);
  const smp = await apps.patchNamespacedDeployment(
    { name: "patched", namespace: ns, body: { spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox:1.36" }] } } } } },
    opts(k8s.PatchStrategy.StrategicMergePatch),
  );
  const merge = await apps.patchNamespacedDeployment(
    { name: "patched", namespace: ns, body: { metadata: { labels: { patched: "merge" } } } },
    opts(k8s.PatchStrategy.MergePatch),
  );
  const json = await apps.patchNamespacedDeployment(
    { name: "patched", namespace: ns, body: [{ op: "replace", path: "/spec/replicas", value: 2 }, { op: "add", path: "/metadata/annotations", value: { note: "json" } }] },
    opts(k8s.PatchStrategy.JsonPatch),
  );
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "cm-patched" }, data: { a: "1" } } });
  const cmSmp = await core.patchNamespacedConfigMap({ name: "cm-patched", namespace: ns, body: { data: { b: "2" } } }, opts(k8s.PatchStrategy.StrategicMergePatch));
  const cmMerge = await core.patchNamespacedConfigMap({ name: "cm-patched", namespace: ns, body: { data: { a: null } } }, opts(k8s.PatchStrategy.MergePatch));
  const cmJson = await core.patchNamespacedConfigMap({ name: "cm-patched", namespace: ns, body: [{ op: "add", path: "/data/c", value: "3" }] }, opts(k8s.PatchStrategy.JsonPatch));
  const cmApply = await core.patchNamespacedConfigMap(
    { name: "cm-patched", namespace: ns, fieldManager: "applier", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm-patched" }, data: { d: "4" } } },
    opts(k8s.PatchStrategy.ServerSideApply),
  );
  // A JSON patch test that fails is refused with 422, as kube-apiserver refuses it.
  let failedTest;
  try {
    await core.patchNamespacedConfigMap({ name: "cm-patched", namespace: ns, body: [{ op: "test", path: "/data/c", value: "x" }] }, opts(k8s.PatchStrategy.JsonPatch));
  } catch (e) {
    failedTest = [e.code, statusOf(e)?.reason];
  }
  return {
    smp: smp.spec.template.spec.containers.map((c) => c.name),
    merge: [merge.metadata.labels, merge.spec.template.spec.containers.length],
    json: [json.spec.replicas, json.metadata.annotations.note],
    generation: json.metadata.generation,
    cmSmp: cmSmp.data,
    cmMerge: cmMerge.data,
    cmJson: cmJson.data,
    cmApply: cmApply.data,
    failedTest,
  };
});

// Lists: label and field selectors, limit/continue, deleteCollection.
await step("lists", async () => {
  for (let i = 0; i < 5; i++) {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `page-${i}`, labels: { group: "paged", parity: i % 2 ? "odd" : "even" } }, data: { i: String(i) } } });
  }
  const labelled = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "group=paged,parity in (odd)" });
  const byName = await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: "metadata.name=page-3" });
  const notName = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "group=paged", fieldSelector: "metadata.name!=page-0" });
  const pages = [];
  let token;
  do {
    const page = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "group", limit: 2, _continue: token });
    pages.push(page.items.map((i) => i.metadata.name));
    token = page.metadata._continue;
    if (token) pages.push(page.metadata.remainingItemCount);
  } while (token);
  const all = await core.listConfigMapForAllNamespaces({ labelSelector: "group=paged" });
  const removed = await core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: "parity=even" });
  const left = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "group=paged" });
  return {
    labelled: labelled.items.map((i) => i.metadata.name),
    byName: byName.items.map((i) => i.metadata.name),
    notName: notName.items.map((i) => i.metadata.name),
    pages,
    all: all.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`),
    removed: [removed.kind, removed.status],
    left: left.items.map((i) => i.metadata.name),
  };
});

// A CRD, served once Established, and its objects through CustomObjectsApi.
await step("customResources", async () => {
  await ext.createCustomResourceDefinition({
    body: {
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        scope: "Namespaced",
        versions: [{
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer", minimum: 1 }, color: { type: "string", default: "blue" } } }, status: { type: "object", properties: { ready: { type: "boolean" } } } } } },
        }],
      },
    },
  });
  let established = false;
  for (let i = 0; i < 50 && !established; i++) {
    const crd = await ext.readCustomResourceDefinition({ name: "widgets.example.com" });
    established = (crd.status?.conditions ?? []).some((c) => c.type === "Established" && c.status === "True");
    if (!established) await sleep(100);
  }
  const base = { group: "example.com", version: "v1", namespace: ns, plural: "widgets" };
  const created = await custom.createNamespacedCustomObject({ ...base, body: { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1", labels: { shape: "round" } }, spec: { size: 2 } } });
  const got = await custom.getNamespacedCustomObject({ ...base, name: "w1" });
  const patched = await custom.patchNamespacedCustomObject({ ...base, name: "w1", body: { spec: { size: 5 } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
  const status = await custom.patchNamespacedCustomObjectStatus({ ...base, name: "w1", body: { status: { ready: true } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
  const replaced = await custom.replaceNamespacedCustomObject({ ...base, name: "w1", body: { ...status, spec: { size: 7, color: "red" } } });
  const listed = await custom.listNamespacedCustomObject({ ...base, labelSelector: "shape=round" });
  let smp;
  try {
    await custom.patchNamespacedCustomObject({ ...base, name: "w1", body: { spec: { size: 1 } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch));
  } catch (e) {
    smp = e.code;
  }
  let invalid;
  try {
    await custom.createNamespacedCustomObject({ ...base, body: { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w2" }, spec: { size: 0 } } });
  } catch (e) {
    invalid = [e.code, statusOf(e)?.reason, statusOf(e)?.details?.causes];
  }
  const viaObjects = await objects.read({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1", namespace: ns } });
  await custom.deleteNamespacedCustomObject({ ...base, name: "w1" });
  let gone;
  try {
    await custom.getNamespacedCustomObject({ ...base, name: "w1" });
  } catch (e) {
    gone = e.code;
  }
  return {
    established,
    created: [created.kind, created.spec],
    got: got.metadata.name,
    patched: patched.spec,
    status: status.status,
    replaced: [replaced.spec, replaced.status],
    listed: [listed.kind, listed.items.map((i) => i.metadata.name)],
    smp,
    invalid,
    viaObjects: viaObjects.spec,
    gone,
  };
});

// Logs: a finished read, then a followed log that ends when the container exits.
await step("logs", async () => {
  await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: "logger" }, spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox:1.36" }] } } });
  const log = new k8s.Log(kc);
  let text = "";
  const sink = new Writable({ write(chunk, _enc, cb) { text += chunk; cb(); } });
  const ended = new Promise((resolve) => sink.on("finish", resolve));
  await log.log(ns, "logger", "main", sink, { follow: true });
  const followed = await within(15000, ended.then(() => text));
  const read = await core.readNamespacedPodLog({ name: "logger", namespace: ns, container: "main", tailLines: 1 });
  return { followed, tail: read };
});

// Exec and attach over WebSocket.
await step("exec", async () => {
  await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: "shell" }, spec: { containers: [{ name: "main", image: "busybox:1.36" }] } } });
  for (let i = 0; i < 100; i++) {
    if ((await core.readNamespacedPod({ name: "shell", namespace: ns })).status?.phase === "Running") break;
    await sleep(100);
  }
  const run = async (command, stdinText) => {
    let stdout = "";
    let stderr = "";
    const so = new Writable({ write(c, _e, cb) { stdout += c; cb(); } });
    const se = new Writable({ write(c, _e, cb) { stderr += c; cb(); } });
    let stdin = null;
    if (stdinText !== undefined) {
      stdin = new PassThrough();
      stdin.end(stdinText);
    }
    const status = await new Promise((resolve, reject) => {
      new k8s.Exec(kc).exec(ns, "shell", "main", command, so, se, stdin, false, resolve).catch(reject);
    });
    return { stdout, stderr, status: status.status, ...(status.status === "Success" ? {} : { reason: status.reason, exitCode: status.details?.causes?.find((c) => c.reason === "ExitCode")?.message }) };
  };
  return {
    echo: await run(["sh", "-c", "echo hello; echo oops >&2"]),
    stdin: await run(["cat"], "from stdin\n"),
    failed: await run(["sh", "-c", "exit 3"]),
  };
});

await step("attach", async () => {
  let stdout = "";
  const so = new Writable({ write(c, _e, cb) { stdout += c; cb(); } });
  const ws = await new k8s.Attach(kc).attach(ns, "shell", "main", so, null, null, false);
  const closed = new Promise((resolve) => ws.on("close", resolve));
  await within(1000, closed);
  ws.close();
  return { opened: true, stdout };
});

// Watch from a resourceVersion with bookmarks: the changes after it (not the create), and the
// BOOKMARK kube-apiserver sends 2 s before the watch's timeoutSeconds.
await step("watch", async () => {
  const first = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "watched", labels: { w: "1" } }, data: { v: "0" } } });
  await core.patchNamespacedConfigMap({ name: "watched", namespace: ns, body: { data: { v: "1" } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
  const seen = [];
  let bookmark;
  let req;
  const done = new Promise((resolve, reject) => {
    new k8s.Watch(kc)
      .watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: first.metadata.resourceVersion, allowWatchBookmarks: true, labelSelector: "w", timeoutSeconds: 3 }, (type, obj) => {
        if (type === "BOOKMARK") {
          bookmark = [Object.keys(obj).sort(), Object.keys(obj.metadata).sort()];
          if (seen.includes("DELETED watched 1")) resolve();
          return;
        }
        seen.push(`${type} ${obj.metadata.name} ${obj.data?.v}`);
        if (type === "MODIFIED") core.deleteNamespacedConfigMap({ name: "watched", namespace: ns });
        if (type === "DELETED" && bookmark) resolve();
      }, (err) => (err ? reject(err) : resolve()))
      .then((r) => (req = r), reject);
  });
  await within(8000, done);
  req?.abort();
  return { seen, bookmark };
});

// An informer over a namespaced kind with a label selector: adds, updates and deletes of matching objects only.
await step("informer", async () => {
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: ns, labelSelector: "informed=yes" }), "informed=yes");
  const events = [];
  const deleted = new Promise((resolve) => {
    informer.on("add", (o) => events.push(`add ${o.metadata.name}`));
    informer.on("update", (o) => events.push(`update ${o.metadata.name} ${o.data?.v}`));
    informer.on("delete", (o) => {
      events.push(`delete ${o.metadata.name}`);
      resolve();
    });
  });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "before", labels: { informed: "yes" } } } });
  await informer.start();
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "ignored" } } });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "after", labels: { informed: "yes" } }, data: { v: "1" } } });
  await core.patchNamespacedConfigMap({ name: "after", namespace: ns, body: { data: { v: "2" } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
  await core.deleteNamespacedConfigMap({ name: "after", namespace: ns });
  const result = await within(8000, deleted);
  const cached = informer.list(ns).map((o) => o.metadata.name).sort();
  await informer.stop();
  return { result: result ?? "deleted", events, cached };
});

// Errors: a 404 and a 409 are ApiExceptions with the code and the Status body.
await step("errors", async () => {
  const caught = async (fn) => {
    try {
      await fn();
      return "no error";
    } catch (e) {
      const body = statusOf(e);
      return { apiException: e instanceof k8s.ApiException, code: e.code, kind: body?.kind, status: body?.status, reason: body?.reason, message: body?.message, details: body?.details };
    }
  };
  const notFound = await caught(() => core.readNamespacedConfigMap({ name: "missing", namespace: ns }));
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "twice" } } });
  const exists = await caught(() => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "twice" } } }));
  const cm = await core.readNamespacedConfigMap({ name: "twice", namespace: ns });
  await core.replaceNamespacedConfigMap({ name: "twice", namespace: ns, body: { ...cm, data: { x: "1" } } });
  const stale = await caught(() => core.replaceNamespacedConfigMap({ name: "twice", namespace: ns, body: { ...cm, data: { x: "2" } } }));
  const genericNotFound = await caught(() => objects.read({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "missing", namespace: ns } }));
  return { notFound, exists, stale: { ...stale, message: stale.message?.replace(/[0-9a-f-]{36}/, "UID") }, genericNotFound };
});

// Health and version, as client-node's Health and VersionApi ask them.
await step("health", async () => {
  const health = new k8s.Health(kc);
  const version = await kc.makeApiClient(k8s.VersionApi).getCode();
  return { readyz: await health.readyz({}), livez: await health.livez({}), version: [version.major, version.minor, version.gitVersion.startsWith("v1.32.")] };
});

// client-node's README "apply": loadAllYaml, then read and merge-patch, or create on a 404 (a custom kind included).
await step("yamlApply", async () => {
  const manifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: from-yaml
  namespace: ${ns}
data:
  mode: "0644"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: yaml-web
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels: {app: yaml-web}
  template:
    metadata:
      labels: {app: yaml-web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: from-yaml
  namespace: ${ns}
spec:
  size: 3
`;
  const apply = async (specs) => {
    const actions = [];
    for (const spec of specs) {
      spec.metadata.annotations = { ...spec.metadata.annotations, "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(spec) };
      try {
        await objects.read({ apiVersion: spec.apiVersion, kind: spec.kind, metadata: { name: spec.metadata.name, namespace: spec.metadata.namespace } });
        const r = await objects.patch(spec, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
        actions.push(`patched ${r.kind}`);
      } catch (e) {
        if (!(e instanceof k8s.ApiException) || e.code !== 404) throw e;
        const r = await objects.create(spec);
        actions.push(`created ${r.kind}`);
      }
    }
    return actions;
  };
  const first = await apply(k8s.loadAllYaml(manifest));
  const second = await apply(k8s.loadAllYaml(manifest.replace("size: 3", "size: 4")));
  const widget = await objects.read({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "from-yaml", namespace: ns } });
  const cm = await objects.read({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "from-yaml", namespace: ns } });
  const dry = await objects.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry", namespace: ns } }, undefined, "All");
  let dryStored;
  try {
    await objects.read({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry", namespace: ns } });
    dryStored = true;
  } catch (e) {
    dryStored = e.code;
  }
  const page = await objects.list("v1", "ConfigMap", ns, undefined, undefined, undefined, undefined, undefined, 1);
  // The list's metadata is deserialized as V1ListMeta: the token is `_continue`.
  const token = page.metadata._continue;
  const next = await objects.list("v1", "ConfigMap", ns, undefined, undefined, undefined, undefined, undefined, 1, token);
  return {
    first,
    second,
    widget: widget.spec,
    cm: cm.data,
    dry: [dry.metadata.name, typeof dry.metadata.uid, dryStored],
    paged: [page.items.length, typeof token, page.metadata.remainingItemCount > 0, next.items[0].metadata.name !== page.items[0].metadata.name],
  };
});

// Port-forward over WebSocket (the kubelet's channel protocol) to the default echo target.
await step("portForward", async () => {
  const input = new PassThrough();
  let received = Buffer.alloc(0);
  const done = new Promise((resolve) => {
    const output = new Writable({
      write(chunk, _e, cb) {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 5) resolve();
        cb();
      },
    });
    new k8s.PortForward(kc).portForward(ns, "shell", [8080], output, null, input).then((ws) => {
      input.write("hello");
      done.then(() => (typeof ws === "function" ? ws() : ws)?.close());
    });
  });
  await within(5000, done);
  return received.toString();
});

// Copying files in and out of a container (tar through exec).
await step("copy", async () => {
  const { mkdtempSync, writeFileSync, readFileSync, existsSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const local = mkdtempSync(join(tmpdir(), "kubezod-cp-"));
  writeFileSync(join(local, "note.txt"), "copied in\n");
  const cp = new k8s.Cp(kc);
  await cp.cpToPod(ns, "shell", "main", local, "/tmp");
  let inside = "";
  for (let i = 0; i < 50 && !inside.includes("copied in"); i++) {
    await sleep(100);
    inside = "";
    const so = new Writable({ write(c, _e, cb) { inside += c; cb(); } });
    await new Promise((resolve, reject) => new k8s.Exec(kc).exec(ns, "shell", "main", ["cat", "/tmp/note.txt"], so, null, null, false, resolve).catch(reject));
  }
  const back = mkdtempSync(join(tmpdir(), "kubezod-cp-"));
  await cp.cpFromPod(ns, "shell", "main", "note.txt", back, "/tmp");
  let out = "";
  for (let i = 0; i < 50 && !out; i++) {
    await sleep(100);
    if (existsSync(join(back, "note.txt"))) out = readFileSync(join(back, "note.txt"), "utf8");
  }
  return { inside, out };
});

// An informer whose watch is cut (the test server drops it once), restarted from its error handler as
// client-node's examples do: it resumes from its resourceVersion and sees what came after.
await step("informerRestart", async () => {
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/secrets`, () => core.listNamespacedSecret({ namespace: ns, labelSelector: "resumed" }), "resumed");
  const events = [];
  const second = new Promise((resolve) => {
    informer.on("add", (o) => {
      events.push(`add ${o.metadata.name}`);
      if (o.metadata.name === "s2") resolve();
    });
    informer.on("update", (o) => events.push(`update ${o.metadata.name}`));
    informer.on("delete", (o) => events.push(`delete ${o.metadata.name}`));
    informer.on("error", () => setTimeout(() => informer.start(), 100));
  });
  await informer.start();
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "s1", labels: { resumed: "yes" } }, stringData: { a: "1" } } });
  await sleep(500);
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "s2", labels: { resumed: "yes" } }, stringData: { a: "2" } } });
  const result = await within(8000, second);
  await informer.stop();
  return { result: result ?? "resumed", events };
});

console.log(JSON.stringify(out));
process.exit(0);
