/**
 * Exec credential plugins (`client.authentication.k8s.io/v1` and `v1beta1`), as client-go runs them:
 * the command gets `KUBERNETES_EXEC_INFO` (an `ExecCredential` with `spec.interactive` and, with
 * `provideClusterInfo`, `spec.cluster`), its stderr goes to ours, its stdin only when interactive; it
 * prints an `ExecCredential` whose `status` holds a token and/or a client certificate and key, and
 * an optional `expirationTimestamp` until which the answer is reused. A 401 re-runs it.
 */
import type { Readable, Writable } from "node:stream";
import { ConfigError } from "../errors.js";
import type { ExecConfig } from "./kubeconfig-schema.js";
import { checkToken, type CredentialProvider, type Credentials } from "./credentials.js";
import { refreshUnlessRotated } from "./refresh.js";
import { checkKeyPair } from "./pem.js";

const API_VERSIONS = new Set(["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]);

/** `spec.cluster` of the `ExecCredential` sent with `provideClusterInfo: true`. @example const c: ExecClusterInfo = { server: "https://10.0.0.1:6443" }; */
export interface ExecClusterInfo {
  server: string;
  "tls-server-name"?: string;
  "insecure-skip-tls-verify"?: boolean;
  /** base64 PEM, as in the kubeconfig. */
  "certificate-authority-data"?: string;
  "proxy-url"?: string;
  "disable-compression"?: boolean;
  /** The cluster's `client.authentication.k8s.io/exec` extension. */
  config?: unknown;
}

/** How exec plugins are run: their I/O and environment. @example resolveCluster({ exec: { stderr: myLogStream } }); */
export interface ExecOptions {
  /** Where the plugin's stderr goes (default: this process's stderr). */
  stderr?: Writable;
  /** The plugin's stdin when it runs interactively (default: this process's stdin). */
  stdin?: Readable & { isTTY?: boolean };
  /** Base environment (default `process.env`); the kubeconfig's `env` entries are added on top. */
  env?: NodeJS.ProcessEnv;
  /** Clock in ms, compared with `expirationTimestamp` (tests). */
  now?: () => number;
  /**
   * Stop a plugin that has not finished after this many ms (SIGTERM) and fail with `ConfigError`.
   * Default: none, as client-go (a plugin may wait for a browser login); each request is still
   * bounded by its own `timeoutMs`.
   */
  timeoutMs?: number;
}

/** An RFC 3339 time, as Go's `time.Parse(time.RFC3339, …)` reads `expirationTimestamp` (Date.parse alone takes "5" for 2001). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Most bytes read from a plugin's standard output (an ExecCredential is a few kilobytes). */
export const MAX_EXEC_OUTPUT_BYTES = 4 * 1024 * 1024;

interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

/**
 * A provider that runs an exec plugin, caches its answer until `expirationTimestamp`, and re-runs it
 * after a 401. `what` names the kubeconfig user in errors.
 *
 * @example
 * const p = execCredentials({ apiVersion: "client.authentication.k8s.io/v1", command: "get-token", interactiveMode: "Never" }, undefined, {}, 'user "dev"');
 * const { authorization } = await p.get();
 */
export function execCredentials(
  config: ExecConfig,
  cluster: ExecClusterInfo | undefined,
  options: ExecOptions = {},
  what = "exec plugin",
): CredentialProvider {
  if (!API_VERSIONS.has(config.apiVersion)) {
    throw new ConfigError(`${what}: exec plugin apiVersion "${config.apiVersion}" is not supported (use client.authentication.k8s.io/v1 or v1beta1)`);
  }
  const interactiveMode = config.interactiveMode ?? (config.apiVersion.endsWith("/v1beta1") ? "IfAvailable" : undefined);
  if (!interactiveMode) throw new ConfigError(`${what}: exec plugin interactiveMode must be set for ${config.apiVersion} (Never, IfAvailable or Always)`);
  for (const e of config.env ?? []) if (!e.name) throw new ConfigError(`${what}: exec plugin env entries need a name`);
  const now = options.now ?? Date.now;
  let cached: Credentials | undefined;
  let expiresAt = Infinity;
  let running: Promise<Credentials> | undefined;

  const run = (): Promise<Credentials> => {
    running ??= runPlugin(config, interactiveMode, cluster, options, what)
      .then(({ creds, expiry }) => {
        cached = creds;
        expiresAt = expiry;
        return creds;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    type: "exec",
    get() {
      if (cached && now() < expiresAt) return cached;
      return run();
    },
    refresh: (used) => refreshUnlessRotated(used, cached, running, run),
  };
}

function runPlugin(
  config: ExecConfig,
  interactiveMode: "Never" | "IfAvailable" | "Always",
  cluster: ExecClusterInfo | undefined,
  options: ExecOptions,
  what: string,
): Promise<{ creds: Credentials; expiry: number }> {
  const stdin = options.stdin ?? process.stdin;
  const isTTY = Boolean(stdin.isTTY);
  if (interactiveMode === "Always" && !isTTY) {
    return Promise.reject(new ConfigError(`${what}: exec plugin ${config.command} needs interactive mode, but standard input is not a terminal`));
  }
  const interactive = interactiveMode !== "Never" && isTTY;
  const execInfo = {
    kind: "ExecCredential",
    apiVersion: config.apiVersion,
    spec: { interactive, ...(config.provideClusterInfo && cluster ? { cluster } : {}) },
  };
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  for (const e of config.env ?? []) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify(execInfo);
  const stderr = options.stderr;

  return new Promise((resolvePromise, reject) => {
    let child;
    try {
      child = process.getBuiltinModule("node:child_process").spawn(config.command, config.args ?? [], {
        env,
        stdio: [interactive && !options.stdin ? "inherit" : interactive ? "pipe" : "ignore", "pipe", stderr ? "pipe" : "inherit"],
      });
    } catch (err) {
      reject(new ConfigError(`${what}: cannot run exec plugin ${config.command}: ${(err as Error).message}`));
      return;
    }
    if (interactive && options.stdin && child.stdin) options.stdin.pipe(child.stdin);
    if (stderr && child.stderr) child.stderr.on("data", (d: Buffer) => stderr.write(d));
    const chunks: Buffer[] = [];
    let size = 0;
    let stopped: string | undefined;
    const stop = (why: string) => {
      if (stopped) return;
      stopped = why;
      child.kill("SIGTERM");
    };
    child.stdout!.on("data", (d: Buffer) => {
      if (stopped) return;
      size += d.length;
      if (size > MAX_EXEC_OUTPUT_BYTES) {
        chunks.length = 0;
        stop(`printed more than ${MAX_EXEC_OUTPUT_BYTES} bytes`);
        return;
      }
      chunks.push(d);
    });
    const timer = options.timeoutMs && options.timeoutMs > 0 ? setTimeout(() => stop(`did not finish within ${options.timeoutMs} ms`), options.timeoutMs) : undefined;
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on("error", (err: NodeJS.ErrnoException) => {
      spawnError = err;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (interactive && options.stdin && child.stdin) options.stdin.unpipe(child.stdin);
      if (stopped) {
        reject(new ConfigError(`${what}: exec plugin ${config.command} ${stopped}, and was stopped`));
        return;
      }
      if (spawnError) {
        if (spawnError.code === "ENOENT") {
          const hint = config.installHint ? `\n\n${config.installHint.trim()}` : "";
          reject(new ConfigError(`${what}: exec plugin executable ${config.command} not found${hint}`));
        } else {
          reject(new ConfigError(`${what}: cannot run exec plugin ${config.command}: ${spawnError.message}`));
        }
        return;
      }
      if (code !== 0) {
        reject(new ConfigError(`${what}: exec plugin ${config.command} failed with ${signal ? `signal ${signal}` : `exit code ${code}`}`));
        return;
      }
      try {
        resolvePromise(parseExecCredential(Buffer.concat(chunks).toString("utf8"), config, what));
      } catch (err) {
        reject(err);
      }
    });
  });
}

function parseExecCredential(stdout: string, config: ExecConfig, what: string): { creds: Credentials; expiry: number } {
  const plugin = `exec plugin ${config.command}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (err) {
    // The output may hold a token: name the problem, never echo it.
    throw new ConfigError(`${what}: ${plugin} printed invalid JSON (${(err as Error).message.replace(/"[^"]*"/g, "…")})`);
  }
  if (typeof parsed !== "object" || parsed === null) throw new ConfigError(`${what}: ${plugin} did not print an ExecCredential object`);
  const cred = parsed as { apiVersion?: unknown; kind?: unknown; status?: ExecCredentialStatus | null };
  if (cred.kind !== undefined && cred.kind !== "ExecCredential") throw new ConfigError(`${what}: ${plugin} printed kind ${String(cred.kind)}, not ExecCredential`);
  if (cred.apiVersion !== config.apiVersion) {
    throw new ConfigError(`${what}: ${plugin} is configured to use API version ${config.apiVersion}, plugin returned version ${String(cred.apiVersion)}`);
  }
  const status = cred.status;
  if (!status || typeof status !== "object" || Array.isArray(status)) throw new ConfigError(`${what}: ${plugin} didn't return a status field`);
  // The fields have the types client-go decodes them into: a value of another type fails the
  // answer (its value is never echoed: it may be a credential).
  for (const field of ["token", "clientCertificateData", "clientKeyData", "expirationTimestamp"] as const) {
    const value: unknown = status[field];
    if (value !== undefined && value !== null && typeof value !== "string") throw new ConfigError(`${what}: ${plugin} returned status.${field} that is not a string (${Array.isArray(value) ? "a list" : typeof value})`);
  }
  const { token, clientCertificateData: cert, clientKeyData: key, expirationTimestamp } = status;
  // A token must fit in an Authorization header.
  if (token) checkToken(token, `${what}: ${plugin}`);
  if (!token && !cert && !key) throw new ConfigError(`${what}: ${plugin} didn't return a token or cert/key pair`);
  if (Boolean(cert) !== Boolean(key)) throw new ConfigError(`${what}: ${plugin} returned only certificate or key, not both`);
  let expiry = Infinity;
  if (expirationTimestamp) {
    expiry = RFC3339.test(expirationTimestamp) ? Date.parse(expirationTimestamp) : Number.NaN;
    if (Number.isNaN(expiry)) throw new ConfigError(`${what}: ${plugin} returned an unparsable expirationTimestamp`);
  }
  const creds: Credentials = {};
  if (token) creds.authorization = `Bearer ${token}`;
  if (cert && key) {
    checkKeyPair(cert, key, `${what} (from ${plugin})`);
    creds.clientCertificate = Object.freeze({ cert, key });
  }
  return { creds: Object.freeze(creds), expiry };
}
