/**
 * Events between core/v1 and events.k8s.io, as kube-apiserver converts them: both groups read one
 * internal `core.Event` (pkg/apis/events/v1/conversion.go, and its v1beta1 twin), so an Event
 * written through one group is read through the other with its fields renamed — `note` ↔
 * `message`, `regarding` ↔ `involvedObject`, `reportingController` ↔ `reportingComponent`,
 * `deprecatedSource` ↔ `source`, `deprecatedFirstTimestamp`/`LastTimestamp`/`Count` ↔
 * `firstTimestamp`/`lastTimestamp`/`count` — and the rest (`eventTime`, `series`, `action`,
 * `reason`, `related`, `reportingInstance`, `type`) as they are.
 *
 * Output follows Go's encoding of the target type: fields in its declaration order, unknown fields
 * dropped, and the members that have no `omitempty` (or are structs) written with their zero value
 * (core/v1's `involvedObject: {}`, `source: {}`, `firstTimestamp: null`, `reportingComponent: ""`;
 * events.k8s.io's `eventTime: null`, `regarding: {}`, `deprecatedSource: {}`).
 */
type Obj = Record<string, unknown>;

/** The group both Event APIs share their storage with core/v1 through. */
export const EVENTS_GROUP = "events.k8s.io";

/** Each internal field: its core/v1 name and its events.k8s.io name (`Convert_v1_Event_To_core_Event`). */
export const EVENT_FIELDS: ReadonlyArray<readonly [core: string, events: string]> = [
  ["involvedObject", "regarding"],
  ["reason", "reason"],
  ["message", "note"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
  ["type", "type"],
  ["eventTime", "eventTime"],
  ["series", "series"],
  ["action", "action"],
  ["related", "related"],
  ["reportingComponent", "reportingController"],
  ["reportingInstance", "reportingInstance"],
];

const CORE_NAME = new Map(EVENT_FIELDS.map(([core, events]) => [events, core]));
const EVENTS_NAME = new Map(EVENT_FIELDS.map(([core, events]) => [core, events]));

/** How Go writes a field of each type when it holds its zero value: `undefined` leaves it out. */
type Zero = "omit" | "object" | "null" | "string";

/** core/v1 `Event`'s fields in declaration order, with how each encodes its zero value. */
const CORE_ORDER: ReadonlyArray<readonly [string, Zero]> = [
  ["involvedObject", "object"],
  ["reason", "omit"],
  ["message", "omit"],
  ["source", "object"],
  ["firstTimestamp", "null"],
  ["lastTimestamp", "null"],
  ["count", "omit"],
  ["type", "omit"],
  ["eventTime", "null"],
  ["series", "omit"],
  ["action", "omit"],
  ["related", "omit"],
  ["reportingComponent", "string"],
  ["reportingInstance", "string"],
];

/** events.k8s.io/v1 (and v1beta1) `Event`'s fields in declaration order. */
const EVENTS_ORDER: ReadonlyArray<readonly [string, Zero]> = [
  ["eventTime", "null"],
  ["series", "omit"],
  ["reportingController", "omit"],
  ["reportingInstance", "omit"],
  ["action", "omit"],
  ["reason", "omit"],
  ["regarding", "object"],
  ["related", "omit"],
  ["note", "omit"],
  ["type", "omit"],
  ["deprecatedSource", "object"],
  ["deprecatedFirstTimestamp", "null"],
  ["deprecatedLastTimestamp", "null"],
  ["deprecatedCount", "omit"],
];

/** Whether a JSON value is what Go decodes to the field's zero value (and `omitempty` leaves out). */
function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === "" || v === 0 || v === false;
}

function encode(out: Obj, name: string, value: unknown, zero: Zero): void {
  if (!isZero(value)) out[name] = value;
  else if (zero === "object") out[name] = value !== null && typeof value === "object" ? value : {};
  else if (zero === "null") out[name] = null;
  else if (zero === "string") out[name] = "";
}

const groupOf = (apiVersion: unknown): string => (typeof apiVersion === "string" && apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "");

/**
 * The internal Event's fields (core/v1's names) of an Event of either group.
 */
function internalOf(event: Obj): Obj {
  if (groupOf(event.apiVersion) !== EVENTS_GROUP) return event;
  const out: Obj = {};
  for (const [name, value] of Object.entries(event)) {
    const core = CORE_NAME.get(name);
    if (core) out[core] = value;
  }
  return out;
}

/**
 * An Event of either group as core/v1 serves it (`Convert_v1_Event_To_core_Event`, then core/v1's
 * encoding).
 *
 * @example
 * eventToCore({ apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "e" }, note: "hi" }).message; // "hi"
 */
export function eventToCore(event: Obj): Obj {
  const internal = internalOf(event);
  const out: Obj = { kind: "Event", apiVersion: "v1", metadata: event.metadata ?? {} };
  for (const [name, zero] of CORE_ORDER) encode(out, name, internal[name], zero);
  return out;
}

/**
 * An Event of either group as events.k8s.io serves it at `apiVersion` (`events.k8s.io/v1` or
 * `events.k8s.io/v1beta1`, which have the same fields): `Convert_core_Event_To_v1_Event`, then the
 * group's encoding.
 *
 * @example
 * eventToEventsGroup({ apiVersion: "v1", kind: "Event", metadata: { name: "e" }, message: "hi" }, "events.k8s.io/v1").note; // "hi"
 */
export function eventToEventsGroup(event: Obj, apiVersion: string): Obj {
  const internal = internalOf(event);
  const out: Obj = { kind: "Event", apiVersion, metadata: event.metadata ?? {} };
  const named: Obj = {};
  for (const [core, value] of Object.entries(internal)) {
    const name = EVENTS_NAME.get(core);
    if (name) named[name] = value;
  }
  for (const [name, zero] of EVENTS_ORDER) encode(out, name, named[name], zero);
  return out;
}

/**
 * An Event at `apiVersion` (core `v1` or an events.k8s.io version), from an Event of either group.
 *
 * @example
 * convertEvent(coreEvent, "events.k8s.io/v1").regarding;
 */
export function convertEvent(event: Obj, apiVersion: string): Obj {
  return groupOf(apiVersion) === EVENTS_GROUP ? eventToEventsGroup(event, apiVersion) : eventToCore(event);
}
