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
  m = /^no such overload: (\S+) (\S+|in) (\S.*)$/.exec(summary);
  if (m && OPERATORS[m[2]!]) {
    return { message: `found no matching overload for '${OPERATORS[m[2]!]}' applied to '(${goTypeText(m[1]!)}, ${goTypeText(m[3]!)})'`, offset: operatorOffset(source, node, m[2]!) };
  }
  m = /^no such overload: ([!-])(\S.*)$/.exec(summary);
  if (m) return { message: `found no matching overload for '${m[1]}_' applied to '(${goTypeText(m[2]!)})'`, offset: at };
  m = /^found no matching overload for '(?:([\w.<>, ]+?)\.)?(\w+)\((.*)\)'$/.exec(summary);
  if (m) {
    const args = splitTypes(m[3]!).join(", ");
    const applied = m[1] !== undefined && node.op === "rcall" ? `${goTypeText(m[1])}.(${args})` : `(${args})`;
    return { message: `found no matching overload for '${m[2]}' applied to '${applied}'`, offset: callOffset(source, node) };
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
