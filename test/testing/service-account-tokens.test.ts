/**
 * Service account tokens as kube-apiserver issues them (pkg/registry/core/serviceaccount/storage/
 * token.go, pkg/serviceaccount/claims.go): ES256 JWTs with a `kid`, the claims in Go's order,
 * bound-object claims (pod and its node, secret, node), the TokenRequest errors, and the key
 * published for ServiceAccountIssuerDiscovery so a relying party can verify the tokens.
 */
import { createPublicKey, verify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { client, until, type Client } from "./helpers.js";

let server: TestServer;
let api: Client;

const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>;
const TOKEN = "/api/v1/namespaces/default/serviceaccounts/default/token";

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.33" });
  api = client(server);
  await until(async () => ((await api.get("/api/v1/namespaces/default/serviceaccounts/default")).status === 200 ? true : undefined));
});
afterAll(async () => {
  await api?.close();
  await server?.close();
});

describe("service account tokens", () => {
  it("are ES256 JWTs the published key verifies, with kube-apiserver's claims", async () => {
    const res = await api.post(TOKEN, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 1200 } });
    expect(res.status).toBe(201);
    const token = res.json.status.token as string;
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const config = (await api.get("/.well-known/openid-configuration")).json;
    expect(config).toEqual({
      issuer: "https://kubernetes.default.svc",
      jwks_uri: `${server.url}/openid/v1/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
    });
    const jwks = await api.get("/openid/v1/jwks");
    expect(jwks.headers["content-type"]).toContain("application/jwk-set+json");
    const [key] = jwks.json.keys as Array<Record<string, string>>;
    expect(decode(header)).toEqual({ alg: "ES256", kid: key!.kid });
    expect(key).toMatchObject({ use: "sig", kty: "EC", crv: "P-256", alg: "ES256" });
    const publicKey = createPublicKey({ key: key as unknown as import("node:crypto").JsonWebKey, format: "jwk" });
    expect(verify("sha256", Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"))).toBe(true);

    const claims = decode(payload);
    expect(Object.keys(claims)).toEqual(["aud", "exp", "iat", "iss", "jti", "kubernetes.io", "nbf", "sub"]);
    expect(claims).toMatchObject({ aud: ["https://kubernetes.default.svc"], iss: "https://kubernetes.default.svc", sub: "system:serviceaccount:default:default" });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(1200);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims["kubernetes.io"]).toEqual({ namespace: "default", serviceaccount: { name: "default", uid: expect.any(String) } });

    const review = await api.post("/apis/authentication.k8s.io/v1/tokenreviews", { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } });
    expect(review.json.status).toMatchObject({ authenticated: true, user: { username: "system:serviceaccount:default:default" } });
  });

  it("bound to a pod, name the pod and its node", async () => {
    const pod = await api.post("/api/v1/namespaces/default/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "bound" }, spec: { serviceAccountName: "default", containers: [{ name: "c", image: "busybox" }] } });
    expect(pod.status).toBe(201);
    const nodeName = await until(async () => (await api.get("/api/v1/namespaces/default/pods/bound")).json.spec.nodeName as string | undefined);
    const node = (await api.get(`/api/v1/nodes/${nodeName}`)).json;
    const res = await api.post(TOKEN, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { audiences: ["vault"], boundObjectRef: { apiVersion: "v1", kind: "Pod", name: "bound" } } });
    expect(res.status).toBe(201);
    expect(res.json.spec.audiences).toEqual(["vault"]);
    const claims = decode((res.json.status.token as string).split(".")[1]!);
    expect(claims.aud).toEqual(["vault"]);
    expect(claims["kubernetes.io"]).toEqual({
      namespace: "default",
      node: { name: nodeName, uid: node.metadata.uid },
      pod: { name: "bound", uid: pod.json.metadata.uid },
      serviceaccount: { name: "default", uid: expect.any(String) },
    });
  });

  it("refuse what kube-apiserver refuses", async () => {
    const request = (spec: Record<string, unknown>) => api.post(TOKEN, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec });
    const short = await request({ expirationSeconds: 60 });
    expect(short.status).toBe(422);
    expect(short.json.message).toBe('TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    const missing = await request({ boundObjectRef: { apiVersion: "v1", kind: "Pod", name: "nope" } });
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('pods "nope" not found');
    const kind = await request({ boundObjectRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" } });
    expect(kind.status).toBe(400);
    expect(kind.json.message).toBe("cannot bind token to object of type apps/v1, Kind=Deployment");
    await api.post("/api/v1/namespaces/default/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "other" } });
    const other = await api.post("/api/v1/namespaces/default/serviceaccounts/other/token", { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { boundObjectRef: { apiVersion: "v1", kind: "Pod", name: "bound" } } });
    expect(other.status).toBe(400);
    expect(other.json.message).toBe('cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.');
    const uid = await request({ boundObjectRef: { apiVersion: "v1", kind: "Pod", name: "bound", uid: "not-the-uid" } });
    expect(uid.status).toBe(409);
    expect(uid.json.message).toBe('Operation cannot be fulfilled on Pod "bound": the UID in the bound object reference (not-the-uid) does not match the UID in record. The object might have been deleted and then recreated');
  });
});
