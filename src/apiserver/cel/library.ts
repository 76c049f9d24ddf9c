/**
 * The CEL environments of Kubernetes, one per library level: the standard library, optional
 * types, homogeneous aggregate literals and the Kubernetes libraries and extensions each minor
 * offers (`k8s.io/apiserver/pkg/cel/environment/base.go`): URLs, regex, lists and strings v0 from
 * the start; authz (1.27); quantity and optional types (1.28); strings v2 and sets (1.29); IP and
 * CIDR (1.30); format (1.31); authz selectors and two-variable comprehensions (1.32); semver
 * (1.33); cel-go's lists extension at version 3 (1.34). A rule new to a minor compiles with the libraries of the previous minor.
 */
import { createRequire } from "node:module";
import type * as CelJs from "@marcbachmann/cel-js";
import type { Environment, Optional } from "@marcbachmann/cel-js";
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, validateName } from "../../meta/names.js";
import { parseAddr, parsePrefix } from "./ip.js";
import { parseQuantity, quantityOfInt } from "./quantity.js";
import {
  CelAuthorizer,
  CelDecision,
  CelGroupCheck,
  CelPathCheck,
  CelResourceCheck,
  runCheck,
  serviceAccountUser,
} from "./authz.js";
import { charge, countSteps, markBody } from "./cost.js";
import { format } from "./format.js";
import { divideInt, inList, intOfDouble, mixedOrdering, moduloInt, negateInt, stringOfBytes } from "./numbers.js";
import { addDurations, boundedDuration, compareTimestamps, isDuration, dayOfYear, durationMilliseconds, inTimeZone, preciseTimestamp, shiftTimestamp, timestampDifference, timestampText, type CelDuration } from "./time.js";
import { re2 } from "../../meta/re2.js";
import { OPTIONAL_LIST, OPTIONAL_MAP } from "./optional-entries.js";
import { charAt, indexOf, lastIndexOf, lowerAscii, quote, replace, setsContains, setsEquivalent, setsIntersects, split, splitN, substring, trim, upperAscii } from "./strings.js";
import { parseURL, CelURL } from "./url.js";
import * as z from "zod";
import { format as stringFormat } from "#schemas/runtime.js";
import { CelCIDR, CelFormat, CelIP, CelQuantity, CelSemver, celCompare, celEquals, compareStrings, isUint } from "./values.js";

let celJs: typeof CelJs | undefined;

/** The CEL interpreter, loaded when an environment is first built: most runs evaluate no CEL. */
function cel(): typeof CelJs {
  if (celJs) return celJs;
  const require = createRequire(import.meta.url);
  celJs = require("@marcbachmann/cel-js") as typeof CelJs;
  alignTypeChecker(require);
  replaceBuiltins(require);
  return celJs;
}

const TS = "google.protobuf.Timestamp";
const DUR = "google.protobuf.Duration";

/** Timestamp accessors in a time zone, read in zones and offsets as cel-go reads them. */
const ZONED_ACCESSORS: ReadonlyArray<readonly [string, (d: Date) => bigint]> = [
  ["getFullYear", (d) => BigInt(d.getUTCFullYear())],
  ["getMonth", (d) => BigInt(d.getUTCMonth())],
  ["getDate", (d) => BigInt(d.getUTCDate())],
  ["getDayOfMonth", (d) => BigInt(d.getUTCDate() - 1)],
  ["getDayOfWeek", (d) => BigInt(d.getUTCDay())],
  ["getDayOfYear", dayOfYear],
  ["getHours", (d) => BigInt(d.getUTCHours())],
  ["getMinutes", (d) => BigInt(d.getUTCMinutes())],
  ["getSeconds", (d) => BigInt(d.getUTCSeconds())],
  ["getMilliseconds", (d) => BigInt(d.getUTCMilliseconds())],
];

/**
 * The evaluator's numeric, conversion and time functions replaced by cel-go's semantics
 * (numbers.ts, time.ts).
 */
const SEMANTIC_OVERRIDES: ReadonlyArray<readonly [string, (...a: never[]) => unknown]> = [
  ["int(double): int", (d: number) => intOfDouble(d)],
  ["string(bytes): string", (b: Uint8Array) => stringOfBytes(b)],
  [`${DUR}.getMilliseconds(): int`, (d: CelDuration) => durationMilliseconds(d)],
  ...ZONED_ACCESSORS.map(([name, read]) => [`${TS}.${name}(string): int`, (d: Date, tz: string) => read(inTimeZone(d, tz))] as const),
];

/** Operators whose handlers follow cel-go (code point order of strings, as Go compares them; int64 overflow; cross-type numbers; time ranges). */
const OPERATOR_OVERRIDES: ReadonlyMap<string, (...a: never[]) => unknown> = new Map<string, (...a: never[]) => unknown>([
  ["string < string: bool", (a: string, b: string) => compareStrings(a, b) < 0],
  ["string <= string: bool", (a: string, b: string) => compareStrings(a, b) <= 0],
  ["string > string: bool", (a: string, b: string) => compareStrings(a, b) > 0],
  ["string >= string: bool", (a: string, b: string) => compareStrings(a, b) >= 0],
  ["-_int: int", (a: bigint) => negateInt(a)],
  ["int / int: int", (a: bigint, b: bigint) => divideInt(a, b)],
  ["int % int: int", (a: bigint, b: bigint) => moduloInt(a, b)],
  ...mixedOrdering,
  ["V in list<V>: bool", (v: unknown, l: Iterable<unknown>) => inList(v, l)],
  [`${DUR} + ${DUR}: ${DUR}`, (a: CelDuration, b: CelDuration) => addDurations(a, b, 1n)],
  [`${DUR} - ${DUR}: ${DUR}`, (a: CelDuration, b: CelDuration) => addDurations(a, b, -1n)],
  [`${TS} + ${DUR}: ${TS}`, (t: Date, d: CelDuration) => shiftTimestamp(t, d, 1n)],
  [`${DUR} + ${TS}: ${DUR}`, (d: CelDuration, t: Date) => shiftTimestamp(t, d, 1n)],
  [`${TS} - ${DUR}: ${TS}`, (t: Date, d: CelDuration) => shiftTimestamp(t, d, -1n)],
  [`${TS} == ${TS}: bool`, (a: Date, b: Date) => compareTimestamps(a, b) === 0],
  [`${TS} != ${TS}: bool`, (a: Date, b: Date) => compareTimestamps(a, b) !== 0],
  [`${TS} < ${TS}: bool`, (a: Date, b: Date) => compareTimestamps(a, b) < 0],
  [`${TS} <= ${TS}: bool`, (a: Date, b: Date) => compareTimestamps(a, b) <= 0],
  [`${TS} > ${TS}: bool`, (a: Date, b: Date) => compareTimestamps(a, b) > 0],
  [`${TS} >= ${TS}: bool`, (a: Date, b: Date) => compareTimestamps(a, b) >= 0],
]);

type Handler = (...a: never[]) => unknown;

/** Handlers kept and completed: durations bounded to int64 nanoseconds, timestamps to the nanosecond. */
const WRAPPED: ReadonlyMap<string, (original: Handler) => Handler> = new Map<string, (original: Handler) => Handler>([
  [`duration(string): ${DUR}`, (original) => (s: string) => boundedDuration((original as (s: string) => CelDuration)(s))],
  [`${TS} - ${TS}: ${DUR}`, (original) => (a: Date, b: Date) => timestampDifference(a, b, (original as (a: Date, b: Date) => CelDuration)(a, b))],
  [`timestamp(string): ${TS}`, (original) => (s: string) => preciseTimestamp((original as (s: string) => Date)(s), s)],
]);

/** Declarations whose result type is another's: `duration + timestamp` is a timestamp, as `timestamp + duration` is. */
const RESULT_TYPES: ReadonlyMap<string, string> = new Map([[`${DUR} + ${TS}: ${DUR}`, `${TS} + ${DUR}: ${TS}`]]);

/**
 * The evaluator's string functions that index or measure by UTF-16 unit, or change more than
 * ASCII, replaced by cel-go's (`ext/strings.go`: code points, ASCII-only case mapping, Go's
 * `TrimSpace`, `SplitN`), with its error texts.
 */
