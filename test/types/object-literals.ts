/**
 * Type-level checks (run by `npm run typecheck`): object-form calls are typed by their literal
 * apiVersion and kind, so a misspelt field of a built-in kind does not compile; results take the
 * kind's type; `returnErrors` takes classes; pickers in `update` paths are typed.
 */
import type { ConfigMap, Deployment } from "kubezod/k8s";
import { ConflictError, NotFoundError, setAt, type Kube } from "../../src/index.js";

export async function objectLiterals(kube: Kube): Promise<void> {
  const cm: ConfigMap = await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { k: "v" } });
  void cm;
  // @ts-expect-error `dta` is not a field of ConfigMap: a typo fails to compile
  await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, dta: { k: "v" } });
  // @ts-expect-error replicas is a number
  await kube.apply({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: "3" } });
  // @ts-expect-error a typo inside the spec
  await kube.createOrUpdate({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replica: 3 } });
  const d: Deployment = await kube.createOrUpdate({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3, selector: {}, template: {} } });
  void d;

  // A kind the bundled schemas do not know (a custom resource) takes any fields.
  const widget = await kube.create({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { size: 3 } });
  const apiVersion: "example.com/v1" = widget.apiVersion;
  void apiVersion;

  // get and delete by object
  const fresh: ConfigMap = await kube.get({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } });
  void fresh;

  // returnErrors takes statuses and classes
  const maybe: ConfigMap | NotFoundError | ConflictError = await kube.get({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }, { returnErrors: [404, ConflictError] });
  void maybe;

  // update paths: typed pickers, pointers, dotted paths
  await kube.update(fresh, { paths: [(c) => c.data, "/metadata/labels", "metadata.annotations"] });
  // @ts-expect-error a picker is checked against the kind
  await kube.update(fresh, { paths: [(c) => c.dta] });

  const scaled: Deployment = setAt(d, (o) => o.spec.replicas, 5);
  void scaled;
}
