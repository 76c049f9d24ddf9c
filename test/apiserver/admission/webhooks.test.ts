/**
 * Admission webhooks, the pure part: matching, the AdmissionReview, reading responses, the
 * dispatchers' order, reinvocation and failure policy, and the apiserver's error texts
 * (cases after kube-apiserver's webhook `errors`, `request` and dispatcher tests).
 */
import { describe, expect, it } from "vitest";
import {
  admissionReview,
  dispatchMutating,
  dispatchValidating,
  readAdmissionResponse,
  shouldCallWebhook,
  webhookDenial,
  webhooksFrom,
  type WebhookAttributes,
  type WebhookCaller,
  type WebhookDefinition,
} from "../../../src/apiserver/admission/index.js";

type Obj = Record<string, any>;

const pod = (labels: Record<string, string> = {}): Obj => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", labels }, spec: { containers: [{ name: "c", image: "i" }] } });

function attrs(over: Partial<WebhookAttributes> = {}): WebhookAttributes {
  return {
    operation: "CREATE",
    group: "",
    version: "v1",
    kind: "Pod",
    resource: "pods",
    subResource: "",
    name: "p",
    namespace: "ns",
    namespaced: true,
    object: pod(),
    userInfo: { username: "alice", groups: ["system:authenticated"] },
    dryRun: false,
    ...over,
  };
}

function hooks(kind: "Mutating" | "Validating", ...webhooks: Obj[]): WebhookDefinition[] {
  return hooksAt(undefined, kind, ...webhooks);
}

function hooksAt(minor: number | undefined, kind: "Mutating" | "Validating", ...webhooks: Obj[]): WebhookDefinition[] {
  const config = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: `${kind}WebhookConfiguration`,
    metadata: { name: "config" },
    webhooks: webhooks.map((w) => ({
      admissionReviewVersions: ["v1"],
      sideEffects: "None",
      clientConfig: { url: "https://hook.example/" },
      rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["*"] }],
      ...w,
    })),
  };
  const out = minor === undefined ? webhooksFrom([config]) : webhooksFrom([config], minor);
  return kind === "Mutating" ? out.mutating : out.validating;
}

