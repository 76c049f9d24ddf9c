/**
 * The apiregistration.k8s.io API group (kube-aggregator's pkg/apis/apiregistration/validation):
 * APIService name `<version>.<group>`, group and version syntax, priorities, and the service
 * reference with its TLS settings.
 */
import type { GroupRules } from "../registry.js";
import { FieldPath, invalid, required, type FieldError } from "../field.js";
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, isValidPortNum, objectAt, optionalObject, stringAt } from "../validation/index.js";

type Obj = Record<string, unknown>;

/** `ValidateAPIService` (the name rule is part of its metadata check). */
function validateAPIService(obj: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = objectAt(obj.spec);
  const group = stringAt(spec.group);
  const version = stringAt(spec.version);
  const name = stringAt(objectAt(obj.metadata).name);
  const requiredName = `${version}.${group}`;
  if (name && isValidPathSegmentName(name).length === 0 && name !== requiredName) {
    errs.push(invalid(FieldPath.of("metadata", "name"), name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`));
  }
  if (!group && version !== "v1") errs.push(required(FieldPath.of("spec", "group"), "only v1 may have an empty group and it better be legacy kube"));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(invalid(FieldPath.of("spec", "group"), group, m));
  for (const m of isDNS1035Label(version)) errs.push(invalid(FieldPath.of("spec", "version"), version, m));
  const gpm = typeof spec.groupPriorityMinimum === "number" ? spec.groupPriorityMinimum : 0;
  if (gpm <= 0 || gpm > 20000) errs.push(invalid(FieldPath.of("spec", "groupPriorityMinimum"), gpm, "must be positive and less than 20000"));
  const vp = typeof spec.versionPriority === "number" ? spec.versionPriority : 0;
  if (vp <= 0 || vp > 1000) errs.push(invalid(FieldPath.of("spec", "versionPriority"), vp, "must be positive and less than 1000"));
  const caBundle = typeof spec.caBundle === "string" ? Buffer.from(spec.caBundle, "base64") : Buffer.alloc(0);
  const insecure = spec.insecureSkipTLSVerify === true;
  const service = optionalObject(spec.service);
  if (!service) {
    if (caBundle.length) errs.push(invalid(FieldPath.of("spec", "caBundle"), `${caBundle.length} bytes`, "local APIServices may not have a caBundle"));
    if (insecure) errs.push(invalid(FieldPath.of("spec", "insecureSkipTLSVerify"), true, "local APIServices may not have insecureSkipTLSVerify"));
    return errs;
  }
  if (!stringAt(service.namespace)) errs.push(required(FieldPath.of("spec", "service", "namespace"), ""));
  if (!stringAt(service.name)) errs.push(required(FieldPath.of("spec", "service", "name"), ""));
  const port = typeof service.port === "number" ? service.port : 443;
  const portErrs = isValidPortNum(port);
  if (portErrs.length) errs.push(invalid(FieldPath.of("spec", "service", "port"), port, `port is not valid: ${portErrs.join(", ")}`));
  if (insecure && caBundle.length > 0) errs.push(invalid(FieldPath.of("spec", "insecureSkipTLSVerify"), true, "may not be true if caBundle is present"));
  return errs;
}

/** What kube-apiserver does to the kinds of `apiregistration.k8s.io`. */
export const rules: GroupRules = {
  group: "apiregistration.k8s.io",
  kinds: {
    APIService: {
      // SetDefaults_ServiceReference
      defaults: (obj) => {
        const service = optionalObject(objectAt(obj.spec).service);
        if (service && (service.port === undefined || service.port === null)) service.port = 443;
      },
      validate: validateAPIService,
    },
  },
};
