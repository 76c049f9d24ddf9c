/**
 * Gateway API manifests covering what its standard examples use are valid with the CRDs in
 * ../shared/crds/gateway-api: no error and no warning — the CRDs' defaults applied before their
 * `oneOf` and list-map checks, their CEL rules evaluated. The same manifests, each broken in one
 * way, show the checks are live.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/index.js";
import { hasShared, needsShared, sharedPath } from "../support/shared.js";

const dir = "test/fixtures/validate/gateway-api";

describe.skipIf(!hasShared)(`Gateway API${needsShared}`, () => {
  const crds = [sharedPath("crds", "gateway-api")];

  it.each(["1.30", "1.36"])("every manifest is valid, without a warning (Kubernetes %s)", async (kubernetesVersion) => {
    const report = await validateManifests([{ path: dir }], { crds, kubernetesVersion });
    expect(report.results.length).toBeGreaterThanOrEqual(30);
    expect(report.results.filter((r) => r.status !== "valid" || r.issues.length).map((r) => [r.file, r.name, r.issues.map((i) => i.message)])).toEqual([]);
    const kinds = new Set(report.results.map((r) => `${r.apiVersion}/${r.kind}`));
    for (const k of ["Gateway", "GatewayClass", "HTTPRoute", "GRPCRoute", "TCPRoute", "UDPRoute", "TLSRoute", "ReferenceGrant", "BackendTLSPolicy", "ListenerSet"]) {
      expect(kinds).toContain(`gateway.networking.k8s.io/v1/${k}`);
    }
  });

  it("the checks are live: one change to a valid manifest, one error", async () => {
    const text = readFileSync(`${dir}/httproutes.yaml`, "utf8");
    const broken = async (from: string, to: string) => {
      expect(text).toContain(from);
      const report = await validateManifests({ file: "routes.yaml", text: text.replace(from, to) }, { crds });
      return report.results.flatMap((r) => r.issues.filter((i) => i.severity === "error").map((i) => `${r.name} ${i.rule} ${i.field}`));
    };
    expect(await broken("statusCode: 303", "statusCode: 304")).toEqual(["redirects schema/enum spec.rules[2].filters[0].requestRedirect.statusCode"]);
    expect(await broken("backendRequest: 5s", "backendRequest: 50s")).toEqual(["mirror-cors-timeouts crd/cel spec.rules[1].timeouts"]);
    expect(await broken("type: Exact\n        value: /checkout", "type: Exact\n        value: checkout")).toEqual(["shop crd/cel spec.rules[0].matches[1].path"]);
  });

  it("Gateway addresses take their type from the default, as the apiserver fills it in (then oneOf picks the IP format)", async () => {
    const gateways = readFileSync(`${dir}/gateways.yaml`, "utf8");
    const report = await validateManifests({ file: "gateways.yaml", text: gateways.replace('value: "10.0.0.1"', 'value: "not an address"') }, { crds });
    const addresses = report.results.find((r) => r.name === "addresses")!;
    expect(addresses.issues.filter((i) => i.severity === "error").map((i) => `${i.rule} ${i.field}`)).toEqual(["crd/value-validation spec.addresses[4]"]);
  });
});
