/**
 * The endpoints and EndpointSlice controllers: for every Service with a selector, the pods it
 * selects that have an IP become its Endpoints (ready and not-ready addresses) and its
 * EndpointSlice (`<service>-<suffix>`, labelled `kubernetes.io/service-name` and managed by
 * `endpointslice-controller.k8s.io`, endpoints with ready/serving/terminating conditions, node
 * name and pod reference), with named target ports resolved against each pod's containers.
 */
import type { KubeObject } from "../store.js";
import { ENDPOINT_SLICES, ENDPOINTS, PODS, SERVICES } from "./api.js";
import { objectKeyOf, splitKey, type ControllerContext } from "./manager.js";
import { arr, controllerRef, controlledBy, labelsMatch, obj, podReady, rfc3339, same, targetPort } from "./util.js";

type Obj = Record<string, unknown>;

const MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
const CONTROLLER = "endpointslice-controller.k8s.io";
const SERVICE_NAME = "kubernetes.io/service-name";

export function registerEndpoints(ctx: ControllerContext): void {
  const api = ctx.api;
  ctx.watch("/services", "endpoints", (e) => objectKeyOf(e.object));
  ctx.watch("/pods", "endpoints", (e) => {
    // Every service whose selector matches the pod before or after the change.
    const ns = String(e.object.metadata.namespace ?? "");
    return api
      .list(SERVICES, ns)
      .filter((s) => {
        const sel = obj(s.spec).selector;
        return sel && (labelsMatch(sel, e.object.metadata.labels) || (e.previous && labelsMatch(sel, e.previous.metadata.labels)));
      })
      .map(objectKeyOf);
  });
  ctx.reconciler("endpoints", (key) => {
    const { namespace, name } = splitKey(key);
    const svc = api.get(SERVICES, namespace, name);
    const spec = obj(svc?.spec);
    const endpoints = api.get(ENDPOINTS, namespace, name);
    const slices = api.list(ENDPOINT_SLICES, namespace).filter((s) => obj(s.metadata.labels)[SERVICE_NAME] === name && obj(s.metadata.labels)[MANAGED_BY] === CONTROLLER);
    if (!svc || !spec.selector || spec.type === "ExternalName") {
      // Endpoints of a selectorless service are the user's; managed slices of a gone service go.
      if (!svc && endpoints && obj(endpoints.metadata.labels)[MANAGED_BY] === undefined) api.delete(ENDPOINTS, endpoints);
      for (const s of slices) if (!svc || !spec.selector) api.delete(ENDPOINT_SLICES, s);
      return;
    }
    const publishNotReady = spec.publishNotReadyAddresses === true;
    const pods = api
      .list(PODS, namespace)
      .filter((p) => labelsMatch(spec.selector, p.metadata.labels) && obj(p.status).podIP && obj(p.status).phase !== "Succeeded" && obj(p.status).phase !== "Failed")
      .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
    const ports = arr(spec.ports);
    const headless = spec.clusterIP === "None";
    const at = rfc3339(ctx.now());
    const labels: Record<string, unknown> = { ...obj(svc.metadata.labels), ...(headless ? { "service.kubernetes.io/headless": "" } : {}) };

    // Legacy Endpoints: one subset per distinct port set.
    const ready: Obj[] = [];
    const notReady: Obj[] = [];
    let subsetPorts: Obj[] | undefined;
    for (const pod of pods) {
      const address = { ip: obj(pod.status).podIP, ...(obj(pod.spec).nodeName ? { nodeName: obj(pod.spec).nodeName } : {}), targetRef: { kind: "Pod", namespace, name: pod.metadata.name, uid: pod.metadata.uid } };
      const resolved = ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: targetPort(pod, p), protocol: p.protocol ?? "TCP", ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })).filter((p) => p.port !== undefined);
      if (!resolved.length && ports.length) continue;
      subsetPorts ??= resolved;
      if ((podReady(pod) || publishNotReady) && !pod.metadata.deletionTimestamp) ready.push(address);
      else notReady.push(address);
    }
    const subsets = ready.length || notReady.length ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ...(subsetPorts?.length ? { ports: subsetPorts } : {}) }] : undefined;
    const epBody = { ...(subsets ? { subsets } : {}) };
    if (!endpoints) {
      api.create(ENDPOINTS, namespace, { apiVersion: "v1", kind: "Endpoints", metadata: { name, namespace, labels, annotations: { "endpoints.kubernetes.io/last-change-trigger-time": at } }, ...epBody });
    } else if (!same(endpoints.subsets, subsets) || !same(endpoints.metadata.labels ?? {}, labels)) {
      const { subsets: _old, ...rest } = endpoints;
      void _old;
      api.update(ENDPOINTS, { ...rest, metadata: { ...endpoints.metadata, labels, annotations: { ...obj(endpoints.metadata.annotations), "endpoints.kubernetes.io/last-change-trigger-time": at } }, ...epBody });
    }

    // The EndpointSlice.
    if (!api.serves(ENDPOINT_SLICES)) return;
    const sliceEndpoints = pods.map((pod) => {
      const isReady = podReady(pod) && !pod.metadata.deletionTimestamp;
      return {
        addresses: [obj(pod.status).podIP],
        conditions: { ready: isReady || publishNotReady, serving: podReady(pod), terminating: !!pod.metadata.deletionTimestamp },
        ...(obj(pod.spec).nodeName ? { nodeName: obj(pod.spec).nodeName } : {}),
        targetRef: { kind: "Pod", namespace, name: pod.metadata.name, uid: pod.metadata.uid },
      };
    });
    const slicePorts = ports.map((p) => ({ name: p.name ?? "", port: pods.length ? (targetPort(pods[0]!, p) ?? null) : typeof p.targetPort === "number" ? p.targetPort : null, protocol: p.protocol ?? "TCP", ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    const sliceLabels = { ...labels, [SERVICE_NAME]: name, [MANAGED_BY]: CONTROLLER };
    const owned = slices.filter((s) => controlledBy(s, svc));
    const [slice, ...extra] = owned;
    for (const s of [...extra, ...slices.filter((s) => !controlledBy(s, svc))]) api.delete(ENDPOINT_SLICES, s);
    const body = { addressType: "IPv4", endpoints: sliceEndpoints, ports: slicePorts.map((p) => (p.port === null ? { name: p.name, protocol: p.protocol } : p)) };
    if (!slice) {
      api.create(ENDPOINT_SLICES, namespace, {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { generateName: `${name}-`, namespace, labels: sliceLabels, annotations: { "endpoints.kubernetes.io/last-change-trigger-time": at }, ownerReferences: [controllerRef(svc, "v1", "Service")] },
        ...body,
      });
    } else if (!same(slice.endpoints ?? [], body.endpoints) || !same(slice.ports ?? [], body.ports) || !same(slice.metadata.labels, sliceLabels)) {
      api.update(ENDPOINT_SLICES, { ...slice, metadata: { ...slice.metadata, labels: sliceLabels, annotations: { ...obj(slice.metadata.annotations), "endpoints.kubernetes.io/last-change-trigger-time": at } }, ...body });
    }
  });
}
