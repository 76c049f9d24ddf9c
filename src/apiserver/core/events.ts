/**
 * core/v1 Events (`ValidateEventCreate`'s legacy checks in pkg/apis/core/validation/events.go: the
 * involved object's namespace, and for series-style events with `eventTime` the reporting fields
 * and their lengths) and pod Bindings (`ValidatePodBinding`).
 */
import { FieldPath, invalid, notSupported, required, type FieldError } from "../field.js";
import { isDNS1123Subdomain, isQualifiedName } from "../validation/index.js";
import { rec, str } from "./object-values.js";

type Obj = Record<string, unknown>;

const LIMITS = { reportingInstance: 128, action: 128, reason: 128, message: 1024 } as const;

/**
 * `legacyValidateEvent` over an Event in core/v1's shape. The reporting controller's field is named
 * after the request's version: `reportingComponent` for core/v1, `reportingController` for
 * events.k8s.io (whose Events are read into core/v1's shape first).
 */
export function validateEvent(event: Obj, controllerField: "reportingComponent" | "reportingController" = "reportingComponent"): FieldError[] {
  const errs: FieldError[] = [];
  const namespace = str(rec(event, "metadata"), "namespace");
  const involvedNs = str(rec(event, "involvedObject"), "namespace");
  const nsPath = FieldPath.of("involvedObject", "namespace");
  if (!str(event, "eventTime")) {
    if (!involvedNs) {
      if (namespace !== "" && namespace !== "default") errs.push(invalid(nsPath, involvedNs, "does not match event.namespace"));
    } else if (namespace !== involvedNs) {
      errs.push(invalid(nsPath, involvedNs, "does not match event.namespace"));
    }
  } else {
    if (!involvedNs && namespace !== "default" && namespace !== "kube-system") errs.push(invalid(nsPath, involvedNs, "does not match event.namespace"));
    const controller = str(event, "reportingComponent");
    if (!controller) errs.push(required(FieldPath.of(controllerField)));
    errs.push(...isQualifiedName(controller).map((m) => invalid(FieldPath.of(controllerField), controller, m)));
    for (const field of ["reportingInstance", "action", "reason", "message"] as const) {
      const value = str(event, field);
      if (!value && field !== "message") errs.push(required(FieldPath.of(field)));
      if (value.length > LIMITS[field]) errs.push(invalid(FieldPath.of(field), "", `can have at most ${LIMITS[field]} characters`));
    }
  }
  if (namespace) errs.push(...isDNS1123Subdomain(namespace).map((m) => invalid(FieldPath.of("namespace"), namespace, m)));
  return errs;
}

/** `ValidatePodBinding`: the target is a Node, by name. */
export function validateBinding(binding: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const target = rec(binding, "target");
  const kind = str(target, "kind");
  if (kind && kind !== "Node") errs.push(notSupported(FieldPath.of("target", "kind"), kind, ["Node", "<empty>"]));
  if (!str(target, "name")) errs.push(required(FieldPath.of("target", "name")));
  return errs;
}
