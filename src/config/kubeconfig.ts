/**
 * Loading kubeconfig files the way kubectl (client-go `clientcmd`) does:
 *
 * - an explicit path (`--kubeconfig`) is read alone and must exist;
 * - otherwise every file in `KUBECONFIG` (split on `:`, `;` on Windows, duplicates dropped) is read
 *   in order, missing files are skipped, and they are merged: the first file to define a cluster,
 *   user or context name wins the whole entry (later entries of that name are dropped, even their
 *   non-conflicting fields), and `current-context` comes from the first file that sets it;
 * - without `KUBECONFIG`, `~/.kube/config` (missing is fine: an empty config);
 * - relative `certificate-authority`, `client-certificate`, `client-key`, `tokenFile` and an `exec`
 *   command containing a `/` are resolved against the directory of the file that defined them.
 *
 * Files are YAML 1.1 (as kubectl reads them: `yes` is `true`) or JSON.
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve, sep } from "node:path";
import { ConfigError } from "../errors.js";
import { readYamlDocuments, type YamlDocument } from "../yaml/documents.js";
import {
  KubeConfigSchema,
  type KubeConfig,
  type KubeconfigCluster,
  type KubeconfigContext,
  type KubeconfigUser,
} from "./kubeconfig-schema.js";

/** One named entry of a loaded kubeconfig, with the file it came from. @example const e: KubeconfigEntry<KubeconfigCluster> = { name: "dev", value: { server: "https://x" } }; */
export interface KubeconfigEntry<T> {
  name: string;
  value: T;
  /** The absolute path of the file that defined it (absent for in-memory configs). */
  file?: string;
}

/**
 * A kubeconfig after loading and merging, with relative paths already made absolute.
 *
 * @example
 * const cfg = loadKubeConfig();
 * cfg.currentContext; // "prod"
 * cfg.contexts.get("prod")?.value.namespace;
 */
export interface LoadedKubeConfig {
  /** The files that were read, in precedence order (missing `KUBECONFIG` entries are not listed). */
  files: string[];
  /** The files that were looked for (explicit path, `KUBECONFIG` entries or `~/.kube/config`). */
  searched: string[];
  currentContext: string | undefined;
  clusters: Map<string, KubeconfigEntry<KubeconfigCluster>>;
  users: Map<string, KubeconfigEntry<KubeconfigUser>>;
  contexts: Map<string, KubeconfigEntry<KubeconfigContext>>;
}

/** Where to load a kubeconfig from. @example loadKubeConfig({ kubeconfig: "./kubeconfig.yaml" }); */
export interface LoadKubeConfigOptions {
  /**
   * An explicit file (read alone, must exist, like `kubectl --kubeconfig`), a list of files (merged
   * like `KUBECONFIG`), or a kubeconfig object (its relative paths stay relative to the working
   * directory). Default: `KUBECONFIG`, then `~/.kube/config`.
   */
  kubeconfig?: string | readonly string[] | KubeConfig;
  /** Environment to read `KUBECONFIG` and `HOME` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Load (and merge) kubeconfig files by kubectl's rules; see the module comment for the rules.
 * Throws `ConfigError` naming the file, line and field for unreadable or malformed files.
 *
 * @example
 * const cfg = loadKubeConfig();                                  // KUBECONFIG or ~/.kube/config
 * const one = loadKubeConfig({ kubeconfig: "/etc/kube/admin.conf" });
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): LoadedKubeConfig {
  const env = options.env ?? process.env;
  const given = options.kubeconfig;
  if (given !== undefined && typeof given !== "string" && !Array.isArray(given)) {
    return mergeKubeConfigs([{ config: checkObject(given as KubeConfig), file: undefined }], [], []);
  }
  let paths: string[];
  let explicit = false;
  if (typeof given === "string") {
    paths = [given];
    explicit = true;
  } else if (Array.isArray(given)) {
    paths = dedupe(given as readonly string[]);
  } else if (env.KUBECONFIG) {
    paths = dedupe(env.KUBECONFIG.split(delimiter));
  } else {
    paths = [join(env.HOME || homedir(), ".kube", "config")];
  }
  const loaded: Array<{ config: KubeConfig; file: string }> = [];
  const files: string[] = [];
  for (const p of paths) {
    if (!p) continue;
    const file = resolve(p);
    let text: string;
    try {
      if (statSync(file).isDirectory()) throw new ConfigError(`kubeconfig ${file} is a directory, not a file`);
      text = readFileSync(file, "utf8");
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && !explicit) continue;
      throw new ConfigError(
        code === "ENOENT" ? `kubeconfig ${file} does not exist` : `cannot read kubeconfig ${file}: ${(err as Error).message}`,
      );
    }
    loaded.push({ config: parseKubeConfig(text, file), file });
    files.push(file);
  }
  return mergeKubeConfigs(loaded, files, paths.filter(Boolean).map((p) => resolve(p)));
}

/**
 * Parse one kubeconfig document (YAML 1.1 or JSON). `source` names it in errors.
 * Throws `ConfigError` with the line and field of the first problem.
 *
 * @example
 * const cfg = parseKubeConfig(readFileSync("config", "utf8"), "config");
 */
export function parseKubeConfig(text: string, source: string): KubeConfig {
  if (!text.trim()) return {};
  // The first document, read as kubectl reads it (sigs.k8s.io/yaml: YAML 1.1, merge keys, no timestamps).
  const doc = readYamlDocuments(text, { maxDepth: 64, maxAliasExpansion: 100_000 })[0];
  if (!doc) return {};
  if (doc.error) throw new ConfigError(`kubeconfig ${source}:${doc.error.position.line}:${doc.error.position.column}: malformed YAML: ${doc.error.message}`);
  const value: unknown = doc.value;
  if (value === null || value === undefined) return {};
  return checkObject(value, source, doc);
}

function checkObject(value: unknown, source?: string, doc?: YamlDocument): KubeConfig {
  const name = source ? `kubeconfig ${source}` : "kubeconfig";
  const result = KubeConfigSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
    const where = doc && issue.path.length ? `:${doc.locate(issue.path as Array<string | number>).line}` : "";
    throw new ConfigError(`${name}${where}: ${path || "(root)"}: ${issue.message}`);
  }
  const config = result.data as KubeConfig;
  for (const list of ["clusters", "users", "contexts"] as const) {
    const seen = new Set<string>();
    for (const entry of config[list] ?? []) {
      if (seen.has(entry.name)) throw new ConfigError(`${name}: duplicate name "${entry.name}" in ${list}`);
      seen.add(entry.name);
    }
  }
  return config;
}

