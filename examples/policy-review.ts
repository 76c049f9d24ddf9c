/**
 * Review a pull request of a policy repository as the cluster would admit it: the objects of the
 * branch paired with those of its base (here a directory; in CI, `--against origin/main`), with
 * the ValidatingAdmissionPolicies, bindings and params found among them.
 */
import { reviewManifests } from "kubezod/validate";

const repo = new URL("./policy-repo/", import.meta.url).pathname;
const report = await reviewManifests(["apps", "policies"], { cwd: `${repo}head`, against: "../base", user: { username: "ci-bot" } });

for (const r of report.results.filter((x) => x.kind === "Deployment" || x.kind === "CronJob")) {
  console.log(r.operation, `${r.kind}/${r.name}`, r.status);
  for (const issue of r.issues) console.log("  ", issue.severity, issue.message);
}
console.log(report.valid); // false
console.log(report.results.find((r) => r.name === "worker")?.issues[0]?.message); // at most 6 replicas in shop
console.log(report.results.find((r) => r.name === "web")?.issues[0]?.message); // scaling down from 6 to 2
