/**
 * `kubezod validate [options] <file|dir|glob|->...`: validate manifests before commit and in CI.
 * Exit code 0 when everything validates (skips allowed), 1 when anything is invalid or unreadable,
 * 2 for usage errors.
 */
import { parseCommand, usageError } from "./args.js";
import { kubernetesVersions, latestKubernetesVersion, normalizeKubernetesVersion } from "../meta/lookup.js";
import { formatReport, outputFormats, type OutputFormat } from "../validate/reporters.js";
import { validateManifests, type ManifestInput } from "../validate/validate-manifests.js";
import { reviewRun, storedObjects } from "./review.js";
import { parseRuntimeConfig, type RuntimeConfig } from "../apiserver/served.js";
import { isTerminal, writeOutput } from "./output.js";

const HELP = `usage: kubezod validate [options] <file|directory|glob|->...

Validate Kubernetes manifests (YAML or JSON, multi-document, Lists) against the schemas of a
Kubernetes version, the CRDs given or found among the inputs, and kube-apiserver's checks.

options:
  -k, --kubernetes-version V  Kubernetes minor: ${kubernetesVersions.map((v) => v.slice(1)).join(", ")} (default ${latestKubernetesVersion.slice(1)})
      --crd PATH              CRD file, directory or glob (repeatable)
      --strict / --no-strict  unknown fields, duplicate YAML keys and list-map/set duplicates are
                              errors (default: strict)
      --warn-implicit-conversions
                              warn about values YAML 1.1 reads differently from YAML 1.2
                              (0644 is 420, yes is true), as kubectl and kube-apiserver read them
      --ignore-missing-schemas  skip kinds that have no schema instead of failing them
      --runtime-config K=V,...  the built-in API versions the cluster serves, as kube-apiserver's
                              --runtime-config sets them (api/beta=true, api/alpha=true,
                              admissionregistration.k8s.io/v1beta1=true, …; repeatable); by default
                              alpha and beta versions are not served and are errors
  -n, --namespace NS          the namespace of resources that name none (default: default), as
                              kubectl apply -n sets it; LimitRanges among the inputs apply to the
                              Pods and PersistentVolumeClaims of their namespace
      --skip KINDS            skip kinds: Kind or group/version/Kind, comma-separated (repeatable)
      --reject KINDS          fail kinds: Kind or group/version/Kind, comma-separated (repeatable)
  -o, --output FORMAT         ${outputFormats.join(", ")} (default text)
  -v, --verbose               also list valid and skipped resources (text)
      --max-file-size SIZE    largest file read, e.g. 32M (default 32M)
      --workers N             worker threads for large runs (default: with 3+ cores, one per
                              extra core when the inputs add up to 4 MiB or more; 0 for none)
      --color / --no-color    colour the text output (default: when writing to a terminal)

admission policies and change review:
      --against REF|DIR       review a change: pair objects with those of a git ref (origin/main)
                              or a directory; new objects are CREATE, changed ones UPDATE, removed
                              ones DELETE (update rules, transition rules, ratcheting, policies)
      --policy PATH           ValidatingAdmissionPolicies, MutatingAdmissionPolicies, bindings
                              and params to apply besides those among the inputs (repeatable)
      --user NAME             the user the requests are made as (request.userInfo)
      --groups GROUPS         that user's groups, comma-separated
      --userinfo FILE         the user as YAML or JSON: username, uid, groups, extra
      --show-mutated          print the objects the cluster would store (defaults and mutating
                              policies applied)
  -h, --help                  show this help

Inputs that are not regular files (a FIFO such as <(helm template ...), /dev/stdin) are read
when named directly, up to the size limit; in directories and patterns only regular files are read.

exit codes: 0 all valid (skips, warnings and an empty input allowed), 1 something invalid or
unreadable, 2 usage error
`;

function parseSize(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B?|B)?$/i.exec(s.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? "").toUpperCase()[0];
  const mult = unit === "K" ? 1024 : unit === "M" ? 1024 ** 2 : unit === "G" ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * mult);
}

function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

/** A progress line on the terminal: only when stderr is a TTY and not in CI. */
function progress(): ((done: number, total: number) => void) & { clear(): void; enabled: boolean } {
  const enabled = !process.env.CI && isTerminal(2);
  let last = 0;
  let shown = false;
  const update = (done: number, total: number) => {
    if (!enabled || total < 200) return;
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    shown = true;
    writeOutput(2, `\rchecked ${done} of the ${total} resources found so far`);
  };
  update.clear = () => {
    if (shown) writeOutput(2, "\r\x1b[K");
  };
  update.enabled = enabled;
  return update;
}

