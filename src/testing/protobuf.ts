/**
 * Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which
 * kubectl's generator commands (`kubectl create namespace|configmap|secret|serviceaccount`) send.
 * The envelope (`k8s\0` + `runtime.Unknown`) is decoded in general; object bodies are decoded for
 * the kinds listed in `MESSAGES` (their field numbers), and refused with a clear 415 otherwise.
 */
import { statusError } from "./status.js";
import type { KubeApiError } from "../errors.js";

type Obj = Record<string, unknown>;

/** How one protobuf field maps to JSON. */
type FieldType = "string" | "bytes" | "int" | "bool" | "time" | `msg:${string}` | `map:${"string" | "bytes"}`;

interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** Kept even when empty (required in the JSON form). */
  keep?: boolean;
}

const f = (name: string, type: FieldType, extra: Partial<Field> = {}): Field => ({ name, type, ...extra });

/** Field numbers of the messages decoded here, as go-to-protobuf numbers them. */
const MESSAGES: Record<string, Record<number, Field>> = {
  TypeMeta: { 1: f("apiVersion", "string"), 2: f("kind", "string") },
  ObjectMeta: {
    1: f("name", "string"),
    2: f("generateName", "string"),
    3: f("namespace", "string"),
    4: f("selfLink", "string"),
    5: f("uid", "string"),
    6: f("resourceVersion", "string"),
    7: f("generation", "int"),
    8: f("creationTimestamp", "time"),
    9: f("deletionTimestamp", "time"),
    10: f("deletionGracePeriodSeconds", "int"),
    11: f("labels", "map:string"),
    12: f("annotations", "map:string"),
    13: f("ownerReferences", "msg:OwnerReference", { repeated: true }),
    14: f("finalizers", "string", { repeated: true }),
  },
  OwnerReference: {
    1: f("kind", "string", { keep: true }),
    3: f("name", "string", { keep: true }),
    4: f("uid", "string", { keep: true }),
    5: f("apiVersion", "string", { keep: true }),
    6: f("controller", "bool"),
    7: f("blockOwnerDeletion", "bool"),
  },
  ObjectReference: {
    1: f("kind", "string"),
    2: f("namespace", "string"),
    3: f("name", "string"),
    4: f("uid", "string"),
    5: f("apiVersion", "string"),
    6: f("resourceVersion", "string"),
    7: f("fieldPath", "string"),
  },
  LocalObjectReference: { 1: f("name", "string") },
  Namespace: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:NamespaceSpec"), 3: f("status", "msg:NamespaceStatus") },
  NamespaceSpec: { 1: f("finalizers", "string", { repeated: true }) },
  NamespaceStatus: { 1: f("phase", "string") },
  ConfigMap: { 1: f("metadata", "msg:ObjectMeta"), 2: f("data", "map:string"), 3: f("binaryData", "map:bytes"), 4: f("immutable", "bool") },
  Secret: { 1: f("metadata", "msg:ObjectMeta"), 2: f("data", "map:bytes"), 3: f("type", "string"), 4: f("stringData", "map:string"), 5: f("immutable", "bool") },
  ServiceAccount: {
    1: f("metadata", "msg:ObjectMeta"),
    2: f("secrets", "msg:ObjectReference", { repeated: true }),
    3: f("imagePullSecrets", "msg:LocalObjectReference", { repeated: true }),
    4: f("automountServiceAccountToken", "bool"),
  },
};

/** The kinds whose protobuf bodies can be decoded. */
export const PROTOBUF_KINDS = ["Namespace", "ConfigMap", "Secret", "ServiceAccount"];

interface Reader {
  buf: Buffer;
  pos: number;
}

function varint(r: Reader): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (r.pos >= r.buf.length) throw new Error("truncated varint");
    const b = r.buf[r.pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return result;
    shift += 7n;
    if (shift > 70n) throw new Error("varint too long");
  }
}

