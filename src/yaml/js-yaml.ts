/**
 * js-yaml, loaded the first time YAML is read or written: most programs read one kubeconfig or
 * none, and importing the library should not pay for the parser.
 */
import { createRequire } from "node:module";
import type * as JsYaml from "js-yaml";

let lib: typeof JsYaml | undefined;

/** The js-yaml module (its CommonJS build, so it loads synchronously when first needed). */
export function jsYaml(): typeof JsYaml {
  return (lib ??= createRequire(import.meta.url)("js-yaml") as typeof JsYaml);
}

/** js-yaml's event types (`EVENT_ID`), known without loading it. */
export const EVENT = { DOCUMENT: 1, SEQUENCE: 2, MAPPING: 3, SCALAR: 4, ALIAS: 5, POP: 6 } as const;
