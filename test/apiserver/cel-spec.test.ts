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
import { specUnenabledExtCases } from "../fixtures/cel/spec-unenabled-ext-cases.js";

const files: Record<string, CelCase[]> = {
  "basic.textproto": specBasicCases,
  "comparisons.textproto": specComparisonsCases,
  "conversions.textproto": specConversionsCases,
  "fp_math.textproto": specFpMathCases,
  "integer_math.textproto": specIntegerMathCases,
  "lists.textproto": specListsCases,
  "logic.textproto": specLogicCases,
  "macros.textproto": specMacrosCases,
  "macros2.textproto": specMacros2Cases,
  "namespace.textproto": specNamespaceCases,
  "optionals.textproto": specOptionalsCases,
  "parse.textproto": specParseCases,
  "plumbing.textproto": specPlumbingCases,
  "string.textproto": specStringCases,
  "string_ext.textproto": specStringExtCases,
  "timestamps.textproto": specTimestampsCases,
  "type_deductions.textproto": specTypeDeductionsCases,
  "math_ext, encoders_ext, bindings_ext, block_ext (libraries Kubernetes does not enable)": specUnenabledExtCases,
};

describe("cel-spec conformance in the Kubernetes environment (level 36)", () => {
  for (const [file, cases] of Object.entries(files)) {
    describe(file, () => {
      for (const c of cases) {
        const name = `${c.source.replace(/^cel-spec tests\/simple\/testdata\/\S+ /, "")}: ${c.expr}`;
        if (c.knownDivergence) it(`${name} (known divergence: ${c.knownDivergence})`, () => expect(divergence(c)).toBeDefined());
        else it(name, () => expect(divergence(c)).toBeUndefined());
      }
    });
  }
});
