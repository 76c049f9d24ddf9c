/**
 * ConfigMaps and Secrets: keys, total size, the Secret types and the keys each requires,
 * `immutable` data (`ValidateConfigMap`, `ValidateSecret` and their updates in
 * pkg/apis/core/validation), `SetDefaults_Secret`, and `stringData` merged into `data` as the
 * v1 → internal conversion does before validation.
 */
import { isRecord } from "../../meta/values.js";
import type { ApiContext } from "../context.js";
import { FieldPath, forbidden, invalid, required, tooLong, type FieldError } from "../field.js";
import { isConfigMapKey } from "../validation/index.js";
import { deepEqual, rec, str } from "./object-values.js";

type Obj = Record<string, unknown>;

const MAX_SIZE = 1024 * 1024;
const REDACTED = "<secret contents redacted>";

/** Bytes a base64 text decodes to. */
function base64Length(text: string): number {
  const clean = text.replace(/[\r\n]/g, "");
  const pad = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - pad;
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function decodeBase64(text: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(text.replace(/[\r\n]/g, "")), (c) => c.charCodeAt(0)));
  } catch {
    return "";
  }
}

function encodeBase64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** `SetDefaults_Secret`, and `stringData` written over `data` as the conversion to the internal type does. */
export function defaultSecret(secret: Obj): void {
  if (!secret.type) secret.type = "Opaque";
  const stringData = rec(secret, "stringData");
  if (stringData) {
    const data = isRecord(secret.data) ? secret.data : (secret.data = {});
    for (const [k, v] of Object.entries(stringData)) if (typeof v === "string") data[k] = encodeBase64(v);
    delete secret.stringData;
  }
}

/** What Go's `json.Unmarshal` into a map says of a text, or undefined when it is a JSON object. */
function jsonObjectError(text: string): string | undefined {
  const t = text.trim();
  if (t === "") return "unexpected end of JSON input";
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    const first = t[0]!;
    if (!/[[{"\-0-9tfn]/.test(first)) return `invalid character '${first}' looking for beginning of value`;
    return "unexpected end of JSON input";
  }
  if (isRecord(parsed) || parsed === null) return undefined;
  const kind = Array.isArray(parsed) ? "array" : typeof parsed === "string" ? "string" : typeof parsed === "number" ? "number" : "bool";
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

/** Whether a Secret's data has a key (a null value is none). */
function hasKey(data: Obj, key: string): boolean {
  return Object.hasOwn(data, key) && data[key] !== null;
}

/** `ValidateSecret` without the object metadata. */
export function validateSecret(secret: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const dataPath = FieldPath.of("data");
  const data = rec(secret, "data") ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const m of isConfigMapKey(key)) errs.push(invalid(dataPath.key(key), key, m));
    if (typeof value === "string") total += base64Length(value);
  }
  if (total > MAX_SIZE) errs.push(tooLong(dataPath, undefined, MAX_SIZE, ctx.minor));
  switch (str(secret, "type")) {
    case "kubernetes.io/service-account-token": {
      const annotations = rec(rec(secret, "metadata"), "annotations");
      if (!str(annotations, "kubernetes.io/service-account.name")) {
        errs.push(required(FieldPath.of("metadata", "annotations").key("kubernetes.io/service-account.name")));
      }
      break;
    }
    case "kubernetes.io/dockercfg":
    case "kubernetes.io/dockerconfigjson": {
      const key = secret.type === "kubernetes.io/dockercfg" ? ".dockercfg" : ".dockerconfigjson";
      if (!hasKey(data, key)) {
        errs.push(required(dataPath.key(key)));
        break;
      }
      const value = data[key];
      const problem = typeof value === "string" ? jsonObjectError(decodeBase64(value)) : undefined;
      if (problem) errs.push(invalid(dataPath.key(key), REDACTED, problem));
      break;
    }
    case "kubernetes.io/basic-auth":
      if (!hasKey(data, "username") && !hasKey(data, "password")) errs.push(required(dataPath.key("username")), required(dataPath.key("password")));
      break;
    case "kubernetes.io/ssh-auth": {
      const key = data["ssh-privatekey"];
      if (typeof key !== "string" || base64Length(key) === 0) errs.push(required(dataPath.key("ssh-privatekey")));
      break;
    }
    case "kubernetes.io/tls":
      if (!hasKey(data, "tls.crt")) errs.push(required(dataPath.key("tls.crt")));
      if (!hasKey(data, "tls.key")) errs.push(required(dataPath.key("tls.key")));
      break;
  }
  return errs;
}

/** `ValidateSecretUpdate` beyond `ValidateSecret`: `type` and, once `immutable`, `data`. */
export function validateSecretUpdate(secret: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (str(secret, "type") !== str(old, "type")) errs.push(invalid(FieldPath.of("type"), str(secret, "type"), "field is immutable"));
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(forbidden(FieldPath.of("immutable"), "field is immutable when `immutable` is set"));
    if (!deepEqual(secret.data, old.data)) errs.push(forbidden(FieldPath.of("data"), "field is immutable when `immutable` is set"));
  }
  return errs;
}

/** `ValidateConfigMap` without the object metadata. */
export function validateConfigMap(cm: Obj, ctx: ApiContext): FieldError[] {
  const errs: FieldError[] = [];
  const data = rec(cm, "data") ?? {};
  const binary = rec(cm, "binaryData") ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    const path = FieldPath.of("data").key(key);
    for (const m of isConfigMapKey(key)) errs.push(invalid(path, key, m));
    if (Object.hasOwn(binary, key)) errs.push(invalid(path, key, "duplicate of key present in binaryData"));
    if (typeof value === "string") total += utf8Length(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const m of isConfigMapKey(key)) errs.push(invalid(FieldPath.of("binaryData").key(key), key, m));
    if (typeof value === "string") total += base64Length(value);
  }
  if (total > MAX_SIZE) errs.push(tooLong(FieldPath.root(), undefined, MAX_SIZE, ctx.minor));
  return errs;
}

/** `ValidateConfigMapUpdate` beyond `ValidateConfigMap`: nothing changes once `immutable`. */
export function validateConfigMapUpdate(cm: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable !== true) return errs;
  if (cm.immutable !== true) errs.push(forbidden(FieldPath.of("immutable"), "field is immutable when `immutable` is set"));
  if (!deepEqual(cm.data, old.data)) errs.push(forbidden(FieldPath.of("data"), "field is immutable when `immutable` is set"));
  if (!deepEqual(cm.binaryData, old.binaryData)) errs.push(forbidden(FieldPath.of("binaryData"), "field is immutable when `immutable` is set"));
  return errs;
}
