/**
 * The node.k8s.io API group (pkg/apis/node/validation): RuntimeClass handler (a DNS label,
 * immutable), overhead quantities and scheduling (node selector labels, unique tolerations).
 */
import type { GroupRules } from "../registry.js";
import { duplicate, FieldPath, goQuote, invalid, type FieldError } from "../field.js";
import { isDNS1123Label, listAt, objectAt, optionalObject, Quantity, stringAt, validateImmutableField, validateLabels } from "../validation/index.js";

type Obj = Record<string, unknown>;

/** The overhead goes through `ValidateResourceRequirements` as limits: each quantity must be non-negative. */
function validateOverhead(overhead: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const limits = path.child("limits");
  for (const [name, value] of Object.entries(objectAt(overhead.podFixed))) {
    const q = Quantity.from(value);
    if (q && q.sign() < 0) errs.push(invalid(limits.key(name), q.toString(), "must be greater than or equal to 0"));
  }
  return errs;
}

function tolerationText(t: Obj): string {
  const seconds = typeof t.tolerationSeconds === "number" ? `(*int64)(${t.tolerationSeconds})` : "(*int64)(nil)";
  return `core.Toleration{Key:${goQuote(stringAt(t.key))}, Operator:${goQuote(stringAt(t.operator))}, Value:${goQuote(stringAt(t.value))}, Effect:${goQuote(stringAt(t.effect))}, TolerationSeconds:${seconds}}`;
}

/** `validateScheduling`: node selector labels and tolerations unique by key, operator, value and effect. */
function validateScheduling(scheduling: Obj, path: FieldPath): FieldError[] {
  const errs = validateLabels(scheduling.nodeSelector, path.child("nodeSelector"));
  const seen = new Set<string>();
  const tolerations = path.child("tolerations");
  listAt(scheduling.tolerations).forEach((item, i) => {
    const t = objectAt(item);
    const key = JSON.stringify([stringAt(t.key), stringAt(t.operator), stringAt(t.value), stringAt(t.effect)]);
    if (seen.has(key)) errs.push(duplicate(tolerations.index(i), t, tolerationText(t)));
    else seen.add(key);
  });
  return errs;
}

/** `ValidateRuntimeClass` without the object metadata. */
function validateRuntimeClass(rc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const handler = stringAt(rc.handler);
  for (const m of isDNS1123Label(handler)) errs.push(invalid(FieldPath.of("handler"), handler, m));
  const overhead = optionalObject(rc.overhead);
  if (overhead) errs.push(...validateOverhead(overhead, FieldPath.of("overhead")));
  const scheduling = optionalObject(rc.scheduling);
  if (scheduling) errs.push(...validateScheduling(scheduling, FieldPath.of("scheduling")));
  return errs;
}

/** What kube-apiserver does to the kinds of `node.k8s.io`. */
export const rules: GroupRules = {
  group: "node.k8s.io",
  kinds: {
    RuntimeClass: {
      validate: validateRuntimeClass,
      // ValidateRuntimeClassUpdate
      validateUpdate: (rc, old) => validateImmutableField(stringAt(rc.handler), stringAt(old.handler), FieldPath.of("handler")),
    },
  },
};
