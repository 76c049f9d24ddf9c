/**
 * The ClusterRoles and ClusterRoleBindings kube-apiserver's `rbac/bootstrap-roles` post-start hook
 * creates (plugin/pkg/auth/authorizer/rbac/bootstrappolicy: policy.go and controller_policy.go),
 * with the rules its recorded output holds (testdata/cluster-roles.yaml, controller-roles.yaml and
 * the bindings beside them, at default feature gates): `cluster-admin`; the user-facing `admin`,
 * `edit` and `view`, aggregated from the `system:aggregate-to-*` roles; the roles every
 * authenticated user is bound to (`system:basic-user`, `system:discovery`,
 * `system:public-info-viewer`); the roles of the cluster's components (`system:node`,
 * `system:node-proxier`, `system:kube-scheduler`, `system:kube-controller-manager`,
 * `system:monitoring`, …) and one `system:controller:<name>` role per controller of
 * kube-controller-manager, bound to its service account in `kube-system`.
 *
 * The policy follows the Kubernetes minor: the data below is the 1.36 policy, and what differs in
 * other minors is marked where it differs, as policy.go marks it — by the feature gates a role or
 * rule needs (on or off by the minor's defaults from features.ts, or as the caller sets them), or
 * by the minor that added or dropped it where the change was not gated (`since`/`until`). Such a
 * change is dated by the changelog or pull request that announces it where one does (1.32 for the
 * volume controllers' clean-up and the scheduler's VolumeAttachments), else at the first release
 * whose recorded policy shows it: the readings were the policy of 1.30 (controller_policy.go), of
 * 1.31 (namespace_policy.go), a 1.34 development controller_policy.go and the 1.36 recordings, so a
 * change first seen in 1.36 may have come in 1.35 (the leader-locking Roles, the PVC protection
 * controller's status).
 */
import { apiContext } from "../context.js";
import type { FeatureGate } from "../features.js";
import type { PolicyRule } from "./evaluate.js";

type Obj = Record<string, unknown>;

const GROUP = "rbac.authorization.k8s.io";

const list = (csv: string): string[] => csv.split(",");

/** A resource rule: verbs, API groups and resources as comma-separated lists (`""` is the core group: `",events.k8s.io"`). */
function r(verbs: string, groups: string, resources: string, names?: string): PolicyRule {
  return { verbs: list(verbs), apiGroups: list(groups), resources: list(resources), ...(names ? { resourceNames: list(names) } : {}) };
}

/** A non-resource rule. */
function urls(verbs: string, paths: string): PolicyRule {
  return { verbs: list(verbs), nonResourceURLs: list(paths) };
}

const READ = "get,list,watch";
const WRITE = "create,delete,deletecollection,patch,update";
const READ_WRITE = "create,delete,deletecollection,get,list,patch,update,watch";
/** `eventsRule()`: events may be written in both event groups. */
const EVENTS = r("create,patch,update", ",events.k8s.io", "events");

/**
 * When a role, rule or subject exists: every gate of `gates` on, and the minor within `since` …
 * `until` (both inclusive; a change no gate guards is keyed by the release that made it).
 */
interface When {
  gates?: readonly FeatureGate[];
  since?: number;
  until?: number;
}

/** A value that exists only {@link When} its condition holds. */
interface Only<T> {
  when: When;
  value: T;
}

type Item<T> = T | Only<T>;
type RuleItem = Item<PolicyRule>;

const only = <T>(when: When, value: T): Only<T> => ({ when, value });
/** Several rules under one condition. */
const onlyAll = (when: When, ...rules: PolicyRule[]): Array<Only<PolicyRule>> => rules.map((rule) => only(when, rule));

/**
 * A rule 1.32 changed: `before` through 1.31 (as controller_policy.go of 1.30 has it), `after` from
 * 1.32 — the release that dropped the GlusterFS and OpenStack rules of the volume controllers
 * (kubernetes/kubernetes#125995 in its changelog) and turned on the watch-list client in
 * kube-controller-manager (#128053), whose controllers' roles gained `watch` where they listed.
 */
const from32 = (before: PolicyRule | null, after: PolicyRule | null): RuleItem[] => [...(before ? [only({ until: 31 }, before)] : []), ...(after ? [only({ since: 32 }, after)] : [])];

function isOnly<T>(item: Item<T>): item is Only<T> {
  return typeof item === "object" && item !== null && "when" in item && "value" in item;
}

/** Options of the bootstrap policy functions. */
export interface BootstrapPolicyOptions {
  /** The Kubernetes minor whose policy is wanted, 28 … 36 (default 36, the newest served). */
  minor?: number;
  /** Feature gates switched away from the minor's defaults (the roles and rules they guard follow them). */
  featureGates?: Readonly<Partial<Record<FeatureGate, boolean>>>;
}

/** Whether a condition holds for the options' minor and gates. */
function holds(options: BootstrapPolicyOptions): (when: When | undefined) => boolean {
  const minor = options.minor ?? 36;
  const { gate } = apiContext({ minor, ...(options.featureGates ? { featureGates: options.featureGates } : {}) });
  return (when) =>
    !when ||
    ((when.since === undefined || minor >= when.since) &&
      (when.until === undefined || minor <= when.until) &&
      (when.gates ?? []).every(gate));
}

