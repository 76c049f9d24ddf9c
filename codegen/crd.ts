/**
 * CustomResourceDefinition YAML (multi-document) → IR definitions, one per served version.
 */
import { readYamlDocuments } from "../src/yaml/documents.js";
import { readCrdObject } from "../src/meta/openapi/crd-object.js";
import type { ApiModel, Definition } from "../src/meta/openapi/ir.js";
import { SpecError } from "../src/meta/openapi/schema-reader.js";

export { crdDefinitionName, OBJECT_META, readCrdObject } from "../src/meta/openapi/crd-object.js";

/** Read every CustomResourceDefinition in a YAML text. Documents of other kinds are ignored. */
export function readCrds(text: string, source: string): ApiModel {
  const definitions = new Map<string, Definition>();
  for (const doc of readYamlDocuments(text, { maxAliasExpansion: 100_000 })) {
    if (doc.error) throw new SpecError(`${source}:${doc.error.position.line}:${doc.error.position.column}: invalid YAML: ${doc.error.message}`);
    if (doc.value === null || doc.value === undefined) continue;
    for (const def of readCrdObject(doc.value, `${source}:${doc.locate([]).line}`)) definitions.set(def.name, def);
  }
  return { definitions };
}
