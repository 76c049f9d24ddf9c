/**
 * Go's `pem.Decode` as the ClusterTrustBundle check reads a bundle: blocks found among other
 * text, headers counted, bodies that are not base64 skipped.
 */
import { describe, expect, it } from "vitest";
import { decodePem } from "../../../src/apiserver/certificates/trust-bundle.js";

describe("decodePem", () => {
  it("finds blocks among other text, in order, with their types", () => {
    const text = "comment\n-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\nmore\n-----BEGIN PRIVATE KEY-----\nAwQ=\n-----END PRIVATE KEY-----\n";
    const blocks = decodePem(text);
    expect(blocks.map((b) => [b.type, b.headers, [...b.bytes]])).toEqual([
      ["CERTIFICATE", 0, [0, 1, 2]],
      ["PRIVATE KEY", 0, [3, 4]],
    ]);
  });

  it("counts headers before the blank line", () => {
    const [block] = decodePem("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAEC\n-----END CERTIFICATE-----\n");
    expect(block?.headers).toBe(2);
    expect([...(block?.bytes ?? [])]).toEqual([0, 1, 2]);
  });

  it("skips a block without its end line or with a body that is not base64", () => {
    expect(decodePem("-----BEGIN CERTIFICATE-----\nAAEC\n")).toEqual([]);
    expect(decodePem("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")).toEqual([]);
  });
});