const BUILTIN_OVERRIDES: ReadonlyMap<string, (...a: never[]) => unknown> = new Map<string, (...a: never[]) => unknown>([
  ["string.indexOf(string): int", (s: string, sub: string) => indexOf(s, sub)],
  ["string.indexOf(string, int): int", (s: string, sub: string, i: bigint) => indexOf(s, sub, i)],
  ["string.lastIndexOf(string): int", (s: string, sub: string) => lastIndexOf(s, sub)],
  ["string.lastIndexOf(string, int): int", (s: string, sub: string, i: bigint) => lastIndexOf(s, sub, i)],
  ["string.substring(int): string", (s: string, a: bigint) => substring(s, a)],
  ["string.substring(int, int): string", (s: string, a: bigint, b: bigint) => substring(s, a, b)],
  ["string.split(string): list<string>", (s: string, sep: string) => split(s, sep)],
  ["string.split(string, int): list<string>", (s: string, sep: string, n: bigint) => splitN(s, sep, n)],
  ["string.lowerAscii(): string", (s: string) => lowerAscii(s)],
  ["string.upperAscii(): string", (s: string) => upperAscii(s)],
  ["string.trim(): string", (s: string) => trim(s)],
  ...SEMANTIC_OVERRIDES,
]);

interface FunctionDecl {
  signature: string;
  handler: unknown;
  returnType?: unknown;
}

/** A copy of a frozen declaration with other properties. */
function withChanges<T extends object>(d: T, changes: Partial<FunctionDecl>): T {
  return Object.freeze(Object.assign(Object.create(Object.getPrototypeOf(d) as object) as object, d, changes)) as T;
}

/** A declaration as cel-go has it: its handler replaced or wrapped ({@link WRAPPED}), its result type. */
function aligned(d: FunctionDecl, overrides: ReadonlyMap<string, unknown>, all: readonly FunctionDecl[]): FunctionDecl {
  const changes: Partial<FunctionDecl> = {};
  const handler = overrides.get(d.signature);
  if (handler) changes.handler = handler;
  else {
    const wrap = WRAPPED.get(d.signature);
    if (wrap && typeof d.handler === "function") changes.handler = wrap(d.handler as Handler);
  }
  const like = RESULT_TYPES.get(d.signature);
  const other = like ? all.find((o) => o.signature === like) : undefined;
  if (other) changes.returnType = other.returnType;
  return Object.keys(changes).length ? withChanges(d, changes) : d;
}

/** Swap the handlers of {@link BUILTIN_OVERRIDES} in every registry's overload candidates as they are first looked up. */
function replaceBuiltins(require: NodeJS.Require): void {
  try {
    type Candidates = { declarations: FunctionDecl[] };
    const mod = require(sibling(require, "registry.js")) as {
      Registry?: { prototype: { functionCandidates?: (rec: boolean, name: string, n: number) => Candidates; operatorCandidates?: (op: string) => Candidates } };
    };
    const proto = mod.Registry?.prototype;
    const original = proto?.functionCandidates;
    const operators = proto?.operatorCandidates;
    if (!proto || typeof original !== "function" || typeof operators !== "function") return;
    const done = new WeakSet<object>();
    const swapped = (c: Candidates, overrides: ReadonlyMap<string, unknown>): Candidates => {
      if (c && !done.has(c)) {
        done.add(c);
        c.declarations = c.declarations.map((d) => aligned(d, overrides, c.declarations));
      }
      return c;
    };
    proto.operatorCandidates = function (this: unknown, op: string) {
      return swapped(operators.call(this, op), OPERATOR_OVERRIDES);
    };
    proto.functionCandidates = function (this: unknown, rec: boolean, name: string, n: number) {
      return swapped(original.call(this, rec, name, n), BUILTIN_OVERRIDES);
    };
  } catch {
    // A differently laid out evaluator keeps its own string functions.
  }
}

interface CheckerType {
  kind: string;
}
type NodeCheck = (this: { dynType: CheckerType }, ast: unknown, ctx: unknown) => CheckerType;
type AccessCheck = (this: { dynType: CheckerType }, ast: unknown, ctx: unknown, leftType: CheckerType, allowMissingField?: boolean) => CheckerType;

/**
 * Where the evaluator's checker refuses what cel-go's accepts, follow cel-go: a selection from a
 * value whose type is still an unbound type parameter (`{}.?k.x`, `optional.none().?x`,
 * `[][0].x`) is `dyn` in cel-go (`substitute` turns free type parameters into `dyn`), not an error.
 */
/** A module file beside the evaluator's entry point (its exports map lists only the entry). */
function sibling(require: NodeJS.Require, file: string): string {
  const main = require.resolve("@marcbachmann/cel-js");
  return main.slice(0, Math.max(main.lastIndexOf("/"), main.lastIndexOf("\\")) + 1) + file;
}

function alignTypeChecker(require: NodeJS.Require): void {
  try {
    const mod = require(sibling(require, "type-checker.js")) as { TypeChecker?: { prototype: { checkAccessOnType?: AccessCheck; check?: NodeCheck } } };
    const proto = mod.TypeChecker?.prototype;
    const original = proto?.checkAccessOnType;
    const check = proto?.check;
    if (!proto || typeof original !== "function" || typeof check !== "function") return;
    proto.checkAccessOnType = function (this: { dynType: CheckerType }, ast, ctx, leftType, allowMissingField) {
      if (leftType?.kind === "param") return this.dynType;
      return original.call(this, ast, ctx, leftType, allowMissingField);
    };
    // A result whose type is still a free type parameter (`dyn(l).sum()`, `list<A>.min()` of a
    // dyn receiver) is dyn, as cel-go's `substitute` makes it: an operator applied to it then
    // resolves at run time instead of failing on overlapping overloads.
    proto.check = function (this: { dynType: CheckerType }, ast, ctx) {
      const t = check.call(this, ast, ctx);
      if (t?.kind !== "param" || !ast || typeof ast !== "object") return t;
      (ast as { checkedType?: CheckerType }).checkedType = this.dynType;
      return this.dynType;
    };
  } catch {
    // A differently laid out evaluator keeps its own checker.
  }
  // cel-go's conditional joins `null` with the types null is assignable to
  // (`internalIsAssignableNull`): `c ? optional.of(x) : null`, `c ? timestamp(s) : null`.
  try {
    const ops = require(sibling(require, "operators.js")) as { OPERATORS?: Record<string, { check?: TernaryCheck }> };
    const ternary = ops.OPERATORS?.["?:"];
    const original = ternary?.check;
    if (!ternary || typeof original !== "function") return;
    ternary.check = function (chk, ast, ctx) {
      try {
        return original.call(this, chk, ast, ctx);
      } catch (err) {
        const left = ast.left?.checkedType;
        const right = ast.right?.checkedType;
        const nullable = (t: CheckerType & { name?: string }) => t.kind === "optional" || t.kind === "message" || t.name === "google.protobuf.Timestamp" || t.name === "google.protobuf.Duration";
        const isNull = (t: CheckerType & { name?: string }) => t.name === "null";
        if ((err as { code?: string }).code === "incompatible_ternary_branches" && left && right) {
          if (isNull(left) && nullable(right)) return right;
          if (isNull(right) && nullable(left)) return left;
        }
        throw err;
      }
    };
  } catch {
    // As above.
  }
  alignAccess(require);
  typedMapKeys(require);
}

/**
 * The keys of a map the evaluator keeps as an object (`{6: 'six'}` has the key "6"), as the map's
 * key type has them: ints and bools, as cel-go iterates them. Undefined when there is nothing to convert.
 */
function keysOfType(coll: unknown, keyType: string | undefined): unknown[] | undefined {
  if (keyType !== "int" && keyType !== "bool") return undefined;
  if (coll === null || typeof coll !== "object" || Array.isArray(coll) || coll instanceof Map) return undefined;
  return Object.keys(coll).map((k) => (keyType === "int" ? BigInt(k) : k === "true"));
}

type ComprehensionHandle = (items: unknown, args: unknown, ev: unknown, ctx: unknown) => unknown;
type ComprehensionCheck = (this: unknown, chk: unknown, ast: { args: { iterable: { checkedType?: { kind?: string; keyType?: { name?: string } } } }; handle?: ComprehensionHandle }, ctx: unknown) => CheckerType;

