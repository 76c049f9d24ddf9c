import type * as z from "zod";

/** A Kubernetes API verb, as discovery reports it. */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

/** A patch content type a resource accepts: JSON Patch, JSON merge patch, strategic merge patch, server-side apply. */
export type PatchType = "json" | "merge" | "strategic" | "apply";

/** A subresource of a resource (`status`, `scale`, `log`, `exec`, …) and the kind it speaks, if any. */
export interface SubresourceInfo {
  name: string;
  group?: string;
  version?: string;
  kind?: string;
  verbs: readonly Verb[];
}

/** A CEL rule from `x-kubernetes-validations`. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** Everything kubezod records about a schema: resource facts on resources, field facts on fields. */
export interface KubeMeta {
  group?: string;
  version?: string;
  apiVersion?: string;
  kind?: string;
  plural?: string;
  singular?: string;
  namespaced?: boolean;
  verbs?: readonly Verb[];
  subresources?: readonly SubresourceInfo[];
  patchTypes?: readonly PatchType[];
  listKind?: string;
  shortNames?: readonly string[];
  categories?: readonly string[];
  /** The syntax of `metadata.name`; DNS subdomain when absent. */
  nameFormat?: "dns-subdomain" | "dns-label" | "dns1035-label" | "path-segment";
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: "atomic" | "set" | "map";
  listMapKeys?: readonly string[];
  mapType?: "atomic" | "granular";
  validations?: readonly ValidationRule[];
  preserveUnknownFields?: boolean;
  embeddedResource?: boolean;
  default?: unknown;
  unions?: readonly unknown[];
  valueValidations?: unknown;
}

/** Descriptions of a definition and its fields, from the OpenAPI documents. */
export interface DocNode {
  description?: string;
  properties?: Record<string, DocNode>;
  items?: DocNode;
  additionalProperties?: DocNode;
}

/** The annotation registry, with an index of the schemas registered under an apiVersion and kind. */
export interface KubeRegistry extends z.core.$ZodRegistry<KubeMeta> {
  /** The schema most recently registered for an apiVersion and kind. */
  byKind(apiVersion: string, kind: string): z.ZodType | undefined;
  /** Every schema registered with an apiVersion and kind. */
  kinds(): IterableIterator<z.ZodType>;
}

/** The one registry all kubezod annotations live in. */
export declare const kubeMeta: KubeRegistry;

/**
 * What a schema accepts as input: the same shape, except that the `apiVersion` and `kind` of every
 * kind (the object itself, list items, embedded templates) may be left out; they are filled in.
 */
export type KubeInput<T> = unknown extends T
  ? T
  : T extends string | number | boolean | bigint | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? KubeInput<U>[]
    : T extends { apiVersion: string; kind: string }
      ? { [K in keyof T as K extends "apiVersion" | "kind" ? never : K]: KubeInput<T[K]> } & {
          apiVersion?: T["apiVersion"];
          kind?: T["kind"];
        }
      : { [K in keyof T]: KubeInput<T[K]> };

/** A generated schema: parses to `T`, accepts `KubeInput<T>`. */
export type KubeSchema<T> = z.ZodType<T, KubeInput<T>>;

/** int32 or string, as on the wire (`port: 8080` or `port: http`). */
export declare const IntOrString: z.ZodType<number | string, number | string>;
/** A resource quantity: a number, or a string in the quantity grammar (`250m`, `1.5Gi`). */
export declare const Quantity: z.ZodType<number | string, number | string>;
/** An RFC 3339 timestamp string. */
export declare const Time: z.ZodType<string, string>;
/** An RFC 3339 timestamp string with microseconds. */
export declare const MicroTime: z.ZodType<string, string>;
/** base64-encoded bytes, kept as the string. */
export declare const Bytes: z.ZodType<string, string>;

export declare const string: z.ZodString;
export declare const int32: z.ZodNumber;
export declare const int: z.ZodNumber;
export declare const number: z.ZodNumber;
export declare const boolean: z.ZodBoolean;
export declare const unknown: z.ZodUnknown;

type Nullish<T extends z.ZodType> = z.ZodOptional<z.ZodNullable<T>>;

/** Shared optional-or-null leaf schemas. */
export declare const nullish: {
  string: Nullish<z.ZodString>;
  int32: Nullish<z.ZodNumber>;
  int: Nullish<z.ZodNumber>;
  number: Nullish<z.ZodNumber>;
  boolean: Nullish<z.ZodBoolean>;
  unknown: Nullish<z.ZodUnknown>;
  IntOrString: Nullish<z.ZodType<number | string, number | string>>;
  Quantity: Nullish<z.ZodType<number | string, number | string>>;
  Time: Nullish<z.ZodType<string, string>>;
  MicroTime: Nullish<z.ZodType<string, string>>;
  Bytes: Nullish<z.ZodType<string, string>>;
};

/** The optional-or-null form of a schema, built once per schema. */
export declare function nullishOf<T extends z.ZodType>(schema: T): Nullish<T>;

export declare function format(name: string): z.core.$ZodCheck<string>;
/**
 * The RegExp a string with an OpenAPI `pattern` must match: RE2 syntax and semantics, as the
 * apiserver's Go regexp matches it, in time linear in the text.
 *
 * @example
 * z.string().regex(pattern("^[a-z]+\\z")).safeParse("abc").success; // true
 */
export declare function pattern(source: string): RegExp;
export declare function minRunes(n: number): z.core.$ZodCheck<string>;
export declare function maxRunes(n: number): z.core.$ZodCheck<string>;
export declare function minProperties(n: number): z.core.$ZodCheck<object>;
export declare function maxProperties(n: number): z.core.$ZodCheck<object>;