function dedupe(paths: readonly string[]): string[] {
  return [...new Set(paths)];
}

/** Merge parsed files by clientcmd's precedence and resolve relative paths against each file's directory. */
function mergeKubeConfigs(
  configs: Array<{ config: KubeConfig; file: string | undefined }>,
  files: string[],
  searched: string[],
): LoadedKubeConfig {
  const out: LoadedKubeConfig = { files, searched, currentContext: undefined, clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const { config, file } of configs) {
    const base = file ? dirname(file) : undefined;
    if (!out.currentContext && config["current-context"]) out.currentContext = config["current-context"];
    for (const { name, cluster } of config.clusters ?? []) {
      if (out.clusters.has(name)) continue;
      const value = { ...(cluster ?? {}) } as KubeconfigCluster;
      if (base) value["certificate-authority"] = resolveAgainst(base, value["certificate-authority"]);
      out.clusters.set(name, withFile({ name, value }, file));
    }
    for (const { name, user } of config.users ?? []) {
      if (out.users.has(name)) continue;
      const value = { ...(user ?? {}) } as KubeconfigUser;
      if (base) {
        value["client-certificate"] = resolveAgainst(base, value["client-certificate"]);
        value["client-key"] = resolveAgainst(base, value["client-key"]);
        value.tokenFile = resolveAgainst(base, value.tokenFile);
        if (value.exec && value.exec.command.includes(sep)) value.exec = { ...value.exec, command: resolveAgainst(base, value.exec.command)! };
      }
      out.users.set(name, withFile({ name, value }, file));
    }
    for (const { name, context } of config.contexts ?? []) {
      if (out.contexts.has(name)) continue;
      out.contexts.set(name, withFile({ name, value: { ...(context ?? {}) } as KubeconfigContext }, file));
    }
  }
  return out;
}

function withFile<T>(entry: KubeconfigEntry<T>, file: string | undefined): KubeconfigEntry<T> {
  if (file) entry.file = file;
  return entry;
}

function resolveAgainst(base: string, path: string | null | undefined): string | null | undefined {
  if (!path || isAbsolute(path)) return path;
  return join(base, path);
}

/**
 * A merged kubeconfig back in file shape (what `kubectl config view --raw` prints, paths absolute).
 *
 * @example
 * console.log(JSON.stringify(kubeConfigView(loadKubeConfig()), null, 2));
 */
export function kubeConfigView(config: LoadedKubeConfig): KubeConfig {
  const sorted = <T>(m: Map<string, KubeconfigEntry<T>>) => [...m.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: sorted(config.clusters).map((e) => ({ name: e.name, cluster: e.value })),
    users: sorted(config.users).map((e) => ({ name: e.name, user: e.value })),
    contexts: sorted(config.contexts).map((e) => ({ name: e.name, context: e.value })),
    "current-context": config.currentContext ?? "",
  };
}
