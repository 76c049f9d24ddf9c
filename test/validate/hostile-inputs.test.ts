/**
 * Inputs that are not ordinary files: endless devices, FIFOs with a writer that never stops or no
 * writer at all (named directly, through a symlink, or found in a directory), empty inputs, and
 * cancelling a run. Every case ends by its outcome — an error at the size limit, a refusal, a
 * rejection with the signal's reason — with the process's own memory measured, never by timing.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateManifests } from "../../src/index.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "kubezod-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\ndata:\n  k: v\n";
const MiB = 1024 * 1024;
let fifos = 0;

function fifo(): string {
  const p = join(dir, `fifo-${fifos++}.yaml`);
  execFileSync("mkfifo", [p]);
  return p;
}

/** RSS growth of this process while `run` runs, in MiB. */
async function growth<T>(run: () => Promise<T>): Promise<{ value: T; mib: number }> {
  const before = process.memoryUsage().rss;
  const value = await run();
  return { value, mib: (process.memoryUsage().rss - before) / MiB };
}

describe("endless inputs stop at the size limit, before they are read whole", () => {
  it("/dev/zero: refused as binary from its first bytes", async () => {
    const { value: report, mib } = await growth(() => validateManifests([{ path: "/dev/zero" }]));
    expect(report.results).toHaveLength(1);
    expect(report.results[0]!.status).toBe("error");
    expect(report.results[0]!.issues[0]!.message).toMatch(/binary file/);
    expect(mib).toBeLessThan(64);
  });

  it("a FIFO fed by `yes` (what <(yes) is): an error at the limit, the writer let go", async () => {
    const p = fifo();
    const writer = spawn("sh", ["-c", `exec yes > '${p}'`], { stdio: "ignore" });
    const ended = new Promise((resolve) => writer.on("close", resolve));
    const { value: report, mib } = await growth(() => validateManifests([{ path: p }], { maxFileSize: 4 * MiB }));
    expect(report.results.map((r) => r.issues[0]?.message)).toEqual([`${p}: file is larger than the 4.0 MiB limit (raise it with --max-file-size)`]);
    expect(mib).toBeLessThan(128);
    // Closing our end ends the writer (SIGPIPE): nothing is left running.
    await ended;
  });

  it("kubezod validate <(yes) and /dev/zero: one clear error each, exit 1", async () => {
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn("bash", ["-c", `exec "${process.execPath}" --import tsx src/cli/bin.ts validate --max-file-size 2M <(yes) /dev/zero`], { env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/\/dev\/fd\/\d+ error file: \/dev\/fd\/\d+: file is larger than the 2\.0 MiB limit/);
    expect(out.stdout).toContain("/dev/zero error file: /dev/zero: binary file");
    expect(out.stdout).toContain("2 resources, 0 valid, 0 invalid, 2 errors");
  });
});

describe("FIFOs and devices", () => {
  it("a FIFO named directly is read: what its writer writes is checked", async () => {
    const p = fifo();
    const writer = spawn("sh", ["-c", `printf '%s' "$0" > '${p}'`, good], { stdio: "ignore" });
    const ended = new Promise((resolve) => writer.on("close", resolve));
    const report = await validateManifests([{ path: p }]);
    await ended;
    expect(report.results.map((r) => [r.kind, r.status])).toEqual([["ConfigMap", "valid"]]);
  });

  it("a FIFO no one writes to, named directly or through a symlink, can be cancelled", async () => {
    const p = fifo();
    const link = join(dir, "link-to-fifo.yaml");
    symlinkSync(p, link);
    for (const path of [p, link]) {
      const controller = new AbortController();
      const run = validateManifests([{ path }], { signal: controller.signal });
      setImmediate(() => controller.abort());
      await expect(run).rejects.toMatchObject({ name: "AbortError" });
    }
  });

  it("FIFOs, devices and symlinks to them found in a directory are not opened, and the run goes on", async () => {
    const d = join(dir, "tree");
    mkdirSync(d);
    execFileSync("mkfifo", [join(d, "pipe.yaml")]);
    symlinkSync("/dev/zero", join(d, "zero.yaml"));
    symlinkSync(join(d, "pipe.yaml"), join(d, "via-link.yaml"));
    writeFileSync(join(d, "good.yaml"), good);
    const report = await validateManifests([{ path: d }]);
    const byFile = Object.fromEntries(report.results.map((r) => [r.file.slice(d.length + 1), r.issues[0]?.message ?? r.status]));
    expect(byFile).toEqual({
      "good.yaml": "valid",
      "pipe.yaml": expect.stringContaining("not a regular file (a FIFO)"),
      "via-link.yaml": expect.stringContaining("not a regular file (a FIFO)"),
      "zero.yaml": expect.stringContaining("not a regular file (a character device)"),
    });
  });
});

describe("cancelling a run", () => {
  it("rejects with the signal's reason, before or while checking", async () => {
    const files = Array.from({ length: 50 }, (_, i) => {
      const p = join(dir, `many-${i}.yaml`);
      writeFileSync(p, good.replace("good", `good-${i}`));
      return { path: p };
    });
    await expect(validateManifests(files, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    const controller = new AbortController();
    const reason = new Error("stop");
    let seen = 0;
    const run = validateManifests(files, {
      signal: controller.signal,
      onProgress: () => {
        if (++seen === 3) controller.abort(reason);
      },
    });
    await expect(run).rejects.toBe(reason);
  });
});

describe("empty inputs", () => {
  it("an empty directory and empty standard input: 0 resources, exit 0, and a notice", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    const fromDir = await runCli(["validate", empty]);
    expect(fromDir.code).toBe(0);
    expect(fromDir.stdout).toBe(`notice: ${empty}: no .yaml, .yml or .json files in this directory\n0 resources, 0 valid, 0 invalid, 0 errors, 0 skipped in 0 files (Kubernetes 1.36, strict)\n`);
    const fromStdin = await runCli(["validate", "-"], { input: "" });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe("notice: standard input is empty: no manifests were read from it\n0 resources, 0 valid, 0 invalid, 0 errors, 0 skipped in 1 file (Kubernetes 1.36, strict)\n");
    const report = await validateManifests([{ path: empty }]);
    expect(report).toMatchObject({ valid: true, summary: { resources: 0 }, notices: [`${empty}: no .yaml, .yml or .json files in this directory`] });
  });
});
