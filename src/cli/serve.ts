/**
 * `kubezod serve`: run the local Kubernetes API server in the foreground until interrupted.
 */
import { parseCommand, usageError } from "./args.js";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { parseYamlAll } from "../yaml/text.js";
import { SERVED_ADMISSION_PLUGINS, startTestServer } from "../testing/index.js";
import { parsePortForwardFlags } from "../testing/port-forward.js";

const HELP = `usage: kubezod serve [options]

Runs a local Kubernetes API server (schema-driven, in memory) until interrupted, and writes a
kubeconfig for it.

options:
  --port N                  port to listen on (default: a free port)
  --host ADDRESS            address to listen on (default 127.0.0.1)
  --kubernetes-version V    Kubernetes minor to serve (default: the newest bundled)
  --crd FILE                CustomResourceDefinition YAML to create at start (repeatable)
  --kubeconfig-out PATH     where to write the kubeconfig, mode 0600, replacing the file (default: a file in the temp directory)
  --http                    serve plain HTTP (kubectl then sends no credentials: implies --anonymous)
  --anonymous               accept requests without credentials
  --authorization-mode M    RBAC or AlwaysAllow (default RBAC; AlwaysAllow with --http, where
                            every request is anonymous). Under RBAC the written kubeconfig's
                            user is in system:masters; bind Roles for other users and try them
                            with kubectl --as=NAME
  --port-forward P=HOST:PORT
                            where kubectl port-forward to pod port P goes (repeatable; P=echo
                            echoes); with it, ports not named refuse; without it, every port echoes
  --webhook-service NS/NAME=URL
                            where the Service an admission webhook names is reached, e.g.
                            webhooks/policy=https://127.0.0.1:9443 (repeatable)
  --disable-admission-plugins A,B
                            built-in admission plugins to switch off, e.g. PodSecurity,ResourceQuota
                            (${SERVED_ADMISSION_PLUGINS.join(", ")})
`;

/** `NS/NAME=URL` pairs of `--webhook-service`, or the first malformed one. */
function webhookServices(pairs: string[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^([^/=\s]+\/[^=\s]+)=(https?:\/\/\S+)$/.exec(pair);
    if (!m) return pair;
    out[m[1]!] = m[2]!;
  }
  return out;
}

function readCrds(files: string[]): unknown[] {
  const out: unknown[] = [];
  for (const file of files) {
    for (const value of parseYamlAll(readFileSync(file, "utf8"), { source: file }) as Array<{ kind?: unknown }>) {
      if (value && value.kind === "CustomResourceDefinition") out.push(value);
    }
  }
  return out;
}

/**
 * Run `kubezod serve` with its arguments; resolves with the exit code once interrupted.
 *
 * @example
 * process.exitCode = await run(["--port", "6443", "--crd", "crds/widgets.yaml"]);
 */
export async function run(argv: string[]): Promise<number> {
  // bin/kubezod.cjs holds the old generation to a fifth over its live size, which suits a one-shot
  // command; a long-running server with a growing store collects less often with V8's own growth.
  setFlagsFromString("--heap-growing-percent=0");
  const parsed = parseCommand("serve", HELP, {
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "kubernetes-version": { type: "string" },
      crd: { type: "string", multiple: true },
      "kubeconfig-out": { type: "string" },
      http: { type: "boolean" },
      anonymous: { type: "boolean" },
      "authorization-mode": { type: "string" },
      "port-forward": { type: "string", multiple: true },
      "webhook-service": { type: "string", multiple: true },
      "disable-admission-plugins": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    return usageError("serve", HELP, `--port must be a port number, got ${JSON.stringify(values.port)}`);
  }
  const mode = values["authorization-mode"] ?? (values.http ? "AlwaysAllow" : "RBAC");
  if (mode !== "RBAC" && mode !== "AlwaysAllow") {
    return usageError("serve", HELP, `--authorization-mode must be RBAC or AlwaysAllow, got ${JSON.stringify(mode)}`);
  }
  const forwards = values["port-forward"]?.length ? parsePortForwardFlags(values["port-forward"]) : undefined;
  if (typeof forwards === "string") return usageError("serve", HELP, forwards);
  const services = webhookServices(values["webhook-service"] ?? []);
  if (typeof services === "string") {
    return usageError("serve", HELP, `--webhook-service must be NAMESPACE/NAME=URL (https://host:port), got ${JSON.stringify(services)}`);
  }
  const disabled = (values["disable-admission-plugins"] ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  const unknownPlugin = disabled.find((p) => !(SERVED_ADMISSION_PLUGINS as readonly string[]).includes(p));
  if (unknownPlugin !== undefined) return usageError("serve", HELP, `--disable-admission-plugins: unknown admission plugin ${JSON.stringify(unknownPlugin)}`);
  let server;
  try {
    server = await startTestServer({
      ...(port !== undefined ? { port } : {}),
      ...(values.host ? { host: values.host } : {}),
      ...(values["kubernetes-version"] ? { kubernetesVersion: values["kubernetes-version"] } : {}),
      crds: readCrds(values.crd ?? []),
      https: !values.http,
      anonymous: values.anonymous === true || values.http === true,
      authorization: mode,
      ...(forwards ? { portForward: forwards } : {}),
      ...(Object.keys(services).length ? { webhookServices: services } : {}),
      ...(disabled.length ? { disableAdmissionPlugins: disabled } : {}),
    });
  } catch (e) {
    process.stderr.write(`kubezod serve: ${(e as Error).message}\n`);
    return 1;
  }
  const path = resolve(values["kubeconfig-out"] ?? join(tmpdir(), `kubezod-${process.pid}.kubeconfig`));
  try {
    await server.writeKubeconfig(path);
  } catch (e) {
    process.stderr.write(`kubezod serve: cannot write the kubeconfig: ${(e as Error).message}\n`);
    await server.close();
    return 1;
  }
  // Listen for Ctrl-C before saying so: a signal sent on reading the message must find the listener.
  const stopped = new Promise<void>((done) => {
    const stop = () => done();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  process.stdout.write(`Serving Kubernetes ${server.kubernetesVersion} API at ${server.url}\nkubeconfig: ${path}\n  export KUBECONFIG=${path}\nPress Ctrl-C to stop.\n`);
  await stopped;
  await server.close();
  return 0;
}
