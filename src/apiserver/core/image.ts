/**
 * The tag of an image reference as `parsers.ParseImageName` reads it, for the `imagePullPolicy`
 * default: `latest` when the reference names neither tag nor digest, "" when it does not parse.
 */

const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}";
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_ID = /^[a-f0-9]{64}$/;

/**
 * The tag `SetDefaults_Container` reads from an image: the written tag, `latest` for none, "" for
 * a digest-only or unparsable reference.
 *
 * @example
 * imageTag("nginx"); // "latest"
 * imageTag("nginx:1.27"); // "1.27"
 */
export function imageTag(image: string): string {
  if (ANCHORED_ID.test(image)) return "";
  const m = REFERENCE.exec(image);
  if (!m || m[1]!.length > 255) return "";
  if (m[2]) return m[2];
  return m[3] ? "" : "latest";
}

/** The pull policy an image gets by default: `Always` for `latest`, else `IfNotPresent`. @example defaultPullPolicy("nginx") // "Always" */
export function defaultPullPolicy(image: string): string {
  return imageTag(image) === "latest" ? "Always" : "IfNotPresent";
}
