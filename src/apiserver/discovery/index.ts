/**
 * The discovery.k8s.io API group: defaults, strategy and validation by kind.
 */
import type { GroupRules } from "../registry.js";
import { defaultEndpointSlice, validateEndpointSlice, validateEndpointSliceUpdate } from "./endpoint-slice.js";

/** What kube-apiserver does to the kinds of `discovery.k8s.io`. */
export const rules: GroupRules = {
  group: "discovery.k8s.io",
  kinds: { EndpointSlice: { defaults: defaultEndpointSlice, validate: validateEndpointSlice, validateUpdate: validateEndpointSliceUpdate } },
};
