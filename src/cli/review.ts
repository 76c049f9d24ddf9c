/**
 * The admission and change-review side of `kubezod validate`: `--against`, `--policy`, `--user`,
 * `--groups`, `--userinfo`, `--show-mutated`, and policies found among the inputs.
 */
import { readFileSync } from "node:fs";
import { stringifyYaml } from "../yaml/text.js";
import { usageError } from "./args.js";
import { readYamlDocuments } from "../yaml/documents.js";
// The review engine (admission policies, CEL) is loaded only when a review is asked for.
import type { ReviewOptions, ReviewReport } from "../validate/review.js";
import type { UserInfo } from "../apiserver/cel/index.js";

const HELP_HINT = "run kubezod validate --help for the options";

function userFrom(values: { user?: string | undefined; groups?: string[] | undefined; userinfo?: string | undefined }): UserInfo | string | undefined {
  let user: UserInfo | undefined;
  if (values.userinfo) {
    let text: string;
    try {
      text = readFileSync(values.userinfo, "utf8");
    } catch (err) {
      return `--userinfo ${values.userinfo}: ${(err as Error).message}`;
    }
    const doc = readYamlDocuments(text)[0];
    const v = doc?.value as Record<string, unknown> | undefined;
    if (!v || typeof v !== "object" || typeof v.username !== "string") return `--userinfo ${values.userinfo}: expected an object with a username`;
    user = {
      username: v.username,
      ...(typeof v.uid === "string" ? { uid: v.uid } : {}),
      ...(Array.isArray(v.groups) ? { groups: v.groups.map(String) } : {}),
      ...(v.extra && typeof v.extra === "object" ? { extra: v.extra as Record<string, string[]> } : {}),
    };
  }
  const groups = (values.groups ?? []).flatMap((g) => g.split(",")).map((g) => g.trim()).filter(Boolean);
  if (values.user !== undefined || groups.length) {
    user = { ...(user ?? { username: "" }), ...(values.user !== undefined ? { username: values.user } : {}), ...(groups.length ? { groups: [...(user?.groups ?? []), ...groups] } : {}) };
  }
  if (user && !user.groups?.includes("system:authenticated") && user.username && user.username !== "system:anonymous") user.groups = [...(user.groups ?? []), "system:authenticated"];
  return user;
}

/**
 * Run the review when its flags are given; `undefined` when the plain validation applies (which
 * applies the policies among the inputs too), a number for a usage error.
 *
 * @example
 * const review = await reviewRun(values, ["k8s/"], {});
 */
export async function reviewRun(
  values: { against?: string | undefined; policy?: string[] | undefined; user?: string | undefined; groups?: string[] | undefined; userinfo?: string | undefined; "show-mutated"?: boolean | undefined },
  paths: readonly string[],
  base: ReviewOptions,
): Promise<ReviewReport | number | undefined> {
  const wanted = values.against !== undefined || values.policy?.length || values.user !== undefined || values.groups?.length || values.userinfo !== undefined || values["show-mutated"];
  // Without these flags, validateManifests applies the policies among the inputs itself.
  if (!wanted) return undefined;
  if (paths.includes("-")) return usageError("validate", HELP_HINT, "standard input cannot be reviewed with policies or --against; pass files or directories");
  const user = userFrom(values);
  if (typeof user === "string") return usageError("validate", HELP_HINT, user);
  const { reviewManifests } = await import("../validate/review.js");
  return reviewManifests(paths, {
    ...base,
    ...(values.against !== undefined ? { against: values.against } : {}),
    ...(values.policy?.length ? { policies: values.policy } : {}),
    ...(user ? { user } : {}),
    ...(values["show-mutated"] ? { showMutated: true } : {}),
  });
}

/**
 * The objects the cluster would store, as YAML documents with where they come from.
 *
 * @example
 * process.stdout.write(storedObjects(report));
 */
export function storedObjects(report: ReviewReport): string {
  let out = "";
  for (const r of report.results) {
    if (!r.stored) continue;
    out += `--- # ${r.file}${r.line ? `:${r.line}` : ""} ${r.kind ?? ""} ${r.namespace ? `${r.namespace}/` : ""}${r.name ?? ""} (${r.operation ?? "unchanged"})\n`;
    out += stringifyYaml(r.stored);
  }
  return out;
}
