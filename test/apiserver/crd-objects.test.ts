/**
 * The real CRDs in ../shared/crds (Gateway API with CEL rules and defaults, CloudNativePG) are valid
 * CustomResourceDefinitions for every minor, and stay valid when updated with themselves; the
 * other objects beside them (a ValidatingAdmissionPolicy and its binding) are valid too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseYamlAll } from "../../src/yaml/text.js";
import { formatFieldError } from "../../src/meta/index.js";
import { validateWrite } from "../../src/apiserver/index.js";
import { hasShared, needsShared, sharedPath } from "../support/shared.js";

type Obj = Record<string, unknown>;

const files = hasShared
  ? ["gateway-api", "cloudnative-pg"].flatMap((dir) => readdirSync(sharedPath("crds", dir)).filter((f) => f.endsWith(".yaml")).map((f) => `${dir}/${f}`))
  : [];

function objectsOf(file: string): Obj[] {
  return parseYamlAll(readFileSync(sharedPath("crds", file), "utf8")).filter(
    (o): o is Obj => typeof o === "object" && o !== null && typeof (o as Obj).kind === "string",
  );
}

describe.skipIf(!hasShared)(`real CRDs and policies${needsShared}`, () => {
  it.each(files)("%s", (file) => {
    for (const obj of objectsOf(file)) {
      for (const minor of [28, 30, 31, 33, 36]) {
        const created = validateWrite(obj, { minor });
        expect(created.errors.map(formatFieldError), `${obj.kind} ${minor}`).toEqual([]);
        const stored = { ...created.object, status: { ...(created.object.status as Obj), conditions: [{ type: "Established", status: "True" }] } };
        const updated = validateWrite(obj, { minor, old: stored });
        expect(updated.errors.map(formatFieldError), `${obj.kind} update ${minor}`).toEqual([]);
      }
    }
  });
});
