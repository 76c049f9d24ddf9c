/**
 * The rule ids a report uses, with what each means (for SARIF rule metadata, `--help`-style
 * listings and documentation). Native validation rules are named by the apimachinery error type
 * they report (`native/required`, `native/invalid`, …), as kube-apiserver's own field errors are.
 */

/** What a rule id stands for. */
export interface RuleDescription {
  /** One line. */
  short: string;
  /** A paragraph: what kube-apiserver (or the reader) does that the rule reports. */
  full: string;
}

const NATIVE_TYPES: Record<string, [string, string]> = {
  required: ["a required value is missing", "Required value"],
  invalid: ["a value is not valid", "Invalid value"],
  unsupported: ["a value is not one of the supported values", "Unsupported value"],
  forbidden: ["a field may not be set (here, or to this value)", "Forbidden"],
  duplicate: ["a value must be unique and is not", "Duplicate value"],
  "too-long": ["a value is too long", "Too long"],
  "too-many": ["a list or map has too many items", "Too many"],
  "not-found": ["a value refers to something that does not exist", "Not found"],
  type: ["a value has the wrong type", "Invalid value"],
  internal: ["a rule could not be applied", "Internal error"],
};

const FIXED: Record<string, RuleDescription> = {
  "yaml/syntax": { short: "the YAML or JSON cannot be read", full: "The document is not valid YAML (as kubectl reads it: YAML 1.1 scalars, merge keys, bounded aliases) or JSON." },
  "yaml/duplicate-key": { short: "a mapping has the same key twice", full: "A key appears twice in one mapping; the last value wins. Reported in strict mode." },
  "yaml/implicit-conversion": {
    short: "a plain scalar is read differently by YAML 1.1 and 1.2",
    full: "kubectl and kube-apiserver read YAML 1.1: 0644 is 420, yes is true. Such readings are what the Kubernetes documentation intends (mode bits are written 0644), so they are warnings, and only when asked for (--warn-implicit-conversions).",
  },
  "yaml/not-json": { short: "a number JSON cannot hold", full: "The value is a number that does not survive the conversion to JSON kubectl makes (infinite, not a number, or out of range)." },
  "file/unreadable": { short: "an input cannot be read", full: "The file is missing, unreadable, binary, not UTF-8, larger than --max-file-size, or not a regular file found in a directory." },
  "manifest/not-an-object": { short: "a document is not an object", full: "A manifest must be a YAML or JSON object." },
  "api/missing-type": { short: "apiVersion or kind is missing", full: "Without apiVersion and kind a document cannot be checked at all: an error, not an invalid resource." },
  "api/unknown-kind": { short: "no schema for this apiVersion and kind", full: "The kind is not built into the chosen Kubernetes minor and no CRD or schema defines it (pass its CRD with --crd, or --ignore-missing-schemas)." },
  "api/removed": { short: "the API version is no longer served", full: "The API version was removed in or before the chosen Kubernetes minor; the message names its replacement." },
  "api/not-served": {
    short: "the API version is not served by default",
    full: "The built-in API version exists in the chosen Kubernetes minor but kube-apiserver does not serve it unless started with --runtime-config (alpha and beta versions are off by default since 1.24, except the legacy betas it kept on): kubectl finds no matches for the kind and the request gets 404. Pass --runtime-config as the cluster is started with to check against a cluster that serves it.",
  },
  "api/deprecated": { short: "the API version is deprecated", full: "The API version is deprecated in the chosen Kubernetes minor and will be removed." },
  "api/read-only": {
    short: "the kind cannot be written",
    full: "kube-apiserver serves the resource for reading only (ComponentStatus: get and list) and answers a create, update or apply with 405 MethodNotAllowed; a manifest of it cannot be applied.",
  },
  "api/rejected": { short: "the kind is rejected by --reject", full: "The kind is listed in --reject." },
  "schema/type": { short: "a value has the wrong type", full: "The value does not have the type the schema gives the field. For built-in kinds kube-apiserver refuses such a body while decoding it (400), before any other check runs." },
  "schema/required": { short: "a required field is missing", full: "The schema marks the field required and it has no default." },
  "schema/enum": { short: "a value is not one of the schema's values", full: "The schema lists the allowed values and this is not one of them." },
  "schema/format": { short: "a value does not have the schema's format or pattern", full: "The value does not match the schema's format (quantity, date-time, …) or pattern." },
  "schema/range": { short: "a number is out of the schema's range", full: "The number is below the minimum, above the maximum, or not a multiple the schema asks for." },
  "schema/length": { short: "a string or list has a length outside the schema's bounds", full: "The value is shorter or longer than the schema allows (minLength/maxLength, minItems/maxItems)." },
  "schema/value": { short: "a value is not valid for the schema", full: "The value fails another check of the schema." },
  "strict/unknown-field": { short: "a field the schema does not declare", full: "kube-apiserver drops unknown fields (or refuses them with fieldValidation=Strict, kubectl's default). Reported in strict mode." },
  "strict/duplicate-entry": {
    short: "two entries of a list-map or set are the same",
    full: "Two items of an x-kubernetes-list-type map (same keys) or set (same value). kube-apiserver refuses them on custom resources; on built-in kinds it keeps them on create and update (only server-side apply refuses them) unless the kind's own rules do, so there they are warnings, in strict mode.",
  },
  "meta/name": { short: "metadata.name or generateName is missing or not valid", full: "The name must follow the kind's name format (DNS subdomain, DNS label, …), as ValidateObjectMeta checks it." },
  "meta/namespace": { short: "metadata.namespace is not valid", full: "The namespace must be a DNS label; a cluster-scoped kind's namespace is ignored (a warning)." },
  "meta/labels": { short: "a label key or value is not valid", full: "Label keys are qualified names, values at most 63 characters of the label value format." },
  "meta/annotations": { short: "an annotation key is not valid, or annotations are too large", full: "Annotation keys are qualified names; all annotations together are at most 256 KiB." },
  "meta/metadata": { short: "other object metadata is not valid", full: "Finalizers, owner references, generation or managed fields are not valid." },
  "native/warning": { short: "kube-apiserver would answer with a warning", full: "The kind's WarningsOnCreate/WarningsOnUpdate: kube-apiserver accepts the object and sends this as a Warning header." },
  "update/version-changed": { short: "the previous object has another version", full: "Objects of different versions are not converted, so the resource is checked as created." },
  "crd/invalid": { short: "a CustomResourceDefinition cannot be used", full: "The CRD could not be turned into schemas (not structural, bad schema)." },
  "crd/value-validation": { short: "anyOf/oneOf/allOf/not of a CRD schema fails", full: "The value fails one of the CRD schema's anyOf, oneOf, allOf or not validations." },
  "crd/cel": { short: "an x-kubernetes-validations rule fails", full: "A CEL validation rule of the CRD schema evaluated to false." },
  "crd/cel-unevaluated": { short: "a CEL rule could not be evaluated", full: "The rule uses something the evaluator cannot run (an unsupported function or RE2 construct); it is reported, never passed." },
  "crd/cel-not-run": {
    short: "CEL rules were not run over an object with errors",
    full: "kube-apiserver does not run x-kubernetes-validations rules over an object with type, required, enum or size errors, and says so; fix those errors to see the rules' verdicts.",
  },
  "admission/pod-security": {
    short: "a Pod Security Standards violation in a namespace the inputs label",
    full: "kube-apiserver's PodSecurity admission plugin, for a Namespace among the inputs labelled pod-security.kubernetes.io/enforce, warn or audit: a Pod its enforce level forbids, and invalid labels, are errors (kube-apiserver refuses them); warn and audit levels, and workload pod templates, are warnings.",
  },
  "admission/limit-ranger": {
    short: "outside the limits of a LimitRange among the inputs",
    full: "kube-apiserver's LimitRanger admission plugin, for LimitRanges among the inputs: a Pod created in their namespace gets their default requests and limits, then a Pod or PersistentVolumeClaim outside their min, max or maxLimitRequestRatio is an error (kube-apiserver refuses it), or a warning when the refusal rests on values the manifest leaves out (other LimitRanges in the cluster may default them); a workload whose pod template is outside them is a warning (kube-apiserver refuses the pods its controller creates).",
  },
};

/**
 * What a rule id means; undefined for ids it does not know.
 *
 * @example
 * describeRule("native/required")?.short; // "a required value is missing (kube-apiserver's native validation)"
 */
export function describeRule(id: string): RuleDescription | undefined {
  const fixed = FIXED[id];
  if (fixed) return fixed;
  const m = /^(native|update)\/(.+)$/.exec(id);
  const t = m ? NATIVE_TYPES[m[2]!] : undefined;
  if (!m || !t) return undefined;
  if (m[1] === "native") {
    return { short: `${t[0]} (kube-apiserver's native validation)`, full: `kube-apiserver's built-in validation of the kind (Validate<Kind> and object metadata) reports "${t[1]}" here.` };
  }
  return { short: `${t[0]} (an update rule)`, full: `Checked against the previous object (Validate<Kind>Update and the metadata update rules): immutable fields, allowed transitions. kube-apiserver reports "${t[1]}" here.` };
}

/**
 * Every fixed rule id and the families of native and update rules (for listings).
 *
 * @example
 * ruleIds().includes("native/required"); // true
 */
export function ruleIds(): string[] {
  return [...Object.keys(FIXED), ...Object.keys(NATIVE_TYPES).flatMap((t) => [`native/${t}`, `update/${t}`])];
}
