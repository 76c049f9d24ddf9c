/**
 * Validate manifests from code: text, files or objects, against a pinned Kubernetes version.
 *
 * Run: npx tsx examples/validate-manifests.ts
 */
import { formatReport, validateManifests } from "kubezod";

const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "2"
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolicey: Always
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 1
`;

const report = await validateManifests({ text: manifests, file: "web.yaml" }, { kubernetesVersion: "1.30" });
process.stdout.write(formatReport(report, "text"));
export default report;
