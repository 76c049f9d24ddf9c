/**
 * Label selectors (equality- and set-based, apimachinery's syntax) and field selectors.
 */
import { isQualifiedName, isValidLabelValue } from "../meta/index.js";

/** One requirement of a label selector. */
export interface LabelRequirement {
  key: string;
  operator: "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";
  values: string[];
}

/** A problem in a selector string; the message is the apiserver's. */
export class SelectorError extends Error {}

const TOKEN = /\s*(\(|\)|,|==|=|!=|!|>|<|[^\s(),=!<>]+)/y;

function tokenize(input: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < input.length) {
    if (/^\s*$/.test(input.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(input);
    if (!m) throw new SelectorError(`unable to parse requirement: unexpected character at ${pos}`);
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

const OPERATORS = ["=", "==", "!=", "in", "notin", ">", "<"];

/** Tokens that are never a value: apimachinery's special symbols. */
const SYMBOLS = new Set(["(", ")", ",", "=", "==", "!=", "!", ">", "<"]);

function checkKey(key: string): void {
  const errs = isQualifiedName(key);
  if (errs.length) throw new SelectorError(`unable to parse requirement: key: Invalid value: "${key}": ${errs.join("; ")}`);
}

function checkValue(value: string): void {
  const errs = isValidLabelValue(value);
  if (errs.length) throw new SelectorError(`unable to parse requirement: values[0]: Invalid value: "${value}": ${errs.join("; ")}`);
}

/**
 * Parse a label selector (`app=web,tier in (a,b),!canary`).
 *
 * @example
 * parseLabelSelector("app=web,env notin (dev)");
 */
export function parseLabelSelector(input: string): LabelRequirement[] {
  const tokens = tokenize(input);
  const out: LabelRequirement[] = [];
  let i = 0;
  const next = () => tokens[i++];
  // In a value set every word is a value, `in` and `notin` included.
  const isValue = (t: string | undefined): t is string => t !== undefined && !SYMBOLS.has(t);
  /**
   * A `(…)` value set as apimachinery's parseValues and parseIdentifiersList read it: `()` is the
   * set {""}, and empty entries (`(,x)`, `(x,)`, `(x,,y)`) add "".
   */
  const parseValueSet = (): string[] => {
    const open = next();
    if (open !== "(") throw new SelectorError(`unable to parse requirement: found '${open ?? ""}' expected: '('`);
    const values = new Set<string>();
    const first = tokens[i];
    if (first === ")") {
      i++;
      values.add("");
    } else if (first === "," || isValue(first)) {
      for (;;) {
        const t = next();
        if (isValue(t)) {
          values.add(t);
          const after = tokens[i];
          if (after === ",") continue;
          if (after === ")") break;
          throw new SelectorError(`unable to parse requirement: found '${after ?? ""}', expected: ',' or ')'`);
        }
        if (t !== ",") throw new SelectorError(`unable to parse requirement: found '${t ?? ""}', expected: ',', or identifier`);
        if (values.size === 0) values.add("");
        const after = tokens[i];
        if (after === ")") {
          values.add("");
          break;
        }
        if (after === ",") {
          i++;
          values.add("");
        }
      }
      if (next() !== ")") throw new SelectorError(`unable to parse requirement: found '${first}', expected: ')'`);
    } else {
      throw new SelectorError(`unable to parse requirement: found '${first ?? ""}', expected: ',', ')' or identifier`);
    }
    const sorted = [...values].sort();
    for (const v of sorted) checkValue(v);
    return sorted;
  };
  while (i < tokens.length) {
    let t = next()!;
    if (t === "!") {
      const key = next();
      if (key === undefined || key === "," || OPERATORS.includes(key)) throw new SelectorError(`unable to parse requirement: found '${key ?? ""}', expected: identifier`);
      checkKey(key);
      out.push({ key, operator: "!", values: [] });
    } else {
      if (t === "," || t === "(" || t === ")" || OPERATORS.includes(t)) {
        throw new SelectorError(`unable to parse requirement: found '${t}', expected: !, identifier`);
      }
      const key = t;
      checkKey(key);
      const op = tokens[i];
      if (op === undefined || op === ",") {
        out.push({ key, operator: "exists", values: [] });
      } else if (op === "=" || op === "==" || op === "!=") {
        i++;
        let value = tokens[i];
        if (value === undefined || value === ",") value = "";
        else if (["(", ")", "=", "==", "!=", "!"].includes(value)) throw new SelectorError(`unable to parse requirement: found '${value}', expected: identifier`);
        else i++;
        checkValue(value);
        out.push({ key, operator: op === "!=" ? "!=" : "=", values: [value] });
      } else if (op === "in" || op === "notin") {
        i++;
        out.push({ key, operator: op, values: parseValueSet() });
      } else if (op === ">" || op === "<") {
        i++;
        const value = next() ?? "";
        if (!/^-?\d+$/.test(value)) throw new SelectorError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        out.push({ key, operator: op === ">" ? "gt" : "lt", values: [value] });
      } else {
        throw new SelectorError(`unable to parse requirement: found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    const sep = tokens[i];
    if (sep === undefined) break;
    if (sep !== ",") throw new SelectorError(`found '${sep}', expected: ',' or 'end of string'`);
    i++;
    if (i >= tokens.length) throw new SelectorError(`found '', expected: !, identifier`);
  }
  return out;
}

/** Whether labels satisfy every requirement. */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Record<string, unknown> | undefined): boolean {
  for (const r of requirements) {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const value = has ? String(labels![r.key]) : undefined;
    switch (r.operator) {
      case "=":
        if (value !== r.values[0]) return false;
        break;
      case "!=":
        if (value === r.values[0]) return false;
        break;
      case "in":
        if (value === undefined || !r.values.includes(value)) return false;
        break;
      case "notin":
        if (value !== undefined && r.values.includes(value)) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!":
        if (has) return false;
        break;
      case "gt":
      case "lt": {
        if (value === undefined || !/^-?\d+$/.test(value)) return false;
        const n = Number(value);
        const limit = Number(r.values[0]);
        if (r.operator === "gt" ? !(n > limit) : !(n < limit)) return false;
        break;
      }
    }
  }
  return true;
}

/** One requirement of a field selector. */
export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

function unescapeField(s: string): string {
  return s.replace(/\\(.)/g, "$1");
}

/**
 * Parse a field selector (`metadata.name=web,status.phase!=Running`), with `\,` `\=` `\\` escapes.
 *
 * @example
 * parseFieldSelector("spec.nodeName=node-1");
 */
export function parseFieldSelector(input: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (input.trim() === "") return out;
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === "\\" && i + 1 < input.length) {
      cur += c + input[++i]!;
    } else if (c === ",") {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  for (const part of parts) {
    const m = /^((?:[^\\=!]|\\.)*?)(==|!=|=)((?:[^\\]|\\.)*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${input}'; can't understand '${part}'`);
    out.push({ field: m[1]!.trim(), operator: m[2] === "!=" ? "!=" : "=", value: unescapeField(m[3]!) });
  }
  return out;
}

/** Whether an object's selectable field values satisfy every requirement. */
export function matchesFields(requirements: readonly FieldRequirement[], fields: Record<string, string>): boolean {
  for (const r of requirements) {
    const value = fields[r.field] ?? "";
    if (r.operator === "=" ? value !== r.value : value === r.value) return false;
  }
  return true;
}
