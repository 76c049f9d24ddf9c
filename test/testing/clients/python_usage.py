"""The official Python client (python3-kubernetes) against the local API server, used the way scripts use it:
typed CRUD on CoreV1Api and AppsV1Api, patch_* with the client's default content type, a stale replace (409),
utils.create_from_yaml on a multi-document file, the dynamic client (discovery, get/create/patch/delete,
server_side_apply), watch.Watch with resource_version and timeout_seconds, pod logs, exec, and delete with
propagation_policy. Prints one JSON object: a key per step, {"error": ...} where a step failed."""
import json
import os
import sys
import tempfile
import time
import traceback

from kubernetes import client, config, dynamic, utils, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream

config.load_kube_config(config_file=sys.argv[1])
api = client.ApiClient()
core = client.CoreV1Api(api)
apps = client.AppsV1Api(api)
NS = "py-usage"
out = {}


def step(name):
    def run(fn):
        try:
            out[name] = fn()
        except ApiException as e:
            out[name] = {"error": "%s %s" % (e.status, e.body)}
        except Exception:
            out[name] = {"error": traceback.format_exc()[-1500:]}
        return fn
    return run


def status_of(e):
    try:
        return json.loads(e.body)
    except Exception:
        return e.body


def deployment(name, replicas=1):
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels={"app": name}),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels={"app": name}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": name}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.27", env=[client.V1EnvVar(name="A", value="1")])]),
            ),
        ),
    )


core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))


@step("typed")
def _():
    secret = core.create_namespaced_secret(NS, client.V1Secret(metadata=client.V1ObjectMeta(name="creds"), string_data={"user": "admin"}))
    svc = core.create_namespaced_service(NS, client.V1Service(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1ServiceSpec(selector={"app": "web"}, ports=[client.V1ServicePort(port=80, target_port=8080)]),
    ))
    dep = apps.create_namespaced_deployment(NS, deployment("web"))
    scale = apps.read_namespaced_deployment_scale("web", NS)
    scaled = apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 2}})
    # Read-modify-write, again on a conflict: the deployment controller writes the status meanwhile.
    for _ in range(10):
        read = apps.read_namespaced_deployment("web", NS)
        read.spec.template.spec.containers[0].image = "nginx:1.28"
        try:
            replaced = apps.replace_namespaced_deployment("web", NS, read)
            break
        except ApiException as e:
            if e.status != 409:
                raise
    return {
        "secret": [sorted(secret.data), secret.string_data, secret.type],
        "service": [svc.spec.type, svc.spec.ports[0].protocol, svc.spec.ports[0].target_port, bool(svc.spec.cluster_ip)],
        "deployment": [dep.spec.strategy.type, dep.spec.template.spec.containers[0].image_pull_policy, dep.metadata.generation],
        "scale": [scale.kind, scale.spec.replicas, scaled.spec.replicas],
        "replaced": [replaced.spec.template.spec.containers[0].image, replaced.metadata.generation],
        "listed": sorted(d.metadata.name for d in apps.list_namespaced_deployment(NS).items),
    }


