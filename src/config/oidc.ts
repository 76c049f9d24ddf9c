/**
 * The `oidc` auth-provider, as client-go implements it: the `id-token` is used while its `exp` claim
 * is more than 10 s away; then (or after a 401) the `refresh-token` is exchanged at the issuer's
 * token endpoint, found through `<idp-issuer-url>/.well-known/openid-configuration`, for a new
 * id-token (and possibly a new refresh token). Refreshed tokens are written back into the kubeconfig
 * file the user came from, as kubectl does, unless `persist` is false; the rest of the file (order,
 * comments) is kept.
 */
import { parseYaml, stringifyYaml } from "../yaml/text.js";
import { readFileSync, writeFileSync } from "node:fs";
import type { Dispatcher } from "undici";
import { ConfigError } from "../errors.js";
import { checkToken, type CredentialProvider, type Credentials } from "./credentials.js";
import { refreshUnlessRotated } from "./refresh.js";
import { checkCertificates, decodeData, readConfigFile } from "./pem.js";
import { proxyFor, proxyFromEnv } from "./proxy.js";

const EXPIRY_DELTA_MS = 10_000;

/** Options of the OIDC provider. @example resolveCluster({ oidc: { persist: false } }); */
export interface OidcOptions {
  /** Write refreshed tokens back into the kubeconfig file (default true, as kubectl). */
  persist?: boolean;
  /** Environment for proxy settings (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** Where the auth-provider's config lives, for persisting refreshed tokens. @example const o: OidcOrigin = { file: "/home/me/.kube/config", user: "me" }; */
export interface OidcOrigin {
  file?: string;
  user: string;
}

/**
 * A provider for `auth-provider: { name: oidc, config: {...} }`.
 *
 * @example
 * const p = oidcCredentials({ "idp-issuer-url": "https://issuer", "client-id": "kube", "id-token": idToken, "refresh-token": rt }, { user: "me" });
 */
export function oidcCredentials(config: Record<string, string>, origin: OidcOrigin, options: OidcOptions = {}): CredentialProvider {
  const what = `user "${origin.user}" (oidc auth-provider)`;
  const issuer = config["idp-issuer-url"];
  const clientId = config["client-id"];
  if (!issuer) throw new ConfigError(`${what}: idp-issuer-url is required`);
  if (!clientId) throw new ConfigError(`${what}: client-id is required`);
  let ca: string | undefined;
  if (config["idp-certificate-authority-data"]) ca = checkCertificates(decodeData(config["idp-certificate-authority-data"], `${what} idp-certificate-authority-data`), `${what} idp-certificate-authority-data`);
  else if (config["idp-certificate-authority"]) ca = checkCertificates(readConfigFile(config["idp-certificate-authority"], `${what} idp-certificate-authority`), `${what} idp-certificate-authority`);
  const now = options.now ?? Date.now;
  let cfg = { ...config };
  let cached: Credentials | undefined;
  let refreshing: Promise<Credentials> | undefined;

  const current = (): Credentials | undefined => {
    const idToken = cfg["id-token"];
    if (!idToken) return undefined;
    if (cached?.authorization !== `Bearer ${idToken}`) cached = Object.freeze({ authorization: `Bearer ${idToken}` });
    return jwtExpiry(idToken, what) - EXPIRY_DELTA_MS > now() ? cached : undefined;
  };

  const refresh = (): Promise<Credentials> => {
    refreshing ??= (async () => {
      const refreshToken = cfg["refresh-token"];
      if (!refreshToken) throw new ConfigError(`${what}: no valid id-token, and cannot refresh without refresh-token`);
      const dispatcher = await dispatcherFor(issuer, ca, options.env);
      try {
        const tokenUrl = await tokenEndpoint(issuer, dispatcher, what);
        const tokens = await exchange(tokenUrl, clientId, cfg["client-secret"], refreshToken, dispatcher, what);
        const next: Record<string, string> = { ...cfg, "id-token": tokens.idToken };
        if (tokens.refreshToken && tokens.refreshToken !== refreshToken) next["refresh-token"] = tokens.refreshToken;
        if (options.persist !== false && origin.file) persistTokens(origin.file, origin.user, next, what);
        cfg = next;
        cached = Object.freeze({ authorization: `Bearer ${tokens.idToken}` });
        return cached;
      } finally {
        await dispatcher.close();
      }
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  return {
    type: "oidc",
    get: () => current() ?? refresh(),
    refresh: (used) => refreshUnlessRotated(used, cached, refreshing, refresh),
  };
}

/** The `exp` claim of a JWT in ms. */
function jwtExpiry(jwt: string, what: string): number {
  const parts = jwt.split(".");
  if (parts.length !== 3) throw new ConfigError(`${what}: id-token is not a valid JWT`);
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp * 1000 : 0;
  } catch {
    throw new ConfigError(`${what}: id-token is not a valid JWT (its claims do not decode)`);
  }
}

async function dispatcherFor(issuer: string, ca: string | undefined, env: NodeJS.ProcessEnv | undefined): Promise<Dispatcher> {
  const { Agent, ProxyAgent } = await import("undici");
  const tls = ca ? { ca } : {};
  const proxy = proxyFor(issuer, proxyFromEnv(env));
  return proxy ? new ProxyAgent({ uri: proxy, requestTls: tls }) : new Agent({ connect: tls });
}

async function tokenEndpoint(issuer: string, dispatcher: Dispatcher, what: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const { status, body } = await fetchText(url, { method: "GET", headers: { accept: "application/json" } }, dispatcher, what);
  if (status !== 200) throw new ConfigError(`${what}: ${url} answered HTTP ${status}`);
  let meta: { token_endpoint?: unknown };
  try {
    meta = JSON.parse(body) as typeof meta;
  } catch {
    throw new ConfigError(`${what}: ${url} did not return JSON`);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw new ConfigError(`${what}: ${url} did not return a JSON object`);
  if (typeof meta.token_endpoint !== "string" || !meta.token_endpoint) throw new ConfigError(`${what}: ${url} has no token_endpoint`);
  return meta.token_endpoint;
}

async function exchange(
  tokenUrl: string,
  clientId: string,
  clientSecret: string | undefined,
  refreshToken: string,
  dispatcher: Dispatcher,
  what: string,
): Promise<{ idToken: string; refreshToken?: string }> {
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  // Like golang.org/x/oauth2's auto-detection: client credentials in a Basic header first, in the form if that is refused.
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret ?? "")}`).toString("base64")}`;
  let res = await fetchText(tokenUrl, { method: "POST", headers: { ...headers, authorization: basic }, body: form.toString() }, dispatcher, what);
  if (res.status === 400 || res.status === 401) {
    const inForm = new URLSearchParams(form);
    inForm.set("client_id", clientId);
    if (clientSecret) inForm.set("client_secret", clientSecret);
    res = await fetchText(tokenUrl, { method: "POST", headers, body: inForm.toString() }, dispatcher, what);
  }
  let parsed: { id_token?: unknown; refresh_token?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    parsed = JSON.parse(res.body) as typeof parsed;
  } catch {
    if (res.status === 200) throw new ConfigError(`${what}: the token endpoint ${tokenUrl} did not return JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    if (res.status === 200) throw new ConfigError(`${what}: the token endpoint ${tokenUrl} did not return a JSON object`);
    parsed = {};
  }
  if (res.status !== 200) {
    const why = typeof parsed.error === "string" ? `: ${parsed.error}${typeof parsed.error_description === "string" ? ` (${parsed.error_description})` : ""}` : "";
    throw new ConfigError(`${what}: failed to refresh token at ${tokenUrl}: HTTP ${res.status}${why}`);
  }
  if (typeof parsed.id_token !== "string" || !parsed.id_token) {
    throw new ConfigError(
      `${what}: token response did not contain an id_token, either the scope "openid" wasn't requested upon login, or the provider doesn't support id_tokens as part of the refresh response`,
    );
  }
  checkToken(parsed.id_token, `${what}: the id_token from ${tokenUrl}`);
  return { idToken: parsed.id_token, ...(typeof parsed.refresh_token === "string" ? { refreshToken: parsed.refresh_token } : {}) };
}

/** Most bytes read from the issuer's discovery document or token endpoint (each is a few kilobytes). */
const MAX_OIDC_BODY_BYTES = 1024 * 1024;

async function fetchText(
  url: string,
  init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string },
  dispatcher: Dispatcher,
  what: string,
): Promise<{ status: number; body: string }> {
  try {
    const target = new URL(url);
    const res = await dispatcher.request({ origin: target.origin, path: target.pathname + target.search, ...init, headersTimeout: 30_000, bodyTimeout: 30_000 });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_OIDC_BODY_BYTES) {
        res.body.destroy();
        throw new ConfigError(`${what}: ${url} answered more than ${MAX_OIDC_BODY_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    return { status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${what}: cannot reach ${url}: ${(err as Error).message}`);
  }
}

/** Write the refreshed auth-provider config into the user's entry of its kubeconfig file. */
function persistTokens(file: string, user: string, config: Record<string, string>, what: string): void {
  // As client-go's persister: the file is read, the user's entry updated and the whole file written back.
  try {
    const doc = parseYaml(readFileSync(file, "utf8"), { source: file }) as { users?: Array<{ name?: unknown; user?: { "auth-provider"?: { config?: Record<string, string> } } }> } | null;
    const entry = doc?.users?.find((u) => u?.name === user);
    const target = entry?.user?.["auth-provider"];
    if (!doc || !target) return;
    target.config = { ...target.config, "id-token": config["id-token"]!, ...(config["refresh-token"] ? { "refresh-token": config["refresh-token"] } : {}) };
    writeFileSync(file, stringifyYaml(doc));
  } catch (err) {
    throw new ConfigError(`${what}: could not persist refreshed tokens to ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
