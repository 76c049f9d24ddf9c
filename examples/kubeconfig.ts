// Run: npx tsx examples/kubeconfig.ts
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadKubeConfig, resolveCluster } from "kubezod";

// Two kubeconfig files, as KUBECONFIG=team.yaml:personal.yaml would merge them.
const dir = mkdtempSync(join(tmpdir(), "kubeconfig-example-"));
writeFileSync(join(dir, "team.yaml"), `
clusters:
- name: prod
  cluster: {server: "https://prod.example.com:6443", insecure-skip-tls-verify: true}
users:
- name: deployer
  user: {token: "team-token", as: "release-bot", as-groups: ["deployers", "auditors"]}
contexts:
- name: prod
  context: {cluster: prod, user: deployer, namespace: web}
`);
writeFileSync(join(dir, "personal.yaml"), `
current-context: prod
clusters:
- name: prod
  cluster: {server: "https://ignored.example.com"}   # the first file to name "prod" wins
- name: kind
  cluster: {server: "127.0.0.1:39821"}
users:
- name: me
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./get-token.sh, interactiveMode: Never}
contexts:
- name: kind
  context: {cluster: kind, user: me}
`);
const env = { KUBECONFIG: [join(dir, "team.yaml"), join(dir, "personal.yaml")].join(":") };

const merged = loadKubeConfig({ env });
console.log(merged.currentContext, [...merged.contexts.keys()].join(" ")); // prod prod kind

const prod = await resolveCluster({ env });
console.log(prod.server, prod.namespace, prod.credentials.type); // https://prod.example.com:6443 web token
console.log(prod.impersonate?.user, prod.impersonate?.groups?.join(" ")); // release-bot deployers auditors

// A named context; the exec plugin runs only when a request needs credentials.
const kind = await resolveCluster({ env, context: "kind", namespace: "dev" });
console.log(kind.server, kind.namespace, kind.credentials.type); // http://127.0.0.1:39821 dev exec
