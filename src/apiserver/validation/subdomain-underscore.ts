/**
 * `IsDNS1123SubdomainWithUnderscore` of k8s.io/apimachinery/pkg/util/validation: a subdomain whose
 * labels may start with `_` and hold `_` (DNS search domains such as `_sip._tcp.example.com`).
 */
import { maxLenError, regexError } from "./messages.js";

const LABEL = "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
const FORMAT = `${LABEL}(\\.${LABEL})*`;
const PATTERN = new RegExp(`^${FORMAT}$`);
const PLAIN_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character";

/**
 * Problems with a subdomain that may contain underscores. Before 1.34 the message quoted the
 * plain subdomain regex; from 1.34 it quotes the one used.
 *
 * @example
 * isDNS1123SubdomainWithUnderscore("_sip._tcp.example.com", 36); // []
 */
export function isDNS1123SubdomainWithUnderscore(value: string, minor: number): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!PATTERN.test(value)) errs.push(regexError(MESSAGE, minor >= 34 ? FORMAT : PLAIN_FORMAT, "example.com"));
  return errs;
}