@step("patch")
def _():
    # A dict body goes out as application/strategic-merge-patch+json: containers merge by name.
    smp = apps.patch_namespaced_deployment("web", NS, {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox:1.36"}]}}}})
    env = apps.patch_namespaced_deployment("web", NS, {"spec": {"template": {"spec": {"containers": [{"name": "web", "env": [{"name": "B", "value": "2"}]}]}}}})
    # A list body goes out as application/json-patch+json.
    json_patch = apps.patch_namespaced_deployment("web", NS, [{"op": "remove", "path": "/spec/template/spec/containers/1"}])
    cm = core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings", labels={"a": "1"}), data={"a": "1"}))
    unset = core.patch_namespaced_config_map("settings", NS, {"metadata": {"labels": {"a": None, "b": "2"}}, "data": {"a": None, "c": "3"}})
    json_cm = core.patch_namespaced_config_map("settings", NS, [{"op": "add", "path": "/data/d", "value": "4"}])
    return {
        "smp": [c.name for c in smp.spec.template.spec.containers],
        "env": [[e.name, e.value] for e in env.spec.template.spec.containers[1].env],
        "json": [c.name for c in json_patch.spec.template.spec.containers],
        "cm": [cm.data, unset.metadata.labels, unset.data, json_cm.data],
    }


@step("conflict")
def _():
    cm = core.read_namespaced_config_map("settings", NS)
    cm.data = {"x": "1"}
    core.replace_namespaced_config_map("settings", NS, cm)
    cm.data = {"x": "2"}
    try:
        core.replace_namespaced_config_map("settings", NS, cm)
        return "no error"
    except ApiException as e:
        body = status_of(e)
        return [e.status, e.reason, body["reason"], body["details"]["name"], body["details"]["kind"], body["message"]]


@step("createFromYaml")
def _():
    docs = """apiVersion: v1
kind: ConfigMap
metadata:
  name: from-yaml
data:
  key: value
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: yaml-web
spec:
  replicas: 1
  selector:
    matchLabels: {app: yaml-web}
  template:
    metadata:
      labels: {app: yaml-web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: yaml-web
spec:
  selector: {app: yaml-web}
  ports:
  - port: 80
"""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(docs)
    try:
        created = utils.create_from_yaml(api, f.name, namespace=NS)
    finally:
        os.unlink(f.name)
    flat = [o for group in created for o in group]
    again = None
    try:
        utils.create_from_yaml(api, yaml_objects=[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-yaml"}}], namespace=NS)
    except utils.FailToCreateError as e:
        again = [x.status for x in e.api_exceptions]
    return {"created": [[o.kind, o.metadata.name, o.metadata.namespace] for o in flat], "again": again}


@step("dynamic")
def _():
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    deps = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    scale = dyn.resources.get(api_version="apps/v1", kind="Deployment").subresources["scale"]
    created = cms.create(body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dyn"}, "data": {"a": "1"}}, namespace=NS)
    got = cms.get(name="dyn", namespace=NS)
    patched = cms.patch(body={"data": {"b": "2"}}, name="dyn", namespace=NS)
    merged = cms.patch(body={"data": {"a": None}}, name="dyn", namespace=NS, content_type="application/merge-patch+json")
    listed = cms.get(namespace=NS, label_selector="!missing")
    dep = deps.get(name="web", namespace=NS)
    scaled = scale.get(name="web", namespace=NS)
    # server_side_apply sends application/apply-patch+yaml; the client passes a serialized body through as it is.
    applied = dyn.server_side_apply(cms, body=json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dyn-applied", "namespace": NS}, "data": {"k": "v"}}),
                                    name="dyn-applied", namespace=NS, field_manager="py-dynamic")
    yaml_applied = dyn.server_side_apply(cms, body="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dyn-applied\ndata:\n  k: v2\n",
                                         name="dyn-applied", namespace=NS, field_manager="py-dynamic")
    deleted = cms.delete(name="dyn", namespace=NS)
    try:
        cms.get(name="dyn", namespace=NS)
        missing = "found"
    except dynamic.exceptions.NotFoundError as e:
        missing = e.status
    return {
        "kinds": [cms.kind, cms.namespaced, deps.group_version, crds.namespaced, scale.kind],
        "created": [created.kind, created.metadata.name, created.data.a],
        "got": got.to_dict()["data"],
        "patched": patched.to_dict()["data"],
        "merged": merged.to_dict()["data"],
        "listed": [listed.kind, sorted(i.metadata.name for i in listed.items)],
        "deployment": [dep.kind, dep.spec.replicas],
        "scale": [scaled.kind, scaled.apiVersion, scaled.spec.replicas],
        "applied": [applied.to_dict()["data"], [m.manager for m in applied.metadata.managedFields], [m.operation for m in applied.metadata.managedFields]],
        "yamlApplied": yaml_applied.to_dict()["data"],
        "deleted": [deleted.kind, deleted.status],
        "missing": missing,
    }


@step("watch")
def _():
    first = core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="watched", labels={"w": "1"}), data={"v": "0"}))
    core.patch_namespaced_config_map("watched", NS, {"data": {"v": "1"}})
    core.delete_namespaced_config_map("watched", NS)
    events = []
    w = watch.Watch()
    started = time.time()
    for event in w.stream(core.list_namespaced_config_map, NS, label_selector="w", resource_version=first.metadata.resource_version, timeout_seconds=2):
        events.append([event["type"], event["object"].metadata.name, (event["object"].data or {}).get("v")])
    elapsed = time.time() - started
    # A watch from the list's resourceVersion sees nothing of what came before and ends with timeout_seconds.
    listed = core.list_namespaced_config_map(NS, label_selector="w")
    quiet = [e["type"] for e in watch.Watch().stream(core.list_namespaced_config_map, NS, label_selector="w", resource_version=listed.metadata.resource_version, timeout_seconds=1)]
    return {"events": events, "ended": elapsed < 10, "quiet": quiet}


@step("logs")
def _():
    core.create_namespaced_pod(NS, client.V1Pod(metadata=client.V1ObjectMeta(name="logger"), spec=client.V1PodSpec(restart_policy="Never", containers=[client.V1Container(name="main", image="busybox:1.36")])))
    for _ in range(100):
        if core.read_namespaced_pod("logger", NS).status.phase in ("Running", "Succeeded"):
            break
        time.sleep(0.1)
    full = core.read_namespaced_pod_log("logger", NS)
    tail = core.read_namespaced_pod_log("logger", NS, container="main", tail_lines=2)
    followed = [line.decode() if isinstance(line, bytes) else line for line in watch.Watch().stream(core.read_namespaced_pod_log, "logger", NS, follow=True)]
    try:
        core.read_namespaced_pod_log("nobody", NS)
        missing = "found"
    except ApiException as e:
        missing = [e.status, status_of(e)["message"]]
    return {"full": full, "tail": tail, "followed": followed, "missing": missing}


@step("exec")
def _():
    core.create_namespaced_pod(NS, client.V1Pod(metadata=client.V1ObjectMeta(name="shell"), spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="busybox:1.36")])))
    for _ in range(100):
        if core.read_namespaced_pod("shell", NS).status.phase == "Running":
            break
        time.sleep(0.1)
    plain = stream(core.connect_get_namespaced_pod_exec, "shell", NS, command=["sh", "-c", "echo out; echo err >&2"], stderr=True, stdin=False, stdout=True, tty=False)
    resp = stream(core.connect_get_namespaced_pod_exec, "shell", NS, command=["sh", "-c", "echo out; echo err >&2; exit 4"],
                  stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
    resp.run_forever(timeout=5)
    separated = [resp.read_stdout(), resp.read_stderr(), resp.returncode]
    resp.close()
    interactive = stream(core.connect_get_namespaced_pod_exec, "shell", NS, command=["cat"], stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    interactive.write_stdin("typed\n")
    got = ""
    deadline = time.time() + 5
    while interactive.is_open() and not got and time.time() < deadline:
        interactive.update(timeout=1)
        if interactive.peek_stdout():
            got += interactive.read_stdout()
    interactive.close()
    return {"plain": plain, "separated": separated, "interactive": got}


@step("propagation")
def _():
    apps.create_namespaced_deployment(NS, deployment("orphaned"))
    apps.create_namespaced_deployment(NS, deployment("cascaded"))

    def replica_sets(app):
        for _ in range(100):
            items = apps.list_namespaced_replica_set(NS, label_selector="app=" + app).items
            if items:
                return items
            time.sleep(0.1)
        return []
    replica_sets("orphaned")
    replica_sets("cascaded")
    # While finalizers hold it, a delete answers with the object (the typed return, V1Status, cannot hold it: read it raw).
    orphan_reply = apps.delete_namespaced_deployment("orphaned", NS, propagation_policy="Orphan", _preload_content=False)
    foreground_reply = apps.delete_namespaced_deployment("cascaded", NS, propagation_policy="Foreground", _preload_content=False)
    orphan = json.loads(orphan_reply.data)
    foreground = json.loads(foreground_reply.data)
    # Foreground: the owner stays with a deletionTimestamp and the foregroundDeletion finalizer until its dependents are gone.
    for _ in range(100):
        try:
            apps.read_namespaced_deployment("cascaded", NS)
        except ApiException as e:
            if e.status == 404:
                break
        time.sleep(0.1)
    for _ in range(50):
        left = replica_sets("orphaned")
        if left and not left[0].metadata.owner_references:
            break
        time.sleep(0.1)
    background = core.delete_namespaced_config_map("settings", NS, propagation_policy="Background", grace_period_seconds=0)
    cascaded_left = len(apps.list_namespaced_replica_set(NS, label_selector="app=cascaded").items)
    try:
        apps.delete_namespaced_deployment("web", NS, propagation_policy="Sideways")
        bad = "accepted"
    except ApiException as e:
        bad = [e.status, status_of(e)["reason"]]
    return {
        "orphan": [orphan_reply.status, orphan["kind"], orphan["metadata"].get("finalizers"), "deletionTimestamp" in orphan["metadata"]],
        "foreground": [foreground_reply.status, foreground["kind"], foreground["metadata"].get("finalizers"), "deletionTimestamp" in foreground["metadata"]],
        "orphanedReplicaSets": [bool(left), bool(left and left[0].metadata.owner_references)],
        "cascadedReplicaSets": cascaded_left,
        "background": [background.kind, background.status, background.details.name, background.details.kind],
        "bad": bad,
    }


@step("version")
def _():
    v = client.VersionApi(api).get_code()
    return [v.major, v.minor, v.git_version.startswith("v1.32."), v.platform]


@step("paging")
def _():
    for i in range(5):
        core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="page-%d" % i, labels={"paged": "yes"})))
    pages = []
    token = None
    while True:
        page = core.list_namespaced_config_map(NS, limit=2, _continue=token)
        pages.append([len(page.items), page.metadata.remaining_item_count])
        token = page.metadata._continue
        if not token:
            break
    try:
        core.list_namespaced_config_map(NS, limit=2, _continue="not-a-token")
        bad = "accepted"
    except ApiException as e:
        bad = [e.status, status_of(e)["reason"]]
    # deletecollection answers the list of what it deleted (the typed return, V1Status, cannot hold it: read it raw).
    gone = json.loads(core.delete_collection_namespaced_config_map(NS, label_selector="paged=yes", _preload_content=False).data)
    return {"pages": pages, "bad": bad, "deleted": [gone["kind"], sorted(i["metadata"]["name"] for i in gone["items"])]}


