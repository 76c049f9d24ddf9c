/**
 * The kubeconfig file format (`apiVersion: v1`, `kind: Config`) as Zod schemas, field names exactly
 * as kubectl writes them. Objects are loose: fields this version does not know are kept, as
 * clientcmd ignores them.
 */
import * as z from "zod";

const str = z.string().nullish();
const bool = z.boolean().nullish();
const strings = z.array(z.string()).nullish();

/** `extensions: [{ name, extension }]` on clusters, users, contexts and the file. @example NamedExtensionSchema.parse({ name: "client.authentication.k8s.io/exec", extension: { audience: "x" } }); */
export const NamedExtensionSchema = z.looseObject({ name: z.string(), extension: z.unknown() });

/**
 * A cluster entry: where the API server is and how to trust it.
 *
 * @example
 * KubeconfigClusterSchema.parse({ server: "https://10.0.0.1:6443", "certificate-authority": "ca.crt" });
 */
export const KubeconfigClusterSchema = z.looseObject({
  server: str,
  "tls-server-name": str,
  "insecure-skip-tls-verify": bool,
  "certificate-authority": str,
  "certificate-authority-data": str,
  "proxy-url": str,
  "disable-compression": bool,
  extensions: z.array(NamedExtensionSchema).nullish(),
});

/**
 * An `exec` credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`).
 *
 * @example
 * ExecConfigSchema.parse({ apiVersion: "client.authentication.k8s.io/v1", command: "aws", args: ["eks", "get-token"], interactiveMode: "Never" });
 */
export const ExecConfigSchema = z.looseObject({
  command: z.string(),
  args: strings,
  env: z.array(z.looseObject({ name: z.string(), value: z.string() })).nullish(),
  apiVersion: z.string(),
  installHint: str,
  provideClusterInfo: bool,
  interactiveMode: z.enum(["Never", "IfAvailable", "Always"]).nullish(),
});

/**
 * An `auth-provider` entry (kubezod implements `oidc`).
 *
 * @example
 * AuthProviderConfigSchema.parse({ name: "oidc", config: { "idp-issuer-url": "https://issuer", "client-id": "kube" } });
 */
export const AuthProviderConfigSchema = z.looseObject({
  name: z.string(),
  config: z.record(z.string(), z.string()).nullish(),
});

/**
 * A user entry (`users[].user`): credentials and impersonation.
 *
 * @example
 * KubeconfigUserSchema.parse({ token: "…", as: "jane", "as-groups": ["devs"] });
 */
export const KubeconfigUserSchema = z.looseObject({
  "client-certificate": str,
  "client-certificate-data": str,
  "client-key": str,
  "client-key-data": str,
  token: str,
  tokenFile: str,
  as: str,
  "as-uid": str,
  "as-groups": strings,
  "as-user-extra": z.record(z.string(), z.array(z.string())).nullish(),
  username: str,
  password: str,
  "auth-provider": AuthProviderConfigSchema.nullish(),
  exec: ExecConfigSchema.nullish(),
  extensions: z.array(NamedExtensionSchema).nullish(),
});

/**
 * A context entry: a cluster, a user and a default namespace.
 *
 * @example
 * KubeconfigContextSchema.parse({ cluster: "prod", user: "admin", namespace: "web" });
 */
export const KubeconfigContextSchema = z.looseObject({
  cluster: z.string().nullish(),
  user: z.string().nullish(),
  namespace: str,
  extensions: z.array(NamedExtensionSchema).nullish(),
});

/**
 * A whole kubeconfig file.
 *
 * @example
 * const cfg = KubeConfigSchema.parse(yaml.parse(text));
 */
export const KubeConfigSchema = z.looseObject({
  apiVersion: str,
  kind: str,
  preferences: z.looseObject({}).nullish(),
  clusters: z.array(z.looseObject({ name: z.string(), cluster: KubeconfigClusterSchema.nullish() })).nullish(),
  users: z.array(z.looseObject({ name: z.string(), user: KubeconfigUserSchema.nullish() })).nullish(),
  contexts: z.array(z.looseObject({ name: z.string(), context: KubeconfigContextSchema.nullish() })).nullish(),
  "current-context": str,
  extensions: z.array(NamedExtensionSchema).nullish(),
});

/** A kubeconfig file's content (the YAML shape). @example const cfg: KubeConfig = { clusters: [{ name: "dev", cluster: { server: "https://127.0.0.1:6443" } }] }; */
export type KubeConfig = z.input<typeof KubeConfigSchema>;
/** `clusters[].cluster`. @example const c: KubeconfigCluster = { server: "https://10.0.0.1:6443" }; */
export type KubeconfigCluster = z.output<typeof KubeconfigClusterSchema>;
/** `users[].user`. @example const u: KubeconfigUser = { token: "…" }; */
export type KubeconfigUser = z.output<typeof KubeconfigUserSchema>;
/** `contexts[].context`. @example const c: KubeconfigContext = { cluster: "dev", user: "me", namespace: "web" }; */
export type KubeconfigContext = z.output<typeof KubeconfigContextSchema>;
/** `users[].user.exec`. @example const e: ExecConfig = { apiVersion: "client.authentication.k8s.io/v1", command: "get-token" }; */
export type ExecConfig = z.output<typeof ExecConfigSchema>;
/** `users[].user.auth-provider`. @example const p: AuthProviderConfig = { name: "oidc", config: {} }; */
export type AuthProviderConfig = z.output<typeof AuthProviderConfigSchema>;
