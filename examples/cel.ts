/**
 * Run `x-kubernetes-validations` CEL rules against a value, as kube-apiserver does on create.
 * The rules live on the schema as annotations, here written by hand; schemas built from a CRD
 * carry its rules the same way.
 *
 * Run: npx tsx examples/cel.ts
 */
import { z } from "zod";
import { kubeMeta } from "kubezod";
import { checkValidationRules } from "kubezod/cel";

const Replicas = z.object({ min: z.number().int(), max: z.number().int() }).register(kubeMeta, {
  validations: [{ rule: "self.min <= self.max", message: "min must not exceed max" }],
});

const ok = checkValidationRules(Replicas, { min: 1, max: 3 });
const bad = checkValidationRules(Replicas, { min: 5, max: 3 });
console.log(ok.errors.length, bad.errors.map((e) => e.message)); // 0 [ min must not exceed max ]
export default bad;
