import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/shared.js";

describe("README example: local API server", () => {
  it("creates, validates and throttles as shown", async () => {
    const { default: result } = await import("../../examples/local-api-server.js");
    expect(result).toEqual({ created: 201, invalid: 422, throttled: 429, listed: 2 });
  });
});

describe("README example: admission webhooks", () => {
  it("refuses and mutates through a webhook served by the example", async () => {
    const { default: result } = await import("../../examples/admission-webhook.js");
    expect(result).toEqual({ refused: 403, created: 201, annotated: "true" });
  });
});

describe("kubezod serve", () => {
  it("runs until interrupted, printing where its kubeconfig is", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubezod-serve-"));
    const out = join(dir, "kubeconfig");
    const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "src/cli/bin.ts"), "serve", "--kubernetes-version", "1.31", "--kubeconfig-out", out], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    // Started from source through tsx: beside the suite's other files on two cores that takes seconds.
    for (let i = 0; i < 900 && !stdout.includes("kubeconfig:"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stdout).toMatch(/^Serving Kubernetes v1\.31 API at https:\/\/127\.0\.0\.1:\d+\nkubeconfig: /);
    expect(readFileSync(out, "utf8")).toContain("certificate-authority-data");
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).toBe(0);
  }, 90_000);

  it("refuses bad arguments with exit code 2", async () => {
    const { runCli } = await import("../support/cli.js");
    const r = await runCli(["serve", "--port", "http"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--port must be a port number");
    const mode = await runCli(["serve", "--authorization-mode", "Webhook"]);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('--authorization-mode must be RBAC or AlwaysAllow, got "Webhook"');
    const hook = await runCli(["serve", "--webhook-service", "policy=127.0.0.1:9443"]);
    expect(hook.code).toBe(2);
    expect(hook.stderr).toContain('--webhook-service must be NAMESPACE/NAME=URL (https://host:port), got "policy=127.0.0.1:9443"');
    const plugin = await runCli(["serve", "--disable-admission-plugins", "PodSecurity,NodeRestriction"]);
    expect(plugin.code).toBe(2);
    expect(plugin.stderr).toContain('--disable-admission-plugins: unknown admission plugin "NodeRestriction"');
  });
});
