/**
 * Random edits of real objects for the property tests: containers, env, ports, volumes, labels,
 * finalizers and tolerations added, removed, changed and reordered (keeping merge keys unique, as
 * the apiserver requires).
 */
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pod } from "../../bench/fixtures.js";
import { repoRoot } from "../support/shared.js";

type Obj = Record<string, unknown>;
type Item = Record<string, unknown>;

export type Edit =
  | { t: "addContainer"; at: number; name: string; image: string }
  | { t: "removeContainer"; i: number }
  | { t: "moveContainer"; from: number; to: number }
  | { t: "setImage"; i: number; image: string }
  | { t: "addEnv"; c: number; at: number; name: string; value: string }
  | { t: "removeEnv"; c: number; i: number }
  | { t: "moveEnv"; c: number; from: number; to: number }
  | { t: "setEnv"; c: number; i: number; value: string }
  | { t: "addPort"; c: number; port: number }
  | { t: "removePort"; c: number; i: number }
  | { t: "addVolume"; name: string; secret: boolean }
  | { t: "removeVolume"; i: number }
  | { t: "switchVolume"; i: number }
  | { t: "setLabel"; key: string; value: string }
  | { t: "removeLabel"; key: string }
  | { t: "addFinalizer"; at: number; name: string }
  | { t: "removeFinalizer"; i: number }
  | { t: "moveFinalizer"; from: number; to: number }
  | { t: "addToleration"; key: string }
  | { t: "removeToleration"; i: number };

const small = fc.integer({ min: 0, max: 7 });
const word = fc.constantFrom("a", "b", "c", "web", "sidecar", "init", "x-1", "y.2");
const key = fc.constantFrom("app", "tier", "env", "example.com/team", "version");

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ t: fc.constant("addContainer" as const), at: small, name: word, image: word }),
  fc.record({ t: fc.constant("removeContainer" as const), i: small }),
  fc.record({ t: fc.constant("moveContainer" as const), from: small, to: small }),
  fc.record({ t: fc.constant("setImage" as const), i: small, image: word }),
  fc.record({ t: fc.constant("addEnv" as const), c: small, at: small, name: word.map((w) => w.toUpperCase()), value: word }),
  fc.record({ t: fc.constant("removeEnv" as const), c: small, i: small }),
  fc.record({ t: fc.constant("moveEnv" as const), c: small, from: small, to: small }),
  fc.record({ t: fc.constant("setEnv" as const), c: small, i: small, value: word }),
  fc.record({ t: fc.constant("addPort" as const), c: small, port: fc.integer({ min: 1, max: 9999 }) }),
  fc.record({ t: fc.constant("removePort" as const), c: small, i: small }),
  fc.record({ t: fc.constant("addVolume" as const), name: word, secret: fc.boolean() }),
  fc.record({ t: fc.constant("removeVolume" as const), i: small }),
  fc.record({ t: fc.constant("switchVolume" as const), i: small }),
  fc.record({ t: fc.constant("setLabel" as const), key, value: word }),
  fc.record({ t: fc.constant("removeLabel" as const), key }),
  fc.record({ t: fc.constant("addFinalizer" as const), at: small, name: word.map((w) => `example.com/${w}`) }),
  fc.record({ t: fc.constant("removeFinalizer" as const), i: small }),
  fc.record({ t: fc.constant("moveFinalizer" as const), from: small, to: small }),
  fc.record({ t: fc.constant("addToleration" as const), key: word }),
  fc.record({ t: fc.constant("removeToleration" as const), i: small }),
);

/** The pod spec inside a workload or a pod. */
export function podSpecOf(o: Obj): Obj {
  const spec = o.spec as Obj;
  if (o.kind === "Pod") return spec;
  if (o.kind === "CronJob") return ((((spec.jobTemplate as Obj).spec as Obj).template as Obj).spec as Obj);
  return (spec.template as Obj).spec as Obj;
}

function list(o: Obj, field: string): Item[] {
  if (!Array.isArray(o[field])) o[field] = [];
  return o[field] as Item[];
}

function move<T>(l: T[], from: number, to: number): void {
  if (l.length < 2) return;
  const [x] = l.splice(from % l.length, 1);
  l.splice(to % (l.length + 1), 0, x as T);
}

