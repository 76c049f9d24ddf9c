/**
 * Credential providers: what the transport puts on each request (an `Authorization` value and/or a
 * client certificate), cached, and refreshable after a 401 (files re-read, exec plugins re-run,
 * OIDC tokens refreshed).
 */
import { ConfigError } from "../errors.js";
import { checkKeyPair, readConfigFile } from "./pem.js";

/** A client certificate and its key, PEM. @example const c: ClientCertificate = { cert: "-----BEGIN CERTIFICATE-----…", key: "-----BEGIN PRIVATE KEY-----…" }; */
export interface ClientCertificate {
  cert: string;
  key: string;
}

/**
 * What to present to the API server. Objects are replaced, never mutated, when credentials change,
 * so `===` tells whether a client certificate rotated.
 *
 * @example
 * const creds: Credentials = { authorization: "Bearer …" };
 */
export interface Credentials {
  /** The `Authorization` header value (`Bearer …` or `Basic …`). */
  authorization?: string;
  clientCertificate?: ClientCertificate;
}

/** The kind of credential a provider supplies. @example if (cluster.credentials.type === "exec") … */
export type CredentialType =
  | "none"
  | "token"
  | "token-file"
  | "basic"
  | "client-certificate"
  | "exec"
  | "oidc"
  | "combined";

/**
 * Supplies credentials for every request. `get()` is cheap once cached (it may return synchronously);
 * `refresh(used)` runs after a 401 answered a request made with `used`: it re-reads files, re-runs
 * the exec plugin or refreshes the OIDC token, unless another request already did so. It resolves
 * `true` when the request is worth retrying with `get()`'s new answer.
 *
 * @example
 * const creds = await cluster.credentials.get();
 * if (res.status === 401 && (await cluster.credentials.refresh(creds))) retry();
 */
export interface CredentialProvider {
  readonly type: CredentialType;
  get(): Credentials | Promise<Credentials>;
  refresh(used: Credentials): Promise<boolean>;
}

const NONE: Credentials = Object.freeze({});

/** No credentials (anonymous). @example const p = noCredentials(); */
export function noCredentials(): CredentialProvider {
  return { type: "none", get: () => NONE, refresh: async () => false };
}

/**
 * A token that can be sent as `Authorization: Bearer …`: a control character (a line break, left
 * in a copied token) would end the header, so it is refused here, naming the source and never the
 * token. Internal.
 */
export function checkToken(token: string, what: string): void {
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(token)) throw new ConfigError(`${what}: the token contains control characters (a line break?), which cannot be sent in an Authorization header`);
}

/**
 * A fixed bearer token; a token with control characters (a line break) throws `ConfigError`.
 *
 * @example
 * const p = bearerToken(process.env.TOKEN!);
 */
export function bearerToken(token: string, what = "token"): CredentialProvider {
  checkToken(token, what);
  const creds: Credentials = Object.freeze({ authorization: `Bearer ${token}` });
  return { type: "token", get: () => creds, refresh: async () => false };
}

