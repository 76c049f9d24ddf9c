/**
 * Compile errors in cel-go's words and layout (`common.Errors.ToDisplayString`), as kube-apiserver
 * prints them after `compilation failed: `:
 *
 * ```
 * ERROR: <input>:1:3: found no matching overload for '_<_' applied to '(int, string)'
 *  | 1 < 'asdf'
 *  | ..^
 * ```
 *
 * The location is where cel-go puts it (the operator of an operator call, the `(` of a function
 * call, the `?` of a conditional, the identifier of an undeclared reference); the messages of the
 * common classes follow cel-go's checker (`undeclared reference to 'x' (in container '')`,
 * `found no matching overload for 'NAME' applied to '(ARGS)'`, `expected type 'A' but found 'B'`);
 * syntax errors keep this evaluator's wording after cel-go's `Syntax error: ` (ANTLR's expected-token
 * sets are not reproduced), except a missing closing bracket at the end, which reads as ANTLR's.
 */

interface ErrorNode {
  op?: string;
  args?: unknown;
  pos?: number;
  start?: number;
  end?: number;
}

/** What a checker or parser error of the evaluator carries. */
export interface EvaluatorError {
  summary?: string;
  message?: string;
  node?: ErrorNode;
  range?: { start: number; end: number };
}

/** One issue: cel-go's message and the offset in the source it points at. */
export interface Issue {
  message: string;
  offset: number;
}

/** cel-go's names of the operator functions. */
const OPERATORS: Record<string, string> = {
  "+": "_+_",
  "-": "_-_",
  "*": "_*_",
  "/": "_/_",
  "%": "_%_",
  "<": "_<_",
  "<=": "_<=_",
  ">": "_>_",
  ">=": "_>=_",
  "==": "_==_",
  "!=": "_!=_",
  "&&": "_&&_",
  "||": "_||_",
  in: "@in",
};

/** A type as cel-go's checker prints it: `list(int)`, `map(string, dyn)`, `optional_type(int)`, `null`. */
/**
 * The type names cel-go's standard library declares as identifiers (`stdlib.Types`), each the
 * value of a type: `int` is `type(int)` to the checker. `list` and `map` keep their declared type
 * parameters, which a message about an unresolved overload reads as `dyn` (cel-go substitutes
 * unbound parameters there) and one about a literal's element types leaves as declared.
 */
const TYPE_IDENTIFIERS: Readonly<Record<string, (params: "dyn" | "declared") => string>> = {
  bool: () => "bool",
  bytes: () => "bytes",
  double: () => "double",
  int: () => "int",
  uint: () => "uint",
  string: () => "string",
  null_type: () => "null",
  type: () => "type",
  list: (p) => (p === "dyn" ? "list(dyn)" : "list(A)"),
  map: (p) => (p === "dyn" ? "map(dyn, dyn)" : "map(A, B)"),
  "google.protobuf.Timestamp": () => "timestamp",
  "google.protobuf.Duration": () => "duration",
  "google.protobuf.Any": () => "any",
};

interface TypedNode extends ErrorNode {
  checkedType?: { name?: string };
}

/**
 * How cel-go's checker names the type of an expression whose value is a type (`int` →
 * `type(int)`, `type(1)` → `type(int)`, `type(x)` of a dyn `x` → `type(dyn)`), where this evaluator
 * only says `type`; undefined for any other expression.
 *
 * @example
 * typeValueName({ op: "id", args: "int", checkedType: { name: "type" } }); // "type(int)"
 */
export function typeValueName(node: unknown, params: "dyn" | "declared" = "dyn"): string | undefined {
  const n = node as TypedNode | undefined;
  if (!n || typeof n !== "object" || n.checkedType?.name !== "type") return undefined;
  if (n.op === "id" && typeof n.args === "string") {
    const named = TYPE_IDENTIFIERS[n.args];
    return named ? `type(${named(params)})` : undefined;
  }
  const args = n.args as unknown[];
  if (n.op === "call" && Array.isArray(args) && args[0] === "type" && Array.isArray(args[1]) && args[1].length === 1) {
    const of = args[1][0] as TypedNode;
    const inner = typeValueName(of, params) ?? (of.checkedType?.name ? goTypeText(of.checkedType.name) : "dyn");
    return `type(${inner})`;
  }
  return undefined;
}

/**
 * The operands' types and the operator of the evaluator's `no such overload: L op R`, the types
 * possibly holding spaces (`map<string, int> == type`): the operator is the first one at depth 0.
 */
function binaryOverload(summary: string): { left: string; op: string; right: string } | undefined {
  const prefix = "no such overload: ";
  if (!summary.startsWith(prefix)) return undefined;
  const text = summary.slice(prefix.length);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "<" || ch === "(") depth++;
    else if (ch === ">" || ch === ")") depth--;
    else if (ch === " " && depth === 0) {
      const end = text.indexOf(" ", i + 1);
      if (end < 0) return undefined;
      const op = text.slice(i + 1, end);
      if (OPERATORS[op]) return { left: text.slice(0, i), op, right: text.slice(end + 1) };
    }
  }
  return undefined;
}

