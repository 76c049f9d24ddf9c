/**
 * The proof of possession through both front doors: the local server (a cluster serving
 * certificates.k8s.io/v1beta1) answers a request whose signature is over another pod UID with
 * kube-apiserver's 422, and `validateManifests` reports the same field error; a request the
 * kubelet's key really signed is accepted by both.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../src/testing/index.js";
import { validateManifests } from "../../../src/validate/index.js";
import { client, type Client } from "../../testing/helpers.js";

const runtimeConfig = { "certificates.k8s.io/v1beta1": true };
let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startTestServer({ kubernetesVersion: "1.35", runtimeConfig });
  api = client(server);
});
afterAll(async () => {
  await api.close();
  await server.close();
});

const PCRS = "/apis/certificates.k8s.io/v1beta1/namespaces/default/podcertificaterequests";
const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pkix = (pair.publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");
const proof = (uid: string): string => sign("sha256", Buffer.from(uid), pair.privateKey).toString("base64");
const request = (name: string, signedUID: string) => ({
  apiVersion: "certificates.k8s.io/v1beta1",
  kind: "PodCertificateRequest",
  metadata: { name, namespace: "default" },
  spec: {
    signerName: "example.com/signer",
    podName: "pod-1",
    podUID: "pod-uid-1",
    serviceAccountName: "default",
    serviceAccountUID: "sa-uid-1",
    nodeName: "node-1",
    nodeUID: "node-uid-1",
    pkixPublicKey: pkix,
    proofOfPossession: proof(signedUID),
  },
});
const FIELD_ERROR = "spec.proofOfPossession: Invalid value: could not verify proof-of-possession signature";

describe("PodCertificateRequest proof of possession through the local server and the validator", () => {
  it("both refuse a proof made over another pod UID", async () => {
    const res = await api.post(PCRS, request("bad", "pod-uid-2"));
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ kind: "Status", reason: "Invalid", code: 422, message: `PodCertificateRequest.certificates.k8s.io "bad" is invalid: ${FIELD_ERROR}` });
    const report = await validateManifests({ file: "pcr.json", text: JSON.stringify(request("bad", "pod-uid-2")) }, { kubernetesVersion: "1.35", runtimeConfig });
    expect(report.results[0]!.status).toBe("invalid");
    expect(report.results[0]!.issues.map((i) => i.message)).toEqual([FIELD_ERROR]);
  });

  it("both accept the kubelet's own signature over the pod UID", async () => {
    const res = await api.post(PCRS, request("good", "pod-uid-1"));
    expect(res.status).toBe(201);
    const report = await validateManifests({ file: "pcr.json", text: JSON.stringify(request("good", "pod-uid-1")) }, { kubernetesVersion: "1.35", runtimeConfig });
    expect(report.results[0]!.status).toBe("valid");
  });
});
