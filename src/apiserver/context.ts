/**
 * What kube-apiserver's rules depend on besides the object: the Kubernetes minor (with its
 * default-on feature gates), the served version of the object, and the operation.
 */
import { isFeatureEnabled, type FeatureGate } from "./features.js";
import type { UserInfo } from "./cel/authz.js";

/** The admission operation a rule runs for. */
export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/** Options for {@link apiContext}. */
export interface ApiContextOptions {
  /** Kubernetes minor number, 28 … 36. */
  minor: number;
  /** The object's version (`v1`, `v1beta1`, …); rules of groups whose shape differs by version read it. */
  version?: string;
  operation?: Operation;
  /** Feature gates switched away from the minor's defaults. */
  featureGates?: Readonly<Partial<Record<FeatureGate, boolean>>>;
  /** What the server knows of a namespace (see {@link ApiContext.namespaceLabels}); default: nothing. */
  namespaceLabels?: (name: string) => Readonly<Record<string, string>> | null | undefined;
  /** The server's clock, for fields it stamps with the time; default: the system clock. */
  now?: () => Date;
  /** The user making the request, for strategies that record it (a CSR's `spec.username`); default: unknown. */
  user?: UserInfo;
}

/** The facts every defaulting, preparation and validation function receives. */
export interface ApiContext {
  /** Kubernetes minor number, 28 … 36. */
  readonly minor: number;
  /** The object's version (`v1`, `v1beta1`, …). */
  readonly version: string;
  readonly operation: Operation;
  /** Whether a feature gate is on: the minor's default unless overridden. */
  gate(name: FeatureGate): boolean;
  /**
   * The labels of a namespace as the server's store has it: `null` when there is no such namespace,
   * `undefined` when it cannot be known (an offline check without the namespace): rules that read
   * the store then say nothing.
   */
  namespaceLabels(name: string): Readonly<Record<string, string>> | null | undefined;
  /** The time a field the server stamps gets, to the second (`metav1.Now` truncated). */
  now(): Date;
  /** The user making the request, when known (not in an offline check). */
  readonly user?: UserInfo;
}

/**
 * The context for one object under one Kubernetes minor.
 *
 * @example
 * const ctx = apiContext({ minor: 29 });
 * ctx.gate("SidecarContainers"); // true (beta, on by default from 1.29)
 */
export function apiContext(options: ApiContextOptions): ApiContext {
  const overrides = options.featureGates;
  const minor = options.minor;
  return {
    minor,
    version: options.version ?? "v1",
    operation: options.operation ?? "CREATE",
    gate: overrides && Object.keys(overrides).length ? (name) => overrides[name] ?? isFeatureEnabled(name, minor) : (name) => isFeatureEnabled(name, minor),
    namespaceLabels: options.namespaceLabels ?? (() => undefined),
    now: () => new Date(Math.floor((options.now ? options.now() : new Date()).getTime() / 1000) * 1000),
    ...(options.user ? { user: options.user } : {}),
  };
}
