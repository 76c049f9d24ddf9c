/**
 * resource.k8s.io objects between the versions whose fields differ, as kube-apiserver converts
 * them (pkg/apis/resource/v1beta1/conversion.go): v1alpha3 and v1beta1 write a device request's
 * class, selectors, mode, count, admin access, tolerations and capacity on the request itself and a
 * slice's device under `basic`; v1beta2 and v1 put the request's under `exactly` and the device's
 * at the top.
 */
type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** Whether a version writes requests and devices the v1beta1 way. */
const isFlat = (apiVersion: unknown): boolean => apiVersion === "resource.k8s.io/v1alpha3" || apiVersion === "resource.k8s.io/v1beta1";

function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** The fields of an exact request, which v1alpha3 and v1beta1 keep at the top of the request. */
const EXACT_FIELDS = ["deviceClassName", "selectors", "allocationMode", "count", "adminAccess", "tolerations", "capacity"] as const;

/** `hasAnyMainRequestFieldsSet` for one field: a list or pointer counts when present, even empty or false. */
function mainFieldSet(request: Obj, key: (typeof EXACT_FIELDS)[number]): boolean {
  const v = request[key];
  if (v === undefined || v === null) return false;
  if (key === "deviceClassName" || key === "allocationMode") return v !== "";
  if (key === "count") return v !== 0;
  return true;
}

/**
 * The exact request a v1alpha3/v1beta1 request converts to (its main fields), or undefined when
 * none is set (`hasAnyMainRequestFieldsSet`).
 *
 * @example
 * exactRequestOf({ name: "gpu", deviceClassName: "gpu.example.com" }); // { deviceClassName: "gpu.example.com" }
 */
export function exactRequestOf(request: Obj): Obj | undefined {
  if (!EXACT_FIELDS.some((k) => mainFieldSet(request, k))) return undefined;
  const out: Obj = {};
  for (const k of EXACT_FIELDS) if (request[k] !== undefined) out[k] = request[k];
  return out;
}

function requestToExactly(r: Obj): Obj {
  const exact = exactRequestOf(r);
  // deviceClassName is not omitted when empty.
  return compact({ name: r.name, exactly: exact && { deviceClassName: "", ...exact }, firstAvailable: r.firstAvailable });
}

function requestFromExactly(r: Obj): Obj {
  const e = rec(r.exactly) ?? {};
  return compact({
    name: r.name,
    deviceClassName: e.deviceClassName,
    selectors: e.selectors,
    allocationMode: e.allocationMode,
    count: e.count,
    adminAccess: e.adminAccess,
    firstAvailable: r.firstAvailable,
    tolerations: e.tolerations,
    capacity: e.capacity,
  });
}

const DEVICE_FIELDS = ["attributes", "capacity", "consumesCounters", "nodeName", "nodeSelector", "allNodes", "taints", "bindsToNode", "bindingConditions", "bindingFailureConditions", "allowMultipleAllocations"] as const;

function deviceFromBasic(d: Obj): Obj {
  const basic = rec(d.basic) ?? {};
  const out: Obj = { name: d.name };
  for (const f of DEVICE_FIELDS) out[f] = basic[f];
  return compact(out);
}

function deviceToBasic(d: Obj): Obj {
  const basic: Obj = {};
  for (const f of DEVICE_FIELDS) basic[f] = d[f];
  return compact({ name: d.name, basic: compact(basic) });
}

/** A claim spec (ResourceClaim `spec`, ResourceClaimTemplate `spec.spec`) with its requests converted. */
function claimSpec(spec: unknown, convert: (r: Obj) => Obj): unknown {
  const s = rec(spec);
  const devices = rec(s?.devices);
  if (!s || !devices || !Array.isArray(devices.requests)) return spec;
  return { ...s, devices: { ...devices, requests: devices.requests.map((r) => convert(rec(r) ?? {})) } };
}

function sliceSpec(spec: unknown, convert: (d: Obj) => Obj): unknown {
  const s = rec(spec);
  if (!s || !Array.isArray(s.devices)) return spec;
  return { ...s, devices: s.devices.map((d) => convert(rec(d) ?? {})) };
}

/**
 * A ResourceClaim, ResourceClaimTemplate or ResourceSlice at `apiVersion`, converted from the
 * version it was written at.
 *
 * @example
 * convertResourceObject({ apiVersion: "resource.k8s.io/v1beta1", kind: "ResourceClaim", metadata: { name: "gpu" },
 *   spec: { devices: { requests: [{ name: "gpu", deviceClassName: "gpu.example.com" }] } } }, "resource.k8s.io/v1");
 * // spec.devices.requests: [{ name: "gpu", exactly: { deviceClassName: "gpu.example.com" } }]
 */
export function convertResourceObject(obj: Obj, apiVersion: string): Obj {
  const out: Obj = { ...obj, apiVersion };
  const from = isFlat(obj.apiVersion);
  if (from === isFlat(apiVersion)) return out;
  const request = from ? requestToExactly : requestFromExactly;
  const device = from ? deviceFromBasic : deviceToBasic;
  if (obj.kind === "ResourceClaim") out.spec = claimSpec(obj.spec, request);
  else if (obj.kind === "ResourceClaimTemplate") {
    const spec = rec(obj.spec);
    if (spec) out.spec = { ...spec, spec: claimSpec(spec.spec, request) };
  } else if (obj.kind === "ResourceSlice") out.spec = sliceSpec(obj.spec, device);
  return out;
}