function select<T>(items: readonly Item<T>[], on: (when: When | undefined) => boolean): T[] {
  return items.flatMap((item) => (isOnly(item) ? (on(item.when) ? [item.value] : []) : [item]));
}

function clusterRole(name: string, rules: PolicyRule[] | null, extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): Obj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: "ClusterRole",
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults", ...extra.labels },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    ...(extra.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/${extra.aggregateFrom}`]: "true" } }] } } : {}),
    ...(rules ? { rules } : {}),
  };
}

const aggregateTo = (role: string) => ({ labels: { [`rbac.authorization.k8s.io/aggregate-to-${role}`]: "true" } });

function approver(signer: string): PolicyRule[] {
  return [r("approve", "certificates.k8s.io", "signers", `kubernetes.io/${signer}`)];
}

/** The roles of `ClusterRoles()` (policy.go), by name. */
function systemRoles(): Array<[string, RuleItem[] | null, Parameters<typeof clusterRole>[2]?]> {
  return [
    ["admin", null, { aggregateFrom: "aggregate-to-admin" }],
    ["cluster-admin", [r("*", "*", "*"), urls("*", "*")]],
    ["edit", null, { aggregateFrom: "aggregate-to-edit", ...aggregateTo("admin") }],
    ["system:aggregate-to-admin", [r("create", "authorization.k8s.io", "localsubjectaccessreviews"), r(READ_WRITE, GROUP, "rolebindings,roles")], aggregateTo("admin")],
    [
      "system:aggregate-to-edit",
      [
        r(READ, "", "pods/attach,pods/exec,pods/portforward,pods/proxy,secrets,services/proxy"),
        r("impersonate", "", "serviceaccounts"),
        r(WRITE, "", "pods,pods/attach,pods/exec,pods/portforward,pods/proxy"),
        r("create", "", "pods/eviction"),
        r(WRITE, "", "configmaps,events,persistentvolumeclaims,replicationcontrollers,replicationcontrollers/scale,secrets,serviceaccounts,services,services/proxy"),
        r("create", "", "serviceaccounts/token"),
        r(WRITE, "apps", "daemonsets,deployments,deployments/rollback,deployments/scale,replicasets,replicasets/scale,statefulsets,statefulsets/scale"),
        r(WRITE, "autoscaling", "horizontalpodautoscalers"),
        r(WRITE, "batch", "cronjobs,jobs"),
        r(WRITE, "extensions", "daemonsets,deployments,deployments/rollback,deployments/scale,ingresses,networkpolicies,replicasets,replicasets/scale,replicationcontrollers/scale"),
        r(WRITE, "policy", "poddisruptionbudgets"),
        r(WRITE, "networking.k8s.io", "ingresses,networkpolicies"),
        r(READ_WRITE, "coordination.k8s.io", "leases"),
        only({ gates: ["DynamicResourceAllocation"] }, r(WRITE, "resource.k8s.io", "resourceclaims,resourceclaimtemplates")),
      ],
      aggregateTo("edit"),
    ],
    [
      "system:aggregate-to-view",
      [
        r(READ, "", "configmaps,endpoints,persistentvolumeclaims,persistentvolumeclaims/status,pods,replicationcontrollers,replicationcontrollers/scale,serviceaccounts,services,services/status"),
        r(READ, "", "bindings,events,limitranges,namespaces/status,pods/log,pods/status,replicationcontrollers/status,resourcequotas,resourcequotas/status"),
        r(READ, "", "namespaces"),
        r(READ, "discovery.k8s.io", "endpointslices"),
        r(READ, "apps", "controllerrevisions,daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,replicasets,replicasets/scale,replicasets/status,statefulsets,statefulsets/scale,statefulsets/status"),
        r(READ, "autoscaling", "horizontalpodautoscalers,horizontalpodautoscalers/status"),
        r(READ, "batch", "cronjobs,cronjobs/status,jobs,jobs/status"),
        r(READ, "extensions", "daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,ingresses,ingresses/status,networkpolicies,replicasets,replicasets/scale,replicasets/status,replicationcontrollers/scale"),
        r(READ, "policy", "poddisruptionbudgets,poddisruptionbudgets/status"),
        r(READ, "networking.k8s.io", "ingresses,ingresses/status,networkpolicies"),
        only({ gates: ["DynamicResourceAllocation"] }, r(READ, "resource.k8s.io", "resourceclaims,resourceclaims/status,resourceclaimtemplates")),
      ],
      aggregateTo("view"),
    ],
    ["system:auth-delegator", [r("create", "authentication.k8s.io", "tokenreviews"), r("create", "authorization.k8s.io", "subjectaccessreviews")]],
    ["system:basic-user", [r("create", "authorization.k8s.io", "selfsubjectaccessreviews,selfsubjectrulesreviews"), r("create", "authentication.k8s.io", "selfsubjectreviews")]],
    ["system:certificates.k8s.io:certificatesigningrequests:nodeclient", [r("create", "certificates.k8s.io", "certificatesigningrequests/nodeclient")]],
    ["system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [r("create", "certificates.k8s.io", "certificatesigningrequests/selfnodeclient")]],
    ["system:certificates.k8s.io:kube-apiserver-client-approver", approver("kube-apiserver-client")],
    ["system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", approver("kube-apiserver-client-kubelet")],
    ["system:certificates.k8s.io:kubelet-serving-approver", approver("kubelet-serving")],
    ["system:certificates.k8s.io:legacy-unknown-approver", approver("legacy-unknown")],
    ["system:discovery", [urls("get", "/api,/api/*,/apis,/apis/*,/healthz,/livez,/openapi,/openapi/*,/readyz,/version,/version/")]],
    ["system:heapster", [r(READ, "", "events,namespaces,nodes,pods"), r(READ, "extensions", "deployments")]],
    ["system:kube-aggregator", [r(READ, "", "endpoints,services")]],
    [
      "system:kube-controller-manager",
      [
        EVENTS,
        r("create", "coordination.k8s.io", "leases"),
        r("get,update", "coordination.k8s.io", "leases", "kube-controller-manager"),
        r("create", "", "secrets,serviceaccounts"),
        r("delete", "", "secrets"),
        r("get", "", "configmaps,namespaces,secrets,serviceaccounts"),
        r("update", "", "secrets,serviceaccounts"),
        r("create", "authentication.k8s.io", "tokenreviews"),
        r("create", "authorization.k8s.io", "subjectaccessreviews"),
        r("list,watch", "*", "*"),
        r("create", "", "serviceaccounts/token"),
      ],
    ],
    ["system:kube-dns", [r("list,watch", "", "endpoints,services")]],
    [
      "system:kube-scheduler",
      [
        EVENTS,
        r("create", "coordination.k8s.io", "leases"),
        r("get,update", "coordination.k8s.io", "leases", "kube-scheduler"),
        r(READ, "", "nodes"),
        r("delete,get,list,watch", "", "pods"),
        r("create", "", "bindings,pods/binding"),
        r("patch,update", "", "pods/status"),
        r(READ, "", "replicationcontrollers,services"),
        r(READ, "apps,extensions", "replicasets"),
        r(READ, "apps", "statefulsets"),
        r(READ, "policy", "poddisruptionbudgets"),
        r(READ, "", "persistentvolumeclaims,persistentvolumes"),
        r("create", "authentication.k8s.io", "tokenreviews"),
        r("create", "authorization.k8s.io", "subjectaccessreviews"),
        r(READ, "storage.k8s.io", "csinodes"),
        // The CSI volume limits count VolumeAttachments from 1.32.
        only({ since: 32 }, r(READ, "storage.k8s.io", "volumeattachments")),
        r(READ, "", "namespaces"),
        r(READ, "storage.k8s.io", "csidrivers"),
        r(READ, "storage.k8s.io", "csistoragecapacities"),
        ...onlyAll(
          { gates: ["DynamicResourceAllocation"] },
          r(READ, "resource.k8s.io", "deviceclasses"),
          r("get,list,patch,update,watch", "resource.k8s.io", "resourceclaims"),
          r("get,list,patch,update,watch", "resource.k8s.io", "resourceclaims/status"),
          r("get,list,patch,update,watch", "", "pods/finalizers"),
          r(READ, "resource.k8s.io", "resourceslices"),
        ),
        only({ gates: ["DynamicResourceAllocation", "DRADeviceTaintRules"] }, r(READ, "resource.k8s.io", "devicetaintrules")),
      ],
    ],
    [
      "system:kubelet-api-admin",
      [
        r(READ, "", "nodes"),
        r("proxy", "", "nodes"),
        r("*", "", "nodes/log,nodes/metrics,nodes/proxy,nodes/stats"),
        only({ gates: ["KubeletFineGrainedAuthz"] }, r("*", "", "nodes/configz,nodes/healthz,nodes/pods")),
      ],
    ],
    [
      "system:monitoring",
      [
        urls("get", "/healthz,/healthz/*,/livez,/livez/*,/metrics,/metrics/slis,/readyz,/readyz/*"),
        only({ gates: ["ComponentFlagz"] }, urls("get", "/flagz")),
        only({ gates: ["ComponentStatusz"] }, urls("get", "/statusz")),
      ],
    ],
    [
      "system:node",
      [
        r("create", "authentication.k8s.io", "tokenreviews"),
        r("create", "authorization.k8s.io", "localsubjectaccessreviews,subjectaccessreviews"),
        r(READ, "", "services"),
        r("create,get,list,watch", "", "nodes"),
        r("patch,update", "", "nodes/status"),
        r("patch,update", "", "nodes"),
        r("create,patch,update", "", "events"),
        r(READ, "", "pods"),
        r("create,delete", "", "pods"),
        r("patch,update", "", "pods/status"),
        r("create", "", "pods/eviction"),
        r(READ, "", "configmaps,secrets"),
        r("get", "", "persistentvolumeclaims,persistentvolumes"),
        r("get", "", "endpoints"),
        r("create,get,list,watch", "certificates.k8s.io", "certificatesigningrequests"),
        r("create,delete,get,patch,update", "coordination.k8s.io", "leases"),
        r("get", "storage.k8s.io", "volumeattachments"),
        r("create", "", "serviceaccounts/token"),
        r("get,patch,update", "", "persistentvolumeclaims/status"),
        r(READ, "storage.k8s.io", "csidrivers"),
        r("create,delete,get,patch,update", "storage.k8s.io", "csinodes"),
        r(READ, "node.k8s.io", "runtimeclasses"),
        ...onlyAll({ gates: ["DynamicResourceAllocation"] }, r("get", "resource.k8s.io", "resourceclaims"), r("deletecollection", "resource.k8s.io", "resourceslices")),
        only({ gates: ["ClusterTrustBundleProjection"] }, r(READ, "certificates.k8s.io", "clustertrustbundles")),
        only({ gates: ["KubeletServiceAccountTokenForCredentialProviders"] }, r("get", "", "serviceaccounts")),
      ],
    ],
    ["system:node-bootstrapper", [r("create,get,list,watch", "certificates.k8s.io", "certificatesigningrequests")]],
    ["system:node-problem-detector", [r("get", "", "nodes"), r("patch", "", "nodes/status"), EVENTS]],
    ["system:node-proxier", [r("list,watch", "", "endpoints,services"), r(READ, "", "nodes"), EVENTS, r("list,watch", "discovery.k8s.io", "endpointslices")]],
    [
      "system:persistent-volume-provisioner",
      [r("create,delete,get,list,watch", "", "persistentvolumes"), r("get,list,update,watch", "", "persistentvolumeclaims"), r(READ, "storage.k8s.io", "storageclasses"), r("watch", "", "events"), EVENTS],
    ],
    ["system:public-info-viewer", [urls("get", "/healthz,/livez,/readyz,/version,/version/")]],
    ["system:service-account-issuer-discovery", [urls("get", "/.well-known/openid-configuration,/openid/v1/jwks")]],
    ["system:volume-scheduler", [r("get,list,patch,update,watch", "", "persistentvolumes"), r(READ, "storage.k8s.io", "storageclasses"), r("get,list,patch,update,watch", "", "persistentvolumeclaims")]],
    ["view", null, { aggregateFrom: "aggregate-to-view", ...aggregateTo("edit") }],
  ];
}

/** The roles of `ControllerRoles()` (controller_policy.go), by controller name, with the condition of each. */
function controllerRoles(): Array<[string, RuleItem[], When?]> {
  return [
    [
      "attachdetach-controller",
      [
        r("list,watch", "", "persistentvolumeclaims,persistentvolumes"),
        r(READ, "", "nodes"),
        r("patch,update", "", "nodes/status"),
        r("list,watch", "", "pods"),
        EVENTS,
        r("create,delete,get,list,watch", "storage.k8s.io", "volumeattachments"),
        r(READ, "storage.k8s.io", "csidrivers"),
        r(READ, "storage.k8s.io", "csinodes"),
      ],
    ],
    [
      "certificate-controller",
      [
        r("delete,get,list,watch", "certificates.k8s.io", "certificatesigningrequests"),
        r("update", "certificates.k8s.io", "certificatesigningrequests/approval,certificatesigningrequests/status"),
        r("approve", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-client-kubelet"),
        r("sign", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-client,kubernetes.io/kube-apiserver-client-kubelet,kubernetes.io/kubelet-serving,kubernetes.io/legacy-unknown"),
        r("create", "authorization.k8s.io", "subjectaccessreviews"),
        EVENTS,
      ],
    ],
    ["clusterrole-aggregation-controller", [r("escalate,get,list,patch,update,watch", GROUP, "clusterroles")]],
    [
      "cronjob-controller",
      [
        r("get,list,update,watch", "batch", "cronjobs"),
        r("create,delete,get,list,patch,update,watch", "batch", "jobs"),
        r("update", "batch", "cronjobs/status"),
        r("update", "batch", "cronjobs/finalizers"),
        ...from32(r("delete,list", "", "pods"), r("delete,list,watch", "", "pods")),
        EVENTS,
      ],
    ],
    [
      "daemon-set-controller",
      [
        r(READ, "apps,extensions", "daemonsets"),
        r("update", "apps,extensions", "daemonsets/status"),
        r("update", "apps,extensions", "daemonsets/finalizers"),
        r("list,watch", "", "nodes"),
        r("create,delete,list,patch,watch", "", "pods"),
        r("create", "", "pods/binding"),
        r("create,delete,get,list,patch,update,watch", "apps", "controllerrevisions"),
        EVENTS,
      ],
    ],
    [
      "deployment-controller",
      [
        r("get,list,update,watch", "apps,extensions", "deployments"),
        r("update", "apps,extensions", "deployments/status"),
        r("update", "apps,extensions", "deployments/finalizers"),
        r("create,delete,get,list,patch,update,watch", "apps,extensions", "replicasets"),
        r("get,list,update,watch", "", "pods"),
        EVENTS,
      ],
    ],
    [
      "device-taint-eviction-controller",
      [
        r("delete,get,list,watch", "", "pods"),
        r("patch,update", "", "pods/status"),
        r(READ, "resource.k8s.io", "resourceclaims"),
        r(READ, "resource.k8s.io", "resourceslices"),
        r(READ, "resource.k8s.io", "deviceclasses"),
        only({ gates: ["DRADeviceTaintRules"] }, r(READ, "resource.k8s.io", "devicetaintrules")),
        EVENTS,
      ],
      { gates: ["DynamicResourceAllocation", "DRADeviceTaints"] },
    ],
    [
      "disruption-controller",
      [
        r(READ, "apps,extensions", "deployments"),
        r(READ, "apps,extensions", "replicasets"),
        r(READ, "", "replicationcontrollers"),
        r(READ, "policy", "poddisruptionbudgets"),
        r(READ, "apps", "statefulsets"),
        r("update", "policy", "poddisruptionbudgets/status"),
        r("patch,update", "", "pods/status"),
        r("get", "*", "*/scale"),
        EVENTS,
      ],
    ],
    [
      "endpoint-controller",
      [r(READ, "", "pods,services"), ...from32(r("create,delete,get,list,update", "", "endpoints"), r("create,delete,get,list,update,watch", "", "endpoints")), r("create", "", "endpoints/restricted"), EVENTS],
    ],
    [
      "endpointslice-controller",
      [
        r(READ, "", "nodes,pods,services"),
        r("update", "", "services/finalizers"),
        ...from32(r("create,delete,get,list,update", "discovery.k8s.io", "endpointslices"), r("create,delete,get,list,update,watch", "discovery.k8s.io", "endpointslices")),
        EVENTS,
      ],
    ],
    [
      "endpointslicemirroring-controller",
      [
        r(READ, "", "endpoints,services"),
        r("update", "", "services/finalizers"),
        r("update", "", "endpoints/finalizers"),
        ...from32(r("create,delete,get,list,update", "discovery.k8s.io", "endpointslices"), r("create,delete,get,list,update,watch", "discovery.k8s.io", "endpointslices")),
        EVENTS,
      ],
    ],
    ["ephemeral-volume-controller", [r(READ, "", "pods"), r("update", "", "pods/finalizers"), r("create,get,list,watch", "", "persistentvolumeclaims"), EVENTS]],
    [
      "expand-controller",
      [
        r("get,list,patch,update,watch", "", "persistentvolumes"),
        r("patch,update", "", "persistentvolumeclaims/status"),
        r(READ, "", "persistentvolumeclaims"),
        // The in-tree GlusterFS volume plugin's, through 1.31.
        ...from32(r(READ, "storage.k8s.io", "storageclasses"), null),
        ...from32(r("get", "", "endpoints,services"), null),
        ...from32(r("get", "", "secrets"), null),
        EVENTS,
        // The in-tree Portworx volume plugin's, 1.32 to 1.35.
        only({ since: 32, until: 35 }, r("get", "", "services")),
      ],
    ],
    ["generic-garbage-collector", [r("delete,get,list,patch,update,watch", "*", "*"), EVENTS]],
    [
      "horizontal-pod-autoscaler",
      [
        r(READ, "autoscaling", "horizontalpodautoscalers"),
        r("update", "autoscaling", "horizontalpodautoscalers/status"),
        r("get,update", "*", "*/scale"),
        ...from32(r("list", "", "pods"), r("list,watch", "", "pods")),
        ...from32(r("list", "metrics.k8s.io", "pods"), r("list,watch", "metrics.k8s.io", "pods")),
        ...from32(r("get,list", "custom.metrics.k8s.io", "*"), r(READ, "custom.metrics.k8s.io", "*")),
        ...from32(r("get,list", "external.metrics.k8s.io", "*"), r(READ, "external.metrics.k8s.io", "*")),
        EVENTS,
      ],
    ],
    ["job-controller", [r("get,list,patch,update,watch", "batch", "jobs"), r("update", "batch", "jobs/status"), r("update", "batch", "jobs/finalizers"), r("create,delete,list,patch,watch", "", "pods"), EVENTS]],
    [
      "kube-apiserver-serving-clustertrustbundle-publisher",
      [r("attest", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-serving"), r("create,delete,list,update,watch", "certificates.k8s.io", "clustertrustbundles"), EVENTS],
      { gates: ["ClusterTrustBundle"], since: 34 },
    ],
    ["legacy-service-account-token-cleaner", [r("get", "", "configmaps", "kube-apiserver-legacy-service-account-token-tracking"), r("delete,patch", "", "secrets")], { gates: ["LegacyServiceAccountTokenCleanUp"] }],
    ["namespace-controller", [r("delete,get,list,watch", "", "namespaces"), r("update", "", "namespaces/finalize,namespaces/status"), ...from32(r("delete,deletecollection,get,list", "*", "*"), r("delete,deletecollection,get,list,watch", "*", "*"))]],
    [
      "node-controller",
      [
        ...from32(r("delete,get,list,patch,update", "", "nodes"), r("delete,get,list,patch,update,watch", "", "nodes")),
        r("patch,update", "", "nodes/status"),
        r("patch,update", "", "pods/status"),
        ...from32(r("delete,get,list", "", "pods"), r("delete,get,list,watch", "", "pods")),
        EVENTS,
      ],
    ],
    [
      "persistent-volume-binder",
      [
        r("create,delete,get,list,update,watch", "", "persistentvolumes"),
        r("update", "", "persistentvolumes/status"),
        r("get,list,update,watch", "", "persistentvolumeclaims"),
        r("update", "", "persistentvolumeclaims/status"),
        r("create,delete,get,list,watch", "", "pods"),
        r(READ, "storage.k8s.io", "storageclasses"),
        // The in-tree GlusterFS (endpoints, services, secrets) and OpenStack (nodes) volume plugins', through 1.31.
        ...from32(r("create,delete,get,update", "", "endpoints"), null),
        ...from32(r("create,delete,get", "", "services"), null),
        ...from32(r("get", "", "secrets"), null),
        ...from32(r("get,list", "", "nodes"), r("list,watch", "", "nodes")),
        ...from32(r("watch", "", "events"), null),
        EVENTS,
        ...from32(null, r("watch", "", "events")),
        // The in-tree Portworx volume plugin's, 1.32 to 1.35.
        only({ since: 32, until: 35 }, r("get", "", "services")),
      ],
    ],
    ["pod-garbage-collector", [r("delete,list,watch", "", "pods"), ...from32(r("get,list", "", "nodes"), r(READ, "", "nodes")), r("patch", "", "pods/status")]],
    ["podcertificaterequestcleaner", [r("delete,get,list,watch", "certificates.k8s.io", "podcertificaterequests")], { gates: ["PodCertificateRequest"], since: 34 }],
    ["pv-protection-controller", [r("get,list,update,watch", "", "persistentvolumes"), EVENTS]],
    ["pvc-protection-controller", [r("get,list,update,watch", "", "persistentvolumeclaims"), only({ since: 36 }, r("update", "", "persistentvolumeclaims/status")), r(READ, "", "pods"), EVENTS]],
    [
      "replicaset-controller",
      [r("get,list,update,watch", "apps,extensions", "replicasets"), r("update", "apps,extensions", "replicasets/status"), r("update", "apps,extensions", "replicasets/finalizers"), r("create,delete,list,patch,watch", "", "pods"), EVENTS],
    ],
    [
      "replication-controller",
      [r("get,list,update,watch", "", "replicationcontrollers"), r("update", "", "replicationcontrollers/status"), r("update", "", "replicationcontrollers/finalizers"), r("create,delete,list,patch,watch", "", "pods"), EVENTS],
    ],
    [
      "resource-claim-controller",
      [
        r(READ, "", "pods"),
        r("update", "", "pods/finalizers"),
        r("create,delete,get,list,watch", "resource.k8s.io", "resourceclaims"),
        // Classic DRA's scheduling contexts, gone in 1.32.
        only({ until: 31 }, r("create,get,list,patch,update,watch", "resource.k8s.io", "podschedulingcontexts")),
        r("patch,update", "resource.k8s.io", "resourceclaims,resourceclaims/status"),
        r("patch,update", "", "pods/status"),
        EVENTS,
        only({ since: 36 }, r("patch,update", "resource.k8s.io", "resourceclaims/binding")),
      ],
      { gates: ["DynamicResourceAllocation"] },
    ],
    ["resourcequota-controller", [r("list,watch", "*", "*"), r("update", "", "resourcequotas/status"), EVENTS]],
    ["root-ca-cert-publisher", [r("create,update", "", "configmaps"), EVENTS]],
    ["route-controller", [r("list,watch", "", "nodes"), r("patch", "", "nodes/status"), EVENTS]],
    ["selinux-warning-controller", [EVENTS, r(READ, "", "persistentvolumes"), r(READ, "", "persistentvolumeclaims"), r(READ, "", "pods"), r(READ, "storage.k8s.io", "csidrivers")], { gates: ["SELinuxChangePolicy"] }],
    ["service-account-controller", [r("create", "", "serviceaccounts"), EVENTS]],
    [
      "service-cidrs-controller",
      [
        r("get,list,patch,update,watch", "networking.k8s.io", "servicecidrs"),
        r("patch,update", "networking.k8s.io", "servicecidrs/finalizers"),
        r("patch,update", "networking.k8s.io", "servicecidrs/status"),
        r(READ, "networking.k8s.io", "ipaddresses"),
        EVENTS,
      ],
      { gates: ["MultiCIDRServiceAllocator"], since: 29 },
    ],
    ["service-controller", [r(READ, "", "services"), r("patch,update", "", "services/status"), r("list,watch", "", "nodes"), EVENTS]],
    [
      "statefulset-controller",
      [
        r("list,watch", "", "pods"),
        r(READ, "apps", "statefulsets"),
        r("update", "apps", "statefulsets/status"),
        r("update", "apps", "statefulsets/finalizers"),
        r("create,delete,get,patch,update", "", "pods"),
        r("create,delete,get,list,patch,update,watch", "apps", "controllerrevisions"),
        ...from32(r("create,get", "", "persistentvolumeclaims"), r("create,get,list,watch", "", "persistentvolumeclaims")),
        ...from32(null, r("delete,update", "", "persistentvolumeclaims")),
        ...from32(null, r("update", "", "pods/finalizers")),
        EVENTS,
        // StatefulSetAutoDeletePVC's, appended while the gate was checked (on by default from 1.27).
        ...from32(r("delete,update", "", "persistentvolumeclaims"), null),
      ],
    ],
    [
      "storage-version-garbage-collector",
      [r(READ, "coordination.k8s.io", "leases"), r("delete,get,list,patch,update,watch", "internal.apiserver.k8s.io", "storageversions"), r("get,patch,update", "internal.apiserver.k8s.io", "storageversions/status")],
      { gates: ["StorageVersionAPI", "APIServerIdentity"] },
    ],
    ["storage-version-migrator-controller", [...from32(r("create,list,patch", "*", "*"), r("create,list,patch,watch", "*", "*")), r("update", "storagemigration.k8s.io", "storageversionmigrations/status")], { gates: ["StorageVersionMigrator"], since: 30 }],
    ["ttl-after-finished-controller", [r("delete,get,list,watch", "batch", "jobs"), EVENTS]],
    ["ttl-controller", [r("list,patch,update,watch", "", "nodes"), EVENTS]],
    [
      "validatingadmissionpolicy-status-controller",
      [r(READ, "admissionregistration.k8s.io", "validatingadmissionpolicies"), r("get,patch,update", "admissionregistration.k8s.io", "validatingadmissionpolicies/status"), EVENTS],
      { gates: ["ValidatingAdmissionPolicy"] },
    ],
    [
      "volumeattributesclass-protection-controller",
      [r(READ, "", "persistentvolumeclaims"), r(READ, "", "persistentvolumes"), r("get,list,update,watch", "storage.k8s.io", "volumeattributesclasses"), EVENTS],
      { gates: ["VolumeAttributesClass"] },
    ],
  ];
}

/** The controllers whose roles exist under the options, with their rules. */
function enabledControllerRoles(options: BootstrapPolicyOptions): Array<[string, PolicyRule[]]> {
  const on = holds(options);
  return controllerRoles()
    .filter(([, , when]) => on(when))
    .map(([name, rules]) => [name, select(rules, on)]);
}

/**
 * The bootstrap ClusterRoles of kube-apiserver, the components' and the controllers' with them
 * (aggregated roles carry no rules here: their rules come from aggregation), as the given minor
 * creates them with its default feature gates (or the gates given).
 *
 * @example
 * bootstrapClusterRoles().map((r) => (r as { metadata: { name: string } }).metadata.name); // ["admin", "cluster-admin", "edit", …]
 * bootstrapClusterRoles({ minor: 28 }).some((r) => (r as { metadata: { name: string } }).metadata.name === "system:controller:legacy-service-account-token-cleaner"); // false
 */
export function bootstrapClusterRoles(options: BootstrapPolicyOptions = {}): Obj[] {
  const on = holds(options);
  return [
    ...systemRoles().map(([name, rules, extra]) => clusterRole(name, rules && select(rules, on), extra)),
    ...enabledControllerRoles(options).map(([name, rules]) => clusterRole(`system:controller:${name}`, rules)),
  ];
}

type Subject = { kind: "Group" | "User"; name: string } | { kind: "ServiceAccount"; name: string; namespace: string };

function clusterRoleBinding(name: string, subjects: Subject[], role = name): Obj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: "ClusterRoleBinding",
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    roleRef: { apiGroup: GROUP, kind: "ClusterRole", name: role },
    ...(subjects.length ? { subjects: subjects.map((s) => (s.kind === "ServiceAccount" ? { ...s } : { apiGroup: GROUP, ...s })) } : {}),
  };
}

const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: "Group", name }));
const user = (name: string): Subject[] => [{ kind: "User", name }];

