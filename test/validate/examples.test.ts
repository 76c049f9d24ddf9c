import { describe, expect, it } from "vitest";

describe("README example: validating manifests", () => {
  it("reports the type error, the unknown field and the removed API version", async () => {
    const { default: report } = await import("../../examples/validate-manifests.js");
    expect(report.valid).toBe(false);
    expect(report.results.flatMap((r) => r.issues.map((i) => `${i.line}:${i.column} ${i.rule}`))).toEqual([
      "7:3 schema/type",
      "17:9 strict/unknown-field",
      "19:1 api/removed",
    ]);
  });
});
