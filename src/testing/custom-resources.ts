/**
 * The CustomResourceDefinition controller's part: a CRD that is created starts serving its
 * resources (every served version, its scope, subresources and schema), gets the apiserver's
 * status conditions and cleanup finalizer; deleting it removes its objects and stops serving.
 */
import type * as z from "zod";
import { webhookConversionOf } from "../apiserver/apiextensions/conversion.js";
import { crdDeprecationWarnings } from "../apiserver/apiextensions/deprecation.js";
import { schemasFromCrd, SpecError } from "../meta/index.js";
import type { Catalog, CustomServing, PrinterColumnSpec } from "./catalog.js";
import { ConversionCache, type CustomConversion } from "./conversion.js";
import type { Controller } from "./rest.js";
import { statusError } from "./status.js";
import type { KubeObject, Store } from "./store.js";
import { timestamp } from "./rest.js";

type Obj = Record<string, unknown>;

export const CRD_STORAGE_KEY = "apiextensions.k8s.io/customresourcedefinitions";
const CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function servingOf(crd: KubeObject, version: Obj, conversion: CustomConversion | undefined, versionSchemas: ReadonlyMap<string, z.ZodType>): CustomServing {
  const subs = isObj(version.subresources) ? version.subresources : {};
  const scale = isObj(subs.scale) ? subs.scale : undefined;
  const columns = Array.isArray(version.additionalPrinterColumns) ? (version.additionalPrinterColumns as PrinterColumnSpec[]) : [];
  const selectable = Array.isArray(version.selectableFields) ? (version.selectableFields as Obj[]).map((f) => String(f.jsonPath ?? "").replace(/^\./, "")) : [];
  const schema = isObj(version.schema) && isObj(version.schema.openAPIV3Schema) ? version.schema.openAPIV3Schema : {};
  return {
    crdName: String(crd.metadata.name),
    printerColumns: columns,
    selectableFields: selectable.filter(Boolean),
    ...(scale
      ? {
          scale: {
            specReplicasPath: String(scale.specReplicasPath ?? ".spec.replicas"),
            statusReplicasPath: String(scale.statusReplicasPath ?? ".status.replicas"),
            ...(typeof scale.labelSelectorPath === "string" ? { labelSelectorPath: scale.labelSelectorPath } : {}),
          },
        }
      : {}),
    openAPIV3Schema: schema,
    storage: version.storage === true,
    versionSchemas,
    ...deprecationOf(crd, version),
    ...(conversion ? { conversion } : {}),
  };
}

/** The warning every request to a deprecated version gets. */
function deprecationOf(crd: KubeObject, version: Obj): { deprecationWarning?: string } {
  const group = isObj(crd.spec) ? String(crd.spec.group ?? "") : "";
  const warning = crdDeprecationWarnings(crd).get(`${group}/${String(version.name)}`);
  return warning === undefined ? {} : { deprecationWarning: warning };
}

