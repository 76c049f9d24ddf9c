/**
 * `structuraldefaulting.ValidateDefaults`, the validation part: a schema's `default` must be valid
 * against the schema node it sits on (types, enums, ranges, patterns, formats, required fields,
 * `anyOf`/`oneOf`/`allOf`/`not`), as kube-apiserver checks it with a validator built on that node.
 * The node is checked as a one-field custom resource (`{ v: <default> }`), without the node's own
 * defaults and CEL rules (kube-apiserver runs those rules on defaults too; that is not done here).
 * Errors are reported under `<node>.default`, named relative to the node as kube-openapi names
 * them (`a in body must be of type integer: "string"`).
 */
import { isRecord } from "../../meta/values.js";
import { schemasFromCrd } from "../../meta/build.js";
import { FieldPath, type FieldError } from "../field.js";
import { checkWrite } from "../write.js";

type Schema = Record<string, unknown>;

/** The node without its defaults and CEL rules (neither is part of checking a value against it). */
function bare(s: unknown, depth = 0): unknown {
  if (depth > 64) return s;
  if (Array.isArray(s)) return s.map((x) => bare(x, depth + 1));
  if (!isRecord(s)) return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "default" || k === "x-kubernetes-validations") continue;
    // Example values, enums and defaults hold data, not schemas.
    out[k] = k === "enum" || k === "example" ? v : bare(v, depth + 1);
  }
  return out;
}

const cache = new Map<string, ReturnType<typeof schemasFromCrd>[number]["schema"] | null>();

function schemaFor(node: Schema): ReturnType<typeof schemasFromCrd>[number]["schema"] | undefined {
  const key = JSON.stringify(node);
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  let built: ReturnType<typeof schemasFromCrd>[number]["schema"] | null = null;
  try {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "defaults.kubezod.local" },
      spec: {
        group: "kubezod.local",
        names: { kind: "Default", plural: "defaults" },
        scope: "Cluster",
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { v: node } } } }],
      },
    };
    built = schemasFromCrd(crd)[0]?.schema ?? null;
  } catch {
    built = null;
  }
  if (cache.size > 256) cache.clear();
  cache.set(key, built);
  return built ?? undefined;
}

/** Name a field inside the default relative to the node: `v.a` → `a`, `v` → ``. */
function relative(message: string): string {
  if (message.startsWith("v.")) return message.slice(2);
  if (message.startsWith("v[")) return message.slice(1);
  if (message.startsWith("v ")) return message.slice(2);
  return message;
}

/**
 * Problems of a default value against its schema node, at `path` (the node's `default`).
 *
 * @example
 * validateDefaultValue({ type: "integer", default: "x" }, "x", FieldPath.of("spec").child("default"), 36);
 */
export function validateDefaultValue(node: Schema, value: unknown, path: FieldPath, minor: number): FieldError[] {
  const schema = schemaFor(bare(node) as Schema);
  if (!schema) return [];
  const outcome = checkWrite({ apiVersion: "kubezod.local/v1", kind: "Default", metadata: { name: "default" }, v: value }, { schema, custom: true, minor, owned: true });
  const errs: FieldError[] = [];
  for (const issue of outcome.issues) {
    if (issue.severity === "warning" || issue.path[0] !== "v" || issue.rule === "strict/duplicate-entry") continue;
    const rest = issue.path.slice(1);
    let p = path;
    for (const seg of rest) p = typeof seg === "number" ? p.index(seg) : p.child(seg);
    const { rule: _rule, text: _text, severity: _severity, ...err } = issue;
    errs.push({ ...err, path: [...p.segments], field: p.toString(), message: relative(issue.message) });
  }
  return errs;
}
