/**
 * Which built-in API versions kube-apiserver serves: its `DefaultAPIResourceConfigSource` (every
 * GA version; alpha and beta versions off, since betas went off by default in 1.24, except the
 * legacy beta resources it kept on) and the `--runtime-config` flag that changes it
 * (`MergeAPIResourceConfigs`), and the subresources installed only behind a feature gate. One answer
 * for the local server's catalog and the validator.
 */
import { isFeatureEnabled, type FeatureGate } from "./features.js";

/**
 * Which built-in group/versions (or resources) to serve, in kube-apiserver's `--runtime-config`
 * vocabulary: `api/all`, `api/ga`, `api/beta`, `api/alpha`, `<group>/<version>` (`v1`, `/v1` or
 * `api/v1` for the core group) and `<group>/<version>/<resource>`, each on (`true`) or off (`false`).
 *
 * @example
 * const config: RuntimeConfig = { "api/beta": true, "resource.k8s.io/v1alpha3": true };
 */
export type RuntimeConfig = Record<string, boolean>;

/** The stability level of a version (`v1`: ga, `v1beta2`: beta, `v1alpha1`: alpha), or undefined. */
export function versionLevel(version: string): "ga" | "beta" | "alpha" | undefined {
  const m = /^v\d+(?:(alpha|beta)\d+)?$/.exec(version);
  return m ? ((m[1] as "alpha" | "beta" | undefined) ?? "ga") : undefined;
}

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes' version priority (apimachinery's `CompareKubeAwareVersionStrings`, as a sort
 * comparator): GA before beta before alpha, then higher numbers first; versions that are not
 * Kubernetes-like come last, in string order.
 *
 * @example
 * ["v1alpha1", "v2", "v1beta2", "v1"].sort(compareVersions); // ["v2", "v1", "v1beta2", "v1alpha1"]
 */
export function compareVersions(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) return ma ? -1 : mb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  const rank = (m: RegExpExecArray) => (m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1);
  return rank(mb) - rank(ma) || Number(mb[1]) - Number(ma[1]) || Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

/**
 * `legacyBetaEnabledByDefaultResources`: beta resources kube-apiserver kept serving after it
 * stopped serving new betas by default. 1.28 lists FlowSchemas and PriorityLevelConfigurations at
 * flowcontrol v1beta2 and v1beta3; 1.29–1.31 at v1beta3 (v1beta2 is gone); 1.32 lists none (v1beta3
 * is gone). A version a minor no longer has has no schema, so one list serves every minor.
 */
const LEGACY_BETAS_ENABLED_BY_DEFAULT = new Set([
  "flowcontrol.apiserver.k8s.io/v1beta2/flowschemas",
  "flowcontrol.apiserver.k8s.io/v1beta2/prioritylevelconfigurations",
  "flowcontrol.apiserver.k8s.io/v1beta3/flowschemas",
  "flowcontrol.apiserver.k8s.io/v1beta3/prioritylevelconfigurations",
]);

/** The `--runtime-config` switches that address versions by stability, applied in this order. */
const MATCHERS = ["api/all", "api/ga", "api/beta", "api/alpha"] as const;

/**
 * Whether kube-apiserver serves a built-in resource at a group/version, by default (`config`
 * empty) or with a `--runtime-config`. Later, narrower switches win, as in
 * `MergeAPIResourceConfigs`: `api/all`, then `api/ga`/`api/beta`/`api/alpha`, then
 * `<group>/<version>`, then `<group>/<version>/<resource>`.
 *
 * @example
 * isServed("admissionregistration.k8s.io", "v1beta1", "mutatingadmissionpolicies"); // false
 * isServed("admissionregistration.k8s.io", "v1beta1", "mutatingadmissionpolicies", { "api/beta": true }); // true
 */
export function isServed(group: string, version: string, resource: string | undefined, config: RuntimeConfig = {}): boolean {
  const level = versionLevel(version);
  const gv = group ? `${group}/${version}` : version;
  let served = level === "ga" || (resource !== undefined && LEGACY_BETAS_ENABLED_BY_DEFAULT.has(`${gv}/${resource}`));
  for (const m of MATCHERS) {
    if (!(m in config)) continue;
    if (m === "api/all" || m === `api/${level}`) served = config[m]!;
  }
  const gvKeys = group ? [gv] : [version, `/${version}`, `api/${version}`];
  for (const k of gvKeys) if (k in config) served = config[k]!;
  if (resource !== undefined) for (const k of gvKeys) if (`${k}/${resource}` in config) served = config[`${k}/${resource}`]!;
  return served;
}

/**
 * Subresources kube-apiserver installs only while a feature gate is on (storage_core.go), by
 * `group/plural/subresource`.
 */
const GATED_SUBRESOURCES = new Map<string, FeatureGate>([["/pods/resize", "InPlacePodVerticalScaling"]]);

/**
 * Whether kube-apiserver of a minor installs a subresource of a built-in resource (with its
 * default feature gates).
 *
 * @example
 * isSubresourceServed("", "pods", "resize", 32); // false: InPlacePodVerticalScaling is off by default before 1.33
 */
export function isSubresourceServed(group: string, plural: string, subresource: string, minor: number): boolean {
  const gate = GATED_SUBRESOURCES.get(`${group}/${plural}/${subresource}`);
  return gate === undefined || isFeatureEnabled(gate, minor);
}

/**
 * Read kube-apiserver's `--runtime-config` value: comma-separated `key=value` pairs, a key alone
 * meaning `true` (`getRuntimeConfigValue`), values as Go's `strconv.ParseBool` reads them; the
 * `api/*` switches take only `true` or `false`. Throws a RangeError naming the bad pair.
 *
 * @example
 * parseRuntimeConfig("api/beta=true,admissionregistration.k8s.io/v1alpha1");
 * // { "api/beta": true, "admissionregistration.k8s.io/v1alpha1": true }
 */
export function parseRuntimeConfig(text: string, into: RuntimeConfig = {}): RuntimeConfig {
  for (const raw of text.split(",")) {
    const pair = raw.trim();
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const value = eq < 0 ? "" : pair.slice(eq + 1).trim();
    if ((MATCHERS as readonly string[]).includes(key)) {
      if (value !== "true" && value !== "false") throw new RangeError(`invalid value ${key}=${value}`);
      into[key] = value === "true";
      continue;
    }
    if (key === "api/legacy") continue;
    const tokens = key.split("/");
    if (!key || tokens.length > 3 || tokens.slice(1).some((t) => !t) || (tokens.length === 1 && versionLevel(key) === undefined)) {
      throw new RangeError(`runtime-config invalid key ${key}`);
    }
    if (tokens.length === 3 && tokens[2]!.toLowerCase() !== tokens[2]) {
      throw new RangeError(`invalid key ${key}: group/version/resource and resource is always lowercase plural, not ${JSON.stringify(tokens[2])}`);
    }
    const on = parseGoBool(value);
    if (on === undefined) throw new RangeError(`invalid value of ${key}: ${value}`);
    into[key] = on;
  }
  return into;
}

/** `strconv.ParseBool`, with the empty string meaning true as `--runtime-config` reads it. */
function parseGoBool(value: string): boolean | undefined {
  if (value === "" || ["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}
