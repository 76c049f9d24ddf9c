import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/shared.js";

const output = join(repoRoot, "src/cli/output.ts");
const child = (code: string) => ["--import", "tsx", "--input-type=module", "-e", `import { writeOutput, isTerminal } from ${JSON.stringify(output)};\n${code}`];

describe("writeOutput", () => {
  it("writes all of a large text to a pipe, in order with standard error", () => {
    const r = spawnSync(process.execPath, child('writeOutput(1, "x".repeat(3 << 20) + "\\n"); writeOutput(2, "done\\n"); writeOutput(1, "é end\\n");'), { cwd: repoRoot, encoding: "utf8", maxBuffer: 16 << 20 });
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe((3 << 20) + 1 + "é end\n".length);
    expect(r.stdout.endsWith("x\né end\n")).toBe(true);
    expect(r.stderr).toBe("done\n");
  });

  it("writes to a file, and says a file or pipe is not a terminal", () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" ${child('writeOutput(1, `${isTerminal(1)} ${isTerminal(2)}\\n`);').map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")} > out.txt 2>/dev/null; cat out.txt; rm out.txt`], { cwd: repoRoot, encoding: "utf8" });
    expect(r.stdout).toBe("false false\n");
  });

  it("stops quietly when the reader has gone away", () => {
    const script = 'for (let i = 0; i < 200; i++) writeOutput(1, "y".repeat(1 << 16)); writeOutput(2, "after\\n");';
    const r = spawnSync("sh", ["-c", `"${process.execPath}" ${child(script).map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")} | head -c 10 > /dev/null`], { cwd: repoRoot, encoding: "utf8" });
    expect(r.stderr).toBe("after\n");
  });
});
