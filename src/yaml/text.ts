/**
 * YAML text in and out, read the way kubectl reads it (through `readYamlDocuments`: YAML 1.1
 * scalars, merge keys, bounded aliases and nesting, timestamps as strings) and written so that
 * kubectl reads it back to the same values (strings that YAML 1.1 would read as something else
 * are quoted).
 */
import type { Document } from "js-yaml";
import { jsYaml } from "./js-yaml.js";
import { YamlError } from "../errors.js";
import { readYamlDocuments, type YamlDocument, type YamlLimits } from "./documents.js";
import { resolvePlainScalar } from "./scalars.js";

/** Options of `parseYaml` and `parseYamlAll`. */
export interface ParseYamlOptions extends Pick<YamlLimits, "maxDepth" | "maxAliasExpansion"> {
  /** Names the input in errors (a file name, "request body"; default "YAML"). */
  source?: string;
}

/**
 * Every document of a YAML stream as a value (empty documents are skipped). Throws `YamlError`
 * naming the source, line and column of the first unreadable document.
 *
 * @example
 * parseYamlAll("a: yes\n---\nb: 0644\n"); // [{ a: true }, { b: 420 }]
 */
export function parseYamlAll(text: string, options: ParseYamlOptions = {}): unknown[] {
  return parseYamlDocuments(text, options).map((doc) => doc.value);
}

/**
 * {@link parseYamlAll} with each document as read (its value, and what the reader noted, such as
 * `wideIntegers`); empty documents are skipped.
 *
 * @example
 * parseYamlDocuments("n: 9223372036854775807\n")[0]?.wideIntegers; // [{ path: ["n"], value: 9223372036854775807n }]
 */
export function parseYamlDocuments(text: string, options: ParseYamlOptions = {}): YamlDocument[] {
  const limits: YamlLimits = { ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}), ...(options.maxAliasExpansion !== undefined ? { maxAliasExpansion: options.maxAliasExpansion } : {}) };
  const out: YamlDocument[] = [];
  for (const doc of readYamlDocuments(text, limits)) {
    if (doc.error) throw new YamlError(options.source ?? "YAML", doc.error.position.line, doc.error.position.column, doc.error.message);
    if (doc.value !== undefined && doc.value !== null) out.push(doc);
  }
  return out;
}

/**
 * The first document of a YAML (or JSON) text as a value, `null` when there is none — what
 * kubectl and kube-apiserver make of a YAML body. Throws `YamlError` naming the source, line and
 * column.
 *
 * @example
 * parseYaml("when: 2024-01-01T00:00:00Z\nmode: 0644\n"); // { when: "2024-01-01T00:00:00Z", mode: 420 }
 */
export function parseYaml(text: string, options: ParseYamlOptions = {}): unknown {
  return parseYamlAll(text, options)[0] ?? null;
}

/**
 * A value as YAML that kubectl reads back unchanged: strings such as `yes`, `0644` or `1e3` are
 * quoted; shared objects are written out, not as aliases.
 *
 * @example
 * stringifyYaml({ a: "yes", b: 1 }); // "a: 'yes'\nb: 1\n"
 */
export function stringifyYaml(value: unknown, options: { sortKeys?: boolean; seqNoIndent?: boolean } = {}): string {
  const { dump, YAML11_SCHEMA } = jsYaml();
  return dump(value, { schema: YAML11_SCHEMA, noRefs: true, transform: quoteAmbiguous, ...(options.sortKeys ? { sortKeys: true } : {}), ...(options.seqNoIndent ? { seqNoIndent: true } : {}) });
}

/** Quote plain string scalars that kubectl's reader would take for a boolean, null or number (`1e3`, `0o17`). */
function quoteAmbiguous(documents: Document[]): void {
  const { visit, SCALAR_STYLE } = jsYaml();
  visit(documents, (node) => {
    if (node.kind === "scalar" && node.style === SCALAR_STYLE.PLAIN && node.tag === "tag:yaml.org,2002:str" && typeof resolvePlainScalar(node.value).value !== "string") {
      node.style = SCALAR_STYLE.SINGLE_QUOTED;
    }
    return undefined;
  });
}
