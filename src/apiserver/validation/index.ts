/**
 * The value checks kube-apiserver's validation is built from (k8s.io/apimachinery's
 * util/validation and metav1 validation, `resource.Quantity`), shared by every API group.
 */
export { emptyError, inclusiveRangeError, maxLenError, regexError } from "./messages.js";
export {
  isCIdentifier,
  isConfigMapKey,
  isDomainPrefixedPath,
  isEnvVarName,
  isFullyQualifiedDomainName,
  isFullyQualifiedName,
  isHTTPHeaderName,
  isInRange,
  isRelaxedEnvVarName,
  isValidGroupID,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  isValidUserID,
  isWildcardDNS1123Subdomain,
} from "./strings.js";
export { validateLabelName, validateLabelSelector, validateLabelSelectorRequirement, type LabelSelectorOptions } from "./selectors.js";
export { Quantity, type QuantityFormat } from "./quantity.js";
export { badValue, goIntOrString, goJSON, goPointer, goStringMap, intOrStringValue, labelSelectorJSON, labelSelectorValue, labelsValue, quantityValue, sortedMap } from "./go-values.js";
export { parseLabelSelector, type ParsedSelector } from "./label-selector-match.js";
export { validateNonnegativeField } from "./common-fields.js";
export { isDNS1123SubdomainWithUnderscore } from "./subdomain-underscore.js";
export {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
} from "../../meta/names.js";
export { validateAnnotations, validateLabels } from "../../meta/object-meta.js";
export { validateDeleteOptions } from "./delete-options.js";
export { validateMetaConditions } from "./conditions.js";
export { validateObjectMetaWithName, type NameCheck } from "./object-meta-name.js";
export { goStringSlice, integerAt, listAt, objectAt, optionalObject, stringAt, stringsAt } from "./json-values.js";
export { hasInvalidSelectorValues, selectorConversionFails, validateSelectorConvertible } from "./selector-conversion.js";
export { FIELD_IMMUTABLE_ERROR_MSG, semanticEqual, validateImmutableField } from "./immutable.js";
export { validateWebhookService, validateWebhookURL } from "./webhook.js";
export { formatIP, getWarningsForCIDR, getWarningsForIP, isIPv4CIDRString, isIPv4String, isIPv6CIDRString, isIPv6String, isLinkLocalMulticast, isLinkLocalUnicast, isLoopback, isUnspecified, isValidCIDR, isValidCIDRForLegacyField, isValidIP, isValidIPForLegacyField, isValidIPv4Address, isValidIPv6Address, isValidInterfaceAddress, containsIP, parseCIDRSloppy, parseIPSloppy, type ParsedCIDR, type ParsedIP } from "./ip.js";
