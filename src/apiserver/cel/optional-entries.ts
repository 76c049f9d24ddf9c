/**
 * Optional entries in list and map literals (cel-go's optional syntax: `[a, ?b]`, `{'k': v, ?'o': w}`),
 * which the evaluator's parser does not read: the literal is rewritten so that every entry is an
 * optional (`optional.of(a)` for the plain ones) and handed to a function that drops the empty
 * ones — `__optionalList([optional.of(a), b])`, `__optionalMap({'k': optional.of(v), 'o': w})` —
 * the meaning cel-go gives them: an entry whose optional is empty is left out.
 */

interface Frame {
  kind: "list" | "map" | "other";
  /** Offsets (in the output) where each entry starts. */
  entries: Array<{ start: number; optional: boolean; colon?: number }>;
  /** Offset (in the output) of the opening bracket. */
  open: number;
}

/** The names of the functions the rewritten literals call. */
export const OPTIONAL_LIST = "__optionalList";
export const OPTIONAL_MAP = "__optionalMap";

/**
 * Rewrite the optional entries of list and map literals; the source unchanged when it has none.
 *
 * @example
 * rewriteOptionalEntries("[1, ?x]"); // "__optionalList([optional.of(1), x])"
 */
export function rewriteOptionalEntries(source: string): string {
  if (!/[[{,]\s*\?/.test(source)) return source;
  // First pass: find the literals with optional entries and their entry boundaries.
  const out: string[] = [];
  const stack: Frame[] = [];
  const edits: Array<{ at: number; insert: string }> = [];
  const removals = new Set<number>();
  let prev = ""; // the previous significant character
  let i = 0;
  const startEntry = (f: Frame, at: number) => {
    let j = at;
    while (j < source.length && /\s/.test(source[j]!)) j++;
    const optional = source[j] === "?" && source[j + 1] !== "?";
    if (optional) removals.add(j);
    f.entries.push({ start: optional ? j + 1 : j, optional });
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === '"' || c === "'") {
      const triple = source.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      const raw = i > 0 && /[rR]/.test(source[i - 1]!) && (i < 2 || !/[A-Za-z0-9_]/.test(source[i - 2]!) || /[bB]/.test(source[i - 2]!));
      let j = i + quote.length;
      while (j < source.length && !source.startsWith(quote, j)) j += !raw && source[j] === "\\" ? 2 : 1;
      i = j + quote.length;
      prev = "'";
      continue;
    }
    if (c === "[" || c === "{" || c === "(") {
      const literal = c === "(" ? false : c === "[" ? !/[A-Za-z0-9_)\]}'"]/.test(prev) : !/[A-Za-z0-9_]/.test(prev);
      const f: Frame = { kind: !literal ? "other" : c === "[" ? "list" : "map", entries: [], open: i };
      stack.push(f);
      if (f.kind !== "other") startEntry(f, i + 1);
      prev = c;
      i++;
      continue;
    }
    if (c === "]" || c === "}" || c === ")") {
      const f = stack.pop();
      if (f && f.kind !== "other" && f.entries.some((e) => e.optional)) {
        // Close the entries and the call.
        const entries = f.entries.filter((e, k) => k < f.entries.length - 1 || /\S/.test(source.slice(e.start, i)));
        for (let k = 0; k < entries.length; k++) {
          const e = entries[k]!;
          let end = k + 1 < entries.length ? findComma(source, e.start, entries[k + 1]!.start) : i;
          if (k + 1 === entries.length) {
            let t = i - 1;
            while (t > e.start && /\s/.test(source[t]!)) t--;
            if (source[t] === ",") end = t;
          }
          const valueStart = f.kind === "map" ? (e.colon ?? e.start) + (e.colon !== undefined ? 1 : 0) : e.start;
          if (!e.optional) {
            edits.push({ at: valueStart, insert: "optional.of(" });
            edits.push({ at: end, insert: ")" });
          }
        }
        edits.push({ at: f.open, insert: f.kind === "list" ? `${OPTIONAL_LIST}(` : `${OPTIONAL_MAP}(` });
        edits.push({ at: i + 1, insert: ")" });
      }
      prev = c;
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === "," && top && top.kind !== "other") startEntry(top, i + 1);
    else if (c === ":" && top?.kind === "map") {
      const e = top.entries[top.entries.length - 1];
      if (e && e.colon === undefined) e.colon = i;
    }
    if (!/\s/.test(c)) prev = c;
    i++;
  }
  // Apply: removals of the `?` markers and insertions, from the end.
  const inserts = new Map<number, string[]>();
  for (const e of edits) inserts.set(e.at, [...(inserts.get(e.at) ?? []), e.insert]);
  for (let k = 0; k <= source.length; k++) {
    const ins = inserts.get(k);
    // Closing parentheses go before opening calls at the same offset.
    if (ins) out.push(...ins.filter((s) => s === ")"), ...ins.filter((s) => s !== ")"));
    if (k < source.length && !removals.has(k)) out.push(source[k]!);
  }
  return out.join("");
}

/** The offset of the top-level comma that ends an entry starting at `start` (the next entry starts after it). */
function findComma(source: string, start: number, nextStart: number): number {
  let k = nextStart - 1;
  while (k > start && source[k] !== ",") k--;
  return k;
}
