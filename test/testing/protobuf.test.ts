/**
 * Kubernetes' protobuf encoding from the generated message table: every built-in kind encodes and
 * decodes to the same JSON, responses come as protobuf when the Accept header prefers it (objects,
 * lists, Status errors, watch frames), and request bodies in protobuf are stored like JSON ones.
 * Go's side of the wire is checked by kubectl in kubectl.test.ts (generators send protobuf,
 * describe reads it).
 */
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kinds } from "#schemas/protobuf.js";
import { decodeProtobuf, decodeWatchEvent, encodeProtobuf, encodeWatchFrame, PROTOBUF } from "../../src/testing/protobuf.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, tokenOf, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;
let dispatcher: Agent;

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "pb", namespace: "default", labels: { app: "pb" }, annotations: { note: "ünïcode ✓" } },
  spec: {
    replicas: 0,
    selector: { matchLabels: { app: "pb" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }] },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "50%", maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: "pb", tier: "a" } },
      spec: {
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            ports: [{ containerPort: 80, protocol: "TCP" }],
            env: [{ name: "A", value: "1" }, { name: "FROM", valueFrom: { configMapKeyRef: { name: "cm", key: "k", optional: true } } }],
            envFrom: [{ configMapRef: { name: "cm" } }],
            resources: { limits: { cpu: "500m", memory: "1Gi" }, requests: { cpu: "0.25" } },
            securityContext: { runAsUser: 0, readOnlyRootFilesystem: false },
          },
        ],
        volumes: [{ name: "data", emptyDir: { sizeLimit: "1Gi" } }, { name: "cfg", configMap: { name: "cm", defaultMode: 420 } }],
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 0,
      },
    },
  },
};

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.32", controllers: false });
  api = client(server);
  dispatcher = new Agent({ connect: { ca: server.caCertificate } });
});
afterAll(async () => {
  await api.close();
  await dispatcher.close();
  await server.close();
});

async function raw(method: string, path: string, options: { accept?: string; body?: Buffer; contentType?: string } = {}) {
  const res = await request(`${server.url}${path}`, {
    method: method as "GET",
    dispatcher,
    headers: { authorization: `Bearer ${tokenOf(server)}`, accept: options.accept ?? PROTOBUF, ...(options.contentType ? { "content-type": options.contentType } : {}) },
    ...(options.body ? { body: options.body } : {}),
  });
  return { status: res.statusCode, type: String(res.headers["content-type"]), body: Buffer.from(await res.body.arrayBuffer()) };
}

describe("the codec", () => {
  it("has a message for every kind the bundled minors serve", () => {
    for (const key of ["v1/Pod", "apps/v1/Deployment", "batch/v1/Job", "autoscaling/v2/HorizontalPodAutoscaler", "v1/Status", "policy/v1/Eviction", "networking.k8s.io/v1/Ingress", "rbac.authorization.k8s.io/v1/ClusterRole"]) {
      expect(kinds[key], key).toBeDefined();
    }
  });

  it("round-trips an object: zero pointers, quantities, int-or-string, inlined embedded structs, unicode", () => {
    const bytes = encodeProtobuf(deployment)!;
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("k8s\0");
    expect(decodeProtobuf(bytes)).toEqual(deployment);
  });

  it("round-trips a watch frame with its enveloped object", () => {
    const frame = encodeWatchFrame("MODIFIED", deployment)!;
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(decodeWatchEvent(frame.subarray(4))).toEqual({ type: "MODIFIED", object: deployment });
  });

  it("refuses truncated bodies with the decoder's error", () => {
    const bytes = encodeProtobuf(deployment)!;
    expect(() => decodeProtobuf(bytes.subarray(0, bytes.length - 20), { apiVersion: "apps/v1", kind: "Deployment" })).toThrow(/cannot be handled as a Deployment: unexpected EOF/);
  });
});

describe("over HTTP", () => {
  it("accepts a protobuf body and answers in protobuf when asked", async () => {
    const created = await raw("POST", "/apis/apps/v1/namespaces/default/deployments", { body: encodeProtobuf(deployment)!, contentType: PROTOBUF });
    expect(created.status).toBe(201);
    expect(created.type).toBe(PROTOBUF);
    const back = decodeProtobuf(created.body);
    expect(back).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", spec: { replicas: 0, template: { spec: { automountServiceAccountToken: false } } } });
    const json = (await api.get("/apis/apps/v1/namespaces/default/deployments/pb")).json;
    expect(decodeProtobuf((await raw("GET", "/apis/apps/v1/namespaces/default/deployments/pb")).body)).toEqual(json);
  });

  it("serves lists and Status errors in protobuf, and JSON to clients that prefer it", async () => {
    const list = decodeProtobuf((await raw("GET", "/apis/apps/v1/namespaces/default/deployments")).body);
    expect(list.kind).toBe("DeploymentList");
    expect((list.items as unknown[]).length).toBe(1);
    const missing = await raw("GET", "/api/v1/namespaces/default/pods/nope");
    expect(missing.status).toBe(404);
    expect(decodeProtobuf(missing.body)).toMatchObject({ kind: "Status", reason: "NotFound", code: 404, message: 'pods "nope" not found' });
    const json = await raw("GET", "/api/v1/namespaces/default/pods/nope", { accept: `application/json, ${PROTOBUF}` });
    expect(json.type).toBe("application/json");
  });

  it("streams watch events as length-delimited frames", async () => {
    const res = await request(`${server.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0`, {
      dispatcher,
      headers: { authorization: `Bearer ${tokenOf(server)}`, accept: `${PROTOBUF};stream=watch` },
      bodyTimeout: 0,
    });
    expect(String(res.headers["content-type"])).toBe(`${PROTOBUF};stream=watch`);
    await api.post("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "framed" }, data: { a: "b" } });
    let buf = Buffer.alloc(0);
    for await (const chunk of res.body) {
      buf = Buffer.concat([buf, chunk as Buffer]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) break;
    }
    res.body.destroy();
    const event = decodeWatchEvent(buf.subarray(4, 4 + buf.readUInt32BE(0)));
    expect(event).toMatchObject({ type: "ADDED", object: { kind: "ConfigMap", metadata: { name: "framed" }, data: { a: "b" } } });
  });

  it("refuses protobuf for custom resources with a 415", async () => {
    const body = Buffer.concat([Buffer.from("k8s\0", "latin1"), Buffer.from([0x0a, 0x14, 0x0a, 0x0e, ...Buffer.from("example.com/v1"), 0x12, 0x02, ...Buffer.from("Wi")])]);
    const res = await raw("POST", "/api/v1/namespaces/default/configmaps", { body, contentType: PROTOBUF, accept: "application/json" });
    expect(res.status).toBe(415);
  });
});
