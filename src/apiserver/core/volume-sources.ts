/**
 * The volume source fields of a v1 `Volume`, in the order `validateVolumeSource` checks them.
 */

/** Each volume source's JSON field name, in `validateVolumeSource` order. */
export const VOLUME_SOURCES = [
  "emptyDir",
  "hostPath",
  "gitRepo",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "flocker",
  "persistentVolumeClaim",
  "rbd",
  "cinder",
  "cephfs",
  "quobyte",
  "downwardAPI",
  "fc",
  "flexVolume",
  "configMap",
  "azureFile",
  "vsphereVolume",
  "photonPersistentDisk",
  "portworxVolume",
  "azureDisk",
  "storageos",
  "projected",
  "scaleIO",
  "csi",
  "ephemeral",
  "image",
] as const;

/** A volume source's field name. */
export type VolumeSourceName = (typeof VOLUME_SOURCES)[number];

const SOURCE_ORDER = new Map<string, number>(VOLUME_SOURCES.map((k, i) => [k, i]));
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The volume sources a volume has keys for, in `VOLUME_SOURCES` order: a volume's own few keys are
 * read instead of every source being looked up (absent sources are skipped either way).
 *
 * @example
 * sourcesOf({ name: "v", secret: { secretName: "s" } }); // ["secret"]
 */
export function sourcesOf(v: Record<string, unknown>): VolumeSourceName[] {
  const found: VolumeSourceName[] = [];
  for (const k in v) if (hasOwn.call(v, k) && SOURCE_ORDER.has(k)) found.push(k as VolumeSourceName);
  if (found.length > 1) found.sort((a, b) => SOURCE_ORDER.get(a)! - SOURCE_ORDER.get(b)!);
  return found;
}

/**
 * Whether a volume has a source set (not absent, not null).
 *
 * @example
 * hasVolumeSource({ name: "v", emptyDir: null }); // false
 */
export function hasVolumeSource(v: Record<string, unknown>): boolean {
  for (const k in v) if (hasOwn.call(v, k) && SOURCE_ORDER.has(k) && v[k] !== undefined && v[k] !== null) return true;
  return false;
}