/** HTTP basic authentication. @example const p = basicAuth("admin", "s3cret"); */
export function basicAuth(username: string, password: string): CredentialProvider {
  const creds: Credentials = Object.freeze({ authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` });
  return { type: "basic", get: () => creds, refresh: async () => false };
}

/** Options of `tokenFile`. @example tokenFile("/var/run/secrets/kubernetes.io/serviceaccount/token", { maxAgeMs: 60_000 }); */
export interface TokenFileOptions {
  /** Re-read the file when the cached token is older than this (default 60 s, as client-go). */
  maxAgeMs?: number;
  /** A token to use before the first read (kubeconfig `token` next to `tokenFile`). */
  initial?: string;
  /** Names the file's owner in errors (`user "admin"`). */
  what?: string;
  /** Clock in ms (tests). */
  now?: () => number;
}

/**
 * A bearer token read from a file and re-read as it rotates (every `maxAgeMs`, and after a 401).
 *
 * @example
 * const p = tokenFile("/var/run/secrets/kubernetes.io/serviceaccount/token");
 */
export function tokenFile(path: string, options: TokenFileOptions = {}): CredentialProvider {
  const maxAge = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const what = options.what ?? "token file";
  let creds: Credentials | undefined = options.initial ? { authorization: `Bearer ${options.initial}` } : undefined;
  let readAt = options.initial ? now() : -Infinity;
  const read = (): boolean => {
    const token = readConfigFile(path, what).trim();
    if (!token) throw new ConfigError(`${what}: ${path} is empty`);
    checkToken(token, `${what}: ${path}`);
    readAt = now();
    const authorization = `Bearer ${token}`;
    if (creds?.authorization === authorization) return false;
    creds = Object.freeze({ authorization });
    return true;
  };
  return {
    type: "token-file",
    get() {
      if (!creds || now() - readAt >= maxAge) {
        if (!creds) read();
        else {
          try {
            read();
          } catch {
            // Caught mid-rotation (the file briefly missing or empty): keep the token we have and
            // read again on the next call, as client-go's cachingTokenSource does.
          }
        }
      }
      return creds!;
    },
    async refresh(used) {
      if (creds !== used) return true;
      read();
      return true;
    },
  };
}

/** Where a client certificate comes from: PEM text, or files re-read as they rotate. @example clientCertificate({ certFile: "client.crt", keyFile: "client.key" }, 'user "admin"'); */
export interface ClientCertificateSource {
  cert?: string;
  key?: string;
  certFile?: string;
  keyFile?: string;
  /** Files: re-read when the certificate was read longer ago than this (default 5 min, as client-go). */
  maxAgeMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/**
 * A client certificate and key: PEM data, or files re-read every five minutes and after a 401 (a
 * rotated certificate makes the transport open new connections). Both are checked to parse and to
 * match.
 *
 * @example
 * const p = clientCertificate({ certFile: "/etc/kube/client.crt", keyFile: "/etc/kube/client.key" });
 */
export function clientCertificate(source: ClientCertificateSource, what = "client certificate"): CredentialProvider {
  const now = source.now ?? Date.now;
  const maxAge = source.maxAgeMs ?? 300_000;
  const fromFiles = Boolean(source.certFile || source.keyFile);
  let creds: Credentials | undefined;
  let readAt = 0;
  const load = (): Credentials => {
    const cert = source.cert ?? (source.certFile ? readConfigFile(source.certFile, `${what} client-certificate`) : undefined);
    const key = source.key ?? (source.keyFile ? readConfigFile(source.keyFile, `${what} client-key`) : undefined);
    if (!cert || !key) throw new ConfigError(`${what}: a client certificate needs both a certificate and a key`);
    readAt = now();
    const current = creds?.clientCertificate;
    if (current && current.cert === cert && current.key === key) return creds!;
    checkKeyPair(cert, key, what);
    return Object.freeze({ clientCertificate: Object.freeze({ cert, key }) });
  };
  creds = load();
  return {
    type: "client-certificate",
    get() {
      if (fromFiles && now() - readAt >= maxAge) {
        try {
          creds = load();
        } catch {
          // Caught mid-rotation (a new certificate, the old key): keep the pair we have, look again later.
          readAt = now();
        }
      }
      return creds!;
    },
    async refresh(used) {
      if (!fromFiles) return false;
      if (used.clientCertificate !== creds!.clientCertificate) return true;
      creds = load();
      return true;
    },
  };
}

/**
 * Several providers as one: the `Authorization` value from the first that gives one, the client
 * certificate from the first that gives one. A refresh refreshes every part.
 *
 * @example
 * const p = combineCredentials([tokenFile("/run/token"), clientCertificate({ cert, key })]);
 */
export function combineCredentials(parts: readonly CredentialProvider[]): CredentialProvider {
  if (parts.length === 0) return noCredentials();
  if (parts.length === 1) return parts[0]!;
  let lastParts: Credentials[] = [];
  let merged: Credentials = NONE;
  const mergeParts = (got: Credentials[]): Credentials => {
    if (got.length === lastParts.length && got.every((c, i) => c === lastParts[i])) return merged;
    const out: Credentials = {};
    for (const c of got) {
      if (c.authorization && !out.authorization) out.authorization = c.authorization;
      if (c.clientCertificate && !out.clientCertificate) out.clientCertificate = c.clientCertificate;
    }
    lastParts = got;
    merged = Object.freeze(out);
    return merged;
  };
  return {
    type: "combined",
    get() {
      const got = parts.map((p) => p.get());
      if (got.some((g) => g instanceof Promise)) return Promise.all(got).then(mergeParts);
      return mergeParts(got as Credentials[]);
    },
    async refresh(used) {
      if (used !== merged) return true;
      const results = await Promise.all(parts.map(async (p, i) => p.refresh(lastParts[i] ?? NONE)));
      return results.some(Boolean);
    },
  };
}
