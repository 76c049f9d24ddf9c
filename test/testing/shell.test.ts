/**
 * The containers' small shell: redirections between stdout and stderr, as scripts run through
 * `kubectl exec` and the clients' exec streams use them.
 */
import { describe, expect, it } from "vitest";
import { FileSystem } from "../../src/testing/pod-runtime.js";
import { runScript } from "../../src/testing/shell.js";

const run = (script: string) => {
  const r = runScript(script, { fs: new FileSystem(), env: {}, hostname: "shell" });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), exitCode: r.exitCode };
};

describe("runScript redirections", () => {
  it("sends stdout to stderr with >&2 and 1>&2", () => {
    expect(run("echo out; echo err >&2")).toEqual({ stdout: "out\n", stderr: "err\n", exitCode: 0 });
    expect(run("echo err 1>&2; exit 4")).toEqual({ stdout: "", stderr: "err\n", exitCode: 4 });
  });

  it("sends stderr to stdout with 2>&1", () => {
    expect(run("cat /missing 2>&1")).toEqual({ stdout: "cat: can't open '/missing': No such file or directory\n", stderr: "", exitCode: 1 });
  });

  it("still writes > FILE and drops 2>/dev/null", () => {
    expect(run("echo saved > /tmp/f; cat /tmp/f; cat /missing 2>/dev/null")).toEqual({ stdout: "saved\n", stderr: "", exitCode: 1 });
  });
});
