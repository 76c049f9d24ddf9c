/**
 * The core kinds not built on a pod spec: Service, Endpoints, ConfigMap, Secret, Namespace, Node,
 * PersistentVolume(Claim), ServiceAccount, LimitRange, ResourceQuota, Event, ….
 */
import type { KindRules } from "../registry.js";

/** The core kinds other than Pod, PodTemplate and ReplicationController, by kind. */
export const kinds: Readonly<Record<string, KindRules>> = {};