/** Comprehensions over int- and bool-keyed map literals range over ints and bools (`{6: 'six'}.exists(k, k % 5 == 1)`). */
function typedMapKeys(require: NodeJS.Require): void {
  try {
    const ops = require(sibling(require, "operators.js")) as { OPERATORS?: Record<string, { check?: ComprehensionCheck }> };
    const entry = ops.OPERATORS?.comprehension;
    const original = entry?.check;
    if (!entry || typeof original !== "function") return;
    entry.check = function (chk, ast, ctx) {
      const type = original.call(this, chk, ast, ctx);
      const t = ast.args.iterable.checkedType;
      const handle = ast.handle;
      if (t?.kind === "map" && typeof handle === "function") {
        const keyType = t.keyType?.name;
        ast.handle = (items, args, ev, c) => handle(keysOfType(items, keyType) ?? items, args, ev, c);
      }
      return type;
    };
  } catch {
    // As above.
  }
}

type FieldHandle = (left: unknown, right: unknown, ast: unknown, ev: unknown) => unknown;
type HandleCheck = (this: unknown, chk: unknown, ast: { handle?: FieldHandle }, ctx: unknown) => CheckerType;

/** Values a field can be selected from: maps and objects of declared types (not null, numbers, strings, lists, …). */
function selectable(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date) && !isDuration(v);
}

/**
 * Selecting a field of an optional whose value has no fields (`optional.of(0).f`,
 * `{'k': dyn(null)}.?k.f`) is an error to cel-go (no such key), not none; a list index may be a uint.
 */
function alignAccess(require: NodeJS.Require): void {
  try {
    const ops = require(sibling(require, "operators.js")) as { OPERATORS?: Record<string, { check?: HandleCheck }> };
    const Optional = cel().Optional;
    for (const op of [".", ".?", "[]"]) {
      const entry = ops.OPERATORS?.[op];
      const original = entry?.check;
      if (!entry || typeof original !== "function") continue;
      entry.check = function (chk, ast, ctx) {
        const type = original.call(this, chk, ast, ctx);
        const handle = ast.handle;
        if (typeof handle === "function") {
          ast.handle =
            op === "[]"
              ? // A list indexed by a uint (through dyn) is indexed by its value, as cel-go does.
                (left, right, node, ev) => handle(left, Array.isArray(left) && isUint(right) ? right.valueOf() : right, node, ev)
              : (left, right, node, ev) => {
                  if (left instanceof Optional && left.hasValue() && !selectable(left.value())) fail(`no such key: ${String(right)}`);
                  return handle(left, right, node, ev);
                };
        }
        return type;
      };
    }
  } catch {
    // As above.
  }
}

type TernaryCheck = (this: unknown, chk: unknown, ast: { left?: { checkedType?: CheckerType & { name?: string } }; right?: { checkedType?: CheckerType & { name?: string } } }, ctx: unknown) => CheckerType;

export { CelIP, CelCIDR, CelURL, CelQuantity, CelSemver, CelFormat };

/**
 * The oldest and newest Kubernetes minors whose CEL environments are modelled.
 *
 * @example
 * CEL_MINORS.newest; // 36
 */
export const CEL_MINORS = { oldest: 28, newest: 36 } as const;

/**
 * Which minor's libraries an expression may use: a stored expression (already accepted) uses
 * the running minor's; a new one, the previous minor's, so that a rollback keeps it compiling.
 *
 * @example
 * libraryLevel(30, "new"); // 29
 */
export function libraryLevel(minor: number, mode: "new" | "stored"): number {
  return mode === "new" ? minor - 1 : minor;
}

/** What an environment declares besides the libraries. */
export interface EnvironmentSpec {
  /** Library level: the Kubernetes minor whose libraries are offered (see {@link libraryLevel}). */
  level: number;
  /** Variables and their CEL types (`dyn`, `map`, `kubernetes.authorization.Authorizer`, …). */
  variables: Readonly<Record<string, string>>;
  /** The JSON patch library of mutating policies (`jsonpatch.escapeKey`). */
  jsonPatch?: boolean;
  /**
   * Object types declared before the variables, by name, each with its fields' CEL types
   * (`kubernetes.AdmissionRequest` with `userInfo: kubernetes.UserInfo`): a field they do not
   * declare is a type error, as with the apiserver's `DeclType`s. Later types may use earlier ones.
   */
  types?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Whether programs count the Kubernetes libraries' call costs (`library.CostEstimator`, the
   * `environment.StrictCostOpt` of kube-apiserver's base environment). Default true, as for CRD
   * rules; admission policies and webhook match conditions have them only where the
   * StrictCostEnforcementForVAP / StrictCostEnforcementForWebhooks gates are on (default from
   * 1.32); before, a library call costs 1 like any call cel-go does not cost itself.
   */
  libraryCosts?: boolean;
  /**
   * Whether `cel.bind` is offered (cel-go's ext.Bindings, which DRA's environment adds from 1.31):
   * kube-apiserver's base environment does not have it, so elsewhere it is an undeclared `cel`.
   */
  bindings?: boolean;
}

/**
 * The key that tells environments apart.
 *
 * @example
 * environmentKey({ level: 36, variables: { self: "dyn" } }); // "36|0|self:dyn|"
 */
export function environmentKey(spec: EnvironmentSpec): string {
  const types = spec.types ? JSON.stringify(spec.types) : "";
  return `${spec.level}|${spec.jsonPatch ? 1 : 0}|${Object.entries(spec.variables).map(([k, v]) => `${k}:${v}`).join(",")}|${types}${spec.libraryCosts === false ? "|cel-go-costs" : ""}${spec.bindings ? "|bindings" : ""}`;
}

const environments = new Map<string, Environment>();

/**
 * The environment for a library level and a set of variables (built once, then shared: do not
 * register into it).
 *
 * @example
 * const env = celEnvironment({ level: 36, variables: { self: "dyn" } });
 * env.parse("isIP(self)")({ self: "10.0.0.1" }); // true
 */