function pick<T>(l: T[], i: number): T | undefined {
  return l.length ? l[i % l.length] : undefined;
}

/** Apply edits to a copy of `o`. */
export function applyEdits(o: Obj, edits: readonly Edit[]): Obj {
  const m = structuredClone(o);
  const spec = podSpecOf(m);
  const containers = list(spec, "containers");
  const meta = (m.metadata ??= {}) as Obj;
  for (const e of edits) {
    const c = "c" in e ? pick(containers, e.c) : undefined;
    switch (e.t) {
      case "addContainer":
        if (!containers.some((x) => x.name === e.name)) containers.splice(e.at % (containers.length + 1), 0, { name: e.name, image: `${e.image}:1` });
        break;
      case "removeContainer":
        if (containers.length > 1) containers.splice(e.i % containers.length, 1);
        break;
      case "moveContainer":
        move(containers, e.from, e.to);
        break;
      case "setImage": {
        const x = pick(containers, e.i);
        if (x) x.image = `${e.image}:2`;
        break;
      }
      case "addEnv":
        if (c && !list(c, "env").some((x) => x.name === e.name)) list(c, "env").splice(e.at % (list(c, "env").length + 1), 0, { name: e.name, value: e.value });
        break;
      case "removeEnv":
        if (c && list(c, "env").length) list(c, "env").splice(e.i % list(c, "env").length, 1);
        break;
      case "moveEnv":
        if (c) move(list(c, "env"), e.from, e.to);
        break;
      case "setEnv": {
        const x = c && pick(list(c, "env"), e.i);
        if (x) x.value = e.value;
        break;
      }
      case "addPort":
        if (c && !list(c, "ports").some((x) => x.containerPort === e.port)) list(c, "ports").push({ containerPort: e.port, protocol: "TCP" });
        break;
      case "removePort":
        if (c && list(c, "ports").length) list(c, "ports").splice(e.i % list(c, "ports").length, 1);
        break;
      case "addVolume":
        if (!list(spec, "volumes").some((x) => x.name === e.name)) list(spec, "volumes").push(e.secret ? { name: e.name, secret: { secretName: e.name } } : { name: e.name, emptyDir: {} });
        break;
      case "removeVolume": {
        const v = list(spec, "volumes");
        if (v.length) v.splice(e.i % v.length, 1);
        break;
      }
      case "switchVolume": {
        const v = pick(list(spec, "volumes"), e.i);
        if (v) {
          const name = v.name as string;
          for (const k of Object.keys(v)) delete v[k];
          Object.assign(v, { name, configMap: { name: `${name}-cm` } });
        }
        break;
      }
      case "setLabel":
        ((meta.labels ??= {}) as Obj)[e.key] = e.value;
        break;
      case "removeLabel":
        if (meta.labels) delete (meta.labels as Obj)[e.key];
        break;
      case "addFinalizer":
        if (!list(meta, "finalizers").includes(e.name as unknown as Item)) list(meta, "finalizers").splice(e.at % (list(meta, "finalizers").length + 1), 0, e.name as unknown as Item);
        break;
      case "removeFinalizer": {
        const f = list(meta, "finalizers");
        if (f.length) f.splice(e.i % f.length, 1);
        break;
      }
      case "moveFinalizer":
        move(list(meta, "finalizers"), e.from, e.to);
        break;
      case "addToleration":
        list(spec, "tolerations").push({ key: e.key, operator: "Exists", effect: "NoSchedule" });
        break;
      case "removeToleration": {
        const t = list(spec, "tolerations");
        if (t.length) t.splice(e.i % t.length, 1);
        break;
      }
    }
  }
  return m;
}

function read(...parts: string[]): Obj {
  return JSON.parse(readFileSync(join(repoRoot, "test", "fixtures", ...parts), "utf8")) as Obj;
}

/** The real objects the edits start from: kubectl-recorded workloads, the patch fixtures, running pods. */
export const baseObjects: Obj[] = [
  ...["deployment", "pod", "statefulset", "daemonset", "job", "cronjob"].map((k) => read("kubectl", `${k}.json`)),
  ...["deployment", "pod", "statefulset", "daemonset", "job", "cronjob"].map((k) => read("smp", "objects", `${k}.json`)),
  pod(1),
  pod(2),
];
