import { describe, expect, it } from "vitest";
import { schemaFor, resourceInfo } from "../../src/index.js";

describe("smoke", () => {
  it("loads a kind lazily", async () => {
    const s = await schemaFor({ apiVersion: "apps/v1", kind: "Deployment" }, { kubernetesVersion: "1.30" });
    expect(s).toBeDefined();
    expect(resourceInfo(s!)?.plural).toBe("deployments");
  });
});