export function celEnvironment(spec: EnvironmentSpec): Environment {
  const key = environmentKey(spec);
  const hit = environments.get(key);
  if (hit) return hit;
  const env = base(spec.level).clone();
  for (const [name, fields] of Object.entries(spec.types ?? {})) {
    env.registerType(name, { fields: { ...fields } } as never);
    // `null` is assignable to object types in cel-go's checker (`namespaceObject == null`).
    env.registerOperator(`${name} == null`, (a: unknown) => a === null || a === undefined);
  }
  for (const [name, type] of Object.entries(spec.variables)) env.registerVariable(name, type);
  if (spec.jsonPatch) {
    class JsonPatchNamespace {}
    env.registerType("JsonPatchNamespace", JsonPatchNamespace);
    env.registerConstant("jsonpatch", "JsonPatchNamespace", new JsonPatchNamespace());
    env.registerFunction("JsonPatchNamespace.escapeKey(string): string", (_: unknown, k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1"));
  }
  environments.set(key, env);
  return env;
}

let shared: Environment | undefined;

/**
 * The environment of `x-kubernetes-validations` rules at the newest minor (`self`, `oldSelf`).
 *
 * @example
 * kubernetesCelEnvironment().parse("self.size() > 0")({ self: "x" }); // true
 */
export function kubernetesCelEnvironment(): Environment {
  shared ??= celEnvironment({ level: CEL_MINORS.newest, variables: { self: "dyn", oldSelf: "dyn" } });
  return shared;
}

const bases = new Map<number, Environment>();

function base(level: number): Environment {
  const hit = bases.get(level);
  if (hit) return hit;
  const env = new (cel().Environment)({
    unlistedVariablesAreDyn: false,
    enableOptionalTypes: level >= 28,
    // Homogeneity is checked afterwards the way cel-go checks it (`dyn` elements mix freely).
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 100_000, maxDepth: 250, maxListElements: 100_000, maxMapEntries: 100_000, maxCallArguments: 32 },
  });
  registerBase(env);
  if (level >= 28) registerOptionalExtras(env);
  if (level >= 28) registerOptionalEntries(env);
  if (level >= 27) registerAuthz(env, level >= 32);
  if (level >= 28) registerQuantity(env, level >= 36);
  if (level >= 29) registerStringsV2(env);
  if (level >= 29) registerSets(env);
  if (level >= 30) registerIP(env);
  if (level >= 31) registerFormat(env);
  if (level >= 32) registerTwoVarComprehensions(env);
  if (level >= 33) registerSemver(env);
  if (level >= 34) registerExtLists(env);
  bases.set(level, env);
  return env;
}

const fail = (message: string): never => {
  throw new Error(message);
};

function registerBase(env: Environment): void {
  // `matches` is rewritten to this before compiling, so that it follows RE2, as Kubernetes does.
  // Costs of calls are charged by name when they run (call-cost.ts).
  const matches = (s: string, p: string) => re2(p).test(s);
  env.registerFunction("string.re2Matches(string): bool", matches);
  env.registerFunction("re2Matches(string, string): bool", matches);
  env.registerFunction("string.find(string): string", (s: string, p: string) => re2(p).find(s) ?? "");
  env.registerFunction("string.findAll(string): list<string>", (s: string, p: string) => re2(p).findAll(s));
  env.registerFunction("string.findAll(string, int): list<string>", (s: string, p: string, n: bigint) => re2(p).findAll(s, Number(n)));

  // Standard conversions and orderings cel-go has and the evaluator lacks.
  env.registerFunction(`string(${TS}): string`, (d: Date) => timestampText(d));
  env.registerFunction(`string(${DUR}): string`, (d: { toString(): string }) => d.toString());
  env.registerFunction(`timestamp(${TS}): ${TS}`, (t: Date) => t);
  env.registerFunction(`duration(${DUR}): ${DUR}`, (d: CelDuration) => d);
  env.registerFunction(`int(${TS}): int`, (d: Date) => BigInt(Math.floor(d.getTime() / 1000)));
  env.registerFunction("int(uint): int", (u: { valueOf(): bigint }) => {
    const v = u.valueOf();
    if (v > 2n ** 63n - 1n) fail("integer overflow");
    return v;
  });
  const bytesCompare = (a: Uint8Array, b: Uint8Array): number => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  };
  // `null` is assignable to timestamps and durations in cel-go's checker, so `null < null` and
  // `null < timestamp(…)` type-check through their orderings and fail only when evaluated.
  const noOverload = (): never => fail("no such overload");
  for (const op of ["<", "<=", ">", ">="]) {
    env.registerOperator(`null ${op} null`, noOverload);
    for (const t of [TS, DUR]) {
      env.registerOperator(`null ${op} ${t}`, noOverload);
      env.registerOperator(`${t} ${op} null`, noOverload);
    }
  }
  env.registerOperator("bytes < bytes", (a: Uint8Array, b: Uint8Array) => bytesCompare(a, b) < 0);
  env.registerOperator("bytes <= bytes", (a: Uint8Array, b: Uint8Array) => bytesCompare(a, b) <= 0);
  env.registerOperator("bytes > bytes", (a: Uint8Array, b: Uint8Array) => bytesCompare(a, b) > 0);
  env.registerOperator("bytes >= bytes", (a: Uint8Array, b: Uint8Array) => bytesCompare(a, b) >= 0);

  // Lists library.
  env.registerFunction("list<A>.isSorted(): bool", (l: unknown[]) => {
    for (let i = 1; i < l.length; i++) if (celCompare(l[i - 1], l[i]) > 0) return false;
    return true;
  });
  env.registerFunction("list<A>.sum(): A", (l: unknown[]) => {
    if (!l.length) return 0n;
    let acc = l[0] as number | bigint;
    for (let i = 1; i < l.length; i++) {
      const v = l[i] as number | bigint;
      if (typeof acc === "bigint" && typeof v === "bigint") {
        acc += v;
        if (acc >= 2n ** 63n || acc < -(2n ** 63n)) fail("integer overflow");
      } else acc = Number(acc) + Number(v);
    }
    return acc;
  });
  for (const [name, pick] of [
    ["min", -1],
    ["max", 1],
  ] as const) {
    env.registerFunction(`list<A>.${name}(): A`, (l: unknown[]) => {
      if (!l.length) fail(`${name}(list) called on empty list`);
      let best = l[0];
      for (let i = 1; i < l.length; i++) if (celCompare(l[i], best) === pick) best = l[i];
      return best;
    });
  }
  env.registerFunction("list<A>.indexOf(A): int", (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => celEquals(x, v))));
  env.registerFunction("list<A>.lastIndexOf(A): int", (l: unknown[], v: unknown) => {
    for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], v)) return BigInt(i);
    return -1n;
  });

  // Strings extension, version 0 (the evaluator has indexOf, lastIndexOf, lowerAscii, upperAscii, substring, trim, split).
  env.registerFunction("string.charAt(int): string", (s: string, i: bigint) => charAt(s, i));
  env.registerFunction("string.replace(string, string): string", (s: string, a: string, b: string) => replace(s, a, b));
  env.registerFunction("string.replace(string, string, int): string", (s: string, a: string, b: string, n: bigint) => replace(s, a, b, n));

  // URLs library.
  const toURL = (s: string): CelURL => {
    const u = parseURL(s);
    if (u instanceof CelURL) return u;
    return fail(`URL parse error during conversion from string: ${u.error}`);
  };
  env.registerType("net.URL", CelURL);
  env.registerFunction("url(string): net.URL", toURL);
  env.registerFunction("isURL(string): bool", (s: string) => parseURL(s) instanceof CelURL);
  env.registerFunction("net.URL.getScheme(): string", (u: CelURL) => u.scheme);
  env.registerFunction("net.URL.getHost(): string", (u: CelURL) => u.host);
  env.registerFunction("net.URL.getHostname(): string", (u: CelURL) => u.hostname);
  env.registerFunction("net.URL.getPort(): string", (u: CelURL) => u.port);
  env.registerFunction("net.URL.getEscapedPath(): string", (u: CelURL) => u.escapedPath);
  env.registerFunction("net.URL.getQuery(): map<string, list<string>>", (u: CelURL) => u.query);
  // apiserver cel.URL.Equal: the same URL text.
  env.registerOperator("net.URL == net.URL", (a: CelURL, b: CelURL) => a.text === b.text);
}

const isZeroValue = (v: unknown): boolean =>
  v === null ||
  v === false ||
  v === 0n ||
  v === 0 ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (v instanceof Uint8Array && v.length === 0) ||
  (v instanceof Map && v.size === 0) ||
  (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length === 0);

let optionalTypeCache: unknown;

/** The evaluator's type value named `optional_type` (its `Type` class, which `type(x)` returns). */
function optionalTypeValue(): unknown {
  if (optionalTypeCache) return optionalTypeCache;
  try {
    const require = createRequire(import.meta.url);
    const mod = require(sibling(require, "registry.js")) as { Type?: new (name: string) => unknown };
    if (mod.Type) optionalTypeCache = new mod.Type("optional_type");
  } catch {
    // A differently laid out evaluator: `type()` of an optional stays unsupported.
  }
  return optionalTypeCache;
}