const noNamespaces = () => undefined;
const ok = (patch?: unknown[], extra: Obj = {}) => (review: Obj) => ({
  body: {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: { uid: review.request.uid, allowed: true, ...(patch ? { patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") } : {}), ...extra },
  },
});

function caller(byHook: Record<string, (review: Obj) => { body: unknown } | { error: string }>): { call: WebhookCaller; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    call: async (hook, review) => {
      calls.push(hook.name);
      return byHook[hook.name]!(review);
    },
  };
}

let n = 0;
const ctx = (call: WebhookCaller) => ({ call, namespaceLabels: noNamespaces, newUid: () => `uid-${++n}` });

describe("which webhooks a request calls", () => {
  it("orders configurations by name and keeps each one's webhook order", () => {
    const make = (name: string, hooksOf: string[]) => ({ kind: "ValidatingWebhookConfiguration", metadata: { name }, webhooks: hooksOf.map((h) => ({ name: h })) });
    expect(webhooksFrom([make("b", ["b1", "b2"]), make("a", ["a2", "a1"])]).validating.map((h) => h.name)).toEqual(["a2", "a1", "b1", "b2"]);
    const [h] = webhooksFrom([make("a", ["x"])]).validating;
    expect(h).toMatchObject({ failurePolicy: "Fail", timeoutSeconds: 10, reinvoke: false });
  });

  it("matches rules with wildcards, subresources and scope", () => {
    const [all] = hooks("Validating", { name: "a", rules: [{ apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["CREATE"] }] });
    expect(shouldCallWebhook(all!, attrs(), noNamespaces)).toEqual({ call: true });
    expect(shouldCallWebhook(all!, attrs({ operation: "UPDATE" }), noNamespaces)).toEqual({ call: false });
    expect(shouldCallWebhook(all!, attrs({ subResource: "status" }), noNamespaces)).toEqual({ call: false });
    const [sub] = hooks("Validating", { name: "s", rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods/*"], operations: ["*"] }] });
    expect(shouldCallWebhook(sub!, attrs({ subResource: "status" }), noNamespaces)).toEqual({ call: true });
    expect(shouldCallWebhook(sub!, attrs(), noNamespaces)).toEqual({ call: false });
    const [cluster] = hooks("Validating", { name: "c", rules: [{ apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"], scope: "Cluster" }] });
    expect(shouldCallWebhook(cluster!, attrs(), noNamespaces)).toEqual({ call: false });
    expect(shouldCallWebhook(cluster!, attrs({ resource: "nodes", kind: "Node", namespace: "", namespaced: false }), noNamespaces)).toEqual({ call: true });
  });

  it("reads namespace labels for namespaced objects, the object's own for Namespaces, and never exempts other cluster-scoped objects", () => {
    const [h] = hooks("Validating", { name: "n", namespaceSelector: { matchLabels: { env: "prod" } }, rules: [{ apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"] }] });
    const labels = (l: Record<string, string>) => () => ({ labels: l, complete: true });
    expect(shouldCallWebhook(h!, attrs(), labels({ env: "prod" }))).toEqual({ call: true });
    expect(shouldCallWebhook(h!, attrs(), labels({ env: "dev" }))).toEqual({ call: false });
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "x", labels: { env: "prod" } } };
    expect(shouldCallWebhook(h!, attrs({ resource: "namespaces", kind: "Namespace", namespace: "", namespaced: false, object: ns }), noNamespaces)).toEqual({ call: true });
    expect(shouldCallWebhook(h!, attrs({ resource: "nodes", kind: "Node", namespace: "", namespaced: false, object: { metadata: { name: "n" } } }), noNamespaces)).toEqual({ call: true });
  });

  it("matches the object selector against the new or the old object", () => {
    const [h] = hooks("Validating", { name: "o", objectSelector: { matchLabels: { app: "web" } } });
    expect(shouldCallWebhook(h!, attrs({ object: pod({ app: "web" }) }), noNamespaces)).toEqual({ call: true });
    expect(shouldCallWebhook(h!, attrs({ object: pod() }), noNamespaces)).toEqual({ call: false });
    expect(shouldCallWebhook(h!, attrs({ operation: "UPDATE", object: pod(), oldObject: pod({ app: "web" }) }), noNamespaces)).toEqual({ call: true });
  });

  it("skips on a false match condition; an error refuses under Fail and skips under Ignore", () => {
    const conditions = [{ name: "a", expression: "request.userInfo.username != 'system:admin'" }];
    const [h] = hooks("Validating", { name: "m", matchConditions: conditions });
    expect(shouldCallWebhook(h!, attrs(), noNamespaces)).toEqual({ call: true });
    expect(shouldCallWebhook(h!, attrs({ userInfo: { username: "system:admin" } }), noNamespaces)).toEqual({ call: false });
    const [bad] = hooks("Validating", { name: "e", matchConditions: [{ name: "e", expression: "object.metadata.missing == 'x'" }] });
    const refused = shouldCallWebhook(bad!, attrs(), noNamespaces);
    expect(refused).toMatchObject({ status: { code: 403, reason: "Forbidden" } });
    expect((refused as { status: { message: string } }).status.message).toMatch(/^pods "p" is forbidden: expression 'object.metadata.missing == 'x'' resulted in error: /);
    const [ignored] = hooks("Validating", { name: "i", failurePolicy: "Ignore", matchConditions: [{ name: "e", expression: "object.metadata.missing == 'x'" }] });
    expect(shouldCallWebhook(ignored!, attrs(), noNamespaces)).toEqual({ call: false });
  });
});

describe("match condition cost per minor (StrictCostEnforcementForWebhooks)", () => {
  // A condition calling a library function 100 times on a 100000-character annotation: 100 ×
  // ceil(100000 × 0.1) with library/cost.go's costs (StrictCostOpt, default from 1.32), past the
  // per-call limit; a few hundred as cel-go counts a call it does not know (1) before.
  const expression = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].all(i, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].all(j, object.metadata.annotations['big'].lowerAscii() != 'x'))";
  const big = { ...pod(), metadata: { ...pod().metadata, annotations: { big: "A".repeat(100_000) } } };
  it("runs at 1.31 and exceeds the per-call limit at 1.32", () => {
    const [old] = hooksAt(31, "Validating", { name: "m", matchConditions: [{ name: "big", expression }] });
    expect(shouldCallWebhook(old!, attrs({ object: big }), noNamespaces)).toEqual({ call: true });
    const [strict] = hooksAt(32, "Validating", { name: "m", matchConditions: [{ name: "big", expression }] });
    const refused = shouldCallWebhook(strict!, attrs({ object: big }), noNamespaces);
    expect((refused as { status: { message: string } }).status.message).toBe(`pods "p" is forbidden: expression '${expression}' resulted in error: operation cancelled: actual cost limit exceeded`);
  });
});

describe("match conditions share one budget (matchconditions/matcher.go, celconfig.RuntimeCELCostBudgetMatchConditions)", () => {
  // Each condition: 80 calls of lowerAscii() on a 100000-character annotation, ceil(100000 × 0.1)
  // each (library/cost.go, from 1.32): about 800000, within the per-call limit; three fit the
  // budget of 2500000, the fourth costs more than is left.
  const heavy = "[0, 1, 2, 3, 4, 5, 6, 7].all(i, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].all(j, object.metadata.annotations['big'].lowerAscii() != 'x'))";
  const big = { ...pod(), metadata: { ...pod().metadata, annotations: { big: "A".repeat(100_000) } } };
  const conditions = (list: string[]) => list.map((expression, i) => ({ name: `c${i}`, expression }));
  const outOfBudget = 'pods "p" is forbidden: validation failed due to running out of cost budget, no further validation rules will be run';
  it("calls the webhook when three conditions fit, refuses when the fourth runs out of the budget", () => {
    const [three] = hooksAt(36, "Validating", { name: "m", matchConditions: conditions([heavy, heavy, heavy]) });
    expect(shouldCallWebhook(three!, attrs({ object: big }), noNamespaces)).toEqual({ call: true });
    const [four] = hooksAt(36, "Validating", { name: "m", matchConditions: conditions([heavy, heavy, heavy, heavy]) });
    expect((shouldCallWebhook(four!, attrs({ object: big }), noNamespaces) as { status: { message: string } }).status.message).toBe(outOfBudget);
  });
  it("evaluates every condition before a false one counts", () => {
    const [h] = hooksAt(36, "Validating", { name: "m", matchConditions: conditions(["false", heavy, heavy, heavy, heavy]) });
    expect((shouldCallWebhook(h!, attrs({ object: big }), noNamespaces) as { status: { message: string } }).status.message).toBe(outOfBudget);
  });
  it("skips the webhook under failurePolicy Ignore", () => {
    const [h] = hooksAt(36, "Validating", { name: "m", failurePolicy: "Ignore", matchConditions: conditions([heavy, heavy, heavy, heavy]) });
    expect(shouldCallWebhook(h!, attrs({ object: big }), noNamespaces)).toEqual({ call: false });
  });
  it("costs a library call 1 before StrictCostEnforcementForWebhooks (1.31): the four conditions fit", () => {
    const [h] = hooksAt(31, "Validating", { name: "m", matchConditions: conditions([heavy, heavy, heavy, heavy]) });
    expect(shouldCallWebhook(h!, attrs({ object: big }), noNamespaces)).toEqual({ call: true });
  });
  it("charges a condition past the per-call limit what it ran: two such errors are reported together", () => {
    const past = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(i, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].all(j, object.metadata.annotations['big'].lowerAscii() != 'x'))";
    const [two] = hooksAt(36, "Validating", { name: "m", matchConditions: conditions([past, past]) });
    const error = `expression '${past}' resulted in error: operation cancelled: actual cost limit exceeded`;
    expect((shouldCallWebhook(two!, attrs({ object: big }), noNamespaces) as { status: { message: string } }).status.message).toBe(`pods "p" is forbidden: [${error}, ${error}]`);
    // Two of them cost just over 2000000: a third runs out of the budget.
    const [three] = hooksAt(36, "Validating", { name: "m", matchConditions: conditions([past, past, past]) });
    expect((shouldCallWebhook(three!, attrs({ object: big }), noNamespaces) as { status: { message: string } }).status.message).toBe(outOfBudget);
  });
});

describe("the AdmissionReview and its response", () => {
  it("sends request kind, resource, user, objects, dry run and options", () => {
    const review = admissionReview(attrs({ operation: "UPDATE", oldObject: pod(), dryRun: true, options: { kind: "UpdateOptions", apiVersion: "meta.k8s.io/v1" } }), "u1");
    expect(review).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid: "u1",
        kind: { group: "", version: "v1", kind: "Pod" },
        resource: { group: "", version: "v1", resource: "pods" },
        requestKind: { group: "", version: "v1", kind: "Pod" },
        requestResource: { group: "", version: "v1", resource: "pods" },
        name: "p",
        namespace: "ns",
        operation: "UPDATE",
        userInfo: { username: "alice", groups: ["system:authenticated"] },
        object: pod(),
        oldObject: pod(),
        dryRun: true,
        options: { kind: "UpdateOptions", apiVersion: "meta.k8s.io/v1" },
      },
    });
  });

  it("checks the response as VerifyAdmissionResponse does", () => {
    const [m] = hooks("Mutating", { name: "m" });
    const [v] = hooks("Validating", { name: "v" });
    const review = (response: Obj) => ({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response });
    expect(() => readAdmissionResponse(v!, "u", {})).toThrow('failed calling webhook "v": webhook response was absent');
    expect(() => readAdmissionResponse(v!, "u", review({ uid: "x", allowed: true }))).toThrow('expected response.uid="u", got "x"');
    expect(() => readAdmissionResponse(m!, "u", review({ uid: "u", allowed: true, patch: "W10=" }))).toThrow(
      'failed calling webhook "m": received invalid webhook response: webhook returned response.patch but not response.patchType',
    );
    expect(() => readAdmissionResponse(v!, "u", review({ uid: "u", allowed: true, patch: "W10=", patchType: "JSONPatch" }))).toThrow("validating webhook may not return response.patch");
    expect(() => readAdmissionResponse(v!, "u", { apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", response: { uid: "u" } })).toThrow(
      "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview",
    );
    expect(readAdmissionResponse(v!, "u", review({ uid: "u", allowed: true, warnings: ["w"] }))).toEqual({ allowed: true, warnings: ["w"] });
  });

  it("speaks v1beta1 to a webhook that accepts only it, without checking the answer's uid", async () => {
    const [h] = hooks("Mutating", { name: "old", admissionReviewVersions: ["v1beta1"] });
    let sent: Obj | undefined;
    const call: WebhookCaller = async (_hook, review) => {
      sent = review;
      return { body: { response: { allowed: true, patch: Buffer.from(JSON.stringify([{ op: "add", path: "/metadata/labels/old", value: "1" }])).toString("base64") } } };
    };
    const out = await dispatchMutating([h!], attrs(), ctx(call));
    expect(sent).toMatchObject({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview" });
    expect(out).toMatchObject({ object: { metadata: { labels: { old: "1" } } } });
    const [none] = hooks("Validating", { name: "none", admissionReviewVersions: ["v2"] });
    const refused = await dispatchValidating([none!], attrs(), ctx(call));
    expect(refused).toMatchObject({ status: { code: 500, message: 'Internal error occurred: failed calling webhook "none": webhook does not accept known AdmissionReview versions (v1, v1beta1)' } });
  });

  it("words refusals as ToStatusErr: a code of at least 400, the message or reason, or no explanation", () => {
    expect(webhookDenial("webhook", undefined)).toEqual({ code: 400, reason: "", message: 'admission webhook "webhook" denied the request without explanation' });
    expect(webhookDenial("webhook", { code: 200, status: "Success" })).toMatchObject({ code: 400 });
    expect(webhookDenial("webhook", { code: 403, reason: "Forbidden", message: "nope" })).toEqual({ code: 403, reason: "Forbidden", message: 'admission webhook "webhook" denied the request: nope' });
    expect(webhookDenial("webhook", { reason: "Because" }).message).toBe('admission webhook "webhook" denied the request: Because');
  });
});

describe("dispatching", () => {
  it("applies patches in order and reinvokes IfNeeded webhooks called before a later change, once", async () => {
    const hs = hooks(
      "Mutating",
      { name: "a", reinvocationPolicy: "IfNeeded" },
      { name: "b" },
      { name: "c", reinvocationPolicy: "IfNeeded" },
    );
    const { call, calls } = caller({
      a: ok([{ op: "add", path: "/metadata/annotations", value: { a: "1" } }]),
      b: ok([{ op: "add", path: "/metadata/labels/b", value: "1" }]),
      c: ok(),
    });
    const out = await dispatchMutating(hs, attrs(), ctx(call));
    // a changed the object first (nothing before it to reinvoke); b's change reinvokes a; c came after every change.
    expect(calls).toEqual(["a", "b", "c", "a"]);
    expect(out).toMatchObject({ object: { metadata: { labels: { b: "1" }, annotations: { a: "1" } } } });
  });

  it("does not reinvoke when nothing changed", async () => {
    const hs = hooks("Mutating", { name: "a", reinvocationPolicy: "IfNeeded" }, { name: "b" });
    const { call, calls } = caller({ a: ok(), b: ok([]) });
    await dispatchMutating(hs, attrs(), ctx(call));
    expect(calls).toEqual(["a", "b"]);
  });

  it("fails open under Ignore and closed under Fail, and stops at a refusal", async () => {
    const hs = hooks("Mutating", { name: "down", failurePolicy: "Ignore" }, { name: "deny" }, { name: "never" });
    const { call, calls } = caller({
      down: () => ({ error: 'Post "https://hook.example/?timeout=10s": context deadline exceeded' }),
      deny: (r) => ({ body: { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: r.request.uid, allowed: false, status: { message: "no" } } } }),
      never: ok(),
    });
    const out = await dispatchMutating(hs, attrs(), ctx(call));
    expect(calls).toEqual(["down", "deny"]);
    expect(out).toMatchObject({ status: { code: 400, message: 'admission webhook "deny" denied the request: no' } });
    const [fail] = hooks("Mutating", { name: "down" });
    const closed = await dispatchMutating([fail!], attrs(), ctx(caller({ down: () => ({ error: "dial tcp 127.0.0.1:1: connect: connection refused" }) }).call));
    expect(closed).toMatchObject({
      status: { code: 500, reason: "InternalError", message: 'Internal error occurred: failed calling webhook "down": failed to call webhook: dial tcp 127.0.0.1:1: connect: connection refused' },
    });
  });

  it("refuses a patch on DELETE and a patch that does not apply, whatever the failure policy", async () => {
    const [h] = hooks("Mutating", { name: "p", failurePolicy: "Ignore" });
    const patch = caller({ p: ok([{ op: "add", path: "/metadata/labels/x", value: "1" }]) }).call;
    const del = await dispatchMutating([h!], attrs({ operation: "DELETE", object: undefined, oldObject: pod() }), ctx(patch));
    expect(del).toMatchObject({ status: { code: 500, message: 'Internal error occurred: admission webhook "p" attempted to modify the object, which is not supported for this operation' } });
    const bad = await dispatchMutating([h!], attrs(), ctx(caller({ p: ok([{ op: "remove", path: "/spec/missing" }]) }).call));
    expect(bad).toMatchObject({ status: { code: 500, reason: "InternalError", message: "Internal error occurred: error in remove for path: '/spec/missing': Unable to remove nonexistent key: missing: missing value" } });
  });

  it("calls validating webhooks in parallel, gathers warnings, and answers with the first refusal", async () => {
    const hs = hooks("Validating", { name: "v1" }, { name: "v2" }, { name: "v3" });
    const refuse = (message: string) => (r: Obj) => ({ body: { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: r.request.uid, allowed: false, status: { message } } } });
    const { call, calls } = caller({ v1: ok(undefined, { warnings: ["careful"] }), v2: refuse("two"), v3: refuse("three") });
    const out = await dispatchValidating(hs, attrs(), ctx(call));
    expect(calls).toEqual(["v1", "v2", "v3"]);
    expect(out).toMatchObject({ warnings: ["careful"], status: { message: 'admission webhook "v2" denied the request: two' } });
  });

  it("refuses a dry run for webhooks with side effects, before calling them", async () => {
    const [h] = hooks("Validating", { name: "effects", sideEffects: "Some" });
    const { call, calls } = caller({ effects: ok() });
    const out = await dispatchValidating([h!], attrs({ dryRun: true }), ctx(call));
    expect(calls).toEqual([]);
    expect(out).toMatchObject({ status: { code: 400, reason: "BadRequest", message: 'admission webhook "effects" does not support dry run' } });
    expect(await dispatchValidating([h!], attrs(), ctx(call))).toEqual({ warnings: [], called: ["effects"] });
  });

  it("never calls webhooks for webhook and policy configurations", async () => {
    const [h] = hooks("Validating", { name: "all", rules: [{ apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"] }] });
    const { call, calls } = caller({ all: ok() });
    await dispatchValidating([h!], attrs({ group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations", namespaced: false, namespace: "" }), ctx(call));
    expect(calls).toEqual([]);
  });
});

describe("subresources whose object is a kind of its own, and CONNECT", () => {
  it("names the object's kind apart from the resource (a Scale of apps/v1 deployments)", () => {
    const scale = { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web", namespace: "ns" }, spec: { replicas: 2 } };
    const review = admissionReview(attrs({ operation: "UPDATE", group: "apps", kind: "Scale", kindGroup: "autoscaling", kindVersion: "v1", resource: "deployments", subResource: "scale", name: "web", object: scale, oldObject: scale }), "u");
    expect(review.request).toMatchObject({
      kind: { group: "autoscaling", version: "v1", kind: "Scale" },
      requestKind: { group: "autoscaling", version: "v1", kind: "Scale" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      subResource: "scale",
      requestSubResource: "scale",
    });
  });

  it("matches a CONNECT by its subresource rule, and no object selector selects its options", () => {
    const options = { kind: "PodExecOptions", apiVersion: "v1", command: ["sh"] };
    const connect = attrs({ operation: "CONNECT", kind: "PodExecOptions", subResource: "exec", object: options });
    const rule = (resources: string[]) => ({ rules: [{ apiGroups: [""], apiVersions: ["v1"], resources, operations: ["CONNECT"] }] });
    expect(shouldCallWebhook(hooks("Validating", { name: "a.example.com", ...rule(["pods/exec"]) })[0]!, connect, noNamespaces)).toEqual({ call: true });
    expect(shouldCallWebhook(hooks("Validating", { name: "a.example.com", ...rule(["*/*"]) })[0]!, connect, noNamespaces)).toEqual({ call: true });
    expect(shouldCallWebhook(hooks("Validating", { name: "a.example.com", ...rule(["pods"]) })[0]!, connect, noNamespaces)).toEqual({ call: false });
    // `matchObject` reads labels through the object's metadata: options have none, so even a selector any labels satisfy fails.
    const selector = { objectSelector: { matchExpressions: [{ key: "skip", operator: "DoesNotExist" }] } };
    expect(shouldCallWebhook(hooks("Validating", { name: "a.example.com", ...rule(["pods/exec"]), ...selector })[0]!, connect, noNamespaces)).toEqual({ call: false });
  });
});

describe("matchPolicy: Equivalent through the served equivalent resources (ShouldCallHook, VersionedAttributes)", () => {
  const widget = (version: string, spec: Obj): Obj => ({ apiVersion: `example.com/${version}`, kind: "Widget", metadata: { name: "w", namespace: "ns" }, spec });
  const equivalents = ["v1", "v2"].map((version) => ({ group: "example.com", version, resource: "widgets", kind: { group: "example.com", version, kind: "Widget" } }));
  const at = (version: string, spec: Obj, withEquivalents = true): WebhookAttributes =>
    attrs({ group: "example.com", version, kind: "Widget", resource: "widgets", name: "w", object: widget(version, spec), ...(withEquivalents ? { equivalents } : {}) });
  const rule = (...versions: string[]) => ({ rules: [{ apiGroups: ["example.com"], apiVersions: versions, resources: ["widgets"], operations: ["CREATE"] }] });
  // v1 `size` is v2 `spec.replicas`.
  const convert = async (o: Obj, to: { group: string; version: string; kind: string }) =>
    to.version === "v1" ? widget("v1", { size: o.spec.replicas }) : widget("v2", { replicas: o.spec.size });

  it("matches a rule only through a served version, its own first, and not under Exact", () => {
    expect(shouldCallWebhook(hooks("Validating", { name: "a", ...rule("v1") })[0]!, at("v2", { replicas: 1 }), noNamespaces)).toEqual({ call: true, invocation: equivalents[0] });
    expect(shouldCallWebhook(hooks("Validating", { name: "a", ...rule("v1", "v2") })[0]!, at("v2", { replicas: 1 }), noNamespaces)).toEqual({ call: true });
    expect(shouldCallWebhook(hooks("Validating", { name: "a", ...rule("v3") })[0]!, at("v2", { replicas: 1 }), noNamespaces)).toEqual({ call: false });
    expect(shouldCallWebhook(hooks("Validating", { name: "a", ...rule("v1"), matchPolicy: "Exact" })[0]!, at("v2", { replicas: 1 }), noNamespaces)).toEqual({ call: false });
    // Without the served equivalents (offline), any version of the group and resource matches, unconverted.
    expect(shouldCallWebhook(hooks("Validating", { name: "a", ...rule("v3") })[0]!, at("v2", { replicas: 1 }, false), noNamespaces)).toEqual({ call: true });
  });

  it("sends the object converted, kind and resource at the rule's version, and converts a patch back", async () => {
    const hs = hooks("Mutating", { name: "m", ...rule("v1") });
    let sent: Obj = {};
    const { call } = caller({ m: (review) => ((sent = review.request), ok([{ op: "replace", path: "/spec/size", value: 5 }])(review)) });
    const out = await dispatchMutating(hs, at("v2", { replicas: 1 }), { ...ctx(call), convert });
    expect(sent.kind).toEqual({ group: "example.com", version: "v1", kind: "Widget" });
    expect(sent.resource).toEqual({ group: "example.com", version: "v1", resource: "widgets" });
    expect(sent.requestKind).toEqual({ group: "example.com", version: "v2", kind: "Widget" });
    expect(sent.requestResource).toEqual({ group: "example.com", version: "v2", resource: "widgets" });
    expect(sent.object).toEqual(widget("v1", { size: 1 }));
    expect(out).toMatchObject({ object: widget("v2", { replicas: 5 }) });
  });

  it("refuses with an internal error when the conversion fails, whatever the failure policy", async () => {
    const hs = hooks("Validating", { name: "v", ...rule("v1"), failurePolicy: "Ignore" });
    const { call, calls } = caller({ v: ok() });
    const out = await dispatchValidating(hs, at("v2", { replicas: 1 }), { ...ctx(call), convert: () => Promise.reject(new Error("conversion webhook for example.com/v2, Kind=Widget failed: down")) });
    expect(calls).toEqual([]);
    expect(out).toMatchObject({ status: { code: 500, message: "Internal error occurred: conversion webhook for example.com/v2, Kind=Widget failed: down" } });
  });
});
