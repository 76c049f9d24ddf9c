/**
 * The installed kubectl, unchanged, against the local API server. Expected outputs are
 * kube-apiserver's (kubectl's messages and exit codes for the same requests).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

let server: TestServer;
let dir: string;
let kubeconfig: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn("kubectl", ["--cache-dir", join(dir, "cache"), ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const DEPLOYMENT = (replicas: number, image = "nginx:1.25") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: ${image}
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wg]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
`;

describe.skipIf(!hasKubectl)("kubectl against the local API server", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubezod-kubectl-"));
    server = await startTestServer({ kubernetesVersion: "1.32" });
    kubeconfig = await server.writeKubeconfig(join(dir, "kubeconfig"));
  });
  afterAll(async () => {
    await server?.close();
  });

  it("reports the server version", async () => {
    const r = await kubectl(["version", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).serverVersion).toMatchObject({ major: "1", minor: "32" });
  });

  it("create namespace, and AlreadyExists with exit code 1", async () => {
    const r = await kubectl(["create", "namespace", "demo"]);
    expect(r).toMatchObject({ code: 0, stdout: "namespace/demo created\n" });
    const again = await kubectl(["create", "namespace", "demo"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('Error from server (AlreadyExists): namespaces "demo" already exists\n');
  });

  it("api-resources and api-versions from discovery", async () => {
    const res = await kubectl(["api-resources"]);
    expect(res.code).toBe(0);
    const lines = res.stdout.split("\n");
    expect(lines[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
    expect(lines.find((l) => l.startsWith("deployments "))).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/);
    expect(lines.find((l) => l.startsWith("namespaces "))).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/);
    const versions = await kubectl(["api-versions"]);
    expect(versions.stdout.split("\n")).toEqual(expect.arrayContaining(["apps/v1", "v1", "autoscaling/v2", "apiextensions.k8s.io/v1"]));
  });

  it("apply -f creates (client-side apply), get table, -o yaml and -o json", async () => {
    const f = file("web.yaml", DEPLOYMENT(2));
    const created = await kubectl(["apply", "-f", f]);
    expect(created).toMatchObject({ code: 0, stdout: "deployment.apps/web created\n" });
    // The deployment controller and kubelet roll it out.
    await server.settle();
    const table = await kubectl(["get", "deployments"]);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s+\d+s\n$/);
    const wide = await kubectl(["get", "deploy", "web", "-o", "wide"]);
    expect(wide.stdout.split("\n")[0]).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(wide.stdout).toContain("nginx:1.25");
    const yaml = await kubectl(["get", "deploy", "web", "-o", "yaml"]);
    expect(yaml.stdout).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\nmetadata:\n  annotations:\n    deployment.kubernetes.io\/revision: "1"\n    kubectl.kubernetes.io\/last-applied-configuration: \|/);
    const json = JSON.parse((await kubectl(["get", "deploy", "web", "-o", "json"])).stdout);
    expect(json.metadata).toMatchObject({ name: "web", namespace: "default", generation: 1 });
    expect(json.metadata.uid).toBeTruthy();
  });

  it("apply -f again computes a three-way strategic merge patch; diff shows changes", async () => {
    const f = file("web2.yaml", DEPLOYMENT(3, "nginx:1.26"));
    const diff = await kubectl(["diff", "-f", f]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("-  replicas: 2");
    expect(diff.stdout).toContain("+  replicas: 3");
    const applied = await kubectl(["apply", "-f", f]);
    expect(applied).toMatchObject({ code: 0, stdout: "deployment.apps/web configured\n" });
    expect((await kubectl(["diff", "-f", f])).code).toBe(0);
    const unchanged = await kubectl(["apply", "-f", f]);
    expect(unchanged.stdout).toBe("deployment.apps/web unchanged\n");
  });

  it("server-side field validation: unknown fields fail create -f (strict) and warn with --validate=warn", async () => {
    const f = file("typo.yaml", DEPLOYMENT(1).replace("name: web", "name: typo").replace("  replicas: 1", "  replicaz: 1"));
    const strict = await kubectl(["create", "-f", f]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('Error from server (BadRequest): error when creating "' + f + '": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"');
    const warn = await kubectl(["create", "-f", f, "--validate=warn"]);
    expect(warn.code).toBe(0);
    expect(warn.stderr).toContain('Warning: unknown field "spec.replicaz"');
  });

  it("get a missing object: NotFound with exit code 1", async () => {
    const r = await kubectl(["get", "deploy", "missing"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): deployments.apps "missing" not found\n');
  });

  it("scale, label, annotate", async () => {
    expect((await kubectl(["scale", "deploy", "web", "--replicas=4"])).stdout).toBe("deployment.apps/web scaled\n");
    expect((await kubectl(["label", "deploy", "web", "tier=front"])).stdout).toBe("deployment.apps/web labeled\n");
    expect((await kubectl(["annotate", "deploy", "web", "note=hello"])).stdout).toBe("deployment.apps/web annotated\n");
    const got = JSON.parse((await kubectl(["get", "deploy", "web", "-o", "json"])).stdout);
    expect(got.spec.replicas).toBe(4);
    expect(got.metadata.labels.tier).toBe("front");
    expect(got.metadata.annotations.note).toBe("hello");
    const conflict = await kubectl(["label", "deploy", "web", "tier=back"]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toBe("error: 'tier' already has a value (front), and --overwrite is false\n");
  });

  it("patch with strategic (default), merge and json types", async () => {
    expect((await kubectl(["patch", "deploy", "web", "--type=merge", "-p", '{"spec":{"replicas":5}}'])).stdout).toBe("deployment.apps/web patched\n");
    expect((await kubectl(["patch", "deploy", "web", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":6}]'])).stdout).toBe(
      "deployment.apps/web patched\n",
    );
    const noop = await kubectl(["patch", "deploy", "web", "--type=merge", "-p", '{"spec":{"replicas":6}}']);
    expect(noop.stdout).toBe("deployment.apps/web patched (no change)\n");
    const smp = await kubectl(["patch", "deploy", "web", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"envoy"}]}}}}']);
    expect(smp.stdout).toBe("deployment.apps/web patched\n");
    const containers = JSON.parse((await kubectl(["get", "deploy", "web", "-o", "json"])).stdout).spec.template.spec.containers;
    // Strategic merge: the list merges by name instead of being replaced.
    expect(containers.map((c: { name: string }) => c.name)).toEqual(["sidecar", "nginx"]);
    const invalid = await kubectl(["patch", "deploy", "web", "--type=merge", "-p", '{"spec":{"replicas":"many"}}']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("cannot unmarshal string into Go struct field");
  });

  it("apply --server-side, a conflict (exit 1) and --force-conflicts", async () => {
    const f = file("ssa.yaml", DEPLOYMENT(2).replace("name: web", "name: api").replace(/app: web/g, "app: api"));
    expect((await kubectl(["apply", "--server-side", "-f", f])).stdout).toBe("deployment.apps/api serverside-applied\n");
    await kubectl(["scale", "deploy", "api", "--replicas=3"]);
    const conflict = await kubectl(["apply", "--server-side", "-f", f]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1 at [\dT:-]+Z: \.spec\.replicas\n/);
    expect(conflict.stderr).toContain("--force-conflicts");
    const forced = await kubectl(["apply", "--server-side", "--force-conflicts", "-f", f]);
    expect(forced).toMatchObject({ code: 0, stdout: "deployment.apps/api serverside-applied\n" });
    expect(JSON.parse((await kubectl(["get", "deploy", "api", "-o", "json"])).stdout).spec.replicas).toBe(2);
  });

  it("explain deployment.spec.template from the served OpenAPI v3", async () => {
    const r = await kubectl(["explain", "deployment.spec.template"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: template <PodTemplateSpec>\n/);
    expect(r.stdout).toMatch(/\n  metadata\t<ObjectMeta>\n/);
    expect(r.stdout).toMatch(/\n  spec\t<PodSpec>\n/);
    // Descriptions come from the generated docs modules, as kube-apiserver publishes them.
    expect(r.stdout).toMatch(/DESCRIPTION:\n\s+Template describes the pods that will be created\./);
    expect(r.stdout).toMatch(/\n  metadata\t<ObjectMeta>\n\s+Standard object's metadata\./);
    const missing = await kubectl(["explain", "deployment.spec.nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('field "nope" does not exist');
  });

  it("create -f of a CRD, then of a custom resource, listed with its printer columns", async () => {
    expect((await kubectl(["create", "-f", file("crd.yaml", CRD)])).stdout).toBe("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n");
    const cr = file("widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n");
    expect((await kubectl(["create", "-f", cr])).stdout).toBe("widget.example.com/w1 created\n");
    const table = await kubectl(["get", "wg"]);
    expect(table.stdout).toMatch(/^NAME\s+SIZE\nw1\s+3\n$/);
    const bad = await kubectl(["create", "-f", file("bad.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: big}\n")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The Widget "w2" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"');
  });

  it("delete with a finalizer waits until the finalizer is removed", async () => {
    await kubectl(["create", "configmap", "held", "--from-literal=a=b"]);
    await kubectl(["patch", "configmap", "held", "--type=merge", "-p", '{"metadata":{"finalizers":["example.com/hold"]}}']);
    const deleting = kubectl(["delete", "configmap", "held", "--timeout=20s"]);
    let stamped = "";
    for (let i = 0; i < 50 && !stamped; i++) {
      stamped = (await kubectl(["get", "configmap", "held", "-o", "jsonpath={.metadata.deletionTimestamp}"])).stdout;
      if (!stamped) await new Promise((r) => setTimeout(r, 50));
    }
    expect(stamped).toMatch(/Z$/);
    await kubectl(["patch", "configmap", "held", "--type=json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const done = await deleting;
    expect(done).toMatchObject({ code: 0, stdout: 'configmap "held" deleted\n' });
    expect((await kubectl(["get", "configmap", "held"])).code).toBe(1);
  });

  it("get -w prints changes made by another process", async () => {
    const watcher = spawn("kubectl", ["--cache-dir", join(dir, "cache"), "get", "configmaps", "-w", "--request-timeout=0"], {
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
    });
    let out = "";
    watcher.stdout.on("data", (d: Buffer) => (out += d));
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    // kubectl prints nothing for an empty list; wait until its watch request has arrived.
    await until(() => server.requests.some((r) => r.verb === "watch" && r.resource === "configmaps"));
    await kubectl(["create", "configmap", "watched", "--from-literal=a=1"]);
    await until(() => out.includes("watched"));
    await kubectl(["label", "configmap", "watched", "x=y"]);
    await kubectl(["delete", "configmap", "watched"]);
    await until(() => out.split("\n").filter((l) => l.startsWith("watched")).length >= 3);
    watcher.kill();
    const lines = out.split("\n").filter((l) => l.startsWith("watched"));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^watched\s+1\s+\d+s$/);
    expect(out.split("\n")[0]).toMatch(/^NAME\s+DATA\s+AGE$/);
  });

  it("kubectl's generator commands (protobuf bodies) store what --dry-run=client shows", async () => {
    const generators = [
      ["create", "deployment", "gen-deploy", "--image=nginx:1.25", "--replicas=2", "--port=8080"],
      ["create", "job", "gen-job", "--image=busybox", "--", "echo", "hi"],
      ["create", "cronjob", "gen-cron", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"],
      ["create", "service", "nodeport", "gen-svc", "--tcp=80:http"],
      ["create", "secret", "generic", "gen-secret", "--from-literal=pw=s3cret", "--type=Opaque"],
      ["create", "configmap", "gen-cm", "--from-literal=a=b"],
      ["create", "serviceaccount", "gen-sa"],
      ["create", "role", "gen-role", "--verb=get,list", "--resource=pods,deployments.apps"],
      ["create", "clusterrole", "gen-cr", "--verb=get", "--non-resource-url=/healthz"],
      ["create", "rolebinding", "gen-rb", "--role=gen-role", "--user=alice", "--serviceaccount=default:gen-sa"],
      ["create", "clusterrolebinding", "gen-crb", "--clusterrole=gen-cr", "--group=devs"],
      ["create", "priorityclass", "gen-pc", "--value=1000", "--description=high"],
      ["create", "quota", "gen-quota", "--hard=cpu=1,memory=1G,pods=2"],
      ["create", "poddisruptionbudget", "gen-pdb", "--selector=app=web", "--min-available=50%"],
    ];
    const prune = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(prune);
      if (v && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
          const p = prune(x);
          if (p === null || p === undefined || (typeof p === "object" && !Array.isArray(p) && Object.keys(p).length === 0)) continue;
          out[k] = p;
        }
        return out;
      }
      return v;
    };
    for (const args of generators) {
      const expected = prune(JSON.parse((await kubectl([...args.slice(0, args.indexOf("--") < 0 ? args.length : args.indexOf("--")), "--dry-run=client", "-o", "json", ...(args.includes("--") ? args.slice(args.indexOf("--")) : [])])).stdout)) as Record<string, any>;
      const created = await kubectl(args);
      expect(created.code, `${args.join(" ")}: ${created.stderr}`).toBe(0);
      const plural = { Deployment: "deployments", Job: "jobs", CronJob: "cronjobs", Service: "services", Secret: "secrets", ConfigMap: "configmaps", ServiceAccount: "serviceaccounts", Role: "roles", ClusterRole: "clusterroles", RoleBinding: "rolebindings", ClusterRoleBinding: "clusterrolebindings", PriorityClass: "priorityclasses", ResourceQuota: "resourcequotas", PodDisruptionBudget: "poddisruptionbudgets" }[expected.kind as string]!;
      const stored = JSON.parse((await kubectl(["get", plural, expected.metadata.name, "-o", "json"])).stdout);
      const { status: _s, metadata, ...rest } = expected;
      expect(stored, args.join(" ")).toMatchObject({ ...rest, metadata: { ...metadata } });
    }
    const token = await kubectl(["create", "token", "gen-sa", "--duration=1h"]);
    expect(token.code).toBe(0);
    expect(token.stdout.trim().split(".")).toHaveLength(3);
    // The quota would refuse the later tests' pods (they state no cpu or memory), as a cluster's would.
    expect((await kubectl(["delete", "quota", "gen-quota"])).code).toBe(0);
  });

  it("delete namespace waits until its content is gone; wait --for=delete", async () => {
    await kubectl(["create", "namespace", "scratch"]);
    await kubectl(["-n", "scratch", "create", "configmap", "inside", "--from-literal=a=b"]);
    const waiting = kubectl(["-n", "scratch", "wait", "--for=delete", "configmap/inside", "--timeout=20s"]);
    const deleted = await kubectl(["delete", "namespace", "scratch", "--timeout=20s"]);
    expect(deleted).toMatchObject({ code: 0, stdout: 'namespace "scratch" deleted\n' });
    expect((await waiting).code).toBe(0);
    expect((await kubectl(["get", "namespace", "scratch"])).stderr).toBe('Error from server (NotFound): namespaces "scratch" not found\n');
  });

  it("auth can-i and auth whoami, impersonating", async () => {
    const yes = await kubectl(["auth", "can-i", "create", "pods"]);
    expect(yes).toMatchObject({ code: 0, stdout: "yes\n" });
    const who = await kubectl(["auth", "whoami", "--as=bob", "--as-group=devs"]);
    expect(who.stdout).toMatch(/^ATTRIBUTE\s+VALUE\nUsername\s+bob\nGroups\s+\[devs system:authenticated\]\n$/);
  });

  it("exec runs a canned command over WebSocket", async () => {
    await kubectl(["run", "shell", "--image=busybox", "--restart=Never"]);
    const r = await kubectl(["exec", "shell", "--", "echo", "hi", "there"]);
    expect(r).toMatchObject({ code: 0, stdout: "hi there\n" });
    const failed = await kubectl(["exec", "shell", "--", "sh", "-c", "exit 3"]);
    expect(failed.code).toBe(3);
    const piped = await kubectl(["exec", "-i", "shell", "--", "cat"], "from stdin\n");
    expect(piped).toMatchObject({ code: 0, stdout: "from stdin\n" });
    const logs = await kubectl(["logs", "shell"]);
    expect(logs.code).toBe(0);
    server.setPodLog("default", "shell", "line one\nline two\n");
    expect((await kubectl(["logs", "shell", "--tail=1"])).stdout).toBe("line two\n");
  });
});
