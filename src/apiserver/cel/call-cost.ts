/**
 * The runtime cost of one function or operator call, as kube-apiserver's cel-go tracker counts it:
 * the Kubernetes libraries' `CallCost` (`k8s.io/apiserver/pkg/cel/library/cost.go`) first, then
 * cel-go's own (`interpreter/runtimecost.go` `costCall`: string traversals, equality by the
 * smaller operand, `in` by the list's size), and 1 for every other call. Sizes are cel-go's:
 * strings count code points, bytes bytes, lists and maps entries, everything else 1.
 */
import { CelAuthorizer, CelDecision, CelGroupCheck, CelPathCheck, CelResourceCheck } from "./authz.js";
import { CelURL } from "./url.js";
import { CelCIDR, CelFormat, CelIP, CelQuantity, CelSemver } from "./values.js";

/** `common.StringTraversalCostFactor`. */
const STRING_FACTOR = 0.1;
/** `common.RegexStringLengthCostFactor`. */
const REGEX_FACTOR = 0.25;
/** `common.ListCreateBaseCost + common.StructCreateBaseCost`: one selector requirement. */
const SELECTOR_REQUIREMENT_COST = 10 + 40;

/** Code points of a string (cel-go's `types.String.Size`). */
function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** UTF-8 length of a string. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

interface OptionalLike {
  hasValue(): boolean;
  value(): unknown;
}

const isOptional = (v: unknown): v is OptionalLike => typeof v === "object" && v !== null && typeof (v as OptionalLike).hasValue === "function" && typeof (v as OptionalLike).value === "function";

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/**
 * cel-go's `actualSize`: the size of strings (code points), bytes, lists and maps, of an
 * optional's value; 1 for anything else.
 *
 * @example
 * actualSize("héllo"); // 5
 */
export function actualSize(v: unknown): number {
  if (typeof v === "string") return runeCount(v);
  if (v instanceof Uint8Array || Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (isPlainObject(v)) return Object.keys(v).length;
  if (isOptional(v)) return v.hasValue() ? actualSize(v.value()) : 1;
  return 1;
}

/**
 * The Kubernetes libraries' `traversalCost`: strings and bytes by a tenth of their bytes (rounded
 * down), lists and maps by the sum over their elements, anything else 1.
 *
 * @example
 * traversalOf([1n, 2n, 3n]); // 3
 */
export function traversalOf(v: unknown): number {
  if (typeof v === "string") return Math.floor(utf8Length(v) * STRING_FACTOR);
  if (v instanceof Uint8Array) return Math.floor(v.length * STRING_FACTOR);
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) n += traversalOf(x);
    return n;
  }
  if (v instanceof Map) {
    let n = 0;
    for (const [k, x] of v) n += traversalOf(k) + traversalOf(x);
    return n;
  }
  if (isPlainObject(v)) {
    let n = 0;
    for (const [k, x] of Object.entries(v)) n += traversalOf(k) + traversalOf(x);
    return n;
  }
  return 1;
}

const scaled = (v: unknown, factor = STRING_FACTOR): number => Math.ceil(actualSize(v) * factor);

/** `format.MaxRegexSize` of the format library's named formats (`library/format.go`). */
const FORMAT_REGEX_SIZE: Readonly<Record<string, number>> = {
  dns1123Label: 30,
  dns1123Subdomain: 60,
  dns1035Label: 30,
  qualifiedName: 60,
  portName: 20,
  dns1123LabelPrefix: 30,
  dns1123SubdomainPrefix: 60,
  dns1035LabelPrefix: 30,
  labelValue: 40,
};

/** Kubernetes values whose equality costs 1 (`CallCost` of `_==_`). */
const isUnitEqual = (v: unknown): boolean =>
  v instanceof CelQuantity ||
  v instanceof CelIP ||
  v instanceof CelCIDR ||
  v instanceof CelFormat ||
  v instanceof CelURL ||
  v instanceof CelSemver ||
  v instanceof CelAuthorizer ||
  v instanceof CelPathCheck ||
  v instanceof CelGroupCheck ||
  v instanceof CelResourceCheck ||
  v instanceof CelDecision;

