/**
 * A GitOps repository's worth of realistic manifests for the validator benchmarks: workloads with
 * several containers, init containers, probes of each kind, volumes, security contexts, resources
 * and env from ConfigMaps and Secrets; Services, Ingresses, HPAs, PDBs, NetworkPolicies, RBAC,
 * ConfigMaps and Secrets — and, when the shared Gateway API CRDs are there, HTTPRoutes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringifyYaml as stringify } from "../src/yaml/text.js";

type Obj = Record<string, unknown>;

const labels = (app: string) => ({ "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "shop", tier: "backend" });

function container(name: string, i: number, port: number): Obj {
  return {
    name,
    image: `registry.example.com/shop/${name}:1.${i % 30}.${i % 7}`,
    imagePullPolicy: "IfNotPresent",
    args: ["--port", String(port), "--log-format=json"],
    ports: [
      { name: "http", containerPort: port },
      { name: "metrics", containerPort: 9090, protocol: "TCP" },
    ],
    env: [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "LOG_LEVEL", value: i % 3 ? "info" : "debug" },
      { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: `db-${i % 50}`, key: "password" } } },
      { name: "CACHE_MB", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
    ],
    envFrom: [{ configMapRef: { name: `app-${i}-config` } }],
    resources: { requests: { cpu: `${100 + (i % 5) * 50}m`, memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "1Gi" } },
    readinessProbe: { httpGet: { path: "/ready", port: "http" }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: port }, periodSeconds: 20, timeoutSeconds: 2 },
    startupProbe: { exec: { command: ["/bin/check", "--startup"] }, failureThreshold: 30, periodSeconds: 5 },
    lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 5"] } } },
    volumeMounts: [
      { name: "config", mountPath: "/etc/app", readOnly: true },
      { name: "cache", mountPath: "/var/cache/app" },
      { name: "tls", mountPath: "/etc/tls", readOnly: true },
    ],
    securityContext: { runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
  };
}

function podSpec(i: number, app: string): Obj {
  return {
    serviceAccountName: app,
    securityContext: { fsGroup: 10001, runAsNonRoot: true },
    initContainers: [{ name: "migrate", image: `registry.example.com/shop/migrate:2.${i % 9}`, command: ["/migrate", "up"], resources: { requests: { cpu: "50m", memory: "64Mi" } } }],
    containers: [container("app", i, 8080), { ...container("sidecar", i + 1, 8081), readinessProbe: { grpc: { port: 8081 }, periodSeconds: 10 } }],
    volumes: [
      { name: "config", configMap: { name: `app-${i}-config`, defaultMode: 0o644 } },
      { name: "cache", emptyDir: { sizeLimit: "500Mi" } },
      { name: "tls", secret: { secretName: `app-${i}-tls`, defaultMode: 0o400 } },
    ],
    affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/name": app } } } }] } },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "shop", effect: "NoSchedule" }],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { "app.kubernetes.io/name": app } } }],
  };
}

/** One resource of the mix; `withCrds` adds HTTPRoutes. */
export function resource(i: number, withCrds: boolean): Obj {
  const app = `app-${i}`;
  const metadata = { name: app, namespace: `team-${i % 10}`, labels: labels(app), annotations: { "example.com/owner": `team-${i % 10}` } };
  const selector = { matchLabels: { "app.kubernetes.io/name": app } };
  const template = { metadata: { labels: labels(app) }, spec: podSpec(i, app) };
  switch (i % 20) {
    case 0:
    case 1:
    case 2:
    case 3:
      return { apiVersion: "apps/v1", kind: "Deployment", metadata, spec: { replicas: 3, selector, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } }, template } };
    case 4:
      return { apiVersion: "apps/v1", kind: "StatefulSet", metadata, spec: { serviceName: app, replicas: 3, selector, template, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, storageClassName: "fast" } }] } };
    case 5:
      return { apiVersion: "batch/v1", kind: "CronJob", metadata, spec: { schedule: `${i % 60} 3 * * *`, concurrencyPolicy: "Forbid", jobTemplate: { spec: { backoffLimit: 2, template: { metadata: { labels: labels(app) }, spec: { ...podSpec(i, app), restartPolicy: "OnFailure" } } } } } };
    case 6:
    case 7:
      return { apiVersion: "v1", kind: "Service", metadata, spec: { selector: { "app.kubernetes.io/name": app }, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "metrics", port: 9090, targetPort: 9090 }] } };
    case 8:
    case 9:
      return { apiVersion: "v1", kind: "ConfigMap", metadata: { ...metadata, name: `${app}-config` }, data: { "app.yaml": `server:\n  port: 8080\n  index: ${i}\n`, LOG_FORMAT: "json", FEATURE_FLAGS: "search,checkout" } };
    case 10:
      return { apiVersion: "v1", kind: "Secret", metadata: { ...metadata, name: `${app}-tls` }, type: "kubernetes.io/tls", data: { "tls.crt": Buffer.from(`cert-${i}`).toString("base64"), "tls.key": Buffer.from(`key-${i}`).toString("base64") } };
    case 11:
      return { apiVersion: "v1", kind: "ServiceAccount", metadata, automountServiceAccountToken: false };
    case 12:
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata,
        spec: { ingressClassName: "nginx", tls: [{ hosts: [`${app}.example.com`], secretName: `${app}-tls` }], rules: [{ host: `${app}.example.com`, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: app, port: { name: "http" } } } }] } }] },
      };
    case 13:
      return { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app }, minReplicas: 3, maxReplicas: 20, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] } };
    case 14:
      return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata, spec: { maxUnavailable: 1, selector } };
    case 15:
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata,
        spec: { podSelector: selector, policyTypes: ["Ingress", "Egress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } } }], ports: [{ protocol: "TCP", port: 8080 }] }], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }] },
      };
    case 16:
      return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata, rules: [{ apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "list", "watch"] }] };
    case 17:
      return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: app }, subjects: [{ kind: "ServiceAccount", name: app, namespace: metadata.namespace }] };
    case 18:
      return { apiVersion: "apps/v1", kind: "DaemonSet", metadata, spec: { selector, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } }, template } };
    default:
      return withCrds
        ? { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata, spec: { parentRefs: [{ name: "edge", namespace: "infra" }], hostnames: [`${app}.example.com`], rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: app, port: 80 }] }] } }
        : { apiVersion: "v1", kind: "Service", metadata: { ...metadata, name: `${app}-headless` }, spec: { clusterIP: "None", selector: { "app.kubernetes.io/name": app }, ports: [{ name: "http", port: 80 }] } };
  }
}

/** Write `total` resources in files of `perFile` under `dir` (in team folders); the files written. */
export function writeCorpus(dir: string, total: number, perFile: number, withCrds: boolean): string[] {
  const files: string[] = [];
  for (let f = 0; f * perFile < total; f++) {
    const docs: string[] = [];
    for (let i = f * perFile; i < Math.min(total, (f + 1) * perFile); i++) docs.push(stringify(resource(i, withCrds)));
    const sub = join(dir, `team-${f % 10}`);
    mkdirSync(sub, { recursive: true });
    const file = join(sub, `apps-${f}.yaml`);
    // Mode bits as the Kubernetes documentation writes them (YAML 1.1 octal, read as kubectl reads it).
    writeFileSync(file, docs.join("---\n").replace(/defaultMode: 420\b/g, "defaultMode: 0644").replace(/defaultMode: 256\b/g, "defaultMode: 0400"));
    files.push(file);
  }
  return files;
}
