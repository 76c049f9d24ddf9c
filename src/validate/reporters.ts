/**
 * Output formats of a validation report: text (for people), JSON (one record per resource),
 * JUnit XML, SARIF 2.1.0 (code scanning) and GitHub Actions workflow annotations.
 */
import { describeRule } from "./rules.js";
import type { ResourceResult, ValidationIssue, ValidationReport } from "./types.js";

/** The output formats of `kubezod validate --output`. */
export type OutputFormat = "text" | "json" | "junit" | "sarif" | "github";

/**
 * The names accepted by `--output`.
 *
 * @example
 * outputFormats.includes("sarif"); // true
 */
export const outputFormats: readonly OutputFormat[] = ["text", "json", "junit", "sarif", "github"];

/** Options of {@link formatReport}. */
export interface FormatOptions {
  /** ANSI colours (text only); the CLI turns them on for terminals. */
  color?: boolean;
  /** Also list valid and skipped resources (text only). */
  verbose?: boolean;
}

const paint = (on: boolean) => (code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

function sortedIssues(r: ResourceResult): readonly ValidationIssue[] {
  // Most resources have no issue or one: nothing to copy or sort.
  if (r.issues.length < 2) return r.issues;
  return [...r.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function what(r: ResourceResult): string {
  if (!r.kind) return r.document > 0 || r.line ? `document ${r.document + 1}` : "file";
  return `${r.kind}/${r.name ?? "(unnamed)"}`;
}

function where(r: ResourceResult, i?: ValidationIssue): string {
  const line = i?.line ?? r.line;
  const column = i?.column ?? r.column;
  return line ? `${r.file}:${line}:${column ?? 1}` : r.file;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `3 resources, 1 valid, 1 invalid, 1 error, 0 skipped, 2 warnings`. */
function summaryLine(report: ValidationReport): string {
  const s = report.summary;
  const parts = [plural(s.resources, "resource"), `${s.valid} valid`, `${s.invalid} invalid`, plural(s.errors, "error"), `${s.skipped} skipped`];
  if (s.warnings) parts.push(plural(s.warnings, "warning"));
  if (s.unevaluatedRules) parts.push(`${plural(s.unevaluatedRules, "CEL rule")} not evaluated`);
  return parts.join(", ");
}

function textReport(report: ValidationReport, options: FormatOptions): string {
  const c = paint(options.color ?? false);
  const lines: string[] = [];
  for (const r of report.results) {
    const issues = sortedIssues(r);
    if (r.status === "skipped") {
      if (options.verbose) lines.push(`${c("2", where(r))} ${what(r)} ${c("2", `skipped: ${r.reason ?? ""}`)}`);
      continue;
    }
    if (!issues.length) {
      if (options.verbose) lines.push(`${c("2", where(r))} ${what(r)} ${c("32", "valid")}`);
      continue;
    }
    for (const i of issues) {
      const sev = i.severity === "error" ? c("31", "error") : c("33", "warning");
      lines.push(`${c("1", where(r, i))} ${sev} ${what(r)}: ${i.message} ${c("2", `[${i.rule}]`)}`);
    }
  }
  for (const n of report.notices ?? []) lines.push(`${c("36", "notice")}: ${n}`);
  const summary = `${summaryLine(report)} in ${plural(report.summary.files, "file")} (Kubernetes ${report.kubernetesVersion.slice(1)}${report.strict ? ", strict" : ""})`;
  lines.push(report.valid ? c("32", summary) : c("31", summary));
  return `${lines.join("\n")}\n`;
}

function jsonReport(report: ValidationReport): string {
  const resources = report.results.map((r) => ({
    file: r.file,
    document: r.document,
    ...(r.item !== undefined ? { item: r.item } : {}),
    line: r.line ?? null,
    apiVersion: r.apiVersion ?? null,
    kind: r.kind ?? null,
    name: r.name ?? null,
    namespace: r.namespace ?? null,
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    errors: sortedIssues(r).map((i) => ({
      rule: i.rule,
      severity: i.severity,
      path: i.field,
      line: i.line ?? null,
      column: i.column ?? null,
      message: i.message,
    })),
  }));
  return `${JSON.stringify({ kubernetesVersion: report.kubernetesVersion, strict: report.strict, summary: report.summary, ...(report.notices ? { notices: report.notices } : {}), resources }, null, 2)}\n`;
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch]!).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "");
}

/**
 * JUnit XML that validates against the schemas CI systems use (Jenkins' junit-10.xsd and the older
 * junit-4.xsd): the counts `<testsuites>` may carry (no `skipped` there), a skip reason as the
 * text of `<skipped>`, and notices as comments.
 */
function junitReport(report: ValidationReport): string {
  const byFile = new Map<string, ResourceResult[]>();
  for (const r of report.results) {
    let list = byFile.get(r.file);
    if (!list) byFile.set(r.file, (list = []));
    list.push(r);
  }
  const s = report.summary;
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`];
  for (const n of report.notices ?? []) out.push(`<!-- notice: ${xml(n).replace(/--/g, "- -")} -->`);
  out.push(`<testsuites name="kubezod validate" tests="${s.resources}" failures="${s.invalid}" errors="${s.errors}">`);
  for (const [file, results] of byFile) {
    const f = results.filter((r) => r.status === "invalid").length;
    const e = results.filter((r) => r.status === "error").length;
    const sk = results.filter((r) => r.status === "skipped").length;
    out.push(`  <testsuite name="${xml(file)}" tests="${results.length}" failures="${f}" errors="${e}" skipped="${sk}">`);
    for (const r of results) {
      const name = `${what(r)}${r.line ? ` (line ${r.line})` : ""}`;
      out.push(`    <testcase classname="${xml(file)}" name="${xml(name)}">`);
      const issues = sortedIssues(r);
      const body = issues.map((i) => `${where(r, i)} ${i.severity}: ${i.message} [${i.rule}]`).join("\n");
      if (r.status === "invalid") out.push(`      <failure message="${xml(issues.find((i) => i.severity === "error")?.message ?? "invalid")}">${xml(body)}</failure>`);
      else if (r.status === "error") out.push(`      <error message="${xml(r.issues[0]?.message ?? "error")}">${xml(body)}</error>`);
      else if (r.status === "skipped") out.push(`      <skipped>${xml(r.reason ?? "skipped")}</skipped>`);
      if (r.status !== "invalid" && r.status !== "error" && issues.length) out.push(`      <system-out>${xml(body)}</system-out>`);
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: "error" | "warning" };
  helpUri?: string;
}

function sarifReport(report: ValidationReport): string {
  const rules = new Map<string, SarifRule>();
  const index = new Map<string, number>();
  const results: unknown[] = [];
  for (const r of report.results) {
    for (const i of sortedIssues(r)) {
      let rule = rules.get(i.rule);
      if (!rule) {
        const d = describeRule(i.rule);
        rule = {
          id: i.rule,
          name: i.rule.replace(/[/-](\w)/g, (_, ch: string) => ch.toUpperCase()).replace(/^\w/, (ch) => ch.toUpperCase()),
          shortDescription: { text: d?.short ?? i.rule },
          fullDescription: { text: d?.full ?? i.rule },
          defaultConfiguration: { level: i.severity === "error" ? "error" : "warning" },
          helpUri: `https://www.npmjs.com/package/kubezod#rule-ids`,
        };
        index.set(i.rule, rules.size);
        rules.set(i.rule, rule);
      }
      results.push({
        ruleId: i.rule,
        ruleIndex: index.get(i.rule),
        level: i.severity === "error" ? "error" : "warning",
        message: { text: `${what(r)}: ${i.message}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: r.file.split("\\").join("/") },
              ...(i.line ?? r.line ? { region: { startLine: i.line ?? r.line, startColumn: i.column ?? r.column ?? 1 } } : {}),
            },
          },
        ],
      });
    }
  }
  const notices = (report.notices ?? []).map((text) => ({ level: "note", message: { text } }));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "kubezod", informationUri: "https://www.npmjs.com/package/kubezod", rules: [...rules.values()] } },
        invocations: [{ executionSuccessful: true, ...(notices.length ? { toolExecutionNotifications: notices } : {}) }],
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function ghEscape(s: string, property = false): string {
  let out = s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  if (property) out = out.replace(/:/g, "%3A").replace(/,/g, "%2C");
  return out;
}

function githubReport(report: ValidationReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    for (const i of sortedIssues(r)) {
      const props = [`file=${ghEscape(r.file, true)}`];
      const line = i.line ?? r.line;
      if (line) props.push(`line=${line}`, `col=${i.column ?? r.column ?? 1}`);
      props.push(`title=${ghEscape(`${what(r)} [${i.rule}]`, true)}`);
      lines.push(`::${i.severity === "error" ? "error" : "warning"} ${props.join(",")}::${ghEscape(i.message)}`);
    }
  }
  for (const n of report.notices ?? []) lines.push(`::notice::${ghEscape(n)}`);
  lines.push(summaryLine(report));
  return `${lines.join("\n")}\n`;
}

/**
 * Render a report in one of the output formats.
 *
 * @example
 * process.stdout.write(formatReport(report, "text", { color: process.stdout.isTTY }));
 */
export function formatReport(report: ValidationReport, format: OutputFormat, options: FormatOptions = {}): string {
  switch (format) {
    case "text":
      return textReport(report, options);
    case "json":
      return jsonReport(report);
    case "junit":
      return junitReport(report);
    case "sarif":
      return sarifReport(report);
    case "github":
      return githubReport(report);
  }
}
