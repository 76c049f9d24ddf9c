/**
 * CustomResourceDefinition YAML (multi-document) → IR definitions, one per served version.
 */
import { parseAllDocuments } from "yaml";
import { readCrdObject } from "./crd-object.js";
import type { ApiModel, Definition } from "./ir.js";
import { SpecError } from "./schema-reader.js";

export { crdDefinitionName, OBJECT_META, readCrdObject } from "./crd-object.js";

/** Read every CustomResourceDefinition in a YAML text. Documents of other kinds are ignored. */
export function readCrds(text: string, source: string): ApiModel {
  const definitions = new Map<string, Definition>();
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    if (doc.errors.length) {
      const err = doc.errors[0]!;
      const line = err.linePos?.[0];
      const message = err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      throw new SpecError(`${source}${line ? `:${line.line}:${line.col}` : ""}: invalid YAML: ${message}`);
    }
    const crd = doc.toJS({ maxAliasCount: 10_000 }) as unknown;
    const line = doc.contents ? lineOf(text, doc.contents.range?.[0] ?? 0) : 1;
    for (const def of readCrdObject(crd, `${source}:${line}`)) definitions.set(def.name, def);
  }
  return { definitions };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
