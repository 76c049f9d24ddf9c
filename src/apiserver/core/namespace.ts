/**
 * Namespaces: `SetDefaults_Namespace` (the `kubernetes.io/metadata.name` label), the strategy's
 * `kubernetes` finalizer and status on create, and `ValidateNamespace`'s finalizer names.
 */
import { isRecord } from "../../meta/values.js";
import { FieldPath, invalid, type FieldError } from "../field.js";
import { isQualifiedName } from "../validation/index.js";
import { list, rec, str } from "./object-values.js";

type Obj = Record<string, unknown>;

const STANDARD_FINALIZERS = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

/** `SetDefaults_Namespace`: the name as the `kubernetes.io/metadata.name` label. */
export function defaultNamespace(ns: Obj): void {
  const meta = rec(ns, "metadata");
  const name = str(meta, "name");
  if (!meta || !name) return;
  const labels = isRecord(meta.labels) ? meta.labels : (meta.labels = {});
  labels["kubernetes.io/metadata.name"] = name;
}

/** The strategy's `PrepareForCreate`: phase Active, and the `kubernetes` finalizer. */
export function prepareNamespaceForCreate(ns: Obj): void {
  ns.status = { phase: "Active" };
  const spec = isRecord(ns.spec) ? ns.spec : (ns.spec = {});
  const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  if (!finalizers.includes("kubernetes")) spec.finalizers = [...finalizers, "kubernetes"];
}

/** The strategy's `PrepareForUpdate`: finalizers and status only change through their subresources. */
export function prepareNamespaceForUpdate(ns: Obj, old: Obj): void {
  const spec = isRecord(ns.spec) ? ns.spec : (ns.spec = {});
  const oldFinalizers = rec(old, "spec")?.finalizers;
  if (oldFinalizers === undefined) delete spec.finalizers;
  else spec.finalizers = oldFinalizers;
  if (old.status === undefined) delete ns.status;
  else ns.status = old.status;
}

/** `validateFinalizerName`: a qualified name, and either a standard one or domain-qualified. */
export function validateFinalizerName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (!name.includes("/") && !STANDARD_FINALIZERS.has(name)) {
    errs.push(invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified"));
  }
  return errs;
}

/** `ValidateNamespace` without the object metadata (spec finalizers, reported at the list as Kubernetes does). */
export function validateNamespace(ns: Obj): FieldError[] {
  const path = FieldPath.of("spec", "finalizers");
  return list(rec(ns, "spec"), "finalizers").flatMap((f) => (typeof f === "string" ? validateFinalizerName(f, path) : []));
}