type CallCost = (args: readonly unknown[], result: unknown) => number;

const one: CallCost = () => 1;
const traverseFirst: CallCost = (a) => traversalOf(a[0]);
const scanFirst: CallCost = (a) => scaled(a[0]);
const scanFirstTwice: CallCost = (a) => scaled(a[0], 2 * STRING_FACTOR);
const regex: CallCost = (a) => Math.ceil((1 + actualSize(a[0])) * STRING_FACTOR) * scaled(a[1], REGEX_FACTOR);
const selector: CallCost = (a) => {
  const n = actualSize(a[1]);
  return 10 + Math.ceil(n * STRING_FACTOR) + Math.ceil(Math.ceil(n * 0.5) * SELECTOR_REQUIREMENT_COST);
};
const setsProduct: CallCost = (a) => 1 + actualSize(a[0]) * actualSize(a[1]);

/**
 * Costs by function name (the name cel-go gives the call: `strings.quote`, `sets.contains`).
 * Arguments are the call's, the receiver of a member call first.
 */
const LIBRARY_COSTS: ReadonlyMap<string, CallCost> = new Map<string, CallCost>([
  // k8s.io/apiserver/pkg/cel/library/cost.go CallCost
  ["check", () => 350_000],
  ...["serviceAccount", "path", "group", "resource", "subresource", "namespace", "name", "allowed", "reason", "error", "errored"].map((n) => [n, one] as [string, CallCost]),
  ["fieldSelector", selector],
  ["labelSelector", selector],
  ...["isSorted", "sum", "max", "min", "indexOf", "lastIndexOf"].map((n) => [n, traverseFirst] as [string, CallCost]),
  ...["url", "lowerAscii", "upperAscii", "substring", "trim", "jsonpatch.escapeKey"].map((n) => [n, scanFirst] as [string, CallCost]),
  ["replace", scanFirstTwice],
  ["split", scanFirstTwice],
  ["join", (_a, r) => scaled(r, 2 * STRING_FACTOR)],
  ["find", regex],
  ["findAll", regex],
  ...["cidr", "isIP", "isCIDR", "quantity", "isQuantity", "semver", "isSemver"].map((n) => [n, scanFirst] as [string, CallCost]),
  ["ip", (a) => (a[0] instanceof CelCIDR ? 1 : scaled(a[0]))],
  ["ip.isCanonical", scanFirstTwice],
  ...["masked", "prefixLength", "family", "isUnspecified", "isLoopback", "isLinkLocalMulticast", "isLinkLocalUnicast", "isGlobalUnicast"].map((n) => [n, one] as [string, CallCost]),
  [
    "containsIP",
    (a) => {
      const c = actualSize(a[0]);
      return Math.ceil((c + c) * STRING_FACTOR) + (typeof a[1] === "string" ? scaled(a[1]) : 0);
    },
  ],
  [
    "containsCIDR",
    (a) => {
      const c = actualSize(a[0]);
      return Math.ceil((c + c) * STRING_FACTOR) + Math.ceil(c * STRING_FACTOR) + 1 + (typeof a[1] === "string" ? scaled(a[1]) : 0);
    },
  ],
  [
    "validate",
    (a) => {
      const f = a[0];
      if (!(f instanceof CelFormat)) return 1;
      const size = FORMAT_REGEX_SIZE[f.name] ?? 60;
      return Math.ceil((1 + actualSize(a[1])) * STRING_FACTOR) * Math.ceil(size * REGEX_FACTOR);
    },
  ],
  ["format.named", one],
  ...["sign", "asInteger", "isInteger", "asApproximateFloat", "isGreaterThan", "isLessThan", "compareTo", "add", "sub", "major", "minor", "patch"].map((n) => [n, one] as [string, CallCost]),
  ...["getScheme", "getHostname", "getHost", "getPort", "getEscapedPath", "getQuery"].map((n) => [n, one] as [string, CallCost]),
]);

