/**
 * A pod's name resolution: `validateDNSPolicy`, `validatePodDNSConfig`, `ValidateHostAliases`.
 */
import { isDNS1123Subdomain } from "../../meta/names.js";
import { FieldPath, invalid, notSupported, required, type FieldError } from "../field.js";
import { isValidIPForLegacyField } from "../validation/ip.js";
import { isDNS1123SubdomainWithUnderscore } from "../validation/subdomain-underscore.js";
import { list, obj, objects, str, strings, type Obj } from "./json.js";
import type { ResolvedPodOptions } from "./pod-options.js";

const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];

/** Go's `%#v` of a `[]string`. */
function goStrings(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(", ")}}`;
}

/**
 * `validateDNSPolicy`.
 *
 * @example
 * validateDNSPolicy("Bogus", FieldPath.of("spec", "dnsPolicy")); // Unsupported value
 */
export function validateDNSPolicy(policy: string | undefined, path: FieldPath): FieldError[] {
  if (policy === undefined || DNS_POLICIES.includes(policy)) return [];
  return policy === "" ? [required(path, "")] : [notSupported(path, policy, DNS_POLICIES)];
}

/**
 * `validatePodDNSConfig`: nameservers (required with `dnsPolicy: None`, at most 3, IP addresses),
 * search domains (at most 32 and 2048 characters, subdomains) and option names.
 *
 * @example
 * validatePodDNSConfig(undefined, "None", FieldPath.of("spec", "dnsConfig"), opts, 36); // Required value
 */
export function validatePodDNSConfig(v: unknown, policy: string | undefined, path: FieldPath, opts: ResolvedPodOptions, minor: number): FieldError[] {
  const config = obj(v);
  if (policy === "None") {
    if (!config) return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")];
    if (list(config.nameservers).length === 0) return [required(path.child("nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None")];
  }
  if (!config) return [];
  const errs: FieldError[] = [];
  const nameservers = strings(config.nameservers);
  if (nameservers.length > 3) errs.push(invalid(path.child("nameservers"), nameservers, "must not have more than 3 nameservers", goStrings(nameservers)));
  nameservers.forEach((ns, i) => errs.push(...isValidIPForLegacyField(path.child("nameservers").index(i), ns, false)));
  const searches = strings(config.searches);
  if (searches.length > 32) errs.push(invalid(path.child("searches"), searches, "must not have more than 32 search paths", goStrings(searches)));
  if (searches.join(" ").length > 2048) errs.push(invalid(path.child("searches"), searches, "must not have more than 2048 characters (including spaces) in the search list", goStrings(searches)));
  searches.forEach((search, i) => {
    const p = path.child("searches").index(i);
    if (opts.allowRelaxedDNSSearchValidation) {
      if (search === ".") return;
      const trimmed = search.endsWith(".") ? search.slice(0, -1) : search;
      for (const m of isDNS1123SubdomainWithUnderscore(trimmed, minor)) errs.push(invalid(p, trimmed, m));
    } else {
      const trimmed = search.endsWith(".") ? search.slice(0, -1) : search;
      for (const m of isDNS1123Subdomain(trimmed)) errs.push(invalid(p, trimmed, m));
    }
  });
  for (const [o, i] of objects(config.options)) if (str(o.name) === "") errs.push(required(path.child("options").index(i), "must not be empty"));
  return errs;
}

/**
 * `ValidateHostAliases`: each alias an IP address and subdomain host names.
 *
 * @example
 * validateHostAliases([{ ip: "10.0.0.1", hostnames: ["db.local"] }], FieldPath.of("spec", "hostAliases")); // []
 */
export function validateHostAliases(v: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [alias, i] of objects(v) as [Obj, number][]) {
    const ip = str(alias.ip);
    if (ip !== undefined) errs.push(...isValidIPForLegacyField(path.index(i).child("ip"), ip, false));
    strings(alias.hostnames).forEach((h, j) => {
      for (const m of isDNS1123Subdomain(h)) errs.push(invalid(path.index(i).child("hostnames").index(j), h, m));
    });
  }
  return errs;
}
