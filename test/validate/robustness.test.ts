import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { validateManifests } from "../../src/index.js";
import { baseObjects, mutatedObject } from "../support/mutations.js";

const dir = mkdtempSync(join(tmpdir(), "kubezod-robust-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata:\n  k: v\n";

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function oneErrorFor(path: string, message: RegExp): Promise<void> {
  const goodFile = file(`good-${Math.random().toString(36).slice(2)}.yaml`, good);
  const report = await validateManifests([{ path }, { path: goodFile }]);
  const mine = report.results.filter((r) => r.file === path);
  expect(mine).toHaveLength(1);
  expect(mine[0]!.status).toBe("error");
  expect(mine[0]!.issues).toHaveLength(1);
  expect(mine[0]!.issues[0]!.message).toMatch(message);
  // The rest of the run goes on.
  expect(report.results.find((r) => r.file === goodFile)?.status).toBe("valid");
}

describe("bad input: one clear error for the file, the run continues", () => {
  it("tabs in indentation", () => oneErrorFor(file("tabs.yaml", "a:\n\tb: 1\n"), /tab characters/));
  it("bad indentation", () => oneErrorFor(file("indent.yaml", "a:\n  b: 1\n c: 2\n"), /invalid YAML/));
  it("unterminated strings", () => oneErrorFor(file("quote.yaml", 'a: "never closed\nb: 1\n'), /invalid YAML/));
  it("binary files", () => oneErrorFor(file("bin.yaml", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0])), /binary file/));
  it("invalid UTF-8", () => oneErrorFor(file("latin1.yaml", Buffer.from("a: caf\xe9\n", "latin1")), /invalid UTF-8 at byte 6 \(line 1\)/));
  it("alias bombs", () => {
    let y = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 12; i++) y += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
    return oneErrorFor(file("bomb.yaml", y), /excessive aliasing/);
  });
  it("deeply nested documents", () => oneErrorFor(file("deep.yaml", `${"[".repeat(5000)}${"]".repeat(5000)}\n`), /nested too deeply|depth/i));
  it("files over the size limit (50 MB)", () => oneErrorFor(file("big.yaml", Buffer.alloc(50 * 1024 * 1024, "a: b\n")), /50\.0 MiB, larger than the 32\.0 MiB limit/));
  it("missing files and patterns that match nothing", async () => {
    await oneErrorFor(join(dir, "nope.yaml"), /no such file/);
    await oneErrorFor(join(dir, "*.nothing"), /no files match/);
  });
});

describe("malformed objects: reported, never a crash", () => {
  it("valid objects with fields made null, empty, of the wrong type, huge or removed never throw nor give an internal error", async () => {
    const bases = baseObjects();
    expect(bases.length).toBeGreaterThan(5);
    await fc.assert(
      fc.asyncProperty(mutatedObject(bases), async (obj) => {
        const report = await validateManifests({ file: "m.json", text: JSON.stringify(obj) }, { runtimeConfig: { "api/beta": true, "api/alpha": true } });
        for (const r of report.results) {
          for (const issue of r.issues) {
            expect(issue.type).not.toBe("InternalError");
            expect(issue.message).not.toMatch(/TypeError|Cannot read properties|is not a function|Maximum call stack/);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