/** The parts of cel-go's optional library the evaluator lacks: `ofNonZeroValue`, `optMap`, `optFlatMap`, equality. */
function registerOptionalExtras(env: Environment): void {
  env.registerFunction("OptionalNamespace.ofNonZeroValue(A): optional<A>", (_: unknown, v: unknown) => (isZeroValue(v) ? cel().Optional.none() : cel().Optional.of(v)));
  env.registerOperator("optional<A> == optional<A>", (a: Optional, b: Optional) => a.hasValue() === b.hasValue() && (!a.hasValue() || celEquals(a.value(), b.value())));
  // `null` is assignable to optional types in cel-go's checker, and an optional equals only
  // another optional (`types.Optional.Equal`), so `optional.none() == null` is false.
  env.registerOperator("optional<dyn> == null", () => false);
  // `has(o.f)` of an optional `o` (compile.ts rewrites it to `'f' in o`): o has a value that has f.
  env.registerOperator("string in optional<dyn>", (k: string, o: Optional) => {
    if (!o.hasValue()) return false;
    const v = o.value() as unknown;
    if (v instanceof Map) return v.has(k);
    return v !== null && typeof v === "object" && Object.hasOwn(v, k);
  });
  // `type(optional.of(x))` is `optional_type`, a type value like `int` (`types.OptionalType`).
  const optionalType = optionalTypeValue();
  if (optionalType) {
    env.registerFunction("type(optional<A>): type", () => optionalType);
    env.registerConstant("optional_type", "type", optionalType);
  }
  const macro =
    (flat: boolean) =>
    ({ args, receiver }: { args: MacroNode[]; receiver: MacroNode }) => {
      const name = args[0]!;
      if (name.op !== "id") throw new Error(`${flat ? "optFlatMap" : "optMap"}() variable name must be a simple identifier`);
      const state: { scope?: Scope } = {};
      return {
        async: false,
        typeCheck(chk: Checker, _m: unknown, ctx: Scope) {
          const t = chk.check(receiver, ctx);
          state.scope = ctx.forkWithVariable(name.args as string, t.kind === "optional" && t.valueType ? t.valueType : chk.getType("dyn"));
          const body = chk.check(args[1], state.scope);
          return flat ? body : chk.getType("dyn");
        },
        evaluate(ev: Evaluator, _m: unknown, ctx: unknown) {
          const opt = ev.run(receiver, ctx) as Optional;
          if (!(opt instanceof cel().Optional) || !opt.hasValue()) return cel().Optional.none();
          const scope = state.scope!.reuse(ctx);
          scope.iterValue = opt.value();
          const r = ev.run(args[1], scope);
          return flat ? r : cel().Optional.of(r);
        },
      };
    };
  env.registerFunction("optional.optMap(ast, ast): dyn", macro(false));
  env.registerFunction("optional.optFlatMap(ast, ast): dyn", macro(true));
}

function registerAuthz(env: Environment, selectors: boolean): void {
  env.registerType("kubernetes.authorization.Authorizer", CelAuthorizer);
  env.registerType("kubernetes.authorization.PathCheck", CelPathCheck);
  env.registerType("kubernetes.authorization.GroupCheck", CelGroupCheck);
  env.registerType("kubernetes.authorization.ResourceCheck", { ctor: CelResourceCheck, fields: {} });
  env.registerType("kubernetes.authorization.Decision", CelDecision);
  const A = "kubernetes.authorization";
  env.registerFunction(`${A}.Authorizer.path(string): ${A}.PathCheck`, (a: CelAuthorizer, p: string) => new CelPathCheck(a, p));
  env.registerFunction(`${A}.Authorizer.group(string): ${A}.GroupCheck`, (a: CelAuthorizer, g: string) => new CelGroupCheck(a, g));
  env.registerFunction(`${A}.Authorizer.serviceAccount(string, string): ${A}.Authorizer`, (a: CelAuthorizer, ns: string, name: string) => new CelAuthorizer(a.authorize, serviceAccountUser(ns, name)));
  env.registerFunction(`${A}.GroupCheck.resource(string): ${A}.ResourceCheck`, (g: CelGroupCheck, r: string) => new CelResourceCheck(g.authorizer, g.group, r));
  env.registerFunction(`${A}.ResourceCheck.subresource(string): ${A}.ResourceCheck`, (r: CelResourceCheck, s: string) => r.with({ subresource: s }));
  env.registerFunction(`${A}.ResourceCheck.namespace(string): ${A}.ResourceCheck`, (r: CelResourceCheck, s: string) => r.with({ namespace: s }));
  env.registerFunction(`${A}.ResourceCheck.name(string): ${A}.ResourceCheck`, (r: CelResourceCheck, s: string) => r.with({ name: s }));
  if (selectors) {
    env.registerFunction(`${A}.ResourceCheck.fieldSelector(string): ${A}.ResourceCheck`, (r: CelResourceCheck, s: string) => r.with({ fieldSelector: s }));
    env.registerFunction(`${A}.ResourceCheck.labelSelector(string): ${A}.ResourceCheck`, (r: CelResourceCheck, s: string) => r.with({ labelSelector: s }));
  }
  // A check costs AUTHZ_CHECK_COST (call-cost.ts), charged after it runs.
  env.registerFunction(`${A}.PathCheck.check(string): ${A}.Decision`, (p: CelPathCheck, verb: string) => runCheck(p.authorizer, { verb, path: p.path }));
  env.registerFunction(`${A}.ResourceCheck.check(string): ${A}.Decision`, (r: CelResourceCheck, verb: string) =>
    runCheck(r.authorizer, {
      verb,
      apiGroup: r.group,
      resource: r.resource,
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...(r.namespace ? { namespace: r.namespace } : {}),
      ...(r.name ? { name: r.name } : {}),
      ...(r.fieldSelector ? { fieldSelector: r.fieldSelector } : {}),
      ...(r.labelSelector ? { labelSelector: r.labelSelector } : {}),
    }),
  );
  env.registerFunction(`${A}.Decision.allowed(): bool`, (d: CelDecision) => d.result.decision === "allow");
  env.registerFunction(`${A}.Decision.reason(): string`, (d: CelDecision) => d.result.reason);
  env.registerFunction(`${A}.Decision.errored(): bool`, (d: CelDecision) => d.result.error !== undefined);
  env.registerFunction(`${A}.Decision.error(): string`, (d: CelDecision) => d.result.error ?? "");
}

function registerQuantity(env: Environment, arithmetic136: boolean): void {
  const Q = "kubernetes.Quantity";
  env.registerType(Q, CelQuantity);
  env.registerOperator(`${Q} == ${Q}`, (a: CelQuantity, b: CelQuantity) => a.quantity.compare(b.quantity) === 0);
  env.registerFunction(`quantity(string): ${Q}`, (s: string) => {
    const r = parseQuantity(s);
    return r.value ? new CelQuantity(r.value) : fail(r.error!);
  });
  env.registerFunction("isQuantity(string): bool", (s: string) => parseQuantity(s).value !== undefined);
  env.registerFunction(`${Q}.sign(): int`, (q: CelQuantity) => BigInt(q.quantity.sign()));
  env.registerFunction(`${Q}.isGreaterThan(${Q}): bool`, (a: CelQuantity, b: CelQuantity) => a.quantity.compare(b.quantity) > 0);
  env.registerFunction(`${Q}.isLessThan(${Q}): bool`, (a: CelQuantity, b: CelQuantity) => a.quantity.compare(b.quantity) < 0);
  env.registerFunction(`${Q}.compareTo(${Q}): int`, (a: CelQuantity, b: CelQuantity) => BigInt(a.quantity.compare(b.quantity)));
  env.registerFunction(`${Q}.asApproximateFloat(): double`, (q: CelQuantity) => q.quantity.asApproximateFloat());
  env.registerFunction(`${Q}.asInteger(): int`, (q: CelQuantity) => q.quantity.asInt64() ?? fail("cannot convert value to integer"));
  env.registerFunction(`${Q}.isInteger(): bool`, (q: CelQuantity) => q.quantity.asInt64() !== undefined);
  env.registerFunction(`${Q}.add(${Q}): ${Q}`, (a: CelQuantity, b: CelQuantity) => new CelQuantity(a.quantity.add(b.quantity)));
  env.registerFunction(`${Q}.add(int): ${Q}`, (a: CelQuantity, n: bigint) => new CelQuantity(a.quantity.add(quantityOfInt(n))));
  env.registerFunction(`${Q}.sub(${Q}): ${Q}`, (a: CelQuantity, b: CelQuantity) => new CelQuantity(a.quantity.sub(b.quantity)));
  env.registerFunction(`${Q}.sub(int): ${Q}`, (a: CelQuantity, n: bigint) => new CelQuantity(a.quantity.sub(quantityOfInt(n))));
  if (arithmetic136) {
    env.registerFunction(`${Q}.mul(int): ${Q}`, (a: CelQuantity, n: bigint) => new CelQuantity(a.quantity.mul(n)));
    env.registerFunction(`${Q}.div(int): ${Q}`, (a: CelQuantity, n: bigint) => new CelQuantity(a.quantity.div(n, 4)));
    env.registerFunction(`${Q}.div(int, int): ${Q}`, (a: CelQuantity, n: bigint, r: bigint) => {
      if (r > 10n || r < 0n) fail(`the valid range for roundVal is 0 to 10 but ${r} was passed`);
      return new CelQuantity(a.quantity.div(n, Number(r)));
    });
    env.registerFunction(`${Q}.divInt(int): ${Q}`, (a: CelQuantity, n: bigint) => new CelQuantity(a.quantity.div(n, 0, true)));
  }
}

