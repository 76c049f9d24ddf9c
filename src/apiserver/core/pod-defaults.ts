/**
 * The defaults of pkg/apis/core/v1/defaults.go (and the `+default` markers of the v1 types) for a
 * pod spec and everything inside it: `SetDefaults_PodSpec`, `SetDefaults_Pod`, containers, ports,
 * probes and handlers, volumes and their sources, `SetDefaults_ReplicationController`.
 */
import type { ApiContext } from "../context.js";
import { defaultPullPolicy } from "./image.js";
import { isRecord } from "../../meta/values.js";
import { obj, objects, type Obj } from "./json.js";
import { aggregateContainerRequests, isSupportedPodLevelResource } from "./resources.js";
import { isOvercommitAllowed } from "./resource-names.js";
import { hasVolumeSource } from "./volume-sources.js";

/** Set `o[k]` when it is absent (undefined or null). */
function fill(o: Obj, k: string, v: unknown): void {
  const current = o[k];
  if (current === undefined || current === null) o[k] = v;
}

/** The records of a list, in place (what `objects` gives, without its pairs: defaults run on every object). */
function eachRecord(v: unknown, fn: (o: Obj) => void): void {
  if (!Array.isArray(v)) return;
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (isRecord(item)) fn(item);
  }
}

function defaultPortProtocol(p: Obj): void {
  if (!p.protocol) p.protocol = "TCP";
}

function defaultEnvFieldRef(e: Obj): void {
  const from = e.valueFrom;
  if (from === undefined) return;
  const fieldRef = obj(obj(from)?.fieldRef);
  if (fieldRef && !fieldRef.apiVersion) fieldRef.apiVersion = "v1";
}

function defaultLifecycleHandler(handler: unknown): void {
  const httpGet = obj(obj(handler)?.httpGet);
  if (httpGet) defaultHTTPGet(httpGet);
}

/** `SetDefaults_Container` and the defaults of a container's ports, env, probes and handlers. */
function defaultContainer(c: Obj): void {
  const pullPolicy = c.imagePullPolicy;
  if (pullPolicy === undefined || pullPolicy === null || pullPolicy === "") {
    c.imagePullPolicy = defaultPullPolicy(typeof c.image === "string" ? c.image : "");
  }
  if (!c.terminationMessagePath) c.terminationMessagePath = "/dev/termination-log";
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = "File";
  // `resources` is a struct value in Go: it is always written out, `{}` when empty.
  if (c.resources === undefined || c.resources === null) c.resources = {};
  if (c.ports !== undefined) eachRecord(c.ports, defaultPortProtocol);
  if (c.env !== undefined) eachRecord(c.env, defaultEnvFieldRef);
  const liveness = obj(c.livenessProbe);
  if (liveness) defaultProbe(liveness);
  const readiness = obj(c.readinessProbe);
  if (readiness) defaultProbe(readiness);
  const startup = obj(c.startupProbe);
  if (startup) defaultProbe(startup);
  const lifecycle = obj(c.lifecycle);
  if (lifecycle) {
    defaultLifecycleHandler(lifecycle.postStart);
    defaultLifecycleHandler(lifecycle.preStop);
  }
}

/** `SetDefaults_Probe` and its handler's defaults. */
function defaultProbe(p: Obj): void {
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  const httpGet = obj(p.httpGet);
  if (httpGet) defaultHTTPGet(httpGet);
  const grpc = obj(p.grpc);
  if (grpc) fill(grpc, "service", "");
}

