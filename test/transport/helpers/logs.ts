/**
 * Capturing everything the transport logs (all switches on) and every error message a test saw,
 * so each suite can check that no credential or Secret value leaked into them.
 */
import { expect } from "vitest";
import type { LogEntry, LogOptions } from "../../../src/index.js";

/** Every secret value the tests use contains this marker. */
export const SECRET_MARK = "S3CR3T";

export interface LogCapture {
  entries: LogEntry[];
  /** Extra text to check (error messages, plugin stderr). */
  extra: string[];
  /** Log options with every switch on and this capture as the logger. */
  log: LogOptions;
  text(): string;
  /** Record an error message (or any text) for the final check. */
  note(text: unknown): void;
}

export function captureLogs(): LogCapture {
  const entries: LogEntry[] = [];
  const extra: string[] = [];
  return {
    entries,
    extra,
    log: { logger: (e) => entries.push(e), onSuccess: true, requestBody: true, responseBody: true },
    text: () => [...entries.map((e) => JSON.stringify(e)), ...extra].join("\n"),
    note(text) {
      extra.push(text instanceof Error ? `${text.name}: ${text.message}` : String(text));
    },
  };
}

/** Fail when captured text holds a secret marker, a PEM private key or one of `values`. */
export function expectNoSecrets(text: string, values: readonly string[] = []): void {
  expect(text).not.toContain(SECRET_MARK);
  expect(text).not.toMatch(/PRIVATE KEY/);
  for (const v of values) if (v) expect(text).not.toContain(v);
}

/** The base64 lines of PEM keys (to look for key material outside PEM armour). */
export function keyMaterial(...pems: string[]): string[] {
  return pems.flatMap((p) => p.split("\n").filter((l) => l.length > 40 && !l.startsWith("-----")));
}
