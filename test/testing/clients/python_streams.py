"""The official Python client's streams (kubernetes.stream) against the local API server: exec and port-forward."""
import json
import sys
import time

from kubernetes import client, config
from kubernetes.stream import portforward, stream

config.load_kube_config(config_file=sys.argv[1])
core = client.CoreV1Api()
out = {}

core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py-streams")))
pod = client.V1Pod(
    metadata=client.V1ObjectMeta(name="shell"),
    spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="busybox:1.36")]),
)
core.create_namespaced_pod("py-streams", pod)
for _ in range(100):
    if core.read_namespaced_pod("shell", "py-streams").status.phase == "Running":
        break
    time.sleep(0.1)

out["exec"] = stream(
    core.connect_get_namespaced_pod_exec, "shell", "py-streams",
    command=["sh", "-c", "echo hello from $HOSTNAME"], stderr=True, stdin=False, stdout=True, tty=False,
)

pf = portforward(core.connect_get_namespaced_pod_portforward, "shell", "py-streams", ports="8080")
sock = pf.socket(8080)
sock.setblocking(True)
payload = b"x" * 100000
sock.sendall(payload)
received = b""
while len(received) < len(payload):
    chunk = sock.recv(65536)
    if not chunk:
        break
    received += chunk
sock.close()
out["forwarded"] = len(received) if received == payload else "mismatch"
pf.close()
print(json.dumps(out))
