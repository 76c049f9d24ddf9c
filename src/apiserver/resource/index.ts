/**
 * The resource.k8s.io API group (Dynamic Resource Allocation): defaults, strategy and validation by
 * kind, for v1alpha2 (classic DRA, `classic.ts`), v1alpha3, v1beta1, v1beta2 and v1
 * (pkg/apis/resource/validation, the v1* defaults.go,
 * pkg/registry/resource/…/strategy.go).
 */
import type { GroupRules, KindRules } from "../registry.js";
import { integerAt, listAt, objectAt, semanticEqual, stringAt } from "../validation/index.js";
import { isRecord } from "../../meta/values.js";
import { defaultDeviceClaim, validateResourceClaim, validateResourceClaimStatusUpdate, validateResourceClaimTemplate, validateResourceClaimTemplateUpdate, validateResourceClaimUpdate } from "./claim.js";
import { validateDeviceClass, validateDeviceClassUpdate } from "./device-class.js";
import { validateResourceSlice, validateResourceSliceUpdate } from "./slice.js";
import { validateDeviceTaintRule, validateDeviceTaintRuleStatusUpdate, validateDeviceTaintRuleUpdate } from "./taint-rule.js";
import { classicRules } from "./classic.js";
import { dropDisabledClaimFields, dropDisabledClassFields, dropDisabledSliceFields } from "./strategy.js";
import { authorizedForAdmin, authorizedForAdminStatus, defaultSliceTaints, defaultTaintRule, prepareClaimStatusUpdate, restampChangedEffect } from "./admin.js";
import type { ApiContext } from "../context.js";
import type { FieldError } from "../field.js";

type Obj = Record<string, unknown>;

/** The strategies' `PrepareForCreate`: generation 1. */
function firstGeneration(obj: Obj): void {
  if (isRecord(obj.metadata)) obj.metadata.generation = 1;
}

/** The strategies' `PrepareForUpdate`: any change to the spec increments the generation. */
function nextGeneration(obj: Obj, old: Obj): void {
  if (!isRecord(obj.metadata)) return;
  const was = integerAt(objectAt(old.metadata).generation) ?? 0;
  obj.metadata.generation = semanticEqual(obj.spec, old.spec, true) ? was : was + 1;
}

/**
 * The strategies' `Validate` on create: `AuthorizedForAdmin` first (the namespace's admin-access
 * label), then the kind's validation. Updates skip the former: the spec is immutable.
 */
function withAdminCheck(requestsOf: (obj: Obj) => unknown, validate: (obj: Obj, ctx: ApiContext) => FieldError[]): (obj: Obj, ctx: ApiContext) => FieldError[] {
  return (obj, ctx) => {
    const admin = ctx.operation === "CREATE" ? authorizedForAdmin(listAt(requestsOf(obj)), stringAt(objectAt(obj.metadata).namespace), ctx) : [];
    return [...admin, ...validate(obj, ctx)];
  };
}

function keepStatus(obj: Obj, old: Obj): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = old.status;
}

const resourceClaim: KindRules = {
  defaults: (obj, ctx) => defaultDeviceClaim(objectAt(obj.spec).devices, ctx),
  // Status must not be set by the writer on create; on update it is kept.
  prepareForCreate: (obj, ctx) => {
    delete obj.status;
    dropDisabledClaimFields(obj, undefined, ctx, false);
  },
  prepareForUpdate: (obj, old, ctx) => {
    keepStatus(obj, old);
    dropDisabledClaimFields(obj, old, ctx, false);
  },
  // On updates an unchanged spec counts as stored (limits introduced later do not apply to it);
  // a changed one is refused as immutable.
  validate: withAdminCheck((obj) => objectAt(objectAt(obj.spec).devices).requests, validateResourceClaim),
  validateUpdate: validateResourceClaimUpdate,
  prepareForStatusUpdate: prepareClaimStatusUpdate,
  validateStatusUpdate: (obj, old, ctx) => [...authorizedForAdminStatus(obj, old, ctx), ...validateResourceClaimStatusUpdate(obj, old, ctx)],
};

const resourceClaimTemplate: KindRules = {
  defaults: (obj, ctx) => defaultDeviceClaim(objectAt(objectAt(objectAt(obj.spec).spec).devices), ctx),
  prepareForCreate: (obj, ctx) => dropDisabledClaimFields(obj, undefined, ctx, true),
  prepareForUpdate: (obj, old, ctx) => dropDisabledClaimFields(obj, old, ctx, true),
  validate: withAdminCheck((obj) => objectAt(objectAt(objectAt(obj.spec).spec).devices).requests, validateResourceClaimTemplate),
  validateUpdate: (obj, old) => validateResourceClaimTemplateUpdate(obj, old),
};

