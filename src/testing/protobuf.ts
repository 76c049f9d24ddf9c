/**
 * Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which
 * kubectl's generator commands (`kubectl create namespace|configmap|deployment|role|…`) send.
 * The envelope (`k8s\0` + `runtime.Unknown`) is decoded in general; object bodies are decoded for
 * the kinds listed in `MESSAGES` (their field numbers), and refused with a clear 415 otherwise.
 */
import { statusError } from "./status.js";
import type { KubeApiError } from "../errors.js";

type Obj = Record<string, unknown>;

/** How one protobuf field maps to JSON. */
type FieldType = "string" | "bytes" | "int" | "bool" | "time" | "intorstring" | "quantity" | `msg:${string}` | `map:${"string" | "bytes" | "quantity"}`;

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
  LabelSelector: { 1: f("matchLabels", "map:string"), 2: f("matchExpressions", "msg:LabelSelectorRequirement", { repeated: true }) },
  LabelSelectorRequirement: { 1: f("key", "string", { keep: true }), 2: f("operator", "string", { keep: true }), 3: f("values", "string", { repeated: true }) },
  PodTemplateSpec: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:PodSpec") },
  PodSpec: {
    2: f("containers", "msg:Container", { repeated: true, keep: true }),
    3: f("restartPolicy", "string"),
    4: f("terminationGracePeriodSeconds", "int"),
    5: f("activeDeadlineSeconds", "int"),
    6: f("dnsPolicy", "string"),
    7: f("nodeSelector", "map:string"),
    8: f("serviceAccountName", "string"),
    10: f("nodeName", "string"),
    11: f("hostNetwork", "bool"),
    15: f("imagePullSecrets", "msg:LocalObjectReference", { repeated: true }),
    16: f("hostname", "string"),
    17: f("subdomain", "string"),
    19: f("schedulerName", "string"),
    20: f("initContainers", "msg:Container", { repeated: true }),
    24: f("priorityClassName", "string"),
  },
  Container: {
    1: f("name", "string", { keep: true }),
    2: f("image", "string"),
    3: f("command", "string", { repeated: true }),
    4: f("args", "string", { repeated: true }),
    5: f("workingDir", "string"),
    6: f("ports", "msg:ContainerPort", { repeated: true }),
    7: f("env", "msg:EnvVar", { repeated: true }),
    8: f("resources", "msg:ResourceRequirements"),
    13: f("terminationMessagePath", "string"),
    14: f("imagePullPolicy", "string"),
    16: f("stdin", "bool"),
    17: f("stdinOnce", "bool"),
    18: f("tty", "bool"),
    20: f("terminationMessagePolicy", "string"),
  },
  ContainerPort: { 1: f("name", "string"), 2: f("hostPort", "int"), 3: f("containerPort", "int", { keep: true }), 4: f("protocol", "string"), 5: f("hostIP", "string") },
  EnvVar: { 1: f("name", "string", { keep: true }), 2: f("value", "string") },
  ResourceRequirements: { 1: f("limits", "map:quantity"), 2: f("requests", "map:quantity") },
  Deployment: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:DeploymentSpec"), 3: f("status", "msg:Ignored") },
  DeploymentSpec: {
    1: f("replicas", "int", { keep: true }),
    2: f("selector", "msg:LabelSelector"),
    3: f("template", "msg:PodTemplateSpec"),
    4: f("strategy", "msg:Ignored"),
    5: f("minReadySeconds", "int"),
    6: f("revisionHistoryLimit", "int"),
    7: f("paused", "bool"),
    9: f("progressDeadlineSeconds", "int"),
  },
  Job: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:JobSpec"), 3: f("status", "msg:Ignored") },
  JobSpec: {
    1: f("parallelism", "int", { keep: true }),
    2: f("completions", "int", { keep: true }),
    3: f("activeDeadlineSeconds", "int"),
    4: f("selector", "msg:LabelSelector"),
    5: f("manualSelector", "bool"),
    6: f("template", "msg:PodTemplateSpec"),
    7: f("backoffLimit", "int", { keep: true }),
    8: f("ttlSecondsAfterFinished", "int", { keep: true }),
    10: f("suspend", "bool"),
  },
  CronJob: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:CronJobSpec"), 3: f("status", "msg:Ignored") },
  CronJobSpec: {
    1: f("schedule", "string", { keep: true }),
    2: f("startingDeadlineSeconds", "int"),
    3: f("concurrencyPolicy", "string"),
    4: f("suspend", "bool"),
    5: f("jobTemplate", "msg:JobTemplateSpec"),
    6: f("successfulJobsHistoryLimit", "int"),
    7: f("failedJobsHistoryLimit", "int"),
    8: f("timeZone", "string"),
  },
  JobTemplateSpec: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:JobSpec") },
  Service: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:ServiceSpec"), 3: f("status", "msg:Ignored") },
  ServiceSpec: {
    1: f("ports", "msg:ServicePort", { repeated: true }),
    2: f("selector", "map:string"),
    3: f("clusterIP", "string"),
    4: f("type", "string"),
    5: f("externalIPs", "string", { repeated: true }),
    7: f("sessionAffinity", "string"),
    8: f("loadBalancerIP", "string"),
    10: f("externalName", "string"),
    18: f("clusterIPs", "string", { repeated: true }),
  },
  ServicePort: { 1: f("name", "string"), 2: f("protocol", "string"), 3: f("port", "int", { keep: true }), 4: f("targetPort", "intorstring"), 5: f("nodePort", "int"), 6: f("appProtocol", "string") },
  Role: { 1: f("metadata", "msg:ObjectMeta"), 2: f("rules", "msg:PolicyRule", { repeated: true }) },
  ClusterRole: { 1: f("metadata", "msg:ObjectMeta"), 2: f("rules", "msg:PolicyRule", { repeated: true }) },
  PolicyRule: {
    1: f("verbs", "string", { repeated: true }),
    2: f("apiGroups", "string", { repeated: true }),
    3: f("resources", "string", { repeated: true }),
    4: f("resourceNames", "string", { repeated: true }),
    5: f("nonResourceURLs", "string", { repeated: true }),
  },
  RoleBinding: { 1: f("metadata", "msg:ObjectMeta"), 2: f("subjects", "msg:Subject", { repeated: true }), 3: f("roleRef", "msg:RoleRef") },
  ClusterRoleBinding: { 1: f("metadata", "msg:ObjectMeta"), 2: f("subjects", "msg:Subject", { repeated: true }), 3: f("roleRef", "msg:RoleRef") },
  Subject: { 1: f("kind", "string", { keep: true }), 2: f("apiGroup", "string"), 3: f("name", "string", { keep: true }), 4: f("namespace", "string") },
  RoleRef: { 1: f("apiGroup", "string", { keep: true }), 2: f("kind", "string", { keep: true }), 3: f("name", "string", { keep: true }) },
  PriorityClass: { 1: f("metadata", "msg:ObjectMeta"), 2: f("value", "int", { keep: true }), 3: f("globalDefault", "bool"), 4: f("description", "string"), 5: f("preemptionPolicy", "string") },
  ResourceQuota: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:ResourceQuotaSpec"), 3: f("status", "msg:Ignored") },
  ResourceQuotaSpec: { 1: f("hard", "map:quantity"), 2: f("scopes", "string", { repeated: true }) },
  PodDisruptionBudget: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:PodDisruptionBudgetSpec"), 3: f("status", "msg:Ignored") },
  PodDisruptionBudgetSpec: { 1: f("minAvailable", "intorstring", { keep: true }), 2: f("selector", "msg:LabelSelector"), 3: f("maxUnavailable", "intorstring", { keep: true }), 4: f("unhealthyPodEvictionPolicy", "string") },
  TokenRequest: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:TokenRequestSpec"), 3: f("status", "msg:Ignored") },
  TokenRequestSpec: { 1: f("audiences", "string", { repeated: true }), 3: f("boundObjectRef", "msg:BoundObjectReference"), 4: f("expirationSeconds", "int", { keep: true }) },
  BoundObjectReference: { 1: f("kind", "string"), 2: f("apiVersion", "string"), 3: f("name", "string"), 4: f("uid", "string") },
  SelfSubjectAccessReview: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:SelfSubjectAccessReviewSpec"), 3: f("status", "msg:Ignored") },
  SelfSubjectAccessReviewSpec: { 1: f("resourceAttributes", "msg:ResourceAttributes"), 2: f("nonResourceAttributes", "msg:NonResourceAttributes") },
  ResourceAttributes: {
    1: f("namespace", "string"),
    2: f("verb", "string"),
    3: f("group", "string"),
    4: f("version", "string"),
    5: f("resource", "string"),
    6: f("subresource", "string"),
    7: f("name", "string"),
  },
  NonResourceAttributes: { 1: f("path", "string"), 2: f("verb", "string") },
  SelfSubjectReview: { 1: f("metadata", "msg:ObjectMeta"), 2: f("status", "msg:Ignored") },
  SelfSubjectRulesReview: { 1: f("metadata", "msg:ObjectMeta"), 2: f("spec", "msg:SelfSubjectRulesReviewSpec"), 3: f("status", "msg:Ignored") },
  SelfSubjectRulesReviewSpec: { 1: f("namespace", "string") },
  /** Status and strategy, which kubectl's generators send as zero values: ignored (status is reset on create anyway). */
  Ignored: {},
};