/** Problems that make a CRD unacceptable (422), beyond its schema. */
function checkCrd(crd: KubeObject): void {
  const spec = isObj(crd.spec) ? crd.spec : {};
  const names = isObj(spec.names) ? spec.names : {};
  const expected = `${String(names.plural ?? "")}.${String(spec.group ?? "")}`;
  const name = String(crd.metadata.name);
  if (name !== expected) {
    throw statusError(422, "Invalid", `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: metadata.name: Invalid value: "${name}": must be spec.names.plural+"."+spec.group`, {
      name,
      group: "apiextensions.k8s.io",
      kind: "CustomResourceDefinition",
      causes: [{ reason: "FieldValueInvalid", message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`, field: "metadata.name" }],
    });
  }
  const versions = Array.isArray(spec.versions) ? (spec.versions as Obj[]) : [];
  if (versions.filter((v) => v.storage === true).length !== 1) {
    throw statusError(422, "Invalid", `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: spec.versions: Invalid value: ${JSON.stringify(versions.map((v) => v.name))}: must have exactly one version marked as storage version`, {
      name,
      group: "apiextensions.k8s.io",
      kind: "CustomResourceDefinition",
      causes: [{ reason: "FieldValueInvalid", message: "must have exactly one version marked as storage version", field: "spec.versions" }],
    });
  }
  try {
    schemasFromCrd(crd, `CustomResourceDefinition ${name}`);
  } catch (e) {
    if (e instanceof SpecError) {
      throw statusError(422, "Invalid", `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: spec.versions: Invalid value: ${e.message}`, {
        name,
        group: "apiextensions.k8s.io",
        kind: "CustomResourceDefinition",
        causes: [{ reason: "FieldValueInvalid", message: e.message, field: "spec.versions" }],
      });
    }
    throw e;
  }
}

/** Serve a CRD's resources (replacing what it served before). */
export function serveCrd(catalog: Catalog, crd: KubeObject): void {
  const name = String(crd.metadata.name);
  catalog.removeCustom(name);
  const versions = Array.isArray((crd.spec as Obj).versions) ? ((crd.spec as Obj).versions as Obj[]) : [];
  const group = String((crd.spec as Obj).group);
  const webhook = webhookConversionOf(crd);
  const storage = versions.find((v) => v.storage === true);
  // One cache per CRD, shared by its versions; a changed CRD starts afresh.
  const all = schemasFromCrd(crd, `CustomResourceDefinition ${name}`);
  const schemas = new Map(all.map((b) => [b.apiVersion, b.schema as z.ZodType]));
  const conversion: CustomConversion | undefined = webhook && storage ? { webhook, storageApiVersion: `${group}/${String(storage.name)}`, cache: new ConversionCache(), schemas } : undefined;
  for (const built of all) {
    const version = versions.find((v) => `${group}/${String(v.name)}` === built.apiVersion);
    if (!version) continue;
    catalog.add(built.schema, servingOf(crd, version, conversion, schemas));
  }
}

/** The CRD controller, plugged into the REST layer for the CRD resource. */
export function crdController(catalog: Catalog, store: Store, deleteAll: (storageKey: string) => void): Controller {
  return {
    validate(object) {
      if (!object.metadata.deletionTimestamp) checkCrd(object);
    },
    changed({ type, object }) {
      const name = String(object.metadata.name);
      if (type === "DELETED") {
        catalog.removeCustom(name);
        return;
      }
      if (object.metadata.deletionTimestamp) {
        const spec = object.spec as Obj;
        const storageKey = `${String(spec.group)}/${String((spec.names as Obj).plural)}`;
        setImmediate(() => {
          deleteAll(storageKey);
          catalog.removeCustom(name);
          const current = store.get(CRD_STORAGE_KEY, "", name);
          if (!current) return;
          const finalizers = ((current.metadata.finalizers as string[] | undefined) ?? []).filter((f) => f !== CLEANUP_FINALIZER);
          const next = structuredClone(current);
          if (finalizers.length) next.metadata.finalizers = finalizers;
          else delete next.metadata.finalizers;
          if (finalizers.length) store.update(CRD_STORAGE_KEY, next, current);
          else store.delete(CRD_STORAGE_KEY, next);
        });
        return;
      }
      serveCrd(catalog, object);
      const spec = object.spec as Obj;
      const now = timestamp();
      const conditions = [
        { type: "NamesAccepted", status: "True", lastTransitionTime: now, reason: "NoConflicts", message: "no conflicts found" },
        { type: "Established", status: "True", lastTransitionTime: now, reason: "InitialNamesAccepted", message: "the initial names have been accepted" },
      ];
      const storedVersions = ((spec.versions as Obj[]) ?? []).filter((v) => v.storage === true).map((v) => String(v.name));
      const status = isObj(object.status) ? object.status : {};
      const finalizers = (object.metadata.finalizers as string[] | undefined) ?? [];
      const prevStored = Array.isArray(status.storedVersions) ? (status.storedVersions as string[]) : [];
      const acceptedNames = spec.names;
      const needsStatus =
        !Array.isArray(status.conditions) || JSON.stringify(status.acceptedNames) !== JSON.stringify(acceptedNames) || storedVersions.some((v) => !prevStored.includes(v));
      if (!needsStatus && finalizers.includes(CLEANUP_FINALIZER)) return;
      const next = structuredClone(object);
      next.metadata.finalizers = finalizers.includes(CLEANUP_FINALIZER) ? finalizers : [...finalizers, CLEANUP_FINALIZER];
      next.status = {
        ...status,
        conditions: Array.isArray(status.conditions) ? status.conditions : conditions,
        acceptedNames,
        storedVersions: [...new Set([...prevStored, ...storedVersions])],
      };
      store.update(CRD_STORAGE_KEY, next, object);
    },
  };
}
