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
  server = await startTestServer({ kubernetesVersion: "1.32" });
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
