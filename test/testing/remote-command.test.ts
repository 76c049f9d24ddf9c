/**
 * `kubectl exec`, `attach` and `cp` of kubectl 1.28 and 1.29 (SPDY/3.1, `v4.channel.k8s.io`)
 * against the local API server; kubectl 1.30+ (WebSockets) is covered by kubectl.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlVersions, runKubectl, type KubectlRun } from "../support/kubectl.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

const VERSIONS = kubectlVersions(["1.28", "1.29"]);

let server: TestServer;
let dir: string;
let kubeconfig: string;

function kubectl(version: string, args: string[], input = ""): Promise<KubectlRun> {
  return runKubectl(version, dir, kubeconfig, args, input);
}

describe.skipIf(!VERSIONS.length)("kubectl exec, attach and cp over SPDY", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubezod-spdy-exec-"));
    server = await startTestServer({ kubernetesVersion: "1.29", exec: { whoami: () => ({ stdout: "root\n" }) } });
    kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
    const pod = await kubectl(VERSIONS[0]!, ["run", "x", "--image=nginx"]);
    expect(pod.code).toBe(0);
    await server.settle();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe.each(VERSIONS)("kubectl %s", (version) => {
    it("exec: stdout, stderr, exit codes, a handler the test supplies, and the SPDY upgrade it used", async () => {
      expect(await kubectl(version, ["exec", "x", "--", "echo", "hi"])).toEqual({ code: 0, stdout: "hi\n", stderr: "" });
      expect(await kubectl(version, ["exec", "x", "--", "whoami"])).toMatchObject({ code: 0, stdout: "root\n" });
      const failed = await kubectl(version, ["exec", "x", "--", "ls", "/nonexistent"]);
      expect(failed).toEqual({ code: 1, stdout: "", stderr: "ls: /nonexistent: No such file or directory\ncommand terminated with exit code 1\n" });
      const upgrades = server.requests.filter((r) => r.subresource === "exec" && String(r.headers["user-agent"]).startsWith(`kubectl.${version}/`));
      expect(upgrades.map((r) => [r.method, r.headers.upgrade, r.status])).toEqual(Array.from({ length: 3 }, () => ["POST", "SPDY/3.1", 101]));
    });

    it("exec -i reads stdin to its end; -t runs with a TTY", async () => {
      expect(await kubectl(version, ["exec", "-i", "x", "--", "cat"], `input for ${version}\n`)).toMatchObject({ code: 0, stdout: `input for ${version}\n` });
      expect(await kubectl(version, ["exec", "-t", "x", "--", "echo", "tty"])).toMatchObject({ code: 0, stdout: "tty\n" });
    });

    it("cp to and from the pod", async () => {
      const local = join(dir, `up-${version}.txt`);
      writeFileSync(local, `copied by ${version}\n`);
      expect(await kubectl(version, ["cp", local, `x:/tmp/up-${version}.txt`])).toMatchObject({ code: 0 });
      expect(await kubectl(version, ["exec", "x", "--", "cat", `/tmp/up-${version}.txt`])).toMatchObject({ code: 0, stdout: `copied by ${version}\n` });
      const back = join(dir, `back-${version}.txt`);
      expect(await kubectl(version, ["cp", `x:/tmp/up-${version}.txt`, back])).toMatchObject({ code: 0 });
      expect(readFileSync(back, "utf8")).toBe(`copied by ${version}\n`);
    });

    it("attach -i: the default attach target echoes stdin", async () => {
      const r = await kubectl(version, ["attach", "-i", "x"], "to the process\n");
      expect(r).toMatchObject({ code: 0, stdout: "to the process\n" });
    });
  });
});
