/**
 * String formats of k8s.io/apimachinery/pkg/util/validation beyond object names (those are in
 * `src/meta/names.ts`): ports, percentages, header and environment variable names, config keys,
 * C identifiers, wildcard and fully qualified domain names, user and group IDs. Each returns the
 * problems as the apiserver words them; an empty list means valid.
 */
import { isDNS1123Label, isDNS1123Subdomain } from "../../meta/names.js";
import { FieldPath, invalid, required, type FieldError } from "../field.js";
import { emptyError, inclusiveRangeError, maxLenError, regexError } from "./messages.js";

/** `IsValidPortNum`: 1 … 65535. @example isValidPortNum(0) // ["must be between 1 and 65535, inclusive"] */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** `IsInRange`. @example isInRange(5, 0, 3) // ["must be between 0 and 3, inclusive"] */
export function isInRange(value: number, min: number, max: number): string[] {
  return value >= min && value <= max ? [] : [inclusiveRangeError(min, max)];
}

/** `IsValidUserID`: 0 … 2³¹−1 (`math.MaxInt32`). @example isValidUserID(-1).length // 1 */
export function isValidUserID(uid: number): string[] {
  return uid >= 0 && uid <= 0x7fffffff ? [] : [inclusiveRangeError(0, 0x7fffffff)];
}

// Patterns as constants: a regular expression literal makes a new RegExp object each time it is evaluated.
const PORT_NAME_CHARS = /^[-a-z0-9]+$/;
const HAS_LETTER = /[a-z]/;
const PERCENT = /^[0-9]+%$/;
const HTTP_HEADER_NAME = /^[-A-Za-z0-9]+$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** `IsValidGroupID`: 0 … 2³¹−1 (`math.MaxInt32`). @example isValidGroupID(0) // [] */
export function isValidGroupID(gid: number): string[] {
  return gid >= 0 && gid <= 0x7fffffff ? [] : [inclusiveRangeError(0, 0x7fffffff)];
}

/**
 * `IsValidPortName`: an IANA service name (at most 15 characters of `[-a-z0-9]`, at least one
 * letter, no leading, trailing or double hyphen).
 *
 * @example
 * isValidPortName("http-metrics-long"); // ["must be no more than 15 characters"]
 */
export function isValidPortName(port: string): string[] {
  if (isPlainPortName(port)) return [];
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!PORT_NAME_CHARS.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!HAS_LETTER.test(port)) errs.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errs.push("must not contain consecutive hyphens");
  if (port.length > 0 && (port.startsWith("-") || port.endsWith("-"))) errs.push("must not begin or end with a hyphen");
  return errs;
}

/** A valid port name, found in one pass: 1–15 of `[-a-z0-9]`, a letter, hyphens neither doubled nor at an end. */
function isPlainPortName(port: string): boolean {
  const n = port.length;
  if (n === 0 || n > 15 || port.charCodeAt(0) === 45 || port.charCodeAt(n - 1) === 45) return false;
  let letter = false;
  for (let i = 0; i < n; i++) {
    const c = port.charCodeAt(i);
    if (c >= 97 && c <= 122) letter = true;
    else if (c === 45) {
      if (port.charCodeAt(i + 1) === 45) return false;
    } else if (c < 48 || c > 57) return false;
  }
  return letter;
}

/** `IsValidPercent`: digits then `%`. @example isValidPercent("25%") // [] */
export function isValidPercent(percent: string): string[] {
  return PERCENT.test(percent) ? [] : [regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%")];
}

/** `IsHTTPHeaderName`. @example isHTTPHeaderName("X-Header-Name") // [] */
export function isHTTPHeaderName(value: string): string[] {
  return HTTP_HEADER_NAME.test(value) ? [] : [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", "[-A-Za-z0-9]+", "X-Header-Name")];
}

function chDirPrefix(value: string): string[] {
  if (value === ".") return ["must not be '.'"];
  if (value === "..") return ["must not be '..'"];
  if (value.startsWith("..")) return ["must not start with '..'"];
  return [];
}

const ENV_VAR_NAME = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const ENV_VAR_NAME_PATTERN = new RegExp(`^${ENV_VAR_NAME}$`);

/** A valid strict environment variable name, found in one pass: `[-._a-zA-Z][-._a-zA-Z0-9]*`, not `.` and not starting with `..`. */
function isPlainEnvVarName(value: string): boolean {
  const n = value.length;
  if (n === 0 || value === "." || value.startsWith("..")) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57 && i > 0) || c === 45 || c === 46 || c === 95)) return false;
  }
  return true;
}

/**
 * `IsEnvVarName`: the strict environment variable name (before `RelaxedEnvironmentVariableValidation`).
 *
 * @example
 * isEnvVarName("1ABC").length; // 1
 */
