import { describe, expect, it } from "vitest";
import { divergence } from "./cel-spec-divergence.js";
import type { CelCase } from "../fixtures/cel/library-cases.js";
import { specBasicCases } from "../fixtures/cel/spec-basic-cases.js";
import { specComparisonsCases } from "../fixtures/cel/spec-comparisons-cases.js";
import { specConversionsCases } from "../fixtures/cel/spec-conversions-cases.js";
import { specFpMathCases } from "../fixtures/cel/spec-fp-math-cases.js";
import { specIntegerMathCases } from "../fixtures/cel/spec-integer-math-cases.js";
import { specListsCases } from "../fixtures/cel/spec-lists-cases.js";
import { specLogicCases } from "../fixtures/cel/spec-logic-cases.js";
import { specMacrosCases } from "../fixtures/cel/spec-macros-cases.js";
import { specMacros2Cases } from "../fixtures/cel/spec-macros2-cases.js";
import { specNamespaceCases } from "../fixtures/cel/spec-namespace-cases.js";
import { specOptionalsCases } from "../fixtures/cel/spec-optionals-cases.js";
import { specParseCases } from "../fixtures/cel/spec-parse-cases.js";
import { specPlumbingCases } from "../fixtures/cel/spec-plumbing-cases.js";
import { specStringCases } from "../fixtures/cel/spec-string-cases.js";
import { specStringExtCases } from "../fixtures/cel/spec-string-ext-cases.js";
import { specTimestampsCases } from "../fixtures/cel/spec-timestamps-cases.js";
import { specTypeDeductionsCases } from "../fixtures/cel/spec-type-deductions-cases.js";

const files: Record<string, CelCase[]> = {
  basic: specBasicCases,
  comparisons: specComparisonsCases,
  conversions: specConversionsCases,
  fp_math: specFpMathCases,
  integer_math: specIntegerMathCases,
  lists: specListsCases,
  logic: specLogicCases,
  macros: specMacrosCases,
  macros2: specMacros2Cases,
  namespace: specNamespaceCases,
  optionals: specOptionalsCases,
  parse: specParseCases,
  plumbing: specPlumbingCases,
  string: specStringCases,
  string_ext: specStringExtCases,
  timestamps: specTimestampsCases,
  type_deductions: specTypeDeductionsCases,
};

describe("cel-spec conformance in the Kubernetes environment (level 36)", () => {
  for (const [file, cases] of Object.entries(files)) {
    describe(`${file}.textproto`, () => {
      for (const c of cases) {
        const name = `${c.source.replace(/^cel-spec tests\/simple\/testdata\/\S+ /, "")}: ${c.expr}`;
        if (c.knownDivergence) it(`${name} (known divergence: ${c.knownDivergence})`, () => expect(divergence(c)).toBeDefined());
        else it(name, () => expect(divergence(c)).toBeUndefined());
      }
    });
  }
});