/** Every field of a message: number, wire type and raw value. */
function fields(buf: Buffer): Array<{ no: number; wire: number; value: bigint | Buffer }> {
  const r: Reader = { buf, pos: 0 };
  const out: Array<{ no: number; wire: number; value: bigint | Buffer }> = [];
  while (r.pos < buf.length) {
    const key = Number(varint(r));
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint(r) });
    else if (wire === 2) {
      const len = Number(varint(r));
      if (r.pos + len > buf.length) throw new Error("truncated field");
      out.push({ no, wire, value: buf.subarray(r.pos, r.pos + len) });
      r.pos += len;
    } else if (wire === 1) {
      out.push({ no, wire, value: buf.subarray(r.pos, r.pos + 8) });
      r.pos += 8;
    } else if (wire === 5) {
      out.push({ no, wire, value: buf.subarray(r.pos, r.pos + 4) });
      r.pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

function signed(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function decodeMessage(type: string, buf: Buffer): Obj {
  const spec = MESSAGES[type];
  if (!spec) throw new Error(`no field table for ${type}`);
  const out: Obj = {};
  for (const { no, value } of fields(buf)) {
    const field = spec[no];
    if (!field) {
      if (Buffer.isBuffer(value) && value.length === 0) continue;
      throw new Error(`${type} field ${no} is not known`);
    }
    const decoded = decodeValue(field, value);
    if (field.type.startsWith("map:")) {
      const [k, v] = decoded as [string, unknown];
      out[field.name] = { ...((out[field.name] as Obj | undefined) ?? {}), [k]: v };
    } else if (field.repeated) {
      out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), decoded];
    } else out[field.name] = decoded;
  }
  for (const [no, field] of Object.entries(spec)) {
    void no;
    const v = out[field.name];
    if (field.keep) continue;
    if (v === "" || v === 0 || v === false || (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0 && field.name !== "metadata")) delete out[field.name];
  }
  return out;
}

function decodeValue(field: Field, value: bigint | Buffer): unknown {
  switch (field.type) {
    case "string":
      return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
    case "bytes":
      return Buffer.isBuffer(value) ? value.toString("base64") : "";
    case "int":
      return typeof value === "bigint" ? signed(value) : 0;
    case "bool":
      return typeof value === "bigint" ? value !== 0n : false;
    case "time": {
      if (!Buffer.isBuffer(value)) return null;
      let seconds = 0;
      for (const fv of fields(value)) if (fv.no === 1 && typeof fv.value === "bigint") seconds = signed(fv.value);
      return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    }
    default: {
      if (!Buffer.isBuffer(value)) throw new Error(`${field.name}: expected a message`);
      if (field.type.startsWith("map:")) {
        let k = "";
        let v: unknown = field.type === "map:bytes" ? "" : "";
        for (const fv of fields(value)) {
          if (fv.no === 1 && Buffer.isBuffer(fv.value)) k = fv.value.toString("utf8");
          if (fv.no === 2 && Buffer.isBuffer(fv.value)) v = field.type === "map:bytes" ? fv.value.toString("base64") : fv.value.toString("utf8");
        }
        return [k, v];
      }
      return decodeMessage(field.type.slice(4), value);
    }
  }
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

function unsupported(message: string): KubeApiError {
  return statusError(415, "UnsupportedMediaType", message);
}

/** Decode a protobuf request body into the object's JSON form. */
export function decodeProtobuf(body: Buffer): Obj {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw statusError(400, "BadRequest", "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  let typeMeta: Obj = {};
  let raw: Buffer | undefined;
  try {
    for (const { no, value } of fields(body.subarray(4))) {
      if (no === 1 && Buffer.isBuffer(value)) typeMeta = decodeMessage("TypeMeta", value);
      if (no === 2 && Buffer.isBuffer(value)) raw = value;
    }
  } catch (e) {
    throw statusError(400, "BadRequest", `unable to decode protobuf envelope: ${(e as Error).message}`);
  }
  const kind = String(typeMeta.kind ?? "");
  if (!MESSAGES[kind] || !PROTOBUF_KINDS.includes(kind)) {
    throw unsupported(`protobuf request bodies are decoded for ${PROTOBUF_KINDS.join(", ")}; send ${kind || "this object"} as application/json`);
  }
  try {
    return { apiVersion: typeMeta.apiVersion, kind, ...decodeMessage(kind, raw ?? Buffer.alloc(0)) };
  } catch (e) {
    throw unsupported(`cannot decode the protobuf body of ${kind}: ${(e as Error).message}; send it as application/json`);
  }
}
