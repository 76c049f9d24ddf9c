/**
 * kube-apiserver's per-kind behaviour, registered by API group and kind — the one place in kubezod
 * where kind names decide anything. Each group module (`core/`, `apps/`, `batch/`, …) exports a
 * {@link GroupRules} mirroring Kubernetes' own packages: `SetObjectDefaults_<Kind>` (defaults.go),
 * the registry strategy's `PrepareForCreate`/`PrepareForUpdate`, and `Validate<Kind>` /
 * `Validate<Kind>Update` (validation.go).
 */
import type { FieldError } from "../meta/field-errors.js";
import type { ApiContext } from "./context.js";

type Obj = Record<string, unknown>;

/** What kube-apiserver does to one kind. Every function works on the object as JSON, in place where it changes it. */
export interface KindRules {
  /** The built-in defaults (`SetObjectDefaults_<Kind>`), applied in place after decoding. */
  defaults?(obj: Obj, ctx: ApiContext): void;
  /** The strategy's `PrepareForCreate`: fields the server sets or clears on create. */
  prepareForCreate?(obj: Obj, ctx: ApiContext): void;
  /** The strategy's `PrepareForUpdate` (status and spec kept from the old object as the strategy does). */
  prepareForUpdate?(obj: Obj, old: Obj, ctx: ApiContext): void;
  /** `Validate<Kind>` without the object metadata checks every kind shares. */
  validate?(obj: Obj, ctx: ApiContext): FieldError[];
  /**
   * `false` for kinds whose `Validate<Kind>` does not call `ValidateObjectMeta` (it checks the name
   * itself, as `ValidateCSIDriver` does): kube-apiserver then checks metadata only when the kind's
   * own checks pass (`rest.BeforeCreate`'s generic check, names as path segments). `"none"` for
   * the review kinds whose REST storage creates nothing (TokenReview, SubjectAccessReview, …): no
   * metadata check at all, a name is not needed.
   */
  objectMeta?: false | "none";
  /** `Validate<Kind>Update`: immutable fields and transitions; runs after `validate` on updates. */
  validateUpdate?(obj: Obj, old: Obj, ctx: ApiContext): FieldError[];
  /**
   * The status strategy's `PrepareForUpdate` beyond what every status write does (the spec and
   * metadata kept from the stored object): fields of disabled features dropped, stale entries removed.
   */
  prepareForStatusUpdate?(obj: Obj, old: Obj, ctx: ApiContext): void;
  /** `Validate<Kind>StatusUpdate`, for writes to the status subresource. */
  validateStatusUpdate?(obj: Obj, old: Obj, ctx: ApiContext): FieldError[];
  /**
   * Writes to other subresources with strategies of their own (a CSR's `approval`), by name: their
   * preparation and validation replace the kind's update rules for those writes.
   */
  subresources?: Readonly<Record<string, SubresourceRules>>;
  /** `WarningsOnCreate` / `WarningsOnUpdate`: texts the apiserver sends as `Warning` headers. */
  warnings?(obj: Obj, old: Obj | undefined, ctx: ApiContext): string[];
}

/** The strategy of one subresource a kind is written through (`csrApprovalStrategy`). */
export interface SubresourceRules {
  /** The subresource strategy's `PrepareForUpdate`: what it takes from the request and what from the stored object. */
  prepareForUpdate?(obj: Obj, old: Obj, ctx: ApiContext): void;
  /** The subresource strategy's `ValidateUpdate` (in place of `validate` and `validateUpdate`). */
  validateUpdate?(obj: Obj, old: Obj, ctx: ApiContext): FieldError[];
}

/** The rules of one API group, by kind. */
export interface GroupRules {
  /** The API group (`""` for core). */
  group: string;
  kinds: Readonly<Record<string, KindRules>>;
  /** Whether the group's checks compile CEL expressions: callers await `loadCelEngine()` before checking its objects. */
  compilesCel?: true;
}
