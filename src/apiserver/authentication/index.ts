/**
 * The authentication.k8s.io API group: TokenReview and SelfSubjectReview are created and answered,
 * never stored. Their REST storage runs no object metadata validation, so a review without a name
 * is what clients send (`kubectl auth whoami`, webhook token authenticators).
 */
import type { GroupRules } from "../registry.js";

/** What kube-apiserver does to the kinds of `authentication.k8s.io`. */
export const rules: GroupRules = {
  group: "authentication.k8s.io",
  kinds: {
    TokenReview: { objectMeta: "none" },
    SelfSubjectReview: { objectMeta: "none" },
  },
};
