/**
 * The shapes of the competitors the benchmarks use (they are installed only for benchmarks, so the
 * project's type check cannot see their own types).
 */
type Model = new (data: Record<string, unknown>) => { validate(): void };
type Version = Record<string, Model>;

export interface ClientNode {
  KubeConfig: new () => {
    loadFromOptions(options: Record<string, unknown>): void;
    makeApiClient<T>(api: new (...args: never[]) => T): T;
  };
  CoreV1Api: new (...args: never[]) => {
    readNamespacedConfigMap(args: { name: string; namespace: string }): Promise<unknown>;
    listNamespacedPod(args: { namespace: string }): Promise<unknown>;
  };
}

export interface KubernetesModels {
  apps: { v1: Version };
  v1: Version;
  networkingK8sIo: { v1: Version };
  batch: { v1: Version };
  autoscaling: { v2: Version };
  rbacAuthorizationK8sIo: { v1: Version };
  policy: { v1: Version };
}

export interface Rfc6902 {
  createPatch(input: unknown, output: unknown): Array<{ op: string; path: string }>;
  applyPatch(object: unknown, patch: unknown): unknown[];
}
