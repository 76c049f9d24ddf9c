/**
 * Kubernetes' protobuf IDL (the `generated.proto` files of k8s.io/api and k8s.io/apimachinery) →
 * the message table the protobuf codec reads (`schemas/protobuf.js`).
 *
 * The IDL gives field numbers and wire types; the OpenAPI definitions give what the IDL does not:
 * the JSON name of each field (go-to-protobuf names a few fields after the Go field, `Webhooks`,
 * `uID`), which fields are embedded Go structs inlined into their parent in JSON
 * (`localObjectReference` in `ConfigMapEnvSource`), which fields are required, and which message
 * serves each group/version/kind.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { GeneratedFile } from "./layout.js";
import { SpecError, type RawSchema } from "../src/meta/openapi/schema-reader.js";

/** One field of a message as the IDL declares it. */
export interface ProtoField {
  no: number;
  name: string;
  label: "optional" | "repeated" | "required" | "map";
  /** A scalar type name or a fully qualified message name. */
  type: string;
  keyType?: string;
}

/** A message with its fully qualified name (`k8s.io.api.apps.v1.Deployment`). */
export interface ProtoMessage {
  name: string;
  fields: ProtoField[];
  source: string;
}

const SCALARS = new Set(["string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "double", "float"]);

/** Field flags in the generated table. */
export const FLAG = { repeated: 1, map: 2, inline: 4, required: 8, zeroIsUnset: 16 } as const;

/**
 * Number and boolean fields that are plain (non-pointer, `omitempty`) Go fields: Go writes them
 * into every message, zero or not, and leaves their zero out of JSON. The IDL does not say which
 * fields are pointers; these are read from the Go types of k8s.io/api and apimachinery (a field
 * missing here keeps its zero, which is always what the Go struct holds).
 */
const ZERO_IS_UNSET: Record<string, string[]> = {
  "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta": ["generation"],
  "k8s.io.api.core.v1.PodSpec": ["hostNetwork", "hostPID", "hostIPC"],
  "k8s.io.api.core.v1.Container": ["stdin", "stdinOnce", "tty"],
  "k8s.io.api.core.v1.EphemeralContainerCommon": ["stdin", "stdinOnce", "tty"],
  "k8s.io.api.core.v1.ContainerPort": ["hostPort"],
  "k8s.io.api.core.v1.ServicePort": ["nodePort"],
  "k8s.io.api.core.v1.ServiceSpec": ["publishNotReadyAddresses"],
  "k8s.io.api.core.v1.VolumeMount": ["readOnly"],
  "k8s.io.api.core.v1.Probe": ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"],
  "k8s.io.api.apps.v1.DeploymentSpec": ["minReadySeconds", "paused"],
  "k8s.io.api.apps.v1.ReplicaSetSpec": ["minReadySeconds"],
  "k8s.io.api.apps.v1.StatefulSetSpec": ["minReadySeconds"],
  "k8s.io.api.apps.v1.DaemonSetSpec": ["minReadySeconds"],
  "k8s.io.api.apps.v1.DeploymentStatus": ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"],
  "k8s.io.api.apps.v1.ReplicaSetStatus": ["fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"],
  "k8s.io.api.apps.v1.StatefulSetStatus": ["observedGeneration", "readyReplicas", "currentReplicas", "updatedReplicas"],
  "k8s.io.api.batch.v1.JobStatus": ["active", "succeeded", "failed"],
};

function protoFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith(".proto")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Parse one `generated.proto` (proto2 as go-to-protobuf writes it: messages of scalar, message and map fields). */
export function parseProto(text: string, source: string): ProtoMessage[] {
  const code = withoutComments(text);
  const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(code)?.[1];
  if (!pkg) throw new SpecError(`${source}: no package declaration`);
  const out: ProtoMessage[] = [];
  const lineOf = (offset: number) => code.slice(0, offset).split("\n").length;
  const re = /\bmessage\s+(\w+)\s*\{([^{}]*)\}/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const fields: ProtoField[] = [];
    let offset = m.index + m[0].indexOf("{") + 1;
    for (const stmt of m[2]!.split(";")) {
      const t = stmt.trim();
      const at = offset;
      offset += stmt.length + 1;
      if (!t) continue;
      const resolve = (type: string) => (SCALARS.has(type) ? type : type.startsWith(".") ? type.slice(1) : `${pkg}.${type}`);
      let f = /^(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)(?:\s*\[[^\]]*\])?$/.exec(t);
      if (f) {
        fields.push({ label: f[1] as ProtoField["label"], type: resolve(f[2]!), name: f[3]!, no: Number(f[4]) });
        continue;
      }
      f = /^map\s*<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)$/.exec(t);
      if (f) {
        if (f[1] !== "string") throw new SpecError(`${source}:${lineOf(at)}: map key type ${f[1]} is not supported (only string keys)`);
        fields.push({ label: "map", keyType: f[1], type: resolve(f[2]!), name: f[3]!, no: Number(f[4]) });
        continue;
      }
      throw new SpecError(`${source}:${lineOf(at)}: cannot read field declaration "${t.replace(/\s+/g, " ")}" of message ${m[1]}`);
    }
    out.push({ name: `${pkg}.${m[1]}`, fields, source });
  }
  return out;
}

