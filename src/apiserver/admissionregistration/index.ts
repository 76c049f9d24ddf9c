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
  compilesCel: true,
  kinds: {
    ValidatingWebhookConfiguration: {
      defaults: (obj) => defaultWebhooks(obj, false),
      // Updates are validated with options derived from the stored configuration.
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateWebhookConfiguration(obj, false, undefined, ctx)),
      validateUpdate: (obj, old, ctx) => validateWebhookConfiguration(obj, false, old, ctx),
    },
    MutatingWebhookConfiguration: {
      defaults: (obj) => defaultWebhooks(obj, true),
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateWebhookConfiguration(obj, true, undefined, ctx)),
      validateUpdate: (obj, old, ctx) => validateWebhookConfiguration(obj, true, old, ctx),
    },
    ValidatingAdmissionPolicy: {
      defaults: (obj) => defaultPolicy(obj, false),
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateValidatingAdmissionPolicy(obj, ctx)),
      validateUpdate: (obj, old, ctx) => validateValidatingAdmissionPolicy(obj, ctx, old),
    },
    ValidatingAdmissionPolicyBinding: { defaults: defaultBinding, validate: validateValidatingAdmissionPolicyBinding },
    MutatingAdmissionPolicy: {
      defaults: (obj) => defaultPolicy(obj, true),
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateMutatingAdmissionPolicy(obj, ctx)),
      validateUpdate: (obj, old, ctx) => validateMutatingAdmissionPolicy(obj, ctx, old),
    },
    MutatingAdmissionPolicyBinding: { defaults: defaultBinding, validate: validateMutatingAdmissionPolicyBinding },
  },
};
