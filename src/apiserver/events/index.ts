/**
 * The events.k8s.io API group. Its Events are core Events (pkg/apis/core/validation/events.go,
 * pkg/registry/core/event/strategy.go) read through events.k8s.io/v1's field names, and checked
 * strictly: `ValidateEventCreate` adds, to the legacy checks, a required `eventTime`, a `type` of
 * Normal or Warning, the deprecated fields unset and a well-formed series; `ValidateEventUpdate`
 * makes every field but the series immutable. Field paths are the internal type's names
 * (`involvedObject`, `message`, `source`, `count`), as kube-apiserver reports them.
 */
import type { GroupRules } from "../registry.js";
import { FieldPath, goQuote, invalid, required, type FieldError } from "../field.js";
import { badValue, objectAt, optionalObject, semanticEqual, stringAt, validateImmutableField } from "../validation/index.js";
import type { ApiContext } from "../context.js";
import { validateEvent } from "../core/events.js";
import { EVENT_FIELDS } from "./conversion.js";

type Obj = Record<string, unknown>;

/** An events.k8s.io Event in core/v1's shape. */
function asCoreEvent(event: Obj): Obj {
  const out: Obj = { metadata: event.metadata };
  for (const [internal, v1] of EVENT_FIELDS) if (event[v1] !== undefined) out[internal] = event[v1];
  return out;
}

const isSet = (v: unknown): boolean => typeof v === "string" && v !== "";

/** `validateV1EventSeries`. */
function validateSeries(event: Obj): FieldError[] {
  const series = optionalObject(event.series);
  if (!series) return [];
  const errs: FieldError[] = [];
  const count = typeof series.count === "number" ? series.count : 0;
  if (count < 2) errs.push(invalid(FieldPath.of("series.count"), "", "should be at least 2"));
  if (!isSet(series.lastObservedTime)) errs.push(required(FieldPath.of("series.lastObservedTime"), ""));
  return errs;
}

/** `ValidateEventCreate` for events.k8s.io/v1, without the object metadata. */
function validateCreate(obj: Obj): FieldError[] {
  const event = asCoreEvent(obj);
  const errs = validateEvent(event, "reportingController");
  errs.push(...validateSeries(event));
  if (!isSet(event.eventTime)) errs.push(required(FieldPath.of("eventTime"), ""));
  const type = stringAt(event.type);
  if (type !== "Normal" && type !== "Warning") errs.push(invalid(FieldPath.of("type"), "", `has invalid value: ${type}`));
  if (isSet(event.firstTimestamp)) errs.push(invalid(FieldPath.of("firstTimestamp"), "", "needs to be unset"));
  if (isSet(event.lastTimestamp)) errs.push(invalid(FieldPath.of("lastTimestamp"), "", "needs to be unset"));
  if (typeof event.count === "number" && event.count !== 0) errs.push(invalid(FieldPath.of("count"), "", "needs to be unset"));
  const source = objectAt(event.source);
  if (isSet(source.component) || isSet(source.host)) errs.push(invalid(FieldPath.of("source"), "", "needs to be unset"));
  return errs;
}

/** A MicroTime as a count of microseconds (what survives `Truncate(time.Microsecond)`), or the text when it does not parse. */
function micros(v: unknown): string {
  if (typeof v !== "string" || !v) return "";
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(v);
  if (!m) return v;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return v;
  return `${seconds / 1000}.${(m[2] ?? "").padEnd(6, "0").slice(0, 6)}`;
}

const REFERENCE_FIELDS = [["Kind", "kind"], ["Namespace", "namespace"], ["Name", "name"], ["UID", "uid"], ["APIVersion", "apiVersion"], ["ResourceVersion", "resourceVersion"], ["FieldPath", "fieldPath"]] as const;
const SOURCE_FIELDS = [["Component", "component"], ["Host", "host"]] as const;

/**
 * An internal struct value as a field error prints it: Go's `%#v` before 1.34, JSON with the Go
 * field names (the internal types have no JSON tags) from 1.34.
 */
function structValue(v: unknown, type: string, fields: ReadonlyArray<readonly [string, string]>, ctx: ApiContext): string | undefined {
  const o = optionalObject(v);
  if (!o) return undefined;
  const internal: Obj = {};
  for (const [goName, jsonName] of fields) internal[goName] = stringAt(o[jsonName]);
  return badValue(ctx.minor, () => `core.${type}{${fields.map(([g]) => `${g}:${goQuote(stringAt(internal[g]))}`).join(", ")}}`, internal);
}

/** `ValidateEventUpdate` for events.k8s.io/v1 (the metadata update rules run beside it). */
function validateUpdate(obj: Obj, stored: Obj, ctx: ApiContext): FieldError[] {
  const event = asCoreEvent(obj);
  const old = asCoreEvent(stored);
  const errs = validateEvent(event, "reportingController");
  if (!semanticEqual(event.series, old.series)) errs.push(...validateSeries(event));
  const immutable = (field: string): void => {
    const display =
      field === "involvedObject" || field === "related"
        ? structValue(event[field], "ObjectReference", REFERENCE_FIELDS, ctx)
        : field === "source"
          ? structValue(event[field] ?? {}, "EventSource", SOURCE_FIELDS, ctx)
          : undefined;
    errs.push(...validateImmutableField(event[field], old[field], FieldPath.of(field), display));
  };
  for (const field of ["involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "reason", "type"]) immutable(field);
  if (micros(event.eventTime) !== micros(old.eventTime)) immutable("eventTime");
  for (const field of ["action", "related", "reportingComponent", "reportingInstance"]) {
    if (field === "reportingComponent") errs.push(...validateImmutableField(event[field], old[field], FieldPath.of("reportingController")));
    else immutable(field);
  }
  return errs;
}

/** What kube-apiserver does to the kinds of `events.k8s.io`. */
export const rules: GroupRules = {
  group: "events.k8s.io",
  kinds: {
    Event: {
      validate: (obj, ctx) => (ctx.operation === "UPDATE" ? [] : validateCreate(obj)),
      validateUpdate,
    },
  },
};