/** The text with comments blanked out (newlines kept, so offsets still give line numbers). */
function withoutComments(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const stop = end < 0 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Every message of the `.proto` files under a directory. */
export function readProtoDir(dir: string): Map<string, ProtoMessage> {
  const messages = new Map<string, ProtoMessage>();
  for (const file of protoFiles(dir)) {
    const source = relative(dir, file).split("\\").join("/");
    for (const msg of parseProto(readFileSync(file, "utf8"), source)) messages.set(msg.name, msg);
  }
  if (!messages.size) throw new SpecError(`${dir}: no .proto files with messages found`);
  return messages;
}

/** Messages the codec handles by hand (their JSON form is not an object of their fields). */
const SPECIAL = new Set([
  "k8s.io.apimachinery.pkg.apis.meta.v1.Time",
  "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime",
  "k8s.io.apimachinery.pkg.apis.meta.v1.Duration",
  "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1",
  "k8s.io.apimachinery.pkg.api.resource.Quantity",
  "k8s.io.apimachinery.pkg.api.resource.QuantityValue",
  "k8s.io.apimachinery.pkg.util.intstr.IntOrString",
  "k8s.io.apimachinery.pkg.runtime.RawExtension",
]);

const ENVELOPE = ["k8s.io.apimachinery.pkg.runtime.Unknown", "k8s.io.apimachinery.pkg.runtime.TypeMeta"];

function definitionName(message: string): string {
  return message.replace(/^k8s\.io\./, "io.k8s.");
}

function shortName(type: string): string {
  return type.slice(type.lastIndexOf(".") + 1);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

interface Row {
  no: number;
  json: string;
  type: string;
  flags: number;
}

/**
 * The table for the codec: messages reachable from the served kinds (with JSON names, inlining
 * and required flags resolved against the OpenAPI definitions), the group/version/kind index and
 * the messages that stand for plain JSON arrays (Go named slices such as `ExtraValue`).
 */
export function protobufTable(messages: Map<string, ProtoMessage>, definitions: Record<string, RawSchema>) {
  const kinds = new Map<string, string>();
  for (const [defName, def] of Object.entries(definitions)) {
    const gvks = def["x-kubernetes-group-version-kind"];
    if (!Array.isArray(gvks)) continue;
    const message = defName.replace(/^io\.k8s\./, "k8s.io.");
    if (!messages.has(message)) continue;
    for (const g of gvks as Array<{ group?: string; version?: string; kind?: string }>) {
      const apiVersion = g.group ? `${g.group}/${g.version}` : String(g.version);
      const key = `${apiVersion}/${g.kind}`;
      // One message per kind; a group/version/kind named by two definitions keeps the one of its own package.
      const own = message.includes(`.${(g.group ?? "").split(".")[0] || "core"}.`);
      if (!kinds.has(key) || own) kinds.set(key, message);
    }
  }
  const arrays = new Set<string>();
  const rows = new Map<string, Row[]>();
  const pending = [...new Set([...kinds.values(), ...ENVELOPE])].sort();
  const seen = new Set(pending);
  const visit = (type: string) => {
    if (SCALARS.has(type) || seen.has(type)) return;
    if (!messages.has(type)) throw new SpecError(`protobuf message ${type} is referenced but not defined in the IDL`);
    seen.add(type);
    pending.push(type);
  };
  const jsonNames = (message: string): Set<string> => {
    const def = definitions[definitionName(message)];
    const props = def && typeof def.properties === "object" && def.properties ? Object.keys(def.properties) : [];
    return new Set(props);
  };
  while (pending.length) {
    const name = pending.shift()!;
    const msg = messages.get(name)!;
    if (SPECIAL.has(name)) {
      rows.set(name, msg.fields.map((f) => ({ no: f.no, json: f.name, type: f.type, flags: f.label === "repeated" ? FLAG.repeated : 0 })));
      continue;
    }
    const def = definitions[definitionName(name)];
    const props = jsonNames(name);
    const required = new Set(Array.isArray(def?.required) ? (def.required as string[]) : []);
    if (!def && msg.fields.length === 1 && msg.fields[0]!.name === "items" && msg.fields[0]!.label === "repeated") arrays.add(name);
    const out: Row[] = [];
    for (const f of msg.fields) {
      visit(f.type);
      let json = f.name;
      let flags = f.label === "repeated" ? FLAG.repeated : f.label === "map" ? FLAG.map : 0;
      if (!props.has(f.name)) {
        const folded = [...props].find((p) => p.toLowerCase() === f.name.toLowerCase());
        if (folded) json = folded;
        // go-to-protobuf names an embedded struct after its type; JSON inlines its fields into the parent.
        else if (def && !SCALARS.has(f.type) && !SPECIAL.has(f.type) && f.label === "optional" && f.name === lowerFirst(shortName(f.type))) flags |= FLAG.inline;
      }
      if (required.has(json)) flags |= FLAG.required;
      if (ZERO_IS_UNSET[name]?.includes(json)) flags |= FLAG.zeroIsUnset;
      out.push({ no: f.no, json, type: f.type, flags });
    }
    rows.set(name, out.sort((a, b) => a.no - b.no));
  }
  return { kinds, rows, arrays };
}

function q(s: string): string {
  return JSON.stringify(s);
}

/**
 * `protobuf.js` and `protobuf.d.ts` for `schemas/`, from the IDL directory and the OpenAPI
 * definitions of every bundled minor (newest last, so its definitions win).
 */
export function protobufFiles(protoDir: string, definitionSets: Array<Record<string, RawSchema>>, banner: string): GeneratedFile[] {
  const definitions: Record<string, RawSchema> = Object.assign({}, ...definitionSets);
  const messagesIn = readProtoDir(protoDir);
  const { kinds, rows, arrays } = protobufTable(messagesIn, definitions);
  const js: string[] = [banner, "// Kubernetes protobuf messages (from k8s.io/api and k8s.io/apimachinery generated.proto): [number, JSON name, type, flags]."];
  js.push("// Flags: 1 repeated, 2 map (string keys), 4 embedded struct inlined in JSON, 8 required, 16 zero means unset.");
  js.push("export const messages = {");
  for (const name of [...rows.keys()].sort()) {
    const fields = rows.get(name)!.map((r) => `[${r.no},${q(r.json)},${q(r.type)},${r.flags}]`).join(",");
    js.push(`  ${q(name)}: [${fields}],`);
  }
  js.push("};");
  js.push("// The message of each group/version/kind (`apps/v1/Deployment`).");
  js.push("export const kinds = {");
  for (const key of [...kinds.keys()].sort()) js.push(`  ${q(key)}: ${q(kinds.get(key)!)},`);
  js.push("};");
  const defined = [...messagesIn.values()]
    .filter((m) => m.name.startsWith("k8s.io.api.") && m.fields.some((f) => f.name === "metadata" && f.type === "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"))
    .map((m) => m.name.slice("k8s.io.api.".length))
    .sort();
  js.push("// Every kind the IDL defines (`apps.v1beta2.Deployment`), served or not: what the apiserver's scheme knows.");
  js.push(`export const defined = [${defined.map(q).join(", ")}];`);
  js.push("// Messages that stand for JSON arrays (Go named slice types): their one field is the items.");
  js.push(`export const arrays = [${[...arrays].sort().map(q).join(", ")}];`);
  js.push("");
  const dts = [
    banner,
    "/** A message field: number, JSON name, type (scalar or message name) and flags (1 repeated, 2 map, 4 inlined, 8 required, 16 zero means unset). */",
    "export type ProtoFieldSpec = readonly [number, string, string, number];",
    "/** Every message the codec knows, by fully qualified name. */",
    "export declare const messages: Readonly<Record<string, readonly ProtoFieldSpec[]>>;",
    "/** The message of each `apiVersion/kind`. */",
    "export declare const kinds: Readonly<Record<string, string>>;",
    "/** Kinds the IDL defines (`apps.v1beta2.Deployment`), served or not. */",
    "export declare const defined: readonly string[];",
    "/** Messages whose JSON form is an array of their one repeated field. */",
    "export declare const arrays: readonly string[];",
    "",
  ];
  return [
    { path: "protobuf.js", text: js.join("\n") },
    { path: "protobuf.d.ts", text: dts.join("\n") },
  ];
}
