/**
 * The server's warnings, kept beside the results they came with (never on the objects themselves,
 * which stay exactly what the server sent).
 */

const byResult = new WeakMap<object, readonly string[]>();

/** Remember the warnings of a result. */
export function recordWarnings<T>(result: T, warnings: readonly string[]): T {
  if (warnings.length && typeof result === "object" && result !== null) byResult.set(result, warnings);
  return result;
}

/**
 * The `Warning` headers the server sent with a result of the client (an unknown field it dropped,
 * a deprecated API version), or an empty list.
 *
 * @example
 * const cm = await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: {} });
 * warningsOf(cm); // []
 */
export function warningsOf(result: unknown): readonly string[] {
  return (typeof result === "object" && result !== null && byResult.get(result)) || [];
}
