/**
 * kubezod: a Kubernetes client and manifest validator in which the Zod schema is the source of truth.
 *
 * @example
 * import { connect } from "kubezod";
 * import { ConfigMap } from "kubezod/k8s";
 * const kube = await connect();
 * const cm = await kube.get(ConfigMap, "settings", { namespace: "default" });
 */
export * from "./errors.js";
export * from "./meta/index.js";
export * from "./patch/index.js";
export * from "./config/index.js";
export * from "./transport/index.js";
export * from "./client/index.js";
export * from "./runtime/index.js";
export * from "./validate/index.js";