export function isEnvVarName(value: string): string[] {
  if (isPlainEnvVarName(value)) return [];
  const errs: string[] = [];
  if (!ENV_VAR_NAME_PATTERN.test(value)) {
    errs.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        ENV_VAR_NAME,
        "my.env-name",
        "MY_ENV.NAME",
        "MyEnvName1",
      ),
    );
  }
  return [...errs, ...chDirPrefix(value)];
}

/**
 * `IsRelaxedEnvVarName`: any printable ASCII but `=` (with `RelaxedEnvironmentVariableValidation`).
 *
 * @example
 * isRelaxedEnvVarName("1ABC"); // []
 */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) errs.push(`environment variable name ${emptyError()}`);
  // By UTF-16 unit: a character beyond ASCII has every unit above 0x7e.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7e || c < 0x20 || c === 0x3d) {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

/** A valid config key, found in one pass: 1–253 of `[-._a-zA-Z0-9]`, not `.` and not starting with `..`. */
function isPlainConfigMapKey(value: string): boolean {
  const n = value.length;
  if (n === 0 || n > 253 || value === "." || value.startsWith("..")) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95)) return false;
  }
  return true;
}

/** `IsConfigMapKey`: a ConfigMap or Secret key. @example isConfigMapKey("key.name") // [] */
export function isConfigMapKey(value: string): string[] {
  if (isPlainConfigMapKey(value)) return [];
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!CONFIG_MAP_KEY.test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", "[-._a-zA-Z0-9]+", "key.name", "KEY_NAME", "key-name"));
  }
  return [...errs, ...chDirPrefix(value)];
}

const C_IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";

/** `IsCIdentifier`. @example isCIdentifier("my_name") // [] */
export function isCIdentifier(value: string): string[] {
  return new RegExp(`^${C_IDENTIFIER}$`).test(value)
    ? []
    : [regexError("a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'", C_IDENTIFIER, "my_name", "MY_NAME", "MyName")];
}

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const WILDCARD_SUBDOMAIN = `\\*\\.${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;

/** `IsWildcardDNS1123Subdomain`: `*.` then a subdomain. @example isWildcardDNS1123Subdomain("*.example.com") // [] */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!new RegExp(`^${WILDCARD_SUBDOMAIN}$`).test(value)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        WILDCARD_SUBDOMAIN,
        "*.example.com",
      ),
    );
  }
  return errs;
}

/**
 * `IsFullyQualifiedName`: a subdomain of at least three segments (CRD groups, signer names, …).
 *
 * @example
 * isFullyQualifiedName(FieldPath.of("spec", "group"), "example")[0]?.message; // "should be a domain with at least three segments separated by dots"
 */
export function isFullyQualifiedName(path: FieldPath, name: string): FieldError[] {
  if (name.length === 0) return [required(path, "")];
  const errs = isDNS1123Subdomain(name);
  if (errs.length) return [invalid(path, name, errs.join(","))];
  if (name.split(".").length < 3) return [invalid(path, name, "should be a domain with at least three segments separated by dots")];
  return [];
}

/**
 * `IsFullyQualifiedDomainName`: a subdomain of at least two segments; a trailing dot is allowed.
 *
 * @example
 * isFullyQualifiedDomainName(FieldPath.of("host"), "example.com."); // []
 */
export function isFullyQualifiedDomainName(path: FieldPath, name: string): FieldError[] {
  if (name.length === 0) return [required(path, "")];
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  const errs = isDNS1123Subdomain(bare);
  if (errs.length) return [invalid(path, bare, errs.join(","))];
  const labels = bare.split(".");
  if (labels.length < 2) return [invalid(path, bare, "should be a domain with at least two segments separated by dots")];
  for (const label of labels) {
    const e = isDNS1123Label(label);
    if (e.length) return [invalid(path, label, e.join(","))];
  }
  return [];
}

const HTTP_PATH = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/**
 * `IsDomainPrefixedPath`: `acme.io/foo` (a subdomain, `/`, an RFC 3986 path).
 *
 * @example
 * isDomainPrefixedPath(FieldPath.of("controller"), "example.com/ingress"); // []
 */
export function isDomainPrefixedPath(path: FieldPath, value: string): FieldError[] {
  if (value.length === 0) return [required(path, "")];
  const slash = value.indexOf("/");
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? "" : value.slice(slash + 1);
  if (slash < 0 || host.length === 0 || rest.length === 0) return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((e) => invalid(path, host, e));
  if (!new RegExp(`^${HTTP_PATH}$`).test(rest)) return [...errs, invalid(path, rest, regexError("Invalid path", HTTP_PATH))];
  return errs;
}
