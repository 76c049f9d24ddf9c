/**
 * `kubezod/yaml`: YAML as kubectl reads it — YAML 1.1 scalars (`yes` is true, `0644` is 420),
 * merge keys, bounded aliases and nesting, timestamps kept as strings, documents split on `---`
 * lines — with the position of every reported path.
 *
 * @example
 * import { readYamlDocuments } from "kubezod/yaml";
 * const [doc] = readYamlDocuments("kind: ConfigMap\ndata:\n  mode: 0644\n");
 * doc.value; // { kind: "ConfigMap", data: { mode: 420 } }
 */
export { readYamlDocuments, LineIndex, type YamlDocument, type YamlNotice, type YamlLimits, type SourcePosition, type WideInteger } from "./documents.js";
export { resolvePlainScalar, type ResolvedScalar } from "./scalars.js";
export { parseYaml, parseYamlAll, stringifyYaml, type ParseYamlOptions } from "./text.js";
