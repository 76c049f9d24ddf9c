"""The official Python client (python3-kubernetes) against the local API server: typed calls and watch."""
import json
import sys

from kubernetes import client, config, watch

config.load_kube_config(config_file=sys.argv[1])
core = client.CoreV1Api()
apps = client.AppsV1Api()
out = {}

# Models built without api_version/kind, as most code builds them.
ns = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py")))
out["namespace"] = [ns.api_version, ns.kind, ns.metadata.name, ns.status.phase]
cm = core.create_namespaced_config_map("py", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings"), data={"a": "1"}))
out["created"] = cm.data
out["read"] = core.read_namespaced_config_map("settings", "py").data
patched = core.patch_namespaced_config_map("settings", "py", {"data": {"b": "2"}})
out["patched"] = patched.data
cm.data = {"c": "3"}
cm.metadata.resource_version = patched.metadata.resource_version
out["replaced"] = core.replace_namespaced_config_map("settings", "py", cm).data
out["listed"] = sorted(i.metadata.name for i in core.list_namespaced_config_map("py").items)

dep = client.V1Deployment(
    metadata=client.V1ObjectMeta(name="web"),
    spec=client.V1DeploymentSpec(
        replicas=2,
        selector=client.V1LabelSelector(match_labels={"app": "web"}),
        template=client.V1PodTemplateSpec(
            metadata=client.V1ObjectMeta(labels={"app": "web"}),
            spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.27")]),
        ),
    ),
)
apps.create_namespaced_deployment("py", dep)

# watch.Watch().stream sends watch=True.
events = []
w = watch.Watch()
for event in w.stream(apps.list_namespaced_deployment, "py", timeout_seconds=20):
    d = event["object"]
    events.append(event["type"])
    if d.status and d.status.available_replicas == 2:
        w.stop()
out["deployment_events"] = events[0]
out["available"] = apps.read_namespaced_deployment("web", "py").status.available_replicas
out["pods"] = len(core.list_namespaced_pod("py", label_selector="app=web").items)

core.delete_namespaced_config_map("settings", "py")
try:
    core.read_namespaced_config_map("settings", "py")
    out["deleted"] = False
except client.exceptions.ApiException as e:
    out["deleted"] = e.status
print(json.dumps(out))
