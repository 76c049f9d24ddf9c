/**
 * The local API server's service account token issuer: JWTs signed with the server's own ES256
 * key (kube-apiserver's `--service-account-signing-key-file` may hold an EC key), with the claims
 * kube-apiserver writes (pkg/serviceaccount/claims.go and legacy.go), and the key published as
 * kube-apiserver publishes it for ServiceAccountIssuerDiscovery: `/.well-known/openid-configuration`
 * and `/openid/v1/jwks`, so a relying party can verify the tokens.
 */
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";

type Obj = Record<string, unknown>;

/** The issuer (`iss`) and default audience of the tokens, kube-apiserver's usual `--service-account-issuer`. */
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc";

/** JSON with object keys sorted, as go-jose writes merged claims (through a Go map). */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v as Obj).sort().map((k) => [k, (v as Obj)[k]])) : v,
  );
}

/** A name and uid, as a token's `kubernetes.io` claim refers to an object. */
export interface TokenObjectRef {
  name: string;
  uid: string;
}

/** What a bound token is bound to (`BoundObjectReference`, and the pod's node). */
export interface TokenBinding {
  pod?: TokenObjectRef;
  secret?: TokenObjectRef;
  node?: { name: string; uid?: string };
}

/**
 * Signs service account tokens and publishes the key that verifies them.
 *
 * @example
 * const issuer = new ServiceAccountIssuer();
 * const token = issuer.boundToken({ namespace: "default", name: "default", uid }, { seconds: 3600, audiences: [SERVICE_ACCOUNT_ISSUER] });
 */
export class ServiceAccountIssuer {
  /** `kid`: the unpadded base64url SHA-256 of the public key's DER, as kube-apiserver derives it. */
  readonly keyId: string;
  private readonly key: KeyObject;
  private readonly publicKey: KeyObject;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.key = privateKey;
    this.publicKey = publicKey;
    this.keyId = createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64url");
  }

  private sign(claims: Obj): string {
    const header = Buffer.from(JSON.stringify({ alg: "ES256", kid: this.keyId })).toString("base64url");
    const payload = Buffer.from(sortedJson(claims)).toString("base64url");
    const signature = sign("sha256", Buffer.from(`${header}.${payload}`), { key: this.key, dsaEncoding: "ieee-p1363" }).toString("base64url");
    return `${header}.${payload}.${signature}`;
  }

  /**
   * A TokenRequest's token (`token.Claims`): subject, audiences, issued and not-before now, the
   * expiry, a `jti` where the minor has ServiceAccountTokenJTI, and what it is bound to.
   */
  boundToken(sa: { namespace: string; name: string; uid: string }, options: { seconds: number; audiences: readonly string[]; binding?: TokenBinding; jti: boolean; now?: number }): { token: string; expires: number } {
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    const kubernetes: Obj = { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } };
    const binding = options.binding ?? {};
    if (binding.pod) kubernetes.pod = binding.pod;
    if (binding.secret) kubernetes.secret = binding.secret;
    if (binding.node) kubernetes.node = binding.node.uid ? binding.node : { name: binding.node.name };
    const claims: Obj = {
      aud: [...options.audiences],
      exp: now + options.seconds,
      iat: now,
      iss: SERVICE_ACCOUNT_ISSUER,
      ...(options.jti ? { jti: randomUUID() } : {}),
      "kubernetes.io": kubernetes,
      nbf: now,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    };
    return { token: this.sign(claims), expires: now + options.seconds };
  }

  /** A legacy token of a `kubernetes.io/service-account-token` Secret (`serviceaccount.LegacyClaims`): it never expires. */
  legacyToken(sa: { namespace: string; name: string; uid: string }, secretName: string): string {
    return this.sign({
      iss: "kubernetes/serviceaccount",
      "kubernetes.io/serviceaccount/namespace": sa.namespace,
      "kubernetes.io/serviceaccount/secret.name": secretName,
      "kubernetes.io/serviceaccount/service-account.name": sa.name,
      "kubernetes.io/serviceaccount/service-account.uid": sa.uid,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    });
  }

  /** `/.well-known/openid-configuration` for a server reached at `serverUrl`. */
  openIdConfiguration(serverUrl: string): Obj {
    return {
      issuer: SERVICE_ACCOUNT_ISSUER,
      jwks_uri: `${serverUrl.replace(/\/+$/, "")}/openid/v1/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
    };
  }

  /** `/openid/v1/jwks`: the verification key, as go-jose writes a JSON Web Key. */
  jwks(): Obj {
    const jwk = this.publicKey.export({ format: "jwk" });
    return { keys: [{ use: "sig", kty: "EC", kid: this.keyId, crv: "P-256", alg: "ES256", x: jwk.x, y: jwk.y }] };
  }
}
