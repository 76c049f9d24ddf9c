/**
 * Realistic objects for the benchmarks: a running Pod with the fields a scheduler, kubelet and
 * controllers fill in, varied per index so no two are identical.
 */
export function pod(i: number): Record<string, unknown> {
  const name = `web-${(i * 7919).toString(36)}-${i}`;
  const node = `node-${i % 40}`;
  const started = new Date(Date.UTC(2026, 10, 1, 0, 0, 0) + i * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: `team-${i % 12}`,
      uid: `4f8a${i.toString(16).padStart(4, "0")}-1c2d-4e5f-8a9b-0c1d2e3f4a5b`,
      resourceVersion: String(100000 + i),
      creationTimestamp: started,
      generateName: "web-",
      labels: { app: "web", "pod-template-hash": "7d9f8c6b5", tier: i % 2 ? "frontend" : "backend" },
      annotations: { "kubectl.kubernetes.io/restartedAt": started, "prometheus.io/scrape": "true" },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9f8c6b5", uid: "0a1b2c3d-1111-2222-3333-444455556666", controller: true, blockOwnerDeletion: true },
      ],
      managedFields: [
        {
          manager: "kube-controller-manager",
          operation: "Update",
          apiVersion: "v1",
          time: started,
          fieldsType: "FieldsV1",
          fieldsV1: { "f:metadata": { "f:generateName": {}, "f:labels": { ".": {}, "f:app": {} } }, "f:spec": { "f:containers": {} } },
        },
      ],
    },
    spec: {
      containers: [
        {
          name: "web",
          image: `registry.example.com/web:${1 + (i % 9)}.${i % 17}.0`,
          imagePullPolicy: "IfNotPresent",
          args: ["--port=8080", "--log-level=info"],
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }, { name: "metrics", containerPort: 9090, protocol: "TCP" }],
          env: [
            { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
            { name: "LOG_FORMAT", value: "json" },
            { name: "CACHE_SIZE", value: String(128 + (i % 64)) },
          ],
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: 1, memory: "512Mi" } },
          livenessProbe: { httpGet: { path: "/healthz", port: "http", scheme: "HTTP" }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          readinessProbe: { httpGet: { path: "/ready", port: 8080, scheme: "HTTP" }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          volumeMounts: [
            { name: "config", mountPath: "/etc/web", readOnly: true },
            { name: "kube-api-access-x7k2p", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
          ],
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
      ],
      volumes: [
        { name: "config", configMap: { name: "web-config", defaultMode: 420 } },
        {
          name: "kube-api-access-x7k2p",
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
            ],
          },
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "web",
      serviceAccount: "web",
      nodeName: node,
      securityContext: { fsGroup: 2000 },
      schedulerName: "default-scheduler",
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
    },
    status: {
      phase: "Running",
      conditions: [
        { type: "PodReadyToStartContainers", status: "True", lastProbeTime: null, lastTransitionTime: started },
        { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: started },
        { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: started },
        { type: "ContainersReady", status: "True", lastProbeTime: null, lastTransitionTime: started },
        { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: started },
      ],
      hostIP: `10.0.${i % 40}.10`,
      hostIPs: [{ ip: `10.0.${i % 40}.10` }],
      podIP: `10.244.${i % 250}.${i % 200}`,
      podIPs: [{ ip: `10.244.${i % 250}.${i % 200}` }],
      startTime: started,
      containerStatuses: [
        {
          name: "web",
          state: { running: { startedAt: started } },
          lastState: {},
          ready: true,
          restartCount: i % 3,
          image: `registry.example.com/web:${1 + (i % 9)}.${i % 17}.0`,
          imageID: `registry.example.com/web@sha256:${"a".repeat(56)}${i.toString(16).padStart(8, "0")}`,
          containerID: `containerd://${"b".repeat(56)}${i.toString(16).padStart(8, "0")}`,
          started: true,
        },
      ],
      qosClass: "Burstable",
    },
  };
}

/** A `PodList` body as the apiserver sends it (items without apiVersion/kind). */
export function podListJson(count: number): string {
  const items = Array.from({ length: count }, (_, i) => {
    const { apiVersion: _a, kind: _k, ...rest } = pod(i);
    return rest;
  });
  return JSON.stringify({ apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: "123456" }, items });
}