/** An operand's type as cel-go names it: the evaluator's text, or `type(…)` for a type value. */
function operandType(text: string, node: unknown): string {
  return (text.trim() === "type" && typeValueName(node)) || goTypeText(text);
}

export function goTypeText(t: string): string {
  return t.trim().replace(/\boptional</g, "optional_type<").replace(/</g, "(").replace(/>/g, ")");
}

function splitTypes(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of list) {
    if (ch === "<" || ch === "(") depth++;
    if (ch === ">" || ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map(goTypeText);
}

/** The offset of the operator token after a left operand (cel-go locates operator calls there). */
function operatorOffset(source: string, node: ErrorNode, op: string): number {
  const args = Array.isArray(node.args) ? (node.args as ErrorNode[]) : [];
  const left = args[0];
  const from = left?.end ?? node.pos ?? node.start ?? 0;
  const at = source.indexOf(op, from);
  return at >= 0 ? at : (node.pos ?? node.start ?? 0);
}

/** The offset of the `(` that opens a call's arguments. */
function callOffset(source: string, node: ErrorNode): number {
  const args = Array.isArray(node.args) ? node.args : [];
  const receiver = node.op === "rcall" ? (args[1] as ErrorNode | undefined) : undefined;
  const from = receiver?.end ?? node.pos ?? node.start ?? 0;
  const at = source.indexOf("(", from);
  return at >= 0 ? at : (node.pos ?? node.start ?? 0);
}

/**
 * A checker error of the evaluator as cel-go's checker words and locates it.
 *
 * @example
 * checkIssue({ summary: "Unknown variable: foo", node: { op: "id", pos: 0 } }, "foo").message; // "undeclared reference to 'foo' (in container '')"
 */
export function checkIssue(err: EvaluatorError, source: string): Issue {
  const summary = err.summary ?? (err.message ?? "").split("\n")[0] ?? "";
  const node = err.node ?? {};
  const at = node.pos ?? node.start ?? err.range?.start ?? 0;
  let m = /^Unknown variable: (\S+)$/.exec(summary);
  if (m) return { message: `undeclared reference to '${m[1]}' (in container '')`, offset: at };
  // A field an object type does not declare (cel-go's checker: at the `.` before the field).
  m = /^No such key: (.+)$/.exec(summary);
  if (m && (node.op === "." || node.op === ".?") && node.end !== undefined) {
    return { message: `undefined field '${m[1]}'`, offset: node.end - m[1]!.length - (node.op === ".?" ? 2 : 1) };
  }
  // A unary operator's node holds its operand alone.
  const operands = Array.isArray(node.args) ? (node.args as unknown[]) : node.args && typeof node.args === "object" ? [node.args] : [];
  const binary = binaryOverload(summary);
  if (binary) {
    return {
      message: `found no matching overload for '${OPERATORS[binary.op]}' applied to '(${operandType(binary.left, operands[0])}, ${operandType(binary.right, operands[1])})'`,
      offset: operatorOffset(source, node, binary.op),
    };
  }
  m = /^no such overload: ([!-])(\S.*)$/.exec(summary);
  if (m) return { message: `found no matching overload for '${m[1]}_' applied to '(${operandType(m[2]!, operands[0])})'`, offset: at };
  m = /^found no matching overload for '(?:([\w.<>, ]+?)\.)?(\w+)\((.*)\)'$/.exec(summary);
  if (m) {
    const member = m[1] !== undefined && node.op === "rcall";
    const argNodes = (member ? operands[2] : operands[1]) as unknown[] | undefined;
    const args = splitTypes(m[3]!)
      .map((t, i) => (t === "type" && typeValueName(argNodes?.[i])) || t)
      .join(", ");
    const applied = member ? `${operandType(m[1]!, operands[1])}.(${args})` : `(${args})`;
    return { message: `found no matching overload for '${m[2]}' applied to '${applied}'`, offset: callOffset(source, node) };
  }
  // cel-go's checker asserts that each operand of `&&` and `||` is a bool: the first that is
  // not is reported where it starts (checker_test.go `x.all(e, 0)`: "expected type 'bool' but found 'int'").
  m = /^Logical operator requires bool operands, got '.+'$/.exec(summary);
  const logical = node.op === "&&" || node.op === "||" ? (operands as TypedNode[]) : [];
  if (m && logical.length === 2 && logical.every((o) => o?.checkedType?.name)) {
    const wrong = logical.find((o) => o.checkedType!.name !== "bool" && o.checkedType!.name !== "dyn");
    if (wrong) return { message: `expected type 'bool' but found '${operandType(wrong.checkedType!.name!, wrong)}'`, offset: wrong.start ?? wrong.pos ?? at };
  }
  // Indexing is `_[_]` to cel-go's checker; selecting a field of what has none is its own error.
  const target = operands[0] as TypedNode | undefined;
  m = /^List index must be int, got '(.+)'$/.exec(summary);
  if (m && target?.checkedType?.name && target.end !== undefined) {
    if (node.op === "[]") {
      const at = source.indexOf("[", target.end);
      return { message: `found no matching overload for '_[_]' applied to '(${operandType(target.checkedType.name, target)}, ${operandType(m[1]!, operands[1])})'`, offset: at >= 0 ? at : (node.pos ?? 0) };
    }
    if (node.op === ".") {
      const at = source.indexOf(".", target.end);
      return { message: `type '${operandType(target.checkedType.name, target)}' does not support field selection`, offset: at >= 0 ? at : (node.pos ?? 0) };
    }
  }
  m = /^Cannot index type '(.+?)'(?: with type '(.+)')?$/.exec(summary);
  if (m && node.op === "[]" && target?.end !== undefined) {
    const index = operands[1] as TypedNode | undefined;
    const indexType = m[2] ?? index?.checkedType?.name;
    if (indexType) {
      const at = source.indexOf("[", target.end);
      return { message: `found no matching overload for '_[_]' applied to '(${operandType(m[1]!, target)}, ${operandType(indexType, index)})'`, offset: at >= 0 ? at : (node.pos ?? 0) };
    }
  }
  if (m && !m[2] && node.op === "." && target?.end !== undefined) {
    const at = source.indexOf(".", target.end);
    return { message: `type '${operandType(m[1]!, target)}' does not support field selection`, offset: at >= 0 ? at : (node.pos ?? 0) };
  }
  m = /^Ternary branches must have the same type, got '(.+)' and '(.+)'$/.exec(summary);
  if (m) {
    const q = source.indexOf("?", Array.isArray(node.args) ? ((node.args[0] as ErrorNode | undefined)?.end ?? at) : at);
    return { message: `found no matching overload for '_?_:_' applied to '(bool, ${goTypeText(m[1]!)}, ${goTypeText(m[2]!)})'`, offset: q >= 0 ? q : at };
  }
  return { message: summary, offset: at };
}

/**
 * A parse error of the evaluator as a cel-go syntax error.
 *
 * @example
 * parseIssue({ summary: "Expected RPAREN, got EOF", node: { pos: 19 } }).message; // "Syntax error: missing ')' at '<EOF>'"
 */
export function parseIssue(err: EvaluatorError): Issue {
  const summary = err.summary ?? (err.message ?? "").split("\n")[0] ?? "";
  const at = err.node?.pos ?? err.node?.start ?? err.range?.start ?? 0;
  const closers: Record<string, string> = { RPAREN: ")", RBRACKET: "]", RBRACE: "}" };
  const m = /^Expected (RPAREN|RBRACKET|RBRACE), got EOF$/.exec(summary);
  if (m) return { message: `Syntax error: missing '${closers[m[1]!]}' at '<EOF>'`, offset: at };
  return { message: `Syntax error: ${summary}`, offset: at };
}

/**
 * Issues laid out as cel-go's `ToDisplayString`: `ERROR: <input>:LINE:COLUMN: MESSAGE`, the source
 * line and a caret under the column (wide characters as wide dots), one issue after another.
 *
 * @example
 * formatIssues("1 < 'a'", [{ message: "found no matching overload for '_<_' applied to '(int, string)'", offset: 2 }]);
 * // "ERROR: <input>:1:3: found no matching overload for '_<_' applied to '(int, string)'\n | 1 < 'a'\n | ..^"
 */
export function formatIssues(source: string, issues: readonly Issue[]): string {
  return [...issues]
    .sort((a, b) => a.offset - b.offset)
    .map(({ message, offset }) => {
      const upto = [...source.slice(0, Math.max(0, Math.min(offset, source.length)))];
      let line = 1;
      let lineStart = 0;
      upto.forEach((ch, i) => {
        if (ch === "\n") {
          line++;
          lineStart = i + 1;
        }
      });
      const column = upto.slice(lineStart);
      const lines = source.split("\n");
      const snippet = (lines[line - 1] ?? "").replace(/\t/g, " ");
      const wide = (ch: string) => (ch.codePointAt(0) ?? 0) > 0x7f;
      const dots = column.map((ch) => (wide(ch) ? "\uff0e" : ".")).join("");
      const under = [...snippet][column.length];
      const caret = under !== undefined && wide(under) ? "\uff3e" : "^";
      return `ERROR: <input>:${line}:${column.length + 1}: ${message}\n | ${snippet}\n | ${dots}${caret}`;
    })
    .join("\n");
}
