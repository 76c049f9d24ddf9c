/**
 * core/v1 and events.k8s.io/v1 Events are one resource in the local API server, as in
 * kube-apiserver (both groups' storage is the core event store, `EquivalentResourceRegistry` keys
 * them by its prefix): an Event written through one group is read, listed and watched through the
 * other, converted as pkg/apis/events/v1/conversion.go converts it; each endpoint keeps its own
 * validation; admission policies and webhooks with `matchPolicy: Equivalent` whose rules name one
 * group match requests of the other, shown the object converted to their rule's group, with
 * `kind`/`resource` there and `requestKind`/`requestResource` the request's; a mutation is
 * converted back.
 */
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CertificateAuthority } from "../../src/testing/certificates.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { Event as EventsV1Event } from "../../schemas/latest/events/v1.js";
import { allowedReview, client, type Client } from "./helpers.js";

type Obj = Record<string, any>;

const ca = new CertificateAuthority("events-ca");
const caBundle = Buffer.from(ca.cert).toString("base64");
const received: Record<string, Obj[]> = {};
const patches: Record<string, unknown[]> = {};
let hookServer: https.Server;
let hookBase: string;
let server: TestServer;
let api: Client;

const CORE = "/api/v1/namespaces/default/events";
const GROUP = "/apis/events.k8s.io/v1/namespaces/default/events";
const ADM = "/apis/admissionregistration.k8s.io/v1";

