/**
 * The admissionregistration.k8s.io API group: webhook configurations (v1) and admission policies
 * with their bindings (v1, v1beta1, v1alpha1) — defaults and the objects' own validation. Evaluating
 * policies against requests is the admission engine's work, not this module's.
 */
import type { GroupRules } from "../registry.js";
import { defaultWebhooks, validateWebhookConfiguration } from "./webhooks.js";
import {
  defaultBinding,
  defaultPolicy,
  validateMutatingAdmissionPolicy,
  validateMutatingAdmissionPolicyBinding,
  validateValidatingAdmissionPolicy,
  validateValidatingAdmissionPolicyBinding,
} from "./policies.js";

/** What kube-apiserver does to the kinds of `admissionregistration.k8s.io`. */
export const rules: GroupRules = {
  group: "admissionregistration.k8s.io",
  kinds: {
    ValidatingWebhookConfiguration: {
      defaults: (obj) => defaultWebhooks(obj, false),
      // Updates are validated with options derived from the stored configuration.
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateWebhookConfiguration(obj, false)),
      validateUpdate: (obj, old) => validateWebhookConfiguration(obj, false, old),
    },
    MutatingWebhookConfiguration: {
      defaults: (obj) => defaultWebhooks(obj, true),
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateWebhookConfiguration(obj, true)),
      validateUpdate: (obj, old) => validateWebhookConfiguration(obj, true, old),
    },
    ValidatingAdmissionPolicy: { defaults: (obj) => defaultPolicy(obj, false), validate: validateValidatingAdmissionPolicy },
    ValidatingAdmissionPolicyBinding: { defaults: defaultBinding, validate: validateValidatingAdmissionPolicyBinding },
    MutatingAdmissionPolicy: { defaults: (obj) => defaultPolicy(obj, true), validate: validateMutatingAdmissionPolicy },
    MutatingAdmissionPolicyBinding: { defaults: defaultBinding, validate: validateMutatingAdmissionPolicyBinding },
  },
};
