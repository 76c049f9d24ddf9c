/**
 * kubectl, unchanged, against the PodSecurity admission plugin of the local server: `kubectl label
 * ns` sets the enforce and warn levels (and shows the warning about existing pods), `kubectl run`
 * is refused with kube-apiserver's message, and a warned pod is created with the warning shown.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { kubectlVersions, runKubectl } from "../support/kubectl.js";

const versions = kubectlVersions(["1.27", "1.33"]);
const RESTRICTED =
  'allowPrivilegeEscalation != false (container "p" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "p" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "p" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "p" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe.skipIf(versions.length === 0)(`kubectl and Pod Security admission${versions.length ? "" : " (skipped: kubectl not installed)"}`, () => {
  let server: TestServer;
  let dir: string;
  let kubeconfig: string;
  const kubectl = (version: string, args: string[]) => runKubectl(version, dir, kubeconfig, args);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubezod-kubectl-psa-"));
    server = await startTestServer({ kubernetesVersion: "1.33" });
    kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const version of versions) {
    it(`kubectl ${version} labels a namespace, is refused a privileged pod and warned about another`, async () => {
      const ns = `psa-${version.replace(".", "-")}`;
      expect((await kubectl(version, ["create", "namespace", ns])).code).toBe(0);
      expect((await kubectl(version, ["run", "p", "-n", ns, "--image", "nginx"])).code).toBe(0);
      const labelled = await kubectl(version, ["label", "ns", ns, "pod-security.kubernetes.io/enforce=restricted"]);
      expect(labelled.code).toBe(0);
      expect(labelled.stdout).toBe(`namespace/${ns} labeled\n`);
      expect(labelled.stderr).toBe(
        `Warning: existing pods in namespace "${ns}" violate the new PodSecurity enforce level "restricted:latest"\n` +
          "Warning: p: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile\n",
      );
      const refused = await kubectl(version, ["run", "q", "-n", ns, "--image", "nginx", "--overrides", '{"spec":{"containers":[{"name":"q","image":"nginx","securityContext":{"privileged":true}}]}}']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `Error from server (Forbidden): pods "q" is forbidden: violates PodSecurity "restricted:latest": privileged (container "q" must not set securityContext.privileged=true), ${RESTRICTED.replaceAll('"p"', '"q"')}\n`,
      );
      const plain = await kubectl(version, ["run", "s", "-n", ns, "--image", "nginx"]);
      expect(plain.code).toBe(1);
      expect(plain.stderr).toBe(`Error from server (Forbidden): pods "s" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED.replaceAll('"p"', '"s"')}\n`);
      const bogus = await kubectl(version, ["label", "ns", ns, "--overwrite", "pod-security.kubernetes.io/enforce=bogus"]);
      expect(bogus.code).toBe(1);
      expect(bogus.stderr).toBe(`The Namespace "${ns}" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted\n`);
      expect((await kubectl(version, ["label", "ns", ns, "--overwrite", "pod-security.kubernetes.io/enforce=privileged", "pod-security.kubernetes.io/warn=restricted"])).code).toBe(0);
      const warned = await kubectl(version, ["run", "r", "-n", ns, "--image", "nginx"]);
      expect(warned.code).toBe(0);
      expect(warned.stdout).toBe("pod/r created\n");
      expect(warned.stderr).toBe(`Warning: would violate PodSecurity "restricted:latest": ${RESTRICTED.replaceAll('"p"', '"r"')}\n`);
    });
  }
});