/**
 * The rules of a kind by served version: v1alpha2 (1.28–1.30, classic DRA with resource classes and
 * parameter references) has another shape and its own rules (`classic.ts`); the structured-parameters
 * versions (v1alpha3 and later) share the rest.
 */
function byVersion(kind: string, structuredRules: KindRules): KindRules {
  return versioned(classicRules[kind] ?? {}, structuredRules);
}

/** Rules that exist only in v1alpha2 (ResourceClass, PodSchedulingContext, the parameter kinds). */
function classicOnly(kind: string): KindRules {
  return versioned(classicRules[kind]!, {});
}

function versioned(classic: KindRules, rest: KindRules): KindRules {
  const pick = (ctx: { version: string }): KindRules => (ctx.version === "v1alpha2" ? classic : rest);
  const has = (name: keyof KindRules) => classic[name] !== undefined || rest[name] !== undefined;
  const out: KindRules = {};
  // Only what one of the versions has: a kind without defaults gets the schema's (the local server's fallback).
  if (has("defaults")) out.defaults = (obj, ctx) => pick(ctx).defaults?.(obj, ctx);
  if (has("prepareForCreate")) out.prepareForCreate = (obj, ctx) => pick(ctx).prepareForCreate?.(obj, ctx);
  if (has("prepareForUpdate")) out.prepareForUpdate = (obj, old, ctx) => pick(ctx).prepareForUpdate?.(obj, old, ctx);
  if (has("validate")) out.validate = (obj, ctx) => pick(ctx).validate?.(obj, ctx) ?? [];
  if (has("validateUpdate")) out.validateUpdate = (obj, old, ctx) => pick(ctx).validateUpdate?.(obj, old, ctx) ?? [];
  if (has("prepareForStatusUpdate")) out.prepareForStatusUpdate = (obj, old, ctx) => pick(ctx).prepareForStatusUpdate?.(obj, old, ctx);
  if (has("validateStatusUpdate")) out.validateStatusUpdate = (obj, old, ctx) => pick(ctx).validateStatusUpdate?.(obj, old, ctx) ?? [];
  return out;
}

/** What kube-apiserver does to the kinds of `resource.k8s.io`. */
export const rules: GroupRules = {
  group: "resource.k8s.io",
  compilesCel: true,
  kinds: {
    ResourceClaim: byVersion("ResourceClaim", resourceClaim),
    ResourceClaimTemplate: byVersion("ResourceClaimTemplate", resourceClaimTemplate),
    // The update functions check the whole spec again, with what is unchanged counted as stored.
    DeviceClass: byVersion("DeviceClass", {
      prepareForCreate: (obj, ctx) => {
        firstGeneration(obj);
        dropDisabledClassFields(obj, undefined, ctx);
      },
      prepareForUpdate: (obj, old, ctx) => {
        dropDisabledClassFields(obj, old, ctx);
        nextGeneration(obj, old);
      },
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateDeviceClass(obj, ctx)),
      validateUpdate: validateDeviceClassUpdate,
    }),
    ResourceSlice: byVersion("ResourceSlice", {
      defaults: defaultSliceTaints,
      prepareForCreate: (obj, ctx) => {
        firstGeneration(obj);
        dropDisabledSliceFields(obj, undefined, ctx);
      },
      prepareForUpdate: (obj, old, ctx) => {
        nextGeneration(obj, old);
        dropDisabledSliceFields(obj, old, ctx);
      },
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateResourceSlice(obj, ctx)),
      validateUpdate: validateResourceSliceUpdate,
    }),
    DeviceTaintRule: byVersion("DeviceTaintRule", {
      defaults: defaultTaintRule,
      prepareForCreate: (obj) => {
        delete obj.status;
        firstGeneration(obj);
      },
      prepareForUpdate: (obj, old, ctx) => {
        keepStatus(obj, old);
        restampChangedEffect(obj, old, ctx);
        nextGeneration(obj, old);
      },
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateDeviceTaintRule(obj, ctx)),
      validateUpdate: validateDeviceTaintRuleUpdate,
      validateStatusUpdate: (obj, _old, ctx) => validateDeviceTaintRuleStatusUpdate(obj, ctx),
    }),
    ResourceClass: classicOnly("ResourceClass"),
    PodSchedulingContext: classicOnly("PodSchedulingContext"),
    ResourceClaimParameters: classicOnly("ResourceClaimParameters"),
    ResourceClassParameters: classicOnly("ResourceClassParameters"),
  },
};