/**
 * The bootstrap ClusterRoleBindings: `cluster-admin` to `system:masters`, the basic-user and
 * discovery roles to every authenticated user, public info to everyone, the components' roles to
 * their users, `system:node` without subjects (the Node authorizer's since 1.8), and each
 * controller's role (those the minor and gates create) to its service account in `kube-system`.
 *
 * @example
 * bootstrapClusterRoleBindings({ minor: 31 }).find((b) => (b as { metadata: { name: string } }).metadata.name === "cluster-admin");
 */
export function bootstrapClusterRoleBindings(options: BootstrapPolicyOptions = {}): Obj[] {
  return [
    clusterRoleBinding("cluster-admin", groups("system:masters")),
    clusterRoleBinding("system:basic-user", groups("system:authenticated")),
    clusterRoleBinding("system:discovery", groups("system:authenticated")),
    clusterRoleBinding("system:kube-controller-manager", user("system:kube-controller-manager")),
    clusterRoleBinding("system:kube-dns", [{ kind: "ServiceAccount", name: "kube-dns", namespace: "kube-system" }]),
    clusterRoleBinding("system:kube-scheduler", user("system:kube-scheduler")),
    clusterRoleBinding("system:monitoring", groups("system:monitoring")),
    clusterRoleBinding("system:node", []),
    clusterRoleBinding("system:node-proxier", user("system:kube-proxy")),
    clusterRoleBinding("system:public-info-viewer", groups("system:authenticated", "system:unauthenticated")),
    clusterRoleBinding("system:service-account-issuer-discovery", groups("system:serviceaccounts")),
    clusterRoleBinding("system:volume-scheduler", user("system:kube-scheduler")),
    ...enabledControllerRoles(options).map(([name]) => clusterRoleBinding(`system:controller:${name}`, [{ kind: "ServiceAccount", name, namespace: "kube-system" }])),
  ];
}

