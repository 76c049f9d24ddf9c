/**
 * The warning apiextensions-apiserver sends with every request to a deprecated version of a custom
 * resource (`customresource_handler.go`): the version's `deprecationWarning` when set, otherwise
 * `defaultDeprecationWarning` — "<group>/<version> <Kind> is deprecated", followed by
 * "; use <group>/<version> <Kind>" naming the most preferred served, non-deprecated version that
 * ranks above the deprecated one.
 */
import { isRecord } from "../../meta/values.js";
import { compareVersions } from "../served.js";

/**
 * The deprecation warning of each served, deprecated version of a CRD, keyed by apiVersion
 * (`<group>/<version>`); empty for a CRD that is not readable as one.
 *
 * @example
 * crdDeprecationWarnings(crd).get("stable.example.com/v1beta1");
 * // "stable.example.com/v1beta1 CronTab is deprecated; use stable.example.com/v1 CronTab"
 */
export function crdDeprecationWarnings(crd: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const spec = isRecord(crd) && isRecord(crd.spec) ? crd.spec : undefined;
  const group = spec?.group;
  const kind = isRecord(spec?.names) ? spec.names.kind : undefined;
  if (typeof group !== "string" || typeof kind !== "string" || !Array.isArray(spec?.versions)) return out;
  const versions = spec.versions.filter(isRecord);
  for (const v of versions) {
    if (typeof v.name !== "string" || v.served !== true || v.deprecated !== true) continue;
    let warning = typeof v.deprecationWarning === "string" ? v.deprecationWarning : `${group}/${v.name} ${kind} is deprecated`;
    if (typeof v.deprecationWarning !== "string") {
      const newer = versions
        .filter((o) => typeof o.name === "string" && o.served === true && o.deprecated !== true && compareVersions(o.name, v.name as string) < 0)
        .map((o) => o.name as string)
        .sort(compareVersions);
      if (newer.length) warning += `; use ${group}/${newer[0]} ${kind}`;
    }
    if (warning) out.set(`${group}/${v.name}`, warning); // an empty deprecationWarning silences it
  }
  return out;
}
