/**
 * Literals cel-go's lexer reads and the evaluator's does not, rewritten to equivalent ones it
 * reads (cel-spec doc/langdef.md Syntax): bytes literals hold the UTF-8 encoding of characters
 * outside ASCII (`b'ÿ'` is `b'\xc3\xbf'`), raw bytes literals (`br'\x'`) keep backslashes, and a
 * floating-point literal may start with its decimal point (`.99`).
 */

const hex = (n: number) => `\\x${n.toString(16).padStart(2, "0")}`;

/** A bytes literal's bytes written with escapes only, so that no character outside ASCII remains. */
function bytesLiteral(body: string, raw: boolean): string {
  let out = 'b"';
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length; ) {
    const ch = String.fromCodePoint(body.codePointAt(i)!);
    i += ch.length;
    if (!raw && ch === "\\") {
      // An escape is kept as written, with the character it escapes.
      const next = String.fromCodePoint(body.codePointAt(i) ?? 0x5c);
      out += `\\${next}`;
      i += next.length;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f && ch !== '"' && ch !== "\\") out += ch;
    else for (const b of encoder.encode(ch)) out += hex(b);
  }
  return `${out}"`;
}

/** Where a string literal starting at `at` (its prefix letters included) ends, and its parts. */
function stringLiteral(source: string, at: number): { end: number; prefix: string; quote: string; body: string } | undefined {
  const m = /^([rRbB]{0,2})('''|"""|'|")/.exec(source.slice(at, at + 5));
  if (!m || (m[1]!.length === 2 && m[1]!.toLowerCase() !== "br" && m[1]!.toLowerCase() !== "rb")) return undefined;
  const prefix = m[1]!;
  const quote = m[2]!;
  const raw = /r/i.test(prefix);
  let i = at + m[0].length;
  while (i < source.length) {
    if (source.startsWith(quote, i)) return { end: i + quote.length, prefix, quote, body: source.slice(at + m[0].length, i) };
    if (!raw && source[i] === "\\") i += 2;
    else if (quote.length === 1 && source[i] === "\n") return undefined;
    else i++;
  }
  return undefined;
}

/**
 * The expression with its bytes literals and leading-dot doubles written as the evaluator reads
 * them; the expression itself when there is nothing to rewrite.
 *
 * @example
 * normalizeLiterals("b'ÿ' == b'\\303\\277' && .5 < 1.0"); // `b"\xc3\xbf" == b'\303\277' && 0.5 < 1.0`
 */
export function normalizeLiterals(source: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]|[bB][rR]|[rR][bB]|\.\d/.test(source)) return source;
  let out = "";
  let i = 0;
  // Whether the previous token ends an operand (so that `.` there selects a field).
  let afterOperand = false;
  while (i < source.length) {
    const c = source[i]!;
    const identStart = /[A-Za-z_]/.test(c);
    const lit = (identStart && !/[A-Za-z0-9_]/.test(source[i - 1] ?? "")) || c === "'" || c === '"' ? stringLiteral(source, i) : undefined;
    if (lit) {
      const isBytes = /b/i.test(lit.prefix);
      out += isBytes && (/r/i.test(lit.prefix) || /[^\x20-\x7e]/.test(lit.body)) ? bytesLiteral(lit.body, /r/i.test(lit.prefix)) : source.slice(i, lit.end);
      i = lit.end;
      afterOperand = true;
      continue;
    }
    if (identStart || /[0-9]/.test(c)) {
      const m = /^[A-Za-z0-9_]+/.exec(source.slice(i))!;
      // Numbers with a fraction or an exponent (`1.5`, `1e3`, `1.`): consumed whole.
      const num = /[0-9]/.test(c) ? /^(?:0[xX][0-9a-fA-F]+[uU]?|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?[uU]?)/.exec(source.slice(i)) : null;
      const len = num ? num[0].length : m[0].length;
      out += source.slice(i, i + len);
      i += len;
      afterOperand = true;
      continue;
    }
    if (c === "." && !afterOperand && /[0-9]/.test(source[i + 1] ?? "")) {
      out += "0";
      afterOperand = false;
      out += c;
      i++;
      continue;
    }
    out += c;
    i++;
    if (c === ")" || c === "]" || c === "}") afterOperand = true;
    else if (!/\s/.test(c)) afterOperand = false;
  }
  return out;
}