function role(namespace: string, name: string, rules: PolicyRule[]): Obj {
  return { ...clusterRole(name, rules), kind: "Role", metadata: { ...(clusterRole(name, rules).metadata as Obj), namespace } };
}

function roleBinding(namespace: string, name: string, roleName: string, subjects: Subject[]): Obj {
  const binding = clusterRoleBinding(name, subjects, roleName);
  return { ...binding, kind: "RoleBinding", metadata: { ...(binding.metadata as Obj), namespace }, roleRef: { apiGroup: GROUP, kind: "Role", name: roleName } };
}

/**
 * The leader-locking Roles' rules: through 1.35 the ConfigMap lock of each component (and leases
 * for the controller manager); in 1.36 leases and lease candidates for both, without ConfigMaps.
 */
function leaderLocking(component: string): RuleItem[] {
  return [
    ...onlyAll({ until: 35 }, r("watch", "", "configmaps"), r("get,update", "", "configmaps", component)),
    ...(component === "kube-controller-manager" ? [only({ until: 35 }, r("create,get,list,update,watch", "coordination.k8s.io", "leases"))] : []),
    ...onlyAll({ since: 36 }, r("create,get,list,update,watch", "coordination.k8s.io", "leases"), r("create,get,list,update,watch", "coordination.k8s.io", "leasecandidates")),
  ];
}
const sa = (name: string): Subject => ({ kind: "ServiceAccount", name, namespace: "kube-system" });

