/**
 * The core kinds not built on a pod spec: Service, Endpoints, ConfigMap, Secret, Namespace, Node,
 * PersistentVolume(Claim), ServiceAccount, LimitRange, ResourceQuota, Event, Binding.
 */
import type { KindRules } from "../registry.js";
import { defaultSecret, validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from "./config-data.js";
import { defaultEndpoints, validateEndpoints } from "./endpoints.js";
import { defaultNamespace, prepareNamespaceForCreate, prepareNamespaceForUpdate, validateNamespace } from "./namespace.js";
import { validateNode, validateNodeUpdate } from "./node.js";
import {
  clearStatus,
  pendingStatus,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  keepStatus,
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeUpdate,
} from "./persistent-volumes.js";
import { persistentVolumeClaimWarnings, persistentVolumeWarnings } from "./pv-warnings.js";
import { defaultLimitRange, validateLimitRange, validateResourceQuota, validateResourceQuotaUpdate } from "./quota.js";
import { defaultService, prepareServiceForCreate, prepareServiceForUpdate, serviceWarnings, validateService, validateServiceUpdate } from "./service.js";
import { validateBinding, validateEvent } from "./events.js";

/** The core kinds other than Pod, PodTemplate and ReplicationController, by kind. */
export const kinds: Readonly<Record<string, KindRules>> = {
  Service: {
    defaults: defaultService,
    prepareForCreate: prepareServiceForCreate,
    prepareForUpdate: prepareServiceForUpdate,
    validate: validateService,
    validateUpdate: validateServiceUpdate,
    warnings: (obj) => serviceWarnings(obj),
  },
  Endpoints: { defaults: defaultEndpoints, validate: validateEndpoints },
  ConfigMap: { validate: validateConfigMap, validateUpdate: validateConfigMapUpdate },
  Secret: { defaults: defaultSecret, validate: validateSecret, validateUpdate: validateSecretUpdate },
  Namespace: {
    defaults: defaultNamespace,
    prepareForCreate: prepareNamespaceForCreate,
    prepareForUpdate: prepareNamespaceForUpdate,
    validate: validateNamespace,
  },
  Node: { validate: validateNode, validateUpdate: validateNodeUpdate },
  PersistentVolume: {
    defaults: defaultPersistentVolume,
    prepareForCreate: pendingStatus,
    prepareForUpdate: keepStatus,
    validate: validatePersistentVolume,
    validateUpdate: validatePersistentVolumeUpdate,
    warnings: (obj, _old, ctx) => persistentVolumeWarnings(obj, ctx),
  },
  PersistentVolumeClaim: {
    defaults: defaultPersistentVolumeClaim,
    prepareForCreate: pendingStatus,
    prepareForUpdate: keepStatus,
    // On update the spec is checked with the stored claim's ratchets (ValidationOptionsForPersistentVolumeClaim).
    validate: (obj, ctx) => (ctx.operation === "CREATE" ? validatePersistentVolumeClaim(obj, ctx) : []),
    validateUpdate: (obj, old, ctx) => [...validatePersistentVolumeClaim(obj, ctx, old), ...validatePersistentVolumeClaimUpdate(obj, old, ctx)],
    warnings: (obj) => persistentVolumeClaimWarnings(obj),
  },
  ServiceAccount: {},
  LimitRange: { defaults: defaultLimitRange, validate: validateLimitRange },
  ResourceQuota: { prepareForCreate: clearStatus, prepareForUpdate: keepStatus, validate: validateResourceQuota, validateUpdate: validateResourceQuotaUpdate },
  Event: { validate: (obj) => validateEvent(obj) },
  Binding: { validate: validateBinding },
  // Served read-only (get, list): kube-apiserver's componentstatuses REST has no strategy and no
  // write route, so a write is refused with 405 before any rule runs (the validator's api/read-only).
  ComponentStatus: {},
};