/**
 * Run `kubezod validate` with its arguments and return the exit code.
 *
 * @example
 * process.exitCode = await run(["--kubernetes-version", "1.30", "k8s/"]);
 */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand("validate", HELP, {
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    options: {
      "kubernetes-version": { type: "string", short: "k" },
      crd: { type: "string", multiple: true },
      strict: { type: "boolean" },
      "ignore-missing-schemas": { type: "boolean", default: false },
      "runtime-config": { type: "string", multiple: true },
      "warn-implicit-conversions": { type: "boolean", default: false },
      namespace: { type: "string", short: "n" },
      skip: { type: "string", multiple: true },
      reject: { type: "string", multiple: true },
      output: { type: "string", short: "o", default: "text" },
      verbose: { type: "boolean", short: "v", default: false },
      "max-file-size": { type: "string" },
      workers: { type: "string" },
      color: { type: "boolean" },
      against: { type: "string" },
      policy: { type: "string", multiple: true },
      user: { type: "string" },
      groups: { type: "string", multiple: true },
      userinfo: { type: "string" },
      "show-mutated": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const output = values.output as OutputFormat;
  if (!outputFormats.includes(output)) return usageError("validate", HELP, `--output must be one of ${outputFormats.join(", ")}, not ${JSON.stringify(values.output)}`);
  let kubernetesVersion: string | undefined;
  if (values["kubernetes-version"] !== undefined) {
    try {
      kubernetesVersion = normalizeKubernetesVersion(values["kubernetes-version"]);
    } catch (err) {
      return usageError("validate", HELP, (err as Error).message);
    }
  }
  let maxFileSize: number | undefined;
  if (values["max-file-size"] !== undefined) {
    maxFileSize = parseSize(values["max-file-size"]);
    if (!maxFileSize) return usageError("validate", HELP, `--max-file-size must be a size such as 32M, not ${JSON.stringify(values["max-file-size"])}`);
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = /^\d+$/.test(values.workers) ? Number(values.workers) : Number.NaN;
    if (!(workers >= 0 && workers <= 64)) return usageError("validate", HELP, `--workers must be a number from 0 to 64, not ${JSON.stringify(values.workers)}`);
  }
  let runtimeConfig: RuntimeConfig | undefined;
  try {
    for (const v of values["runtime-config"] ?? []) runtimeConfig = parseRuntimeConfig(v, runtimeConfig);
  } catch (err) {
    return usageError("validate", HELP, `--runtime-config: ${(err as Error).message}`);
  }
  if (values.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(values.namespace)) {
    return usageError("validate", HELP, `--namespace must be a namespace name (a DNS label), not ${JSON.stringify(values.namespace)}`);
  }
  let paths = positionals;
  if (!paths.length) {
    if (process.stdin.isTTY) return usageError("validate", HELP, "no manifests given (pass files, directories, globs, or - for standard input)");
    paths = ["-"];
  }
  const base = {
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
    strict: values.strict ?? true,
    crds: values.crd ?? [],
    ignoreMissingSchemas: values["ignore-missing-schemas"],
    ...(runtimeConfig ? { runtimeConfig } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(values["warn-implicit-conversions"] ? { warnImplicitConversions: true } : {}),
    skip: list(values.skip),
    reject: list(values.reject),
    ...(maxFileSize ? { maxFileSize } : {}),
  };
  const color = values.color ?? (!process.env.NO_COLOR && isTerminal(1));
  const review = await reviewRun(values, paths, base);
  if (typeof review === "number") return review;
  if (review) {
    writeOutput(1, formatReport(review, output, { color, verbose: values.verbose }));
    if (values["show-mutated"]) writeOutput(1, storedObjects(review));
    return review.valid ? 0 : 1;
  }
  const show = progress();
  const report = await validateManifests(
    paths.map((p): ManifestInput => ({ path: p })),
    { ...base, ...(workers !== undefined ? { workers } : {}), ...(show.enabled ? { onProgress: show } : {}) },
  );
  show.clear();
  writeOutput(1, formatReport(report, output, { color, verbose: values.verbose }));
  return report.valid ? 0 : 1;
}