@step("customObjects")
def _():
    ext = client.ApiextensionsV1Api(api)
    ext.create_custom_resource_definition(client.V1CustomResourceDefinition(
        metadata=client.V1ObjectMeta(name="gadgets.example.org"),
        spec=client.V1CustomResourceDefinitionSpec(
            group="example.org",
            scope="Namespaced",
            names=client.V1CustomResourceDefinitionNames(plural="gadgets", singular="gadget", kind="Gadget", short_names=["gd"]),
            versions=[client.V1CustomResourceDefinitionVersion(
                name="v1", served=True, storage=True,
                subresources=client.V1CustomResourceSubresources(status={}),
                schema=client.V1CustomResourceValidation(open_apiv3_schema=client.V1JSONSchemaProps(
                    type="object",
                    properties={"spec": client.V1JSONSchemaProps(type="object", properties={"count": client.V1JSONSchemaProps(type="integer")}),
                                "status": client.V1JSONSchemaProps(type="object", x_kubernetes_preserve_unknown_fields=True)},
                )),
            )],
        ),
    ))
    for _ in range(50):
        conditions = ext.read_custom_resource_definition("gadgets.example.org").status.conditions or []
        if any(c.type == "Established" and c.status == "True" for c in conditions):
            break
        time.sleep(0.1)
    co = client.CustomObjectsApi(api)
    created = co.create_namespaced_custom_object("example.org", "v1", NS, "gadgets", {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "g1"}, "spec": {"count": 1}})
    # The client's patch of a custom object is a merge patch.
    patched = co.patch_namespaced_custom_object("example.org", "v1", NS, "gadgets", "g1", {"spec": {"count": 2}})
    status = co.patch_namespaced_custom_object_status("example.org", "v1", NS, "gadgets", "g1", {"status": {"phase": "Ready"}})
    listed = co.list_namespaced_custom_object("example.org", "v1", NS, "gadgets")
    everywhere = co.list_cluster_custom_object("example.org", "v1", "gadgets")
    # The dynamic client finds the new kind (its discovery reloads on a miss) and applies to it.
    dyn = dynamic.DynamicClient(api)
    gadgets = dyn.resources.get(api_version="example.org/v1", kind="Gadget")
    by_short = dyn.resources.get(short_names=["gd"])
    applied = dyn.server_side_apply(gadgets, body=json.dumps({"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "g1"}, "spec": {"count": 9}}),
                                    name="g1", namespace=NS, field_manager="py-apply", force_conflicts=True)
    try:
        co.create_namespaced_custom_object("example.org", "v1", NS, "gadgets", {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "g2"}, "spec": {"count": "many"}})
        invalid = "accepted"
    except ApiException as e:
        invalid = [e.status, status_of(e)["message"]]
    co.delete_namespaced_custom_object("example.org", "v1", NS, "gadgets", "g1")
    return {
        "created": [created["kind"], created["spec"], created["metadata"]["generation"]],
        "patched": [patched["spec"], patched["metadata"]["generation"]],
        "status": [status["status"], status["metadata"]["generation"]],
        "listed": [listed["kind"], listed["apiVersion"], [i["metadata"]["name"] for i in listed["items"]]],
        "everywhere": len(everywhere["items"]),
        "dynamic": [gadgets.kind, gadgets.namespaced, gadgets.subresources.get("status") is not None, by_short.kind],
        "applied": [applied.spec.count, sorted(m.manager for m in applied.metadata.managedFields)],
        "invalid": invalid,
    }


@step("dynamicWatch")
def _():
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    listed = cms.get(namespace=NS)
    cms.create(body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dyn-watched"}}, namespace=NS)
    seen = []
    for event in cms.watch(namespace=NS, resource_version=listed.metadata.resourceVersion, timeout=1):
        seen.append([event["type"], event["object"].metadata.name, event["raw_object"]["kind"]])
    return seen


@step("eviction")
def _():
    core.create_namespaced_pod(NS, client.V1Pod(metadata=client.V1ObjectMeta(name="evictee"), spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="busybox:1.36")])))
    body = client.V1Eviction(metadata=client.V1ObjectMeta(name="evictee", namespace=NS))
    result = core.create_namespaced_pod_eviction("evictee", NS, body, _preload_content=False)
    answer = json.loads(result.data)
    return [result.status, answer["kind"], answer["status"]]


