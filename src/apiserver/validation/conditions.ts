/**
 * metav1 validation's `ValidateConditions` / `ValidateCondition` (k8s.io/apimachinery
 * pkg/apis/meta/v1/validation), for the `[]metav1.Condition` lists of status fields.
 */
import { duplicate, FieldPath, invalid, notSupported, required, tooLong, type FieldError } from "../field.js";
import { regexError } from "./messages.js";
import { listAt, objectAt, stringAt } from "./json-values.js";
import { validateLabelName } from "./selectors.js";

const REASON_FMT = "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?";
const REASON_RE = new RegExp(`^${REASON_FMT}$`);
const REASON_MSG = "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'";
const STATUSES = ["False", "True", "Unknown"];
const MAX_REASON_LEN = 1024;
const MAX_MESSAGE_LEN = 32 * 1024;

/**
 * `ValidateConditions`: unique types, then each condition's type, status, observed generation,
 * transition time, reason and message.
 *
 * @example
 * validateMetaConditions([{ type: "Ready", status: "Maybe" }], FieldPath.of("status", "conditions"), 36);
 */
export function validateMetaConditions(conditions: unknown, path: FieldPath, minor: number): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  listAt(conditions).forEach((raw, i) => {
    const c = objectAt(raw);
    const p = path.index(i);
    const type = stringAt(c.type);
    if (seen.has(type)) errs.push(duplicate(p.child("type"), type));
    seen.add(type);
    errs.push(...validateLabelName(type, p.child("type")));
    const status = stringAt(c.status);
    if (!STATUSES.includes(status)) errs.push(notSupported(p.child("status"), status, STATUSES));
    if (typeof c.observedGeneration === "number" && c.observedGeneration < 0) {
      errs.push(invalid(p.child("observedGeneration"), c.observedGeneration, "must be greater than or equal to zero"));
    }
    if (!stringAt(c.lastTransitionTime)) errs.push(required(p.child("lastTransitionTime"), "must be set"));
    const reason = stringAt(c.reason);
    if (!reason) errs.push(required(p.child("reason"), "must be set"));
    else {
      if (!REASON_RE.test(reason)) errs.push(invalid(p.child("reason"), reason, regexError(REASON_MSG, REASON_FMT, "my_name", "MY_NAME", "MyName", "ReasonA,ReasonB", "ReasonA:ReasonB")));
      if (Buffer.byteLength(reason) > MAX_REASON_LEN) errs.push(tooLong(p.child("reason"), reason, MAX_REASON_LEN, minor));
    }
    const message = stringAt(c.message);
    if (Buffer.byteLength(message) > MAX_MESSAGE_LEN) errs.push(tooLong(p.child("message"), message, MAX_MESSAGE_LEN, minor));
  });
  return errs;
}
