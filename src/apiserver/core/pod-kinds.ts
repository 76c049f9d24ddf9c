/**
 * The core kinds built on a pod spec: Pod, PodTemplate, ReplicationController.
 */
import type { KindRules } from "../registry.js";

/** Pod, PodTemplate and ReplicationController, by kind. */
export const podKinds: Readonly<Record<string, KindRules>> = {};