/**
 * The costs cel-go counts by itself, with or without the Kubernetes libraries' estimator
 * (`interpreter/runtimecost.go` `costCall`, the sets extension's own trackers).
 */
const CEL_GO_COSTS: ReadonlyMap<string, CallCost> = new Map<string, CallCost>([
  // cel-go interpreter/runtimecost.go costCall
  ["startsWith", scanFirst],
  ["endsWith", scanFirst],
  ["strings.quote", scanFirst],
  ["format", scanFirst],
  ["re2Matches", regex],
  ["contains", (a) => scaled(a[0]) * scaled(a[1])],
  ["bytes", (a) => (typeof a[0] === "string" ? scaled(a[0]) : 1)],
  ["string", (a) => (a[0] instanceof Uint8Array ? scaled(a[0]) : 1)],
  // cel-go ext/sets.go: the product of the sizes (twice for equivalence)
  ["sets.contains", setsProduct],
  ["sets.intersects", setsProduct],
  ["sets.equivalent", (a) => 1 + 2 * actualSize(a[0]) * actualSize(a[1])],
]);

/** Both tables: the Kubernetes libraries' costs first, as the tracker asks its estimator first. */
const CALL_COSTS: ReadonlyMap<string, CallCost> = new Map<string, CallCost>([...CEL_GO_COSTS, ...LIBRARY_COSTS]);

/**
 * The cost function of calls of `name`, or undefined when such a call costs 1 whatever it is given.
 * Without `libraryCosts` (a program built without `cel.CostTracking(&library.CostEstimator{})`,
 * as admission policies and webhook match conditions were before the StrictCostEnforcement gates)
 * only cel-go's own costs apply: a Kubernetes library call costs 1.
 *
 * @example
 * costFunction("size"); // undefined
 * costFunction("check", false); // undefined: 1 without the Kubernetes libraries' costs
 */
export function costFunction(name: string, libraryCosts = true): ((args: readonly unknown[], result: unknown) => number) | undefined {
  return (libraryCosts ? CALL_COSTS : CEL_GO_COSTS).get(name);
}

/**
 * The cost of a call of `name` with these arguments and result.
 *
 * @example
 * callCost("lowerAscii", ["ABCDEFGHIJ abcdefghij"], "abcdefghij abcdefghij"); // 3
 */
export function callCost(name: string, args: readonly unknown[], result: unknown): number {
  const f = CALL_COSTS.get(name);
  return f ? f(args, result) : 1;
}

/**
 * The cost of a binary operator (cel-go `costCall` for `_==_`, `_<_`, `_+_`, `@in`): strings and
 * bytes by a tenth of the smaller operand (the sum for `+`), lists in `in` by their size,
 * Kubernetes values' equality 1, anything else 1.
 *
 * @example
 * operatorCost("==", "abc", "abd"); // 1
 */
export function operatorCost(op: string, left: unknown, right: unknown): number {
  switch (op) {
    case "==":
    case "!=":
      if (isUnitEqual(left)) return 1;
      return Math.ceil(Math.min(actualSize(left), actualSize(right)) * STRING_FACTOR);
    case "<":
    case "<=":
    case ">":
    case ">=":
      if ((typeof left === "string" && typeof right === "string") || (left instanceof Uint8Array && right instanceof Uint8Array)) {
        return Math.ceil(Math.min(actualSize(left), actualSize(right)) * STRING_FACTOR);
      }
      return 1;
    case "+":
      if ((typeof left === "string" && typeof right === "string") || (left instanceof Uint8Array && right instanceof Uint8Array)) {
        return Math.ceil((actualSize(left) + actualSize(right)) * STRING_FACTOR);
      }
      return 1;
    case "in":
      return Array.isArray(right) ? right.length : 1;
    default:
      return 1;
  }
}