/** `SetDefaults_HTTPGetAction`. */
function defaultHTTPGet(h: Obj): void {
  if (!h.path) h.path = "/";
  if (!h.scheme) h.scheme = "HTTP";
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * `SetDefaults_Volume` and the defaults of each volume source. A volume's own few keys are read
 * (a name and a source, most often) instead of every source being looked up.
 */
function defaultVolume(v: Obj): void {
  if (!hasVolumeSource(v)) {
    v.emptyDir = {};
    return;
  }
  for (const kind in v) {
    if (!hasOwn.call(v, kind)) continue;
    const source = obj(v[kind]);
    if (source) defaultVolumeSource(kind, source);
  }
}

function defaultVolumeSource(kind: string, source: Obj): void {
  switch (kind) {
    case "secret":
    case "configMap":
      fill(source, "defaultMode", 420);
      return;
    case "downwardAPI":
      fill(source, "defaultMode", 420);
      for (const [item] of objects(source.items)) defaultFieldRef(item);
      return;
    case "projected":
      fill(source, "defaultMode", 420);
      for (const [s] of objects(source.sources)) {
        const token = obj(s.serviceAccountToken);
        if (token) fill(token, "expirationSeconds", 3600);
        for (const [item] of objects(obj(s.downwardAPI)?.items)) defaultFieldRef(item);
      }
      return;
    case "hostPath":
      fill(source, "type", "");
      return;
    case "iscsi":
      if (!source.iscsiInterface) source.iscsiInterface = "default";
      return;
    case "azureDisk":
      fill(source, "cachingMode", "ReadWrite");
      fill(source, "kind", "Shared");
      fill(source, "fsType", "ext4");
      fill(source, "readOnly", false);
      return;
    case "scaleIO":
      if (!source.storageMode) source.storageMode = "ThinProvisioned";
      if (!source.fsType) source.fsType = "xfs";
      return;
    case "ephemeral": {
      const claimSpec = obj(obj(source.volumeClaimTemplate)?.spec);
      if (claimSpec) fill(claimSpec, "volumeMode", "Filesystem");
      return;
    }
    case "image":
      if (!source.pullPolicy) source.pullPolicy = defaultPullPolicy(typeof source.reference === "string" ? source.reference : "");
      return;
  }
}

function defaultFieldRef(item: Obj): void {
  const fieldRef = obj(item.fieldRef);
  if (fieldRef && !fieldRef.apiVersion) fieldRef.apiVersion = "v1";
}

/**
 * `SetDefaults_PodSpec` and the defaults of everything a pod spec holds (containers, probes,
 * volumes), in place. Pod templates get exactly these; pods get {@link defaultPod} on top.
 *
 * @example
 * const spec = { containers: [{ name: "web", image: "nginx" }] };
 * defaultPodSpecFields(spec, ctx); // spec.restartPolicy === "Always", containers[0].imagePullPolicy === "Always"
 */
export function defaultPodSpecFields(spec: Obj, ctx: ApiContext): void {
  void ctx;
  if (!spec.dnsPolicy) spec.dnsPolicy = "ClusterFirst";
  if (!spec.restartPolicy) spec.restartPolicy = "Always";
  fill(spec, "securityContext", {});
  fill(spec, "terminationGracePeriodSeconds", 30);
  if (!spec.schedulerName) spec.schedulerName = "default-scheduler";
  eachRecord(spec.volumes, defaultVolume);
  eachRecord(spec.initContainers, defaultContainer);
  eachRecord(spec.containers, defaultContainer);
  eachRecord(spec.ephemeralContainers, defaultContainer);
  serviceAccountRoundTrip(spec);
}

/**
 * The v1 conversion of a PodSpec (`Convert_v1_PodSpec_To_core_PodSpec` and back): the deprecated
 * `serviceAccount` fills an empty `serviceAccountName`, and is written back as a copy of it.
 */
export function serviceAccountRoundTrip(spec: Obj): void {
  if (!spec.serviceAccountName && typeof spec.serviceAccount === "string" && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (typeof spec.serviceAccountName === "string" && spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
}

/** A container's limits copied into its absent requests (`SetDefaults_Pod`, pods only), in place. */
export function requestsFromLimits(c: Obj): void {
  const resources = obj(c.resources);
  const limits = obj(resources?.limits);
  if (!resources || !limits) return;
  const requests = obj(resources.requests) ?? {};
  for (const [k, v] of Object.entries(limits)) if (!Object.hasOwn(requests, k)) requests[k] = v;
  resources.requests = requests;
}

/**
 * `SetDefaults_Pod`: what a Pod gets beyond its spec's defaults (container requests from limits,
 * `enableServiceLinks`, host ports under `hostNetwork`, pod-level requests), in place.
 *
 * @example
 * defaultPod({ spec: { containers: [{ name: "a", image: "x", resources: { limits: { cpu: "1" } } }] } }, ctx);
 */
export function defaultPod(pod: Obj, ctx: ApiContext): void {
  const spec = obj(pod.spec);
  if (!spec) return;
  for (const key of ["containers", "initContainers"]) for (const [c] of objects(spec[key])) requestsFromLimits(c);
  fill(spec, "enableServiceLinks", true);
  if (spec.hostNetwork === true) {
    for (const key of ["containers", "initContainers"]) {
      for (const [c] of objects(spec[key])) for (const [p] of objects(c.ports)) if (!p.hostPort && typeof p.containerPort === "number") p.hostPort = p.containerPort;
    }
  }
  if (ctx.gate("PodLevelResources")) defaultPodRequests(spec);
  defaultPodSpecFields(spec, ctx);
}

/** `defaultPodRequests`: pod-level requests from the containers' requests, else from pod-level limits. */
function defaultPodRequests(spec: Obj): void {
  const resources = obj(spec.resources);
  const limits = obj(resources?.limits);
  if (!resources || !limits || Object.keys(limits).length === 0) return;
  const requests: Obj = { ...(obj(resources.requests) ?? {}) };
  for (const [name, q] of aggregateContainerRequests(spec)) {
    if (!Object.hasOwn(requests, name) && isSupportedPodLevelResource(name) && isOvercommitAllowed(name)) requests[name] = q.toString();
  }
  for (const [name, q] of Object.entries(limits)) if (!Object.hasOwn(requests, name) && isSupportedPodLevelResource(name)) requests[name] = q;
  if (Object.keys(requests).length > 0) resources.requests = requests;
}

/**
 * `SetDefaults_ReplicationController`: selector and labels from the template's labels, one replica.
 *
 * @example
 * defaultReplicationController({ spec: { template: { metadata: { labels: { app: "web" } } } } }, ctx);
 */
export function defaultReplicationController(rc: Obj, ctx: ApiContext): void {
  const spec = obj(rc.spec);
  if (!spec) return;
  const template = obj(spec.template);
  const labels = obj(obj(template?.metadata)?.labels);
  if (labels) {
    if (!obj(spec.selector) || Object.keys(obj(spec.selector)!).length === 0) spec.selector = { ...labels };
    const meta = obj(rc.metadata);
    if (meta && (!obj(meta.labels) || Object.keys(obj(meta.labels)!).length === 0)) meta.labels = { ...labels };
  }
  fill(spec, "replicas", 1);
  const templateSpec = obj(template?.spec);
  if (templateSpec) defaultPodSpecFields(templateSpec, ctx);
}