function registerStringsV2(env: Environment): void {
  class StringsNamespace {}
  env.registerType("StringsNamespace", StringsNamespace);
  env.registerConstant("strings", "StringsNamespace", new StringsNamespace());
  env.registerFunction("StringsNamespace.quote(string): string", (_: unknown, s: string) => quote(s));
  env.registerFunction("string.format(list): string", (s: string, args: unknown[]) => format(s, args));
}

function registerSets(env: Environment): void {
  class SetsNamespace {}
  env.registerType("SetsNamespace", SetsNamespace);
  env.registerConstant("sets", "SetsNamespace", new SetsNamespace());
  const sized = (f: (a: unknown[], b: unknown[]) => boolean) => (_: unknown, a: unknown[], b: unknown[]) => f(a, b);
  env.registerFunction("SetsNamespace.contains(list<A>, list<A>): bool", sized(setsContains));
  env.registerFunction("SetsNamespace.equivalent(list<A>, list<A>): bool", sized(setsEquivalent));
  env.registerFunction("SetsNamespace.intersects(list<A>, list<A>): bool", sized(setsIntersects));
}

function parseIPValue(s: string): CelIP {
  const a = parseAddr(s);
  if (!a && s.includes("%") && parseAddr(s.slice(0, s.indexOf("%")))) fail(`IP address ${JSON.stringify(s)} with zone value is not allowed`);
  if (!a) return fail(`IP Address ${JSON.stringify(s)} parse error during conversion from string: ParseAddr(${JSON.stringify(s)}): unable to parse IP`);
  if (a.is4In6()) fail(`IPv4-mapped IPv6 address ${JSON.stringify(s)} is not allowed`);
  return new CelIP(a);
}

function parseCIDRValue(s: string): CelCIDR {
  const p = parsePrefix(s);
  if (!p) {
    const slash = s.lastIndexOf("/");
    const why = slash < 0 ? "no '/'" : /^(0|[1-9]\d*)$/.test(s.slice(slash + 1)) ? "prefix length out of range" : `bad bits after slash: ${JSON.stringify(s.slice(slash + 1))}`;
    const detail = parseAddr(s.slice(0, Math.max(0, slash))) || slash < 0 ? why : `ParseAddr(${JSON.stringify(s.slice(0, slash))}): unable to parse IP`;
    const prefix = "network address parse error during conversion from string";
    return fail(`${prefix}: ${prefix}: netip.ParsePrefix(${JSON.stringify(s)}): ${detail}`);
  }
  if (p.addr.is4In6()) fail(`IPv4-mapped IPv6 address ${JSON.stringify(s)} is not allowed`);
  return new CelCIDR(p);
}

