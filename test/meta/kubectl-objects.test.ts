import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resourceInfo, schemaForObject } from "../../src/index.js";
import { repoRoot } from "../support/shared.js";
import { lostPaths } from "../support/subset.js";

const recorded = join(repoRoot, "test/fixtures/kubectl");
const manifests = join(repoRoot, "test/fixtures/manifests");

/** The kubectl invocations that produced each recorded object (all offline). */
const CREATE: Record<string, string[]> = {
  deployment: ["create", "deployment", "web", "--image=nginx:1.25", "--replicas=3", "--port=80"],
  configmap: ["create", "configmap", "settings", "--from-literal=a=1", "--from-literal=b=two"],
  service: ["create", "service", "clusterip", "web", "--tcp=80:8080"],
  job: ["create", "job", "once", "--image=busybox", "--", "echo", "hi"],
  cronjob: ["create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "date"],
  secret: ["create", "secret", "generic", "creds", "--from-literal=user=admin", "--from-literal=password=s3cr3t"],
  rolebinding: ["create", "rolebinding", "reader-binding", "--role=reader", "--user=alice"],
  clusterrolebinding: ["create", "clusterrolebinding", "node-reader-binding", "--clusterrole=node-reader", "--group=ops"],
  serviceaccount: ["create", "serviceaccount", "robot"],
  namespace: ["create", "namespace", "team-a"],
  resourcequota: ["create", "quota", "compute", "--hard=cpu=4,memory=8Gi,pods=20"],
  priorityclass: ["create", "priorityclass", "high", "--value=1000", "--description=important"],
  poddisruptionbudget: ["create", "poddisruptionbudget", "web-pdb", "--selector=app=web", "--min-available=2"],
  ingress: ["create", "ingress", "web", "--rule=example.com/=web:80"],
};

function kubectl(args: string[]): string | undefined {
  try {
    return execFileSync("kubectl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 30_000 });
  } catch {
    return undefined;
  }
}

const haveKubectl = kubectl(["version", "--client", "-o", "json"]) !== undefined;

const files = readdirSync(recorded).filter((f) => f.endsWith(".json"));

describe("objects produced by kubectl", () => {
  it("cover at least ten kinds", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    it(`${file} parses through its schema with nothing lost`, async () => {
      const obj = JSON.parse(readFileSync(join(recorded, file), "utf8"));
      const schema = await schemaForObject(obj);
      expect(schema, `${obj.apiVersion} ${obj.kind}`).toBeDefined();
      expect(resourceInfo(schema!)?.kind).toBe(obj.kind);
      const r = schema!.safeParse(obj);
      expect(r.error?.issues ?? []).toEqual([]);
      // Round trip through JSON keeps every field; embedded kinds (StatefulSet's PVC templates) gain their apiVersion/kind.
      expect(lostPaths(obj, JSON.parse(JSON.stringify(r.data)))).toEqual([]);
    });
  }
});

describe.skipIf(!haveKubectl)("recorded kubectl objects are what the installed kubectl produces", () => {
  for (const [name, args] of Object.entries(CREATE)) {
    it(`kubectl ${args.slice(0, 2).join(" ")}`, () => {
      const out = kubectl([...args.slice(0, args.indexOf("--") < 0 ? args.length : args.indexOf("--")), "--dry-run=client", "-o", "json", ...(args.includes("--") ? args.slice(args.indexOf("--")) : [])]);
      expect(out).toBeDefined();
      expect(JSON.parse(out!)).toEqual(JSON.parse(readFileSync(join(recorded, `${name}.json`), "utf8")));
    });
  }
  for (const file of readdirSync(manifests).filter((f) => f.endsWith(".yaml"))) {
    it(`kubectl patch --local -f ${file}`, () => {
      const type = file === "crd.yaml" ? "merge" : "strategic";
      const out = kubectl(["patch", "--local", "-f", join(manifests, file), "--type", type, "-p", "{}", "-o", "json"]);
      expect(out).toBeDefined();
      expect(JSON.parse(out!)).toEqual(JSON.parse(readFileSync(join(recorded, file.replace(".yaml", ".json")), "utf8")));
    });
  }
});
