/**
 * The apiextensions.k8s.io API group: CustomResourceDefinition defaults (v1 `SetDefaults_*`), the
 * registry strategy (status reset on create, stored versions, fields of disabled features) and
 * validation (`crd.ts`, `schema.ts`, `structural.ts`).
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import type { GroupRules, KindRules } from "../registry.js";
import { FieldPath } from "../field.js";
import { listAt, objectAt, optionalObject, stringAt } from "../validation/index.js";
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate, validateNamesOf } from "./crd.js";
import { schemaHas } from "./schema.js";

type Obj = Record<string, unknown>;

/** `SetDefaults_CustomResourceDefinition(Spec)` and `SetDefaults_ServiceReference` (v1). */
function defaultCRD(crd: Obj): void {
  const spec = optionalObject(crd.spec);
  if (!spec) return;
  const names = optionalObject(spec.names);
  if (names) {
    const kind = stringAt(names.kind);
    if (!stringAt(names.singular)) names.singular = kind.toLowerCase();
    if (!stringAt(names.listKind) && kind) names.listKind = `${kind}List`;
  }
  if (spec.conversion === undefined || spec.conversion === null) spec.conversion = { strategy: "None" };
  const service = optionalObject(objectAt(objectAt(objectAt(spec.conversion).webhook).clientConfig).service);
  if (service && (service.port === undefined || service.port === null)) service.port = 443;
  const status = optionalObject(crd.status);
  if (status && listAt(status.storedVersions).length === 0) {
    const storage = listAt(spec.versions).find((v) => isRecord(v) && v.storage === true);
    if (isRecord(storage)) status.storedVersions = [stringAt(storage.name)];
  }
}

/** The storage version joins `status.storedVersions` (the strategy's create and update). */
function addStorageVersion(crd: Obj): void {
  const storage = listAt(objectAt(crd.spec).versions).find((v) => isRecord(v) && v.storage === true);
  if (!isRecord(storage)) return;
  const status = optionalObject(crd.status) ?? (crd.status = {} as Obj);
  const stored = Array.isArray(status.storedVersions) ? (status.storedVersions as unknown[]) : (status.storedVersions = []);
  if (!stored.includes(storage.name)) stored.push(stringAt(storage.name));
}

function schemasOf(crd: Obj): Obj[] {
  return listAt(objectAt(crd.spec).versions).flatMap((v) => {
    const s = optionalObject(objectAt(objectAt(v).schema).openAPIV3Schema);
    return s ? [s] : [];
  });
}

/** The strategy's `dropDisabledFields`: fields of features off in this minor go unless the stored CRD uses them. */
function dropDisabledFields(crd: Obj, old: Obj | undefined, ctx: ApiContext): void {
  if (!ctx.gate("CRDValidationRatcheting")) {
    const oldUses = old ? schemasOf(old).some((s) => schemaHas(s, (n) => listAt(n["x-kubernetes-validations"]).some((r) => isRecord(r) && r.optionalOldSelf !== undefined))) : false;
    if (!oldUses) {
      for (const s of schemasOf(crd)) {
        schemaHas(s, (n) => {
          for (const r of listAt(n["x-kubernetes-validations"])) if (isRecord(r)) delete r.optionalOldSelf;
          return false;
        });
      }
    }
  }
  if (!ctx.gate("CustomResourceFieldSelectors")) {
    const oldUses = old ? listAt(objectAt(old.spec).versions).some((v) => listAt(objectAt(v).selectableFields).length > 0) : false;
    if (!oldUses) for (const v of listAt(objectAt(crd.spec).versions)) if (isRecord(v)) delete v.selectableFields;
  }
}

const customResourceDefinition: KindRules = {
  defaults: defaultCRD,
  prepareForCreate: (crd, ctx) => {
    crd.status = {};
    addStorageVersion(crd);
    dropDisabledFields(crd, undefined, ctx);
  },
  prepareForUpdate: (crd, old, ctx) => {
    crd.status = structuredClone(objectAt(old.status));
    addStorageVersion(crd);
    dropDisabledFields(crd, old, ctx);
  },
  // Updates are validated against the stored CRD (what it already had is not tightened).
  validate: (crd, ctx) => (ctx.operation === "UPDATE" ? [] : validateCustomResourceDefinition(crd, ctx)),
  validateUpdate: validateCustomResourceDefinitionUpdate,
  validateStatusUpdate: (crd) => validateNamesOf(objectAt(objectAt(crd.status).acceptedNames), FieldPath.of("status", "acceptedNames")),
};

/** What kube-apiserver does to the kinds of `apiextensions.k8s.io`. */
export const rules: GroupRules = { group: "apiextensions.k8s.io", compilesCel: true, kinds: { CustomResourceDefinition: customResourceDefinition } };
