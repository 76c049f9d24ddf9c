/**
 * The message builders of k8s.io/apimachinery/pkg/util/validation, so that details read exactly
 * as kube-apiserver writes them.
 */

/** `must be no more than N characters`. @example maxLenError(63) */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/**
 * A regular-expression failure with examples, as `RegexError` writes it.
 *
 * @example
 * regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%");
 */
export function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${format}')`;
}

/** `must be non-empty`. @example emptyError() */
export function emptyError(): string {
  return "must be non-empty";
}

/** `must be between LO and HI, inclusive`. @example inclusiveRangeError(1, 65535) */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}
