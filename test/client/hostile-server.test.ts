/**
 * Discovery and error answers from broken or hostile servers: discovery documents whose fields have
 * the wrong types (an InvalidResponseError naming the request and the field, as Go's decoder fails
 * the whole answer), entries without a name or kind (left out, as client-go leaves them out), one
 * group-version that fails or is stale (reported in `failed`, the rest kept: client-go's
 * ErrGroupDiscoveryFailed), a malformed /version, Status bodies with wrong types, and answers to
 * writes (apply, patch, create, delete, evict) that are not objects, in every validation mode.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigMap, Pod } from "kubezod/k8s";
import {
  connect,
  defineCluster,
  InvalidResponseError,
  KubeError,
  ServiceUnavailableError,
  UnprocessableEntityError,
  UsageError,
  ValidationError,
  type Kube,
} from "../../src/index.js";
import { json, startServer, status, type TestServer } from "../transport/helpers/servers.js";

let server: TestServer;
let routes: Record<string, [number, unknown] | unknown> = {};

beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = req.url.split("?")[0]!;
    const route = routes[path];
    if (route === undefined) return json(res, 404, status(404, "NotFound", "the server could not find the requested resource"));
    const [code, body] = Array.isArray(route) && typeof route[0] === "number" && route.length === 2 ? (route as [number, unknown]) : [200, route];
    res.writeHead(code, { "content-type": "application/json" });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  });
});
afterAll(async () => {
  await server.close();
});

const opened: Kube[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((k) => k.close()));
});

async function client(validate: "reject" | "report" | "off" = "reject"): Promise<Kube> {
  const k = await connect({ config: defineCluster({ server: server.url }), retry: false, onWarning: false, kubernetesVersion: "1.34", validate, onValidationIssue: () => undefined });
  opened.push(k);
  return k;
}

const coreList = { kind: "APIVersions", versions: ["v1"] };
const aggregated = (items: unknown) => ({ kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", items });
const podsV1 = { kind: "APIResourceList", groupVersion: "v1", resources: [{ name: "pods", singularName: "pod", namespaced: true, kind: "Pod", verbs: ["get", "list"] }] };

/** The error discovery fails with, or undefined. */
async function discoveryError(): Promise<unknown> {
  return (await client()).discover().then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe("legacy discovery answers with wrong types fail as InvalidResponseError naming the request and field", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["/apis groups is a number", { "/api": coreList, "/apis": { kind: "APIGroupList", groups: 5 } }, /discovery \(\/apis\): groups is not a list \(a number\) \(GET http:.*\/apis\)/],
    ["/api versions is a string", { "/api": { kind: "APIVersions", versions: "v1" }, "/apis": { groups: [] } }, /versions is not a list \(a string\).*\/api\)/],
    ["/api is null", { "/api": null, "/apis": { groups: [] } }, /discovery \(\/api\): the answer is not an object \(null\)/],
    ["/api is a list", { "/api": [], "/apis": { groups: [] } }, /the answer is not an object \(a list\)/],
    ["a group's versions is an object", { "/api": coreList, "/apis": { groups: [{ name: "apps", versions: {} }] } }, /groups\[0\]\.versions is not a list \(an object\)/],
    ["a group's name is a number", { "/api": coreList, "/apis": { groups: [{ name: 7, versions: [] }] } }, /groups\[0\]\.name is not a string \(a number\)/],
  ];
  for (const [name, r, message] of cases) {
    it(name, async () => {
      routes = r;
      const err = await discoveryError();
      expect(err).toBeInstanceOf(InvalidResponseError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it("a resource list whose verbs is a string names the group-version and the field (in failed)", async () => {
    routes = { "/api": coreList, "/apis": { groups: [] }, "/api/v1": { resources: [{ name: "pods", kind: "Pod", namespaced: true, verbs: "get" }] } };
    const d = await (await client()).discover();
    expect(d.resources).toEqual([]);
    expect(d.failed).toHaveLength(1);
    expect(d.failed[0]!.groupVersion).toBe("v1");
    expect(d.failed[0]!.error).toBeInstanceOf(InvalidResponseError);
    expect(d.failed[0]!.error.message).toMatch(/discovery of v1: resources\[0\]\.verbs is not a list \(a string\) \(GET http:.*\/api\/v1\)/);
  });

  it("an HTML page instead of /api is an InvalidResponseError", async () => {
    routes = { "/api": "<html><head><title>Sign in</title></head></html>", "/apis": { groups: [] } };
    const err = await discoveryError();
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect((err as Error).message).toMatch(/an HTML page \(Sign in\)/);
  });
});

describe("the roots of discovery, as client-go reads them", () => {
  it("a 404 for /api is tolerated (aggregated API servers answer it): the groups of /apis are served", async () => {
    routes = {
      "/apis": { groups: [{ name: "apps", versions: [{ version: "v1" }] }] },
      "/apis/apps/v1": { resources: [{ name: "deployments", namespaced: true, kind: "Deployment", verbs: ["get"] }] },
    };
    const d = await (await client()).discover();
    expect(d.groups.map((g) => g.name)).toEqual(["apps"]);
    expect(d.resources.map((r) => r.plural)).toEqual(["deployments"]);
    expect(d.failed).toEqual([]);
  });

  it("a 404 for /apis fails discovery with the NotFoundError naming it", async () => {
    routes = { "/api": coreList };
    const err = await discoveryError();
    expect((err as Error).message).toMatch(/\(GET http:.*\/apis\)$/);
    expect((err as { status?: number }).status).toBe(404);
  });

  it("a 404 for /api/v1 reads as an empty list; a 404 for another group-version is a failure", async () => {
    routes = { "/api": coreList, "/apis": { groups: [{ name: "apps", versions: [{ version: "v1" }] }] } };
    const d = await (await client()).discover();
    expect(d.resources).toEqual([]);
    expect(d.failed.map((f) => [f.groupVersion, (f.error as { status?: number }).status])).toEqual([["apps/v1", 404]]);
  });

  it("/api without versions has no core versions to read (it is not taken for v1)", async () => {
    routes = { "/api": { kind: "APIVersions" }, "/apis": { groups: [] } };
    const d = await (await client()).discover();
    expect(d.groups).toEqual([{ name: "", preferredVersion: "", versions: [] }]);
    expect(server.requests.at(-1)!.url).not.toMatch(/^\/api\/v1/);
  });

  it("each root answers aggregated or legacy discovery on its own", async () => {
    routes = {
      "/api": aggregated([{ versions: [{ version: "v1", resources: [{ resource: "pods", scope: "Namespaced", responseKind: { kind: "Pod" }, verbs: ["get"] }] }] }]),
      "/apis": { groups: [{ name: "apps", versions: [{ version: "v1" }] }] },
      "/apis/apps/v1": { resources: [{ name: "deployments", namespaced: true, kind: "Deployment", verbs: ["get"] }] },
    };
    const d = await (await client()).discover();
    expect(d.resources.map((r) => `${r.apiVersion} ${r.kind}`)).toEqual(["v1 Pod", "apps/v1 Deployment"]);
    expect(d.aggregated).toBe(false);
  });
});

describe("legacy discovery keeps what it can read", () => {
  it("resources without a name or kind, null entries, and absent lists are left out; absent versions read as none", async () => {
    routes = {
      "/api": coreList,
      "/apis": { groups: [{ name: "apps" }, null, { name: "batch", versions: [{ version: "v1" }], preferredVersion: null }] },
      "/api/v1": { resources: [{ kind: "Pod", namespaced: true, verbs: [] }, { name: "pods" }, null, ...podsV1.resources] },
      "/apis/batch/v1": { groupVersion: "batch/v1" },
    };
    const d = await (await client()).discover();
    expect(d.resources.map((r) => `${r.apiVersion} ${r.kind} ${r.plural}`)).toEqual(["v1 Pod pods"]);
    expect(d.groups.map((g) => [g.name, g.versions])).toEqual([
      ["", ["v1"]],
      ["apps", []],
      ["batch", ["v1"]],
    ]);
    expect(d.failed).toEqual([]);
  });

  it("a group-version that answers 503 is reported in failed; the others are served", async () => {
    routes = {
      "/api": coreList,
      "/apis": {
        kind: "APIGroupList",
        groups: [
          { name: "metrics.k8s.io", versions: [{ groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" }] },
          { name: "apps", versions: [{ groupVersion: "apps/v1", version: "v1" }] },
        ],
      },
      "/api/v1": podsV1,
      "/apis/apps/v1": { groupVersion: "apps/v1", resources: [{ name: "deployments", namespaced: true, kind: "Deployment", verbs: ["get"] }] },
      "/apis/metrics.k8s.io/v1beta1": [503, status(503, "ServiceUnavailable", "the server is currently unable to handle the request")],
    };
    const kube = await client();
    const d = await kube.discover();
    expect(d.resources.map((r) => r.plural)).toEqual(["pods", "deployments"]);
    expect(d.failed.map((f) => [f.groupVersion, f.error.constructor.name])).toEqual([["metrics.k8s.io/v1beta1", "ServiceUnavailableError"]]);
    // Looking up a kind of the failed group-version gives its failure, not "not served".
    await expect(kube.resource({ apiVersion: "metrics.k8s.io/v1beta1", kind: "PodMetrics" })).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(kube.resource({ apiVersion: "unserved.hostile.example/v1", kind: "Gadget" })).rejects.toBeInstanceOf(UsageError);

    // The aggregated API server is back: looking its kind up asks again instead of keeping the failure.
    routes["/apis/metrics.k8s.io/v1beta1"] = { resources: [{ name: "pods", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] }] };
    const PodMetrics = await kube.resource({ apiVersion: "metrics.k8s.io/v1beta1", kind: "PodMetrics" });
    expect((await kube.discover()).failed).toEqual([]);
    expect(PodMetrics.safeParse({ metadata: { name: "p" } }).success).toBe(true);
  });
});

describe("aggregated discovery", () => {
  it("wrong types fail with the field's path", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /items is not a list \(an object\)/],
      [[{ versions: "v1" }], /items\[0\]\.versions is not a list \(a string\)/],
      [[{ versions: [{ version: "v1", resources: [{ resource: "pods", subresources: "status" }] }] }], /items\[0\]\.versions\[0\]\.resources\[0\]\.subresources is not a list/],
      [[{ versions: [{ version: "v1", resources: [{ resource: "pods", responseKind: "Pod" }] }] }], /resources\[0\]\.responseKind is not an object \(a string\)/],
      [[{ metadata: { name: 1 } }], /items\[0\]\.metadata\.name is not a string/],
    ];
    for (const [items, message] of cases) {
      routes = { "/api": aggregated(items), "/apis": aggregated([]) };
      const err = await discoveryError();
      expect(err).toBeInstanceOf(InvalidResponseError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toMatch(/\(GET http:.*\/api\)$/);
    }
  });

  it("resources without a kind or name are left out (a kind-less parent keeps nothing), null entries are skipped", async () => {
    routes = {
      "/api": aggregated([
        {
          metadata: { name: "" },
          versions: [
            {
              version: "v1",
              resources: [
                null,
                { scope: "Namespaced" },
                { resource: "bindings", scope: "Namespaced", verbs: ["create"] },
                { resource: "pods", scope: "Namespaced", responseKind: { group: "", version: "v1", kind: "Pod" }, verbs: ["get"], subresources: [null, { subresource: "status", responseKind: { kind: "Pod" } }] },
              ],
            },
          ],
        },
      ]),
      "/apis": aggregated([]),
    };
    const d = await (await client()).discover();
    expect(d.aggregated).toBe(true);
    expect(d.resources.map((r) => [r.plural, r.kind, r.namespaced, r.subresources.map((s) => s.name)])).toEqual([["pods", "Pod", true, ["status"]]]);
  });

  it("stale versions are reported in failed and not read; the preferred version is the first fresh one (client-go's SplitGroupsAndResources)", async () => {
    const deployments = { resource: "deployments", scope: "Namespaced", responseKind: { group: "apps", version: "v1", kind: "Deployment" }, verbs: ["get"] };
    routes = {
      "/api": aggregated([]),
      "/apis": aggregated([
        { metadata: { name: "metrics.k8s.io" }, versions: [{ version: "v1beta1", freshness: "Stale", resources: [{ resource: "pods", responseKind: { kind: "PodMetrics" } }] }] },
        { metadata: { name: "apps" }, versions: [{ version: "v2", freshness: "Stale" }, { version: "v1", freshness: "Current", resources: [deployments] }] },
      ]),
    };
    const d = await (await client()).discover();
    expect(d.resources.map((r) => [r.apiVersion, r.kind, r.preferred])).toEqual([["apps/v1", "Deployment", true]]);
    expect(d.groups.find((g) => g.name === "apps")).toEqual({ name: "apps", preferredVersion: "v1", versions: ["v1"] });
    expect(d.failed.map((f) => f.groupVersion)).toEqual(["metrics.k8s.io/v1beta1", "apps/v2"]);
    expect(d.failed[0]!.error.message).toMatch(/metrics\.k8s\.io\/v1beta1 is stale/);
  });
});

describe("/version", () => {
  it("a version answer without its fields is a ValidationError naming the request", async () => {
    routes = { "/version": { major: 1 } };
    const err = await (await client()).version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/the server's version \(\/version\) does not match its schema: major: .*\(GET http:.*\/version\)/);
  });
});

describe("Status bodies with wrong types", () => {
  async function errorFor(body: string): Promise<UnprocessableEntityError> {
    routes = { "/api/v1/namespaces/d/configmaps/x": [422, body] };
    const err = await (await client()).get(ConfigMap, "x", { namespace: "d" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    return err as UnprocessableEntityError;
  }

  it("a message or reason that is not a string is left out; the reason then comes from the HTTP status", async () => {
    const err = await errorFor('{"kind":"Status","message":{"a":1},"reason":5,"details":"x","code":"422"}');
    expect(err.message).toMatch(/^Invalid \(GET http:.*\/configmaps\/x\)$/);
    expect(err.reason).toBe("Invalid");
    expect(err.details).toBeUndefined();
    expect(err.body.code).toBe(422);
    expect(err.causes).toEqual([]);
    expect(() => JSON.stringify(err)).not.toThrow();
  });

  it("causes that are not a list, causes that are not objects and fields of the wrong type are dropped", async () => {
    expect((await errorFor('{"kind":"Status","message":"m","details":{"causes":"x","retryAfterSeconds":"abc"}}')).causes).toEqual([]);
    const err = await errorFor('{"kind":"Status","message":"m","details":{"causes":[null,5,{"field":3,"message":"bad","reason":"FieldValueInvalid"}],"retryAfterSeconds":-4,"name":{}}}');
    expect(err.causes).toEqual([{ message: "bad", reason: "FieldValueInvalid" }]);
    expect(err.retryAfterSeconds).toBeUndefined();
    expect(err.details?.name).toBeUndefined();
  });

  it("a well-typed Status is kept as sent, unknown fields included", async () => {
    const sent = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "m", reason: "Invalid", code: 422, details: { name: "x", kind: "configmaps", causes: [{ field: "data", message: "bad", reason: "FieldValueInvalid", extra: 1 }] }, extra: true };
    const err = await errorFor(JSON.stringify(sent));
    expect(err.body).toEqual(sent);
    expect(err).toBeInstanceOf(KubeError);
  });
});

describe("answers to one object that are not objects", () => {
  const cm = () => ({ apiVersion: "v1" as const, kind: "ConfigMap" as const, metadata: { name: "x", namespace: "d", resourceVersion: "1" }, data: { a: "1" } });
  const calls: Array<[string, (kube: Kube) => Promise<unknown>]> = [
    ["get", (kube) => kube.get(ConfigMap, "x", { namespace: "d" })],
    ["create", (kube) => kube.create(ConfigMap, cm())],
    ["replace", (kube) => kube.replace(ConfigMap, cm())],
    ["apply", (kube) => kube.apply(ConfigMap, cm(), { fieldManager: "t" })],
    ["patch", (kube) => kube.patch(ConfigMap, "x", { data: { b: "2" } }, { namespace: "d", type: "merge" })],
    ["delete", (kube) => kube.delete(ConfigMap, "x", { namespace: "d" })],
    ["deleteCollection", (kube) => kube.deleteCollection(ConfigMap, { namespace: "d" })],
    ["evict", (kube) => kube.evict(Pod, "x", { namespace: "d" })],
  ];
  for (const mode of ["reject", "off"] as const) {
    for (const [name, call] of calls) {
      it(`${name} (validation ${mode}): null, a number, a string, an array or an empty body is an InvalidResponseError naming the request`, async () => {
        const kube = await client(mode);
        for (const body of ["null", "5", '"s"', "[]", ""]) {
          routes = new Proxy({}, { get: () => [200, body] });
          const err = await call(kube).catch((e: unknown) => e);
          expect(err, `${name} ${JSON.stringify(body)}`).toBeInstanceOf(InvalidResponseError);
          expect((err as Error).message).toMatch(/\((GET|POST|PUT|PATCH|DELETE) http:[^)]*\/(configmaps|pods)[^)]*\)$/);
        }
      });
    }
  }

  it("a Status answer to a delete keeps its well-typed fields only", async () => {
    const kube = await client();
    routes = new Proxy({}, { get: () => [200, '{"kind":"Status","apiVersion":"v1","status":"Success","message":7,"details":{"name":"x","causes":"none"}}'] });
    const status = await kube.delete(ConfigMap, "x", { namespace: "d" });
    expect(status).toEqual({ kind: "Status", apiVersion: "v1", status: "Success", details: { name: "x" } });
  });
});

describe("OpenAPI v3 documents the client fetches for kube.resource()", () => {
  const widgets = aggregated([
    { metadata: { name: "example.com" }, versions: [{ version: "v1", resources: [{ resource: "widgets", scope: "Namespaced", responseKind: { group: "example.com", version: "v1", kind: "Widget" }, verbs: ["get", "list"] }] }] },
  ]);
  const gvk = [{ group: "example.com", version: "v1", kind: "Widget" }];
  const cases: Array<[string, Record<string, unknown>]> = [
    ["an index whose paths is a string", { "/openapi/v3": { paths: "x" } }],
    ["a serverRelativeURL that is a number", { "/openapi/v3": { paths: { "apis/example.com/v1": { serverRelativeURL: 5 } } } }],
    ["a document that is null", { "/openapi/v3": { paths: { "apis/example.com/v1": { serverRelativeURL: "/doc" } } }, "/doc": "null" }],
    ["components.schemas that is a string", { "/openapi/v3": { paths: { "apis/example.com/v1": { serverRelativeURL: "/doc" } } }, "/doc": { components: { schemas: "x" } } }],
    ["a schema that refers to itself", { "/openapi/v3": { paths: { "apis/example.com/v1": { serverRelativeURL: "/doc" } } }, "/doc": { components: { schemas: { W: { type: "object", properties: { self: { $ref: "#/components/schemas/W" } }, "x-kubernetes-group-version-kind": gvk } } } } }],
    ["a $ref to nothing", { "/openapi/v3": { paths: { "apis/example.com/v1": { serverRelativeURL: "/doc" } } }, "/doc": { components: { schemas: { W: { type: "object", properties: { a: { $ref: "#/components/schemas/Nope" } }, "x-kubernetes-group-version-kind": gvk } } } } }],
    ["an HTML index", { "/openapi/v3": "<html><title>x</title></html>" }],
  ];
  for (const [name, docs] of cases) {
    it(`${name}: a usable schema (the OpenAPI one, or the loose one discovery gives), never an exception`, async () => {
      routes = { "/api": aggregated([]), "/apis": widgets, "/version": { major: "1", minor: "34", gitVersion: "v1.34.0" }, ...docs };
      const Widget = await (await client()).resource({ apiVersion: "example.com/v1", kind: "Widget" });
      expect(Widget.safeParse({ metadata: { name: "w" } }).success).toBe(true);
    });
  }
});
