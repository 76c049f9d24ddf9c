/**
 * YAML 1.1 readings (`0644` is 420, `yes` is true) are how kubectl and kube-apiserver read
 * manifests: a reading the schema accepts is not an error, one it refuses is a type error, and the
 * notice is a warning only on request. Reading without notices gives the same values.
 */
import { describe, expect, it } from "vitest";
import { validateManifests } from "../../src/index.js";
import { readYamlDocuments } from "../../src/yaml/documents.js";

const secretVolume = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: nginx
    stdin: yes
  volumes:
  - name: s
    secret:
      secretName: s
      defaultMode: 0644
`;

describe("YAML 1.1 readings", () => {
  it("mode bits written 0644 and `yes` booleans are valid, without a word by default", async () => {
    const report = await validateManifests({ file: "pod.yaml", text: secretVolume });
    expect(report.results.map((r) => [r.status, r.issues])).toEqual([["valid", []]]);
  });

  it("with warnImplicitConversions, each is a warning at its position, and the resource stays valid", async () => {
    const report = await validateManifests({ file: "pod.yaml", text: secretVolume }, { warnImplicitConversions: true });
    expect(report.valid).toBe(true);
    expect(report.results[0]!.issues.map((i) => [i.rule, i.severity, i.field, i.line, i.column])).toEqual([
      ["yaml/implicit-conversion", "warning", "spec.containers[0].stdin", 9, 12],
      ["yaml/implicit-conversion", "warning", "spec.volumes[0].secret.defaultMode", 14, 20],
    ]);
  });

  it("a reading the schema refuses is a type error", async () => {
    const report = await validateManifests({ file: "cm.yaml", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  enabled: yes\n  mode: 0644\n" });
    expect(report.results[0]!.issues.map((i) => `${i.rule} ${i.message}`)).toEqual([
      "schema/type data[enabled]: Invalid value: true: must be of type string",
      "schema/type data[mode]: Invalid value: 420: must be of type string",
    ]);
  });

  it("reading without notices gives the values reading with them gives", () => {
    const scalars = ["0644", "0o17", "0x1F", "yes", "No", "on", "OFF", "y", "~", "1_000", "+12", "-0", "1e3", ".5", "0b101", "2026-01-02", "1:20", "null", "Null", "true"];
    const text = `${scalars.map((s, i) => `k${i}: ${s}`).join("\n")}\n${scalars.map((s) => `${s}: key`).join("\n")}\n`;
    const noted = readYamlDocuments(text);
    const quiet = readYamlDocuments(text, { implicitConversionNotices: false });
    expect(quiet[0]!.value).toEqual(noted[0]!.value);
    expect(noted[0]!.notices.some((n) => n.kind === "implicit-conversion")).toBe(true);
    expect(quiet[0]!.notices.filter((n) => n.kind === "implicit-conversion")).toEqual([]);
  });
});
