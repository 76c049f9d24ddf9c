/**
 * The CEL engine that native validation compiles expressions with (CRD `x-kubernetes-validations`,
 * admission policies and webhook match conditions, device selectors), loaded on demand: most
 * manifests never need it, and the engine with the admission code is a large part of what
 * `kubezod validate` would otherwise load at every start. Callers that check objects of a group
 * whose rules compile CEL ({@link groupCompilesCel}) await {@link loadCelEngine} first; the library's
 * entry points that check objects synchronously hand the engine over at import time.
 */
import type * as Engine from "./cel-engine-impl.js";

let engine: typeof Engine | undefined;

/**
 * Load the CEL engine native validation uses (once).
 *
 * @example
 * if (groupCompilesCel("admissionregistration.k8s.io")) await loadCelEngine();
 */
export async function loadCelEngine(): Promise<void> {
  engine ??= await import("./cel-engine-impl.js");
}

/**
 * Hand over the CEL engine to a caller that imports it already.
 *
 * @example
 * useCelEngine(await import("./cel-engine-impl.js"));
 */
export function useCelEngine(e: typeof Engine): void {
  engine ??= e;
}

/** Whether the CEL engine is loaded. @example if (!celEngineLoaded()) await loadCelEngine(); */
export function celEngineLoaded(): boolean {
  return engine !== undefined;
}

/**
 * The loaded CEL engine; throws when it is not loaded.
 *
 * @example
 * celEngine().compileCel("1 + 1", env);
 */
export function celEngine(): typeof Engine {
  if (!engine) throw new Error("the CEL engine is not loaded: await loadCelEngine() before checking objects whose validation compiles CEL");
  return engine;
}