/**
 * The bootstrap Roles of `kube-system` and `kube-public` (`NamespaceRoles()`): leader locking of
 * the controller manager and scheduler, the extension-apiserver authentication reader, and the
 * bootstrap signer's, cloud provider's and token cleaner's roles.
 *
 * @example
 * bootstrapRoles({ minor: 30 }).map((r) => (r as { metadata: { namespace: string } }).metadata.namespace); // ["kube-public", "kube-system", …]
 */
export function bootstrapRoles(options: BootstrapPolicyOptions = {}): Obj[] {
  const on = holds(options);
  return [
    role("kube-public", "system:controller:bootstrap-signer", [r(READ, "", "configmaps"), r("update", "", "configmaps", "cluster-info"), EVENTS]),
    role("kube-system", "extension-apiserver-authentication-reader", [r(READ, "", "configmaps", "extension-apiserver-authentication")]),
    role("kube-system", "system::leader-locking-kube-controller-manager", select(leaderLocking("kube-controller-manager"), on)),
    role("kube-system", "system::leader-locking-kube-scheduler", select(leaderLocking("kube-scheduler"), on)),
    role("kube-system", "system:controller:bootstrap-signer", [r(READ, "", "secrets")]),
    role("kube-system", "system:controller:cloud-provider", [r("create,get,list,watch", "", "configmaps")]),
    role("kube-system", "system:controller:token-cleaner", [r("delete,get,list,watch", "", "secrets"), EVENTS]),
  ];
}

