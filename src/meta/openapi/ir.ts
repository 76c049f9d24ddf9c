/**
 * The generator's intermediate representation: what every input format (OpenAPI v2, OpenAPI v3,
 * CRD YAML) is read into, and what the emitter writes Zod and TypeScript from.
 */

/** A CEL rule from `x-kubernetes-validations`. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** Field and definition facts carried into the `kubeMeta` registry. */
export interface FieldFacts {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: "atomic" | "set" | "map";
  listMapKeys?: string[];
  mapType?: "atomic" | "granular";
  validations?: ValidationRule[];
  preserveUnknownFields?: boolean;
  embeddedResource?: boolean;
  default?: unknown;
  unions?: unknown[];
  /** OpenAPI value validations the Zod schema cannot express directly (anyOf/oneOf/allOf/not). */
  valueValidations?: unknown;
}

interface NodeBase {
  description?: string;
  facts?: FieldFacts;
  /** OpenAPI `nullable: true` (CRDs): null is a value here, not "unset". */
  nullable?: boolean;
}

export interface StringNode extends NodeBase {
  type: "string";
  format?: string;
  enum?: string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
}
export interface NumberNode extends NodeBase {
  type: "integer" | "number";
  format?: string;
  enum?: number[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
}
export interface BooleanNode extends NodeBase {
  type: "boolean";
}
export interface ArrayNode extends NodeBase {
  type: "array";
  items: Node;
  minItems?: number;
  maxItems?: number;
}
export interface ObjectNode extends NodeBase {
  type: "object";
  properties: Record<string, Node>;
  required: string[];
  /** Schema of values for keys not in `properties` (a map when `properties` is empty). */
  additionalProperties?: Node;
  minProperties?: number;
  maxProperties?: number;
}
/** A reference to a named definition. */
export interface RefNode extends NodeBase {
  type: "ref";
  name: string;
}
/** Kubernetes wire scalars and open values. */
export interface ScalarNode extends NodeBase {
  type: "int-or-string" | "quantity" | "time" | "micro-time" | "any";
}
/** A union of alternatives (JSONSchemaPropsOrBool and friends). */
export interface UnionNode extends NodeBase {
  type: "union";
  options: Node[];
}
/** A single allowed literal value (`apiVersion`/`kind` of a resource). */
export interface LiteralNode extends NodeBase {
  type: "literal";
  value: string;
  /** The literal is filled in when absent. */
  defaulted: boolean;
}

export type Node =
  | StringNode
  | NumberNode
  | BooleanNode
  | ArrayNode
  | ObjectNode
  | RefNode
  | ScalarNode
  | UnionNode
  | LiteralNode;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";
export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface SubresourceFacts {
  name: string;
  /** The kind sent and returned by the subresource, when it has one. */
  group?: string;
  version?: string;
  kind?: string;
  verbs: Verb[];
}

/** Facts about a REST resource, read from the spec's paths (or a CRD's names and scope). */
export interface ResourceFacts {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  verbs: Verb[];
  subresources: SubresourceFacts[];
  patchTypes: PatchType[];
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
  /** The syntax of `metadata.name` (DNS subdomain when absent). */
  nameFormat?: "dns-subdomain" | "dns-label" | "dns1035-label" | "path-segment";
}

/** One named definition: a schema plus the identity facts the registry records for it. */
export interface Definition {
  /** Fully qualified name, e.g. `io.k8s.api.apps.v1.Deployment`. */
  name: string;
  /** The module it belongs to, e.g. `apps/v1`, `meta/v1`. */
  module: string;
  /** The exported identifier, e.g. `Deployment`. */
  exportName: string;
  node: Node;
  /** Set when the definition has exactly one group/version/kind. */
  gvk?: GroupVersionKind;
  resource?: ResourceFacts;
}

/** Everything read from one input: definitions by name. */
export interface ApiModel {
  definitions: Map<string, Definition>;
}

/** The `apiVersion` string of a group and version (`v1` for the core group). */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