function registerIP(env: Environment): void {
  env.registerType("net.IP", CelIP);
  env.registerType("net.CIDR", CelCIDR);
  env.registerOperator("net.IP == net.IP", (a: CelIP, b: CelIP) => a.addr.equals(b.addr));
  env.registerOperator("net.CIDR == net.CIDR", (a: CelCIDR, b: CelCIDR) => a.prefix.equals(b.prefix));
  env.registerFunction("ip(string): net.IP", parseIPValue);
  env.registerFunction("isIP(string): bool", (s: string) => {
    const a = parseAddr(s);
    return a !== undefined && !a.is4In6();
  });
  class IPNamespace {}
  env.registerType("IPNamespace", IPNamespace);
  env.registerConstant("ip", "IPNamespace", new IPNamespace());
  env.registerFunction("IPNamespace.isCanonical(string): bool", (_: unknown, s: string) => parseIPValue(s).addr.toString() === s);
  env.registerFunction("net.IP.family(): int", (ip: CelIP) => BigInt(ip.family));
  env.registerFunction("net.IP.isUnspecified(): bool", (ip: CelIP) => ip.addr.isUnspecified());
  env.registerFunction("net.IP.isLoopback(): bool", (ip: CelIP) => ip.addr.isLoopback());
  env.registerFunction("net.IP.isLinkLocalMulticast(): bool", (ip: CelIP) => ip.addr.isLinkLocalMulticast());
  env.registerFunction("net.IP.isLinkLocalUnicast(): bool", (ip: CelIP) => ip.addr.isLinkLocalUnicast());
  env.registerFunction("net.IP.isGlobalUnicast(): bool", (ip: CelIP) => ip.addr.isGlobalUnicast());
  env.registerFunction("string(net.IP): string", (ip: CelIP) => ip.addr.toString());
  env.registerFunction("cidr(string): net.CIDR", parseCIDRValue);
  env.registerFunction("isCIDR(string): bool", (s: string) => {
    const p = parsePrefix(s);
    return p !== undefined && !p.addr.is4In6();
  });
  env.registerFunction("net.CIDR.containsIP(string): bool", (c: CelCIDR, s: string) => c.prefix.contains(parseIPValue(s).addr));
  env.registerFunction("net.CIDR.containsIP(net.IP): bool", (c: CelCIDR, ip: CelIP) => c.prefix.contains(ip.addr));
  const containsCIDR = (c: CelCIDR, o: CelCIDR) => c.prefix.bits <= o.prefix.bits && c.prefix.contains(o.prefix.addr);
  env.registerFunction("net.CIDR.containsCIDR(string): bool", (c: CelCIDR, s: string) => containsCIDR(c, parseCIDRValue(s)));
  env.registerFunction("net.CIDR.containsCIDR(net.CIDR): bool", containsCIDR);
  env.registerFunction("net.CIDR.ip(): net.IP", (c: CelCIDR) => new CelIP(c.prefix.addr));
  env.registerFunction("net.CIDR.masked(): net.CIDR", (c: CelCIDR) => new CelCIDR(c.prefix.masked()));
  env.registerFunction("net.CIDR.prefixLength(): int", (c: CelCIDR) => BigInt(c.prefix.bits));
  env.registerFunction("string(net.CIDR): string", (c: CelCIDR) => c.prefix.toString());
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The formats of the format library, with the apimachinery checks behind them. */
/** A kube-openapi strfmt check, as custom resources' string formats are checked (strfmt.Default, which format.date() and format.datetime() call). */
function strfmt(name: string): (s: string) => boolean {
  const schema = z.string().check(stringFormat(name));
  return (s) => schema.safeParse(s).success;
}
const isDate = strfmt("date");
const isDateTime = strfmt("datetime");
/** govalidator.IsBase64, strfmt's "byte": whole groups of four, padded, on one line, not empty. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

const FORMATS: Record<string, (s: string) => string[]> = {
  dns1123Label: isDNS1123Label,
  dns1123Subdomain: isDNS1123Subdomain,
  dns1035Label: isDNS1035Label,
  qualifiedName: isQualifiedName,
  dns1123LabelPrefix: (s) => validateName(s, "dns-label", true),
  dns1123SubdomainPrefix: (s) => validateName(s, "dns-subdomain", true),
  dns1035LabelPrefix: (s) => validateName(s, "dns1035-label", true),
  labelValue: isValidLabelValue,
  uri: (s) => {
    const u = parseURL(s);
    return u instanceof CelURL ? [] : [`invalid URI: ${u.error}`];
  },
  uuid: (s) => (UUID.test(s) ? [] : ["does not match the UUID format"]),
  byte: (s) => (BASE64.test(s) ? [] : ["invalid base64"]),
  date: (s) => (isDate(s) ? [] : ["invalid date"]),
  datetime: (s) => (isDateTime(s) ? [] : ["invalid datetime"]),
};

function registerFormat(env: Environment): void {
  class FormatNamespace {}
  const F = "kubernetes.NamedFormat";
  env.registerType(F, CelFormat);
  env.registerOperator(`${F} == ${F}`, (a: CelFormat, b: CelFormat) => a.name === b.name);
  env.registerType("FormatNamespace", FormatNamespace);
  env.registerConstant("format", "FormatNamespace", new FormatNamespace());
  for (const [name, check] of Object.entries(FORMATS)) {
    const f = new CelFormat(name, check);
    env.registerFunction(`FormatNamespace.${name}(): ${F}`, () => f);
  }
  env.registerFunction(`FormatNamespace.named(string): optional<${F}>`, (_: unknown, name: string) => {
    const check = Object.hasOwn(FORMATS, name) ? FORMATS[name] : undefined;
    return check ? cel().Optional.of(new CelFormat(name, check)) : cel().Optional.none();
  });
  env.registerFunction(`${F}.validate(string): optional<list<string>>`, (f: CelFormat, s: string) => {
    const errs = f.validate(s);
    return errs.length ? cel().Optional.of(errs) : cel().Optional.none();
  });
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function parseSemver(s: string, normalize: boolean): CelSemver | string {
  let text = s;
  if (normalize) {
    text = text.replace(/^v/, "");
    const m = /^([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(.*)$/.exec(text);
    if (m) text = `${BigInt(m[1]!)}.${BigInt(m[2] ?? "0")}.${BigInt(m[3] ?? "0")}${m[4]}`;
  }
  const m = SEMVER.exec(text);
  if (!m) return text.split(".").length < 3 ? "No Major.Minor.Patch elements found" : `Invalid semver ${JSON.stringify(s)}`;
  return new CelSemver(BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!), m[4] ? m[4].split(".") : []);
}

function registerSemver(env: Environment): void {
  const S = "kubernetes.Semver";
  env.registerType(S, CelSemver);
  env.registerOperator(`${S} == ${S}`, (a: CelSemver, b: CelSemver) => a.compare(b) === 0);
  const make = (s: string, n: boolean) => {
    const v = parseSemver(s, n);
    return typeof v === "string" ? fail(v) : v;
  };
  env.registerFunction("isSemver(string): bool", (s: string) => typeof parseSemver(s, false) !== "string");
  env.registerFunction("isSemver(string, bool): bool", (s: string, n: boolean) => typeof parseSemver(s, n) !== "string");
  env.registerFunction(`semver(string): ${S}`, (s: string) => make(s, false));
  env.registerFunction(`semver(string, bool): ${S}`, (s: string, n: boolean) => make(s, n));
  env.registerFunction(`${S}.major(): int`, (v: CelSemver) => v.major);
  env.registerFunction(`${S}.minor(): int`, (v: CelSemver) => v.minor);
  env.registerFunction(`${S}.patch(): int`, (v: CelSemver) => v.patch);
  env.registerFunction(`${S}.isGreaterThan(${S}): bool`, (a: CelSemver, b: CelSemver) => a.compare(b) > 0);
  env.registerFunction(`${S}.isLessThan(${S}): bool`, (a: CelSemver, b: CelSemver) => a.compare(b) < 0);
  env.registerFunction(`${S}.compareTo(${S}): int`, (a: CelSemver, b: CelSemver) => BigInt(a.compare(b)));
}

interface MacroNode {
  op: string;
  args: unknown;
}
interface TypeDecl {
  kind: string;
  name?: string;
  keyType?: TypeDecl;
  valueType?: TypeDecl;
}
interface Checker {
  check(node: unknown, ctx: unknown): TypeDecl;
  getType(name: string): TypeDecl;
  registry: { getListType(t: TypeDecl): TypeDecl; getMapType(k: TypeDecl, v: TypeDecl): TypeDecl };
  createError(code: string, message: string, node: unknown): Error;
}
interface Scope {
  forkWithVariable(name: string, type: TypeDecl): Scope;
  reuse(parent: unknown): Scope & { iterValue: unknown };
}
interface Evaluator {
  run(node: unknown, ctx: unknown): unknown;
}

type TwoVarKind = "all" | "exists" | "existsOne" | "transformList" | "transformMap" | "transformMapEntry";

/** A map object's entries with its keys as the map's key type has them. */
function entriesOfType(coll: object, keyType: string | undefined): Array<[unknown, unknown]> {
  const values = Object.values(coll);
  return (keysOfType(coll, keyType) ?? Object.keys(coll)).map((k, i) => [k, values[i]]);
}

function registerTwoVarComprehensions(env: Environment): void {
  const macro =
    (kind: TwoVarKind, withFilter: boolean) =>
    ({ args, receiver }: { args: MacroNode[]; receiver: MacroNode }) => {
      const names = [args[0]!, args[1]!].map((a) => {
        if (a.op !== "id") throw new Error(`${kind}() variable names must be simple identifiers`);
        return a.args as string;
      });
      if (names[0] === names[1]) throw new Error(`${kind}() second variable name must be different from the first`);
      const filter = withFilter ? args[2] : undefined;
      const body = args[withFilter ? 3 : 2]!;
      const state: { inner?: Scope; outer?: Scope; steps?: number; filterSteps?: number; keyType?: string } = {};
      return {
        async: false,
        typeCheck(chk: Checker, _m: unknown, ctx: Scope) {
          const t = chk.check(receiver, ctx);
          const dyn = chk.getType("dyn");
          let first: TypeDecl;
          let second: TypeDecl;
          if (t.kind === "list") {
            first = chk.getType("int");
            second = t.valueType ?? dyn;
          } else if (t.kind === "map") {
            first = t.keyType ?? dyn;
            second = t.valueType ?? dyn;
            state.keyType = t.keyType?.name;
          } else if (t.kind === "dyn") {
            first = dyn;
            second = dyn;
          } else throw chk.createError("invalid_comprehension_range", `${kind}() cannot range over ${t.kind}`, receiver);
          if (kind === "transformMap" && t.kind === "list") throw chk.createError("invalid_comprehension_range", "transformMap() requires a map", receiver);
          // The variable names are never evaluated; the filter and body are charged as they run.
          for (const n of [args[0], args[1], filter, body]) markBody(n);
          state.outer = ctx.forkWithVariable(names[0]!, first);
          state.inner = state.outer.forkWithVariable(names[1]!, second);
          if (filter) chk.check(filter, state.inner);
          const bodyType = chk.check(body, state.inner);
          if (kind === "all" || kind === "exists" || kind === "existsOne") return chk.getType("bool");
          if (kind === "transformList") return chk.registry.getListType(bodyType);
          if (kind === "transformMap") return chk.registry.getMapType(first, bodyType);
          return chk.registry.getMapType(dyn, dyn);
        },
        evaluate(ev: Evaluator, _m: unknown, ctx: unknown) {
          const coll = ev.run(receiver, ctx);
          const outer = state.outer!.reuse(ctx);
          const inner = state.inner!.reuse(outer);
          const entries: Array<[unknown, unknown]> = Array.isArray(coll)
            ? coll.map((v, i) => [BigInt(i), v])
            : coll instanceof Map
              ? [...coll]
              : coll && typeof coll === "object"
                ? entriesOfType(coll, state.keyType)
                : fail(`${kind}() cannot range over ${typeof coll}`);
          // Costs of cel-go's expansions (ext/comprehensions.go): the body and filter by their steps;
          // all/exists their loop condition and `accu && p` / `accu || p` per iteration; existsOne
          // `p ? accu + 1 : accu` and `accu == 1`; the transforms their accumulator literal,
          // `accu + [x]` / `@mapInsert(accu, k, x)` / `@mapInsert(accu, entry)` (or `accu` when
          // filtered out) per element, and reading `accu` at the end.
          const steps = (state.steps ??= countSteps(body));
          const filterSteps = (state.filterSteps ??= filter ? countSteps(filter) : 0);
          const condition = kind === "all" ? 2 : kind === "exists" ? 3 : 0;
          if (kind === "transformList") charge(10);
          else if (kind === "transformMap" || kind === "transformMapEntry") charge(30);
          const kept = kind === "transformList" ? 12 : kind === "transformMap" ? 3 : 2;
          let error: unknown;
          let count = 0;
          const list: unknown[] = [];
          const map: Record<string, unknown> = {};
          for (let i = 0; i < entries.length; i++) {
            const [k, v] = entries[i]!;
            charge(condition);
            (outer as { iterValue: unknown }).iterValue = k;
            inner.iterValue = v;
            if (kind === "all" || kind === "exists") {
              charge(steps + 1);
              let r: unknown;
              try {
                r = ev.run(body, inner);
              } catch (err) {
                error ??= err;
                continue;
              }
              if ((kind === "all" && r === false) || (kind === "exists" && r === true)) {
                // cel-go evaluates the loop condition once more before it stops, when elements remain.
                if (i < entries.length - 1) charge(condition);
                charge(1);
                return kind === "exists";
              }
              continue;
            }
            charge(filterSteps);
            if (filter && ev.run(filter, inner) !== true) {
              charge(1);
              continue;
            }
            charge(steps);
            const r = ev.run(body, inner);
            if (kind === "existsOne") {
              charge(r === true ? 2 : 1);
              if (r === true) count++;
              continue;
            }
            charge(kept);
            if (kind === "transformList") list.push(r);
            else if (kind === "transformMap") map[String(k)] = r;
            else if (r && typeof r === "object") for (const [mk, mv] of Object.entries(r)) map[mk] = mv;
          }
          charge(kind === "existsOne" ? 2 : 1);
          if (error) throw error;
          if (kind === "all") return true;
          if (kind === "exists") return false;
          if (kind === "existsOne") return count === 1;
          return kind === "transformList" ? list : map;
        },
      };
    };
  for (const recv of ["list", "map"]) {
    env.registerFunction(`${recv}.all(ast, ast, ast): bool`, macro("all", false));
    env.registerFunction(`${recv}.exists(ast, ast, ast): bool`, macro("exists", false));
    env.registerFunction(`${recv}.existsOne(ast, ast, ast): bool`, macro("existsOne", false));
    env.registerFunction(`${recv}.exists_one(ast, ast, ast): bool`, macro("existsOne", false));
    env.registerFunction(`${recv}.transformList(ast, ast, ast): list<dyn>`, macro("transformList", false));
    env.registerFunction(`${recv}.transformList(ast, ast, ast, ast): list<dyn>`, macro("transformList", true));
    env.registerFunction(`${recv}.transformMap(ast, ast, ast): map<dyn, dyn>`, macro("transformMap", false));
    env.registerFunction(`${recv}.transformMap(ast, ast, ast, ast): map<dyn, dyn>`, macro("transformMap", true));
    env.registerFunction(`${recv}.transformMapEntry(ast, ast, ast): map<dyn, dyn>`, macro("transformMapEntry", false));
    env.registerFunction(`${recv}.transformMapEntry(ast, ast, ast, ast): map<dyn, dyn>`, macro("transformMapEntry", true));
  }
}

/** The element types cel-go's `sort()` and `sortBy()` order (`comparableTypes` of ext/lists.go). */
const SORTABLE = ["int", "uint", "double", "bool", "string", "bytes", "google.protobuf.Duration", "google.protobuf.Timestamp"];

/** Order a list by keys as cel-go's `@sortByAssociatedKeys` does (elements of one comparable type). */
function sortByKeys(list: unknown[], keys: unknown[]): unknown[] {
  if (list.length === 0) return list;
  const kind = (v: unknown): string => (typeof v === "bigint" ? "int" : typeof v === "number" ? "double" : v === null ? "null" : typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v);
  const first = keys[0];
  if (first === null || Array.isArray(first) || (typeof first === "object" && !(first instanceof Uint8Array) && !(first instanceof Date) && !("compare" in (first as object)) && (first as object).constructor === Object)) {
    fail("list elements must be comparable");
  }
  const k0 = kind(first);
  if (keys.some((k) => kind(k) !== k0)) fail("list elements must have the same type");
  charge(Math.ceil(list.length * Math.log2(list.length + 1)));
  return list
    .map((v, i) => [v, keys[i]] as const)
    .sort((a, b) => celCompare(a[1], b[1]))
    .map(([v]) => v);
}

/**
 * cel-go's lists extension at version 3 (`ext.Lists(ext.ListsVersion(3))`, in base.go from 1.34):
 * `slice`, `flatten`, `sort`, `sortBy`, `lists.range`, `reverse` and `distinct`, with its error texts.
 */
function registerExtLists(env: Environment): void {
  env.registerFunction("list<A>.slice(int, int): list<A>", (l: unknown[], start: bigint, end: bigint) => {
    if (start < 0n || end < 0n) fail(`cannot slice(${start}, ${end}), negative indexes not supported`);
    if (start > end) fail(`cannot slice(${start}, ${end}), start index must be less than or equal to end index`);
    if (BigInt(l.length) < end) fail(`cannot slice(${start}, ${end}), list is length ${l.length}`);
    charge(Number(end - start));
    return l.slice(Number(start), Number(end));
  });
  const flatten = (l: unknown[], depth: number): unknown[] => {
    const out: unknown[] = [];
    for (const v of l) {
      if (Array.isArray(v) && depth > 0) out.push(...flatten(v, depth - 1));
      else out.push(v);
    }
    return out;
  };
  env.registerFunction("list<list<A>>.flatten(): list<A>", (l: unknown[]) => {
    const out = flatten(l, 1);
    charge(out.length);
    return out;
  });
  env.registerFunction("list<dyn>.flatten(int): list<dyn>", (l: unknown[], depth: bigint) => {
    if (depth < 0n) fail("level must be non-negative");
    const out = flatten(l, Number(depth > 1000n ? 1000n : depth));
    charge(out.length);
    return out;
  });
  for (const t of SORTABLE) env.registerFunction(`list<${t}>.sort(): list<${t}>`, (l: unknown[]) => sortByKeys(l, l));
  env.registerFunction("list<A>.reverse(): list<A>", (l: unknown[]) => {
    charge(l.length);
    return [...l].reverse();
  });
  env.registerFunction("list<A>.distinct(): list<A>", (l: unknown[]) => {
    charge(l.length);
    const out: unknown[] = [];
    for (const v of l) if (!out.some((x) => celEquals(x, v))) out.push(v);
    return out;
  });
  class ListsNamespace {}
  env.registerType("ListsNamespace", ListsNamespace);
  env.registerConstant("lists", "ListsNamespace", new ListsNamespace());
  env.registerFunction("ListsNamespace.range(int): list<int>", (_: unknown, n: bigint) => {
    if (n < 0n) fail(`lists.range: size must be non-negative, got ${n}`);
    if (n > 10_000_000n) fail(`lists.range: size ${n} exceeds maximum allowed (10000000)`);
    charge(Number(n));
    return Array.from({ length: Number(n) }, (_v, i) => BigInt(i));
  });
  // `sortBy(e, key)`: cel-go expands it to `@sortByAssociatedKeys` over the keys `map(e, key)` gives.
  const sortBy = ({ args, receiver }: { args: MacroNode[]; receiver: MacroNode }) => {
    const v = args[0]!;
    if (v.op !== "id") throw new Error("sortBy(var, ...) variable name must be a simple identifier");
    const name = v.args as string;
    const key = args[1]!;
    const state: { scope?: Scope; steps?: number } = {};
    return {
      async: false,
      typeCheck(chk: Checker, _m: unknown, ctx: Scope) {
        const t = chk.check(receiver, ctx);
        const dyn = chk.getType("dyn");
        if (t.kind !== "list" && t.kind !== "dyn") throw chk.createError("invalid_comprehension_range", `sortBy() cannot range over ${t.kind}`, receiver);
        state.scope = ctx.forkWithVariable(name, t.kind === "list" ? (t.valueType ?? dyn) : dyn);
        chk.check(key, state.scope);
        return t.kind === "list" ? t : chk.registry.getListType(dyn);
      },
      evaluate(ev: Evaluator, _m: unknown, ctx: unknown) {
        const list = ev.run(receiver, ctx);
        if (!Array.isArray(list)) return fail("sortBy() requires a list");
        const scope = state.scope!.reuse(ctx);
        const steps = (state.steps ??= countSteps(key));
        const keys = list.map((e) => {
          charge(steps);
          scope.iterValue = e;
          return ev.run(key, scope);
        });
        return sortByKeys(list, keys);
      },
    };
  };
  env.registerFunction("list.sortBy(ast, ast): list<dyn>", sortBy);
}

/** The functions optional entries of list and map literals are rewritten to (see `optional-entries.ts`). */
function registerOptionalEntries(env: Environment): void {
  const present = (v: unknown): v is Optional => v instanceof cel().Optional && v.hasValue();
  env.registerFunction(`${OPTIONAL_LIST}(list): list`, (l: unknown[]) => l.filter(present).map((o) => (o as Optional).value()));
  env.registerFunction(`${OPTIONAL_MAP}(map): map`, (m: unknown) => {
    if (m instanceof Map) return new Map([...m].filter(([, v]) => present(v)).map(([k, v]) => [k, (v as Optional).value()]));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) if (present(v)) out[k] = v.value();
    return out;
  });
}
