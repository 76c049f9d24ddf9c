/**
 * The typed client: `connect()` and the `Kube` methods, built on the transport and the patch engine.
 */
export { connect, type ConnectOptions } from "./connect.js";
export { Kube, type KubeObject, type KubeSettings, type KindObject } from "./kube.js";
export { fanOut, type ClusterResult } from "./multi.js";
export type { DiscoveredGroup, DiscoveredResource, DiscoveryFailure, DiscoveryResult } from "./discovery.js";
export { labelSelectorString, fieldSelectorString, type LabelSelector, type LabelSelectorInput, type LabelSelectorRequirement, type FieldSelectorInput } from "./selectors.js";
export { resourcePath, renderRequest, type KubeRequest, type ResourceLocation } from "./requests.js";
export { ndjson, lines } from "./ndjson.js";
export { exitCodeOf, type ExecSession, type PortForward } from "./exec.js";
export { VersionInfo } from "./version.js";
export { warningsOf } from "./warnings.js";
export { listSchemaOf, type ValidationIssueHandler } from "./parse.js";
export type * from "./types.js";