/** The kinds whose protobuf bodies can be decoded. */
export const PROTOBUF_KINDS = [
  "Namespace",
  "ConfigMap",
  "Secret",
  "ServiceAccount",
  "Deployment",
  "Job",
  "CronJob",
  "Service",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "PriorityClass",
  "ResourceQuota",
  "PodDisruptionBudget",
  "TokenRequest",
  "SelfSubjectAccessReview",
  "SelfSubjectReview",
  "SelfSubjectRulesReview",
];

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
      // Zero values of fields not listed carry nothing (Go encodes non-pointer fields always).
      if (type === "Ignored" || (Buffer.isBuffer(value) ? value.length === 0 : value === 0n)) continue;
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
      let seconds: number | undefined;
      for (const fv of fields(value)) if (fv.no === 1 && typeof fv.value === "bigint") seconds = signed(fv.value);
      // An unset, non-pointer timestamp (Go's zero time) encodes as an empty message.
      if (seconds === undefined || seconds <= ZERO_TIME_SECONDS) return "";
      return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    }
    case "intorstring": {
      if (!Buffer.isBuffer(value)) return 0;
      let type = 0;
      let int = 0;
      let str = "";
      for (const fv of fields(value)) {
        if (fv.no === 1 && typeof fv.value === "bigint") type = Number(fv.value);
        if (fv.no === 2 && typeof fv.value === "bigint") int = signed(fv.value);
        if (fv.no === 3 && Buffer.isBuffer(fv.value)) str = fv.value.toString("utf8");
      }
      return type === 1 ? str : int;
    }
    case "quantity":
      return quantityOf(value);
    default: {
      if (!Buffer.isBuffer(value)) throw new Error(`${field.name}: expected a message`);
      if (field.type.startsWith("map:")) {
        let k = "";
        let v: unknown = field.type === "map:bytes" ? "" : "";
        for (const fv of fields(value)) {
          if (fv.no === 1 && Buffer.isBuffer(fv.value)) k = fv.value.toString("utf8");
          if (fv.no === 2 && Buffer.isBuffer(fv.value)) {
            v = field.type === "map:bytes" ? fv.value.toString("base64") : field.type === "map:quantity" ? quantityOf(fv.value) : fv.value.toString("utf8");
          }
        }
        return [k, v];
      }
      return decodeMessage(field.type.slice(4), value);
    }
  }
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Unix seconds of Go's zero time, 0001-01-01T00:00:00Z. */
const ZERO_TIME_SECONDS = -62135596800;

/** A resource.Quantity message: its string form (field 1). */
function quantityOf(value: bigint | Buffer): string {
  if (!Buffer.isBuffer(value)) return "";
  for (const fv of fields(value)) if (fv.no === 1 && Buffer.isBuffer(fv.value)) return fv.value.toString("utf8");
  return "";
}

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