/**
 * The bootstrap RoleBindings of `kube-system` and `kube-public` (`NamespaceRoleBindings()`); from
 * 1.31 the controller manager's leader locking is bound to the leader-election controller too.
 *
 * @example
 * bootstrapRoleBindings().length; // 7
 */
export function bootstrapRoleBindings(options: BootstrapPolicyOptions = {}): Obj[] {
  const on = holds(options);
  const controllerManager: Array<Item<Subject>> = [...user("system:kube-controller-manager"), sa("kube-controller-manager"), only({ since: 31 }, sa("leader-election-controller"))];
  return [
    roleBinding("kube-public", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", [sa("bootstrap-signer")]),
    roleBinding("kube-system", "system::extension-apiserver-authentication-reader", "extension-apiserver-authentication-reader", [...user("system:kube-controller-manager"), ...user("system:kube-scheduler")]),
    roleBinding("kube-system", "system::leader-locking-kube-controller-manager", "system::leader-locking-kube-controller-manager", select(controllerManager, on)),
    roleBinding("kube-system", "system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler", [...user("system:kube-scheduler"), sa("kube-scheduler")]),
    roleBinding("kube-system", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", [sa("bootstrap-signer")]),
    roleBinding("kube-system", "system:controller:cloud-provider", "system:controller:cloud-provider", [sa("cloud-provider")]),
    roleBinding("kube-system", "system:controller:token-cleaner", "system:controller:token-cleaner", [sa("token-cleaner")]),
  ];
}
