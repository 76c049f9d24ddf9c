/**
 * Kubernetes name, label and annotation syntax (k8s.io/apimachinery/pkg/util/validation), and the
 * name format each resource uses, read from its `nameFormat` annotation.
 */
import type * as z from "zod";
import { kubeMeta } from "./registry.js";

// apimachinery's patterns, matched by loops over the UTF-16 code units (every allowed character is
// ASCII, so any other unit fails as the regular expression fails):
//   DNS-1123 label      [a-z0-9]([-a-z0-9]*[a-z0-9])?
//   DNS-1123 subdomain  [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
//   DNS-1035 label      [a-z]([-a-z0-9]*[a-z0-9])?
//   qualified name      ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
//   label value         (([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?

function isLowerAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}

/** `[a-z0-9]([-a-z0-9]*[a-z0-9])?` over `value[from, to)`. */
function dns1123LabelAt(value: string, from: number, to: number): boolean {
  if (to <= from || !isLowerAlnum(value.charCodeAt(from)) || !isLowerAlnum(value.charCodeAt(to - 1))) return false;
  for (let i = from + 1; i < to - 1; i++) {
    const c = value.charCodeAt(i);
    if (c !== 45 && !isLowerAlnum(c)) return false;
  }
  return true;
}

function matchesDNS1123Subdomain(value: string): boolean {
  let from = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && value.charCodeAt(i) !== 46) continue;
    if (!dns1123LabelAt(value, from, i)) return false;
    from = i + 1;
  }
  return true;
}

function matchesDNS1035Label(value: string): boolean {
  const first = value.charCodeAt(0);
  return value.length > 0 && first >= 97 && first <= 122 && dns1123LabelAt(value, 0, value.length);
}

/** `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`. */
function matchesQualifiedNamePart(value: string): boolean {
  const n = value.length;
  if (n === 0 || !isAlnum(value.charCodeAt(0)) || !isAlnum(value.charCodeAt(n - 1))) return false;
  for (let i = 1; i < n - 1; i++) {
    const c = value.charCodeAt(i);
    if (c !== 45 && c !== 95 && c !== 46 && !isAlnum(c)) return false;
  }
  return true;
}

/** The name syntaxes kube-apiserver applies to `metadata.name`. */
export type NameFormat = "dns-subdomain" | "dns-label" | "dns1035-label" | "path-segment";

/**
 * Problems with a DNS-1123 subdomain (lower case alphanumerics, `-` and `.`, at most 253 characters).
 *
 * @example
 * isDNS1123Subdomain("my.app"); // []
 */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push("must be no more than 253 characters");
  if (!matchesDNS1123Subdomain(value)) {
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errs;
}

/**
 * Problems with a DNS-1123 label (lower case alphanumerics and `-`, at most 63 characters).
 *
 * @example
 * isDNS1123Label("web-1"); // []
 */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push("must be no more than 63 characters");
  if (!dns1123LabelAt(value, 0, value.length)) {
    errs.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errs;
}

/**
 * Problems with a DNS-1035 label (starts with a letter; Service names).
 *
 * @example
 * isDNS1035Label("1web"); // ["a DNS-1035 label must …"]
 */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push("must be no more than 63 characters");
  if (!matchesDNS1035Label(value)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errs;
}

/**
 * Problems with a name used as a URL path segment (RBAC objects): not `.`/`..`, no `/` or `%`.
 *
 * @example
 * isValidPathSegmentName("system:controller"); // []
 */
export function isValidPathSegmentName(value: string): string[] {
  if (value === "." || value === "..") return [`may not be '${value}'`];
  const errs: string[] = [];
  for (const bad of ["/", "%"]) if (value.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/**
 * Problems with a qualified name: an optional DNS subdomain prefix and `/`, then a name of at most
 * 63 characters (label and annotation keys).
 *
 * @example
 * isQualifiedName("app.kubernetes.io/name"); // []
 */
export function isQualifiedName(value: string): string[] {
  if (validQualifiedNames.has(value)) return [];
  const errs = qualifiedNameProblems(value);
  if (!errs.length && validQualifiedNames.size < 4096) validQualifiedNames.add(value);
  return errs;
}

/** Keys already found valid: manifests repeat the same few label and annotation keys. */
const validQualifiedNames = new Set<string>();

function qualifiedNameProblems(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const [prefix, rest] = parts as [string, string];
    name = rest;
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else for (const msg of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${msg}`);
  } else {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > 63) errs.push("name part must be no more than 63 characters");
  // IsQualifiedName checks the pattern even for an empty name part (two messages for "").
  if (!matchesQualifiedNamePart(name)) {
    errs.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return errs;
}

/**
 * Problems with a label value (empty, or at most 63 characters of alphanumerics, `-`, `_`, `.`).
 *
 * @example
 * isValidLabelValue("v1.2"); // []
 */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push("must be no more than 63 characters");
  if (value.length !== 0 && !matchesQualifiedNamePart(value)) {
    errs.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  }
  return errs;
}

/**
 * The total size limit of an object's annotations (keys plus values), 256 KiB.
 *
 * @example
 * Buffer.byteLength(JSON.stringify(annotations)) <= TOTAL_ANNOTATION_SIZE_LIMIT;
 */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const NAME_CHECKS: Record<NameFormat, (value: string) => string[]> = {
  "dns-subdomain": isDNS1123Subdomain,
  "dns-label": isDNS1123Label,
  "dns1035-label": isDNS1035Label,
  "path-segment": isValidPathSegmentName,
};

/**
 * The name syntax a resource's `metadata.name` must follow (its `nameFormat` annotation;
 * DNS subdomain when none is recorded, as for most kinds and every custom resource).
 *
 * @example
 * nameFormatOf(Service); // "dns1035-label"
 */
export function nameFormatOf(schema: z.ZodType): NameFormat {
  return kubeMeta.get(schema)?.nameFormat ?? "dns-subdomain";
}

/**
 * Problems with a name in a given format. With `prefix` (a `generateName`), a trailing `-` is
 * allowed, as the apiserver allows it before appending random characters.
 *
 * @example
 * validateName("Web", "dns-subdomain"); // ["a lowercase RFC 1123 subdomain must …"]
 */
export function validateName(name: string, format: NameFormat, prefix = false): string[] {
  const value = prefix && format !== "path-segment" ? maskTrailingDash(name) : name;
  return NAME_CHECKS[format](value);
}

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}
