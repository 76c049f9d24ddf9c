/**
 * Request logging with kubesdk's switches (`on_success`, `request_body`, `response_body`,
 * `not_error_statuses`). Entries never carry credentials: headers are not logged, bodies are
 * redacted (see `redact.ts`).
 */

/** One log entry. @example const logger = (e: LogEntry) => console.error(`${e.method} ${e.path} → ${e.status}`); */
export interface LogEntry {
  /** `info` for successes, `warn` for a retried attempt, `error` for failures. */
  level: "info" | "warn" | "error";
  message: string;
  method: string;
  /** Path and query (no host). */
  path: string;
  server: string;
  /** HTTP status, absent when the request failed before a response. */
  status?: number;
  durationMs: number;
  /** 1-based attempt number. */
  attempt: number;
  /** Redacted request body (with `requestBody: true`). */
  requestBody?: string;
  /** Redacted response body (with `responseBody: true`). */
  responseBody?: string;
  /** Error name and message for failures. */
  error?: string;
}

/**
 * Logging switches.
 *
 * @example
 * createTransport(cluster, { log: { logger: (e) => console.error(e.message), onSuccess: true, notErrorStatuses: [404] } });
 */
export interface LogOptions {
  /** Receives entries. Without one nothing is logged. */
  logger?: (entry: LogEntry) => void;
  /** Log successful requests too (default false: only errors and retries). */
  onSuccess?: boolean;
  /** Include the (redacted) request body. */
  requestBody?: boolean;
  /** Include the (redacted) response body. */
  responseBody?: boolean;
  /** Statuses logged as successes rather than errors (e.g. `[404]` during cleanup). */
  notErrorStatuses?: readonly number[];
}

/**
 * A logger that prints one line per entry to stderr (bodies on following lines).
 *
 * @example
 * createTransport(cluster, { log: { logger: consoleLogger, onSuccess: true } });
 */
export function consoleLogger(entry: LogEntry): void {
  const bodies = [entry.requestBody && `  request: ${entry.requestBody}`, entry.responseBody && `  response: ${entry.responseBody}`].filter(Boolean);
  const line = `[kubezod] ${entry.level.toUpperCase()} ${entry.message}`;
  process.stderr.write(`${[line, ...bodies].join("\n")}\n`);
}