beforeAll(async () => {
  const { cert, key } = ca.serving(["localhost"], ["127.0.0.1"]);
  hookServer = https.createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const review = JSON.parse(Buffer.concat(chunks).toString()) as Obj;
      const path = new URL(req.url!, "https://x").pathname;
      (received[path] ??= []).push(review.request);
      const patch = patches[path];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(allowedReview(review.request.uid, patch));
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
  hookBase = `https://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  server = await startTestServer({ kubernetesVersion: "1.36", controllers: false });
  api = client(server);
});

afterAll(async () => {
  await api?.close();
  await server?.close();
  hookServer?.closeAllConnections();
  await new Promise((r) => hookServer?.close(r));
});

const newStyle = (name: string, extra: Obj = {}): Obj => ({
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  metadata: { name },
  eventTime: "2024-05-01T10:00:00.123456Z",
  reportingController: "example.com/ctrl",
  reportingInstance: "ctrl-1",
  action: "Scale",
  reason: "Scaled",
  regarding: { kind: "Deployment", namespace: "default", name: "web", apiVersion: "apps/v1" },
  note: "scaled up",
  type: "Normal",
  ...extra,
});

const oldStyle = (name: string, extra: Obj = {}): Obj => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: { name },
  involvedObject: { kind: "Pod", namespace: "default", name: "p" },
  reason: "Started",
  message: "started container",
  source: { component: "kubelet", host: "node-1" },
  firstTimestamp: "2024-05-01T09:00:00Z",
  lastTimestamp: "2024-05-01T09:30:00Z",
  count: 3,
  type: "Normal",
  ...extra,
});

describe("one store for core and events.k8s.io Events", () => {
  it("discovery gives both the storage version hash of core/v1 Event (discovery.StorageVersionHash of the stored group/version/kind)", async () => {
    const hashOf = async (path: string, name: string) => ((await api.get(path)).json.resources as Obj[]).find((r) => r.name === name)!.storageVersionHash;
    const core = await hashOf("/api/v1", "events");
    expect(core).toBe("r2yiGXH7wu8=");
    expect(await hashOf("/apis/events.k8s.io/v1", "events")).toBe(core);
    // Every version of a kind stored at one version has its hash: HorizontalPodAutoscalers are stored at autoscaling/v2.
    expect(await hashOf("/apis/autoscaling/v1", "horizontalpodautoscalers")).toBe(await hashOf("/apis/autoscaling/v2", "horizontalpodautoscalers"));
  });


  it("an Event created through events.k8s.io/v1 is read through core/v1 with core's field names", async () => {
    const created = await api.post(GROUP, newStyle("from-group"));
    expect(created.status, created.text).toBe(201);
    const core = await api.get(`${CORE}/from-group`);
    expect(core.status).toBe(200);
    expect(core.json).toMatchObject({
      apiVersion: "v1",
      kind: "Event",
      involvedObject: { kind: "Deployment", namespace: "default", name: "web", apiVersion: "apps/v1" },
      message: "scaled up",
      reportingComponent: "example.com/ctrl",
      reportingInstance: "ctrl-1",
      action: "Scale",
      reason: "Scaled",
      type: "Normal",
      eventTime: "2024-05-01T10:00:00.123456Z",
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
    });
    expect(core.json).not.toHaveProperty("note");
    expect(core.json.metadata.uid).toBe(created.json.metadata.uid);
    expect(core.json.metadata.resourceVersion).toBe(created.json.metadata.resourceVersion);
    // Read back through its own group, it is what was written.
    const own = await api.get(`${GROUP}/from-group`);
    expect(own.json).toMatchObject(newStyle("from-group", { metadata: { name: "from-group", namespace: "default" } }));
  });

  it("an Event created through core/v1 is read through events.k8s.io/v1 with the deprecated fields", async () => {
    expect((await api.post(CORE, oldStyle("from-core"))).status).toBe(201);
    const ev = await api.get(`${GROUP}/from-core`);
    expect(ev.status).toBe(200);
    expect(ev.json).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      eventTime: null,
      reason: "Started",
      regarding: { kind: "Pod", namespace: "default", name: "p" },
      note: "started container",
      type: "Normal",
      deprecatedSource: { component: "kubelet", host: "node-1" },
      deprecatedFirstTimestamp: "2024-05-01T09:00:00Z",
      deprecatedLastTimestamp: "2024-05-01T09:30:00Z",
      deprecatedCount: 3,
    });
    expect(ev.json).not.toHaveProperty("message");
    expect(ev.json).not.toHaveProperty("involvedObject");
    // The generated schema takes Go's null for a zero required time, as a client reading a cluster must.
    expect(EventsV1Event.safeParse(ev.json).success).toBe(true);
  });

  it("lists through either group show the Events written through both", async () => {
    const core = await api.get(CORE);
    const group = await api.get(GROUP);
    const names = (l: Obj) => (l.items as Obj[]).map((i) => i.metadata.name).sort();
    expect(names(core.json)).toEqual(expect.arrayContaining(["from-core", "from-group"]));
    expect(names(group.json)).toEqual(names(core.json));
    expect(core.json.metadata.resourceVersion).toBe(group.json.metadata.resourceVersion);
    expect((group.json.items as Obj[]).find((i) => i.metadata.name === "from-core")!.note).toBe("started container");
    expect((core.json.items as Obj[]).find((i) => i.metadata.name === "from-group")!.message).toBe("scaled up");
  });

  it("a watch through events.k8s.io sees an Event written through core, converted", async () => {
    const rv = (await api.get(GROUP)).json.metadata.resourceVersion as string;
    const w = await api.watch(`${GROUP}?watch=1&resourceVersion=${rv}`);
    expect(w.status).toBe(200);
    expect((await api.post(CORE, oldStyle("watched", { message: "seen" }))).status).toBe(201);
    const e = await w.next();
    w.close();
    expect(e.type).toBe("ADDED");
    expect(e.object).toMatchObject({ apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "watched" }, note: "seen" });
  });

  it("a watch through core sees an Event written through events.k8s.io, converted", async () => {
    const rv = (await api.get(CORE)).json.metadata.resourceVersion as string;
    const w = await api.watch(`${CORE}?watch=1&resourceVersion=${rv}`);
    expect((await api.post(GROUP, newStyle("watched-2", { note: "seen too" }))).status).toBe(201);
    const e = await w.next();
    w.close();
    expect(e.object).toMatchObject({ apiVersion: "v1", kind: "Event", metadata: { name: "watched-2" }, message: "seen too", reportingComponent: "example.com/ctrl" });
  });

  it("field selectors through events.k8s.io use its names, mapped to the core fields (AddFieldLabelConversionsForEvent)", async () => {
    const names = async (path: string) => ((await api.get(path)).json.items as Obj[]).map((i) => i.metadata.name).sort();
    expect(await names(`${GROUP}?fieldSelector=regarding.kind%3DDeployment`)).toEqual(["from-group", "watched-2"]);
    expect(await names(`${CORE}?fieldSelector=involvedObject.kind%3DDeployment`)).toEqual(["from-group", "watched-2"]);
    expect(await names(`${GROUP}?fieldSelector=reportingController%3Dexample.com%2Fctrl,regarding.name%3Dweb`)).toEqual(["from-group", "watched-2"]);
    // source: the source component, or the reporting controller when there is none (ToSelectableFields).
    expect(await names(`${GROUP}?fieldSelector=source%3Dkubelet`)).toEqual(["from-core", "watched"]);
    expect(await names(`${CORE}?fieldSelector=source%3Dexample.com%2Fctrl`)).toEqual(["from-group", "watched-2"]);
    // The core names are not events.k8s.io's.
    const refused = await api.get(`${GROUP}?fieldSelector=involvedObject.kind%3DPod`);
    expect(refused.status).toBe(400);
    expect(refused.json.message).toContain("field label not supported: involvedObject.kind");
  });

  it("a Table through events.k8s.io has core's Event columns, read from the converted object (one printer for both)", async () => {
    const accept = "application/json;as=Table;v=v1;g=meta.k8s.io";
    const core = (await api.get(`${CORE}?fieldSelector=metadata.name%3Dfrom-core`, accept)).json;
    const group = (await api.get(`${GROUP}?fieldSelector=metadata.name%3Dfrom-core`, accept)).json;
    expect(group.columnDefinitions).toEqual(core.columnDefinitions);
    expect(group.columnDefinitions.map((c: Obj) => c.name).slice(0, 5)).toEqual(["Last Seen", "Type", "Reason", "Object", "Subobject"]);
    expect(group.rows[0].cells).toEqual(core.rows[0].cells);
    expect(group.rows[0].cells.slice(1, 4)).toEqual(["Normal", "Started", "pod/p"]);
  });

  it("an update through one group changes what the other reads; a name is taken across groups", async () => {
    const patched = await api.patch(`${CORE}/from-group`, { count: 7 }, "merge");
    expect(patched.status, patched.text).toBe(200);
    expect((await api.get(`${GROUP}/from-group`)).json.deprecatedCount).toBe(7);
    const taken = await api.post(GROUP, newStyle("from-core"));
    expect(taken.status).toBe(409);
    expect((await api.del(`${GROUP}/from-core`)).status).toBe(200);
    expect((await api.get(`${CORE}/from-core`)).status).toBe(404);
  });

  it("each endpoint keeps its validation: events.k8s.io/v1 requires eventTime, core/v1 does not", async () => {
    const strict = await api.post(GROUP, newStyle("no-time", { eventTime: undefined }));
    expect(strict.status).toBe(422);
    expect(strict.json.message).toContain("eventTime: Required value");
    const legacy = await api.post(CORE, oldStyle("no-time"));
    expect(legacy.status).toBe(201);
    // events.k8s.io/v1's update rules (every field but the series immutable) apply only to its own requests.
    const noteChange = await api.patch(`${GROUP}/from-group`, { note: "changed" }, "merge");
    expect(noteChange.status).toBe(422);
    // Field paths are the internal type's names, as kube-apiserver reports them.
    expect(noteChange.json.message).toBe(`Event.events.k8s.io "from-group" is invalid: message: Invalid value: "changed": field is immutable`);
    expect((await api.patch(`${CORE}/from-group`, { message: "changed" }, "merge")).status).toBe(200);
  });
});

describe("admission through the other group (matchPolicy: Equivalent)", () => {
  const eventsRule = { apiGroups: ["events.k8s.io"], apiVersions: ["v1"], resources: ["events"], operations: ["CREATE", "UPDATE"] };
  const coreRule = { apiGroups: [""], apiVersions: ["v1"], resources: ["events"], operations: ["CREATE", "UPDATE"] };

  async function bind(kind: "Validating" | "Mutating", name: string, spec: Obj): Promise<void> {
    const p = await api.post(`${ADM}/${kind.toLowerCase()}admissionpolicies`, { apiVersion: "admissionregistration.k8s.io/v1", kind: `${kind}AdmissionPolicy`, metadata: { name }, spec });
    expect(p.status, p.text).toBe(201);
    const b = await api.post(`${ADM}/${kind.toLowerCase()}admissionpolicybindings`, {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: `${kind}AdmissionPolicyBinding`,
      metadata: { name },
      spec: { policyName: name, ...(kind === "Validating" ? { validationActions: ["Deny"] } : {}) },
    });
    expect(b.status, b.text).toBe(201);
  }

  it("a ValidatingAdmissionPolicy naming events.k8s.io checks a core Event as converted, with kind and resource at events.k8s.io", async () => {
    await bind("Validating", "notes", {
      matchConstraints: { resourceRules: [eventsRule] },
      matchConditions: [{ name: "mine", expression: "object.metadata.name.startsWith('vap-')" }],
      validations: [
        {
          expression: "has(object.note) && object.note.size() < 10",
          messageExpression: "'note of ' + string(size(object.note)) + ' at ' + request.kind.group + '/' + request.kind.version + ' ' + request.resource.resource + ', requested at ' + request.requestKind.group + '/' + request.requestKind.version + ' ' + request.requestResource.resource",
        },
      ],
    });
    const res = await api.post(CORE, oldStyle("vap-long", { message: "a message longer than ten" }));
    expect(res.status).toBe(422);
    expect(res.json.message).toBe(`events "vap-long" is forbidden: ValidatingAdmissionPolicy 'notes' with binding 'notes' denied request: note of 25 at events.k8s.io/v1 events, requested at /v1 events`);
    expect((await api.post(CORE, oldStyle("vap-short", { message: "short" }))).status).toBe(201);
  });

  it("with matchPolicy: Exact, the events.k8s.io rule does not match a core request", async () => {
    await bind("Validating", "exact-notes", {
      matchConstraints: { resourceRules: [eventsRule], matchPolicy: "Exact" },
      matchConditions: [{ name: "mine", expression: "object.metadata.name.startsWith('exact-')" }],
      validations: [{ expression: "false" }],
    });
    expect((await api.post(CORE, oldStyle("exact-one"))).status).toBe(201);
    expect((await api.post(GROUP, newStyle("exact-two"))).status).toBe(422);
  });

  it("a MutatingAdmissionPolicy naming core events mutates an events.k8s.io request as a core Event; the result is converted back", async () => {
    await bind("Mutating", "prefix", {
      matchConstraints: { resourceRules: [coreRule] },
      matchConditions: [{ name: "mine", expression: "object.metadata.name.startsWith('map-')" }],
      mutations: [{ patchType: "ApplyConfiguration", applyConfiguration: { expression: "Object{message: 'core saw: ' + object.message + ' from ' + object.reportingComponent}" } }],
    });
    const res = await api.post(GROUP, newStyle("map-one", { note: "hello" }));
    expect(res.status, res.text).toBe(201);
    expect(res.json.apiVersion).toBe("events.k8s.io/v1");
    expect(res.json.note).toBe("core saw: hello from example.com/ctrl");
    expect((await api.get(`${CORE}/map-one`)).json.message).toBe("core saw: hello from example.com/ctrl");
  });

  it("a webhook naming events.k8s.io is sent a core Event converted, kind/resource at events.k8s.io, requestKind/requestResource at core; its patch is converted back", async () => {
    const name = "events-hook";
    const body = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name },
      webhooks: [
        {
          name: `${name}.example.com`,
          admissionReviewVersions: ["v1"],
          sideEffects: "None",
          rules: [eventsRule],
          clientConfig: { url: `${hookBase}/events`, caBundle },
          objectSelector: { matchLabels: { hook: "yes" } },
        },
      ],
    };
    expect((await api.post(`${ADM}/mutatingwebhookconfigurations`, body)).status).toBe(201);
    patches["/events"] = [{ op: "add", path: "/note", value: "patched note" }];
    const res = await api.post(CORE, oldStyle("hooked", { metadata: { name: "hooked", labels: { hook: "yes" } } }));
    expect(res.status, res.text).toBe(201);
    const req = received["/events"]![0]!;
    expect(req.kind).toEqual({ group: "events.k8s.io", version: "v1", kind: "Event" });
    expect(req.resource).toEqual({ group: "events.k8s.io", version: "v1", resource: "events" });
    expect(req.requestKind).toEqual({ group: "", version: "v1", kind: "Event" });
    expect(req.requestResource).toEqual({ group: "", version: "v1", resource: "events" });
    expect(req.object).toMatchObject({ apiVersion: "events.k8s.io/v1", kind: "Event", note: "started container", regarding: { kind: "Pod", name: "p" }, deprecatedCount: 3 });
    expect(req.object).not.toHaveProperty("message");
    expect(res.json.apiVersion).toBe("v1");
    expect(res.json.message).toBe("patched note");
    expect(res.json.count).toBe(3);
    await api.del(`${ADM}/mutatingwebhookconfigurations/${name}`);
  });
});
