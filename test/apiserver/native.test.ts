/**
 * Native validation cases (test/fixtures/apiserver/<group>/*.yaml): each object goes through
 * `validateWrite` for each minor the case names; the errors must be exactly those kube-apiserver prints.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseYaml as parse } from "../../src/yaml/text.js";
import { formatFieldError } from "../../src/meta/index.js";
import { validateWrite } from "../../src/apiserver/index.js";
import type { FeatureGate } from "../../src/apiserver/index.js";
import { repoRoot } from "../support/shared.js";

type Obj = Record<string, unknown>;

interface NativeCase {
  name: string;
  source: string;
  minors?: number[];
  featureGates?: Partial<Record<FeatureGate, boolean>>;
  object: Obj;
  old?: Obj;
  /** The write goes to this subresource of `old` (`status`, or one the kind has rules for). */
  subresource?: string;
  errors?: string[];
  errorsByMinor?: Record<string, string[]>;
}

const root = join(repoRoot, "test/fixtures/apiserver");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : /\.ya?ml$/.test(e) ? [p] : [];
  });
}

const suites = files(root).map((file) => ({ file: relative(root, file), cases: parse(readFileSync(file, "utf8")) as NativeCase[] }));

describe.each(suites)("$file", ({ cases }) => {
  const runs = cases.flatMap((c) => (c.minors ?? [28, 36]).map((minor) => ({ c, minor })));
  it.each(runs.map((r) => [`${r.c.name} (1.${r.minor})`, r] as const))("%s", (_, { c, minor }) => {
    expect(c.source, "each case names the Kubernetes code it follows").toBeTruthy();
    const expected = c.errorsByMinor?.[String(minor)] ?? c.errors;
    expect(expected, "each case states its errors ([] when valid)").toBeDefined();
    const { errors } = validateWrite(c.object, { minor, featureGates: c.featureGates, ...(c.old ? { old: c.old } : {}), ...(c.subresource ? { subresource: c.subresource } : {}) });
    expect(errors.map(formatFieldError)).toEqual(expected);
  });
});