@step("listEverything")
def _():
    # Workloads whose controllers write pods, claims, revisions, endpoints, events and statuses; then
    # every typed list call of the GA APIs, each answer deserialized into the client's models (which
    # refuse a missing required field).
    import inspect
    docs = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16, ports: [{containerPort: 5432}]}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: busybox:1.36}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec: {restartPolicy: Never, containers: [{name: main, image: busybox:1.36}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: main, image: busybox:1.36}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: pods}
spec: {hard: {pods: "50"}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec: {limits: [{type: Container, default: {cpu: 100m}}]}
"""
    import yaml
    utils.create_from_yaml(api, yaml_objects=list(yaml.safe_load_all(docs)), namespace=NS)
    batch = client.BatchV1Api(api)
    for _ in range(100):
        job = batch.read_namespaced_job("once", NS)
        if job.status.succeeded:
            break
        time.sleep(0.1)
    calls = 0
    failures = {}
    for name in sorted(dir(client)):
        cls = getattr(client, name)
        if not (inspect.isclass(cls) and name.endswith("Api") and name != "ApiClient") or "alpha" in name or "beta" in name:
            continue
        instance = cls(api)
        for method in sorted(dir(instance)):
            if not method.startswith("list_") or method.endswith("_with_http_info"):
                continue
            fn = getattr(instance, method)
            required = [p.name for p in inspect.signature(fn).parameters.values() if p.kind == p.POSITIONAL_OR_KEYWORD]
            if required not in ([], ["namespace"]):
                continue
            calls += 1
            try:
                fn(*([NS] if required else []))
            except ApiException as e:
                failures[name + "." + method] = e.status
            except ValueError as e:
                failures[name + "." + method] = str(e)
    return {"calls": calls > 60, "jobSucceeded": job.status.succeeded, "failures": failures}


@step("expired")
def _():
    # The test compacts the history first: resourceVersion 1 is gone, as after etcd's compaction.
    try:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, NS, resource_version="1", timeout_seconds=1):
            pass
        watched = "no error"
    except ApiException as e:
        watched = [e.status, e.reason]
    try:
        core.list_namespaced_config_map(NS, resource_version="1", resource_version_match="Exact")
        listed = "no error"
    except ApiException as e:
        listed = [e.status, status_of(e)["reason"], status_of(e)["message"]]
    return {"watched": watched, "listed": listed}


@step("dynamicCollection")
def _():
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    for i in range(3):
        cms.create(body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bulk-%d" % i, "labels": {"bulk": "yes"}}}, namespace=NS)
    removed = cms.delete(namespace=NS, label_selector="bulk=yes")
    left = cms.get(namespace=NS, label_selector="bulk=yes")
    return [removed.kind, sorted(i.metadata.name for i in removed["items"]), len(left.items)]


@step("podGrace")
def _():
    # A running pod is deleted gracefully: the answer is the pod with its deletionTimestamp and grace
    # period; the kubelet stops it and removes it.
    deleted = core.delete_namespaced_pod("shell", NS)
    gone = False
    for _ in range(100):
        try:
            core.read_namespaced_pod("shell", NS)
            time.sleep(0.05)
        except ApiException as e:
            gone = e.status == 404
            break
    return [type(deleted).__name__, deleted.metadata.deletion_grace_period_seconds, deleted.metadata.deletion_timestamp is not None, gone]


print(json.dumps(out, default=str))
