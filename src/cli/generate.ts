/**
 * `kubezod generate`: Zod schema modules from CRD files or OpenAPI documents (files or a live
 * cluster's `/openapi/v2` / `/openapi/v3`).
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";
import { parseCommand, usageError } from "./args.js";
import { crdFiles, expandInputs, openApiFiles, SpecError, writeFiles, type GeneratedFile } from "../../codegen/generate.js";
import { resolveCluster } from "../config/resolve.js";
import { KubeError } from "../errors.js";
import { createTransport, type Transport } from "../transport/transport.js";

const HELP = `usage: kubezod generate (--crd FILE|DIR ... | --openapi FILE|URL ...) --out DIR [options]

Writes one module per group-version and an index.

inputs:
  --crd FILE|DIR            CustomResourceDefinition YAML (multi-document; every served version)
  --openapi FILE|URL        OpenAPI v2 or v3 JSON; a URL ending in /openapi/v2 or /openapi/v3
                            is fetched (v3: every group-version it lists)
output:
  --out DIR                 directory to write (created if needed)
  --format ts|js|js+dts     default ts
  --runtime SPECIFIER       runtime module import (default kubezod/k8s/runtime)
  --meta-module SPECIFIER   module providing ObjectMeta (default kubezod/k8s/meta/v1)
fetching:
  --kubeconfig FILE         take the server, TLS and credentials from a kubeconfig
  --context NAME            the kubeconfig context (default: current-context); with either of
                            these, --openapi takes a path on that server (/openapi/v3)
  --token TOKEN             bearer token (or KUBEZOD_TOKEN)
  --token-file FILE         read the bearer token from a file
  --certificate-authority FILE
  --insecure-skip-tls-verify
`;

interface FetchOptions {
  token?: string;
  ca?: string;
  insecure: boolean;
}

async function fetchJson(url: string, opts: FetchOptions, dispatcher: Agent): Promise<unknown> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res;
  try {
    res = await request(url, { headers, dispatcher, headersTimeout: 30_000, bodyTimeout: 60_000 });
  } catch (err) {
    throw new SpecError(`${url}: ${(err as Error).message}`);
  }
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new SpecError(`${url}: HTTP ${res.statusCode}${text ? `: ${text.slice(0, 200).trim()}` : ""}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SpecError(`${url}: invalid JSON: ${(err as Error).message}`);
  }
}

/** The documents behind an `/openapi/v2` or `/openapi/v3` URL (v3: the index, then each group-version). */
async function fetchDocuments(url: string, get: (url: string) => Promise<unknown>): Promise<Array<{ doc: unknown; source: string }>> {
  const u = new URL(url);
  if (/\/openapi\/v3\/?$/.test(u.pathname)) {
    const index = (await get(url)) as { paths?: Record<string, { serverRelativeURL?: string }> };
    const paths = Object.entries(index.paths ?? {}).filter(([p]) => p.startsWith("api/") || p.startsWith("apis/"));
    if (!paths.length) throw new SpecError(`${url}: the OpenAPI v3 index lists no group-versions`);
    const docs = [];
    for (const [path, entry] of paths) {
      const target = new URL(entry.serverRelativeURL ?? `/openapi/v3/${path}`, u).toString();
      docs.push({ doc: await get(target), source: `${u.origin}/openapi/v3/${path}` });
    }
    return docs;
  }
  return [{ doc: await get(url), source: url }];
}

/** Fetch with the flags' token and CA. */
async function withFlags<T>(opts: FetchOptions, run: (get: (url: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const dispatcher = new Agent({
    connect: { ...(opts.ca ? { ca: opts.ca } : {}), rejectUnauthorized: !opts.insecure },
  });
  try {
    return await run((url) => fetchJson(url, opts, dispatcher));
  } finally {
    await dispatcher.close();
  }
}

/** Fetch paths of the kubeconfig's server through the transport (its TLS, proxy and credentials). */
function viaTransport(transport: Transport): (url: string) => Promise<unknown> {
  const origin = new URL(transport.server).origin;
  return async (url) => {
    const u = new URL(url);
    if (u.origin !== origin) throw new SpecError(`${url}: not on the kubeconfig's server ${transport.server}`);
    const res = await transport.request({ path: `${u.pathname}${u.search}` });
    try {
      return res.json();
    } catch (err) {
      throw new SpecError(`${url}: invalid JSON: ${(err as Error).message}`);
    }
  };
}

function readInput(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SpecError(`${path}: ${code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
}

/**
 * Run `kubezod generate` with its arguments; returns the exit code (0 ok, 1 failed, 2 usage).
 *
 * @example
 * await run(["--crd", "crds/", "--out", "src/generated"]);
 */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand("generate", HELP, {
    args: argv,
    options: {
      crd: { type: "string", multiple: true },
      openapi: { type: "string", multiple: true },
      out: { type: "string" },
      format: { type: "string", default: "ts" },
      runtime: { type: "string" },
      "meta-module": { type: "string" },
      token: { type: "string" },
      "token-file": { type: "string" },
      "certificate-authority": { type: "string" },
      "insecure-skip-tls-verify": { type: "boolean", default: false },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const usage = (msg: string) => usageError("generate", HELP, msg);
  if (!values.crd?.length && !values.openapi?.length) return usage("give --crd or --openapi inputs");
  if (values.crd?.length && values.openapi?.length) return usage("give either --crd or --openapi inputs, not both");
  if (!values.out) return usage("--out DIR is required");
  const format = values.format;
  if (format !== "ts" && format !== "js" && format !== "js+dts") return usage(`--format must be ts, js or js+dts, not ${format}`);
  const fromKubeconfig = values.kubeconfig !== undefined || values.context !== undefined;
  if (fromKubeconfig && (values.token || values["token-file"] || values["certificate-authority"] || values["insecure-skip-tls-verify"])) {
    return usage("--kubeconfig/--context take the credentials and TLS from the kubeconfig; drop --token, --token-file, --certificate-authority and --insecure-skip-tls-verify");
  }
  if (fromKubeconfig && values.crd?.length) return usage("--kubeconfig/--context go with --openapi");
  const options = {
    format,
    ...(values.runtime ? { runtime: values.runtime } : {}),
    ...(values["meta-module"] ? { metaModule: values["meta-module"] } : {}),
  } as const;
  try {
    let files: GeneratedFile[];
    if (values.crd?.length) {
      files = crdFiles(
        expandInputs(values.crd).map(({ path, explicit }) => ({ text: readInput(path), source: path, explicit })),
        options,
      );
    } else if (fromKubeconfig) {
      const cluster = await resolveCluster({
        ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
        ...(values.context !== undefined ? { context: values.context } : {}),
        inCluster: false,
      });
      const transport = createTransport(cluster, { timeoutMs: 120_000 });
      try {
        const get = viaTransport(transport);
        const inputs: Array<{ doc: unknown; source: string }> = [];
        for (const input of values.openapi ?? []) {
          const url = input.startsWith("/") ? `${new URL(cluster.server).origin}${input}` : input;
          if (!/^https?:\/\//.test(url)) throw new SpecError(`${input}: with --kubeconfig/--context, give a path on the server such as /openapi/v3`);
          inputs.push(...(await fetchDocuments(url, get)));
        }
        files = openApiFiles(inputs, options);
      } finally {
        await transport.close();
      }
    } else {
      const token =
        values.token ??
        (values["token-file"] ? readInput(values["token-file"]).trim() : undefined) ??
        process.env.KUBEZOD_TOKEN;
      const fetchOpts: FetchOptions = {
        ...(token ? { token } : {}),
        ...(values["certificate-authority"] ? { ca: readInput(values["certificate-authority"]) } : {}),
        insecure: values["insecure-skip-tls-verify"] ?? false,
      };
      const inputs: Array<{ doc: unknown; source: string }> = [];
      for (const input of values.openapi ?? []) {
        if (/^https?:\/\//.test(input)) inputs.push(...(await withFlags(fetchOpts, (get) => fetchDocuments(input, get))));
        else {
          for (const { path: file } of expandInputs([input])) {
            const text = readInput(file);
            let doc: unknown;
            try {
              doc = JSON.parse(text);
            } catch (err) {
              throw new SpecError(`${file}: invalid JSON: ${(err as Error).message}`);
            }
            inputs.push({ doc, source: file });
          }
        }
      }
      files = openApiFiles(inputs, options);
    }
    writeFiles(files, values.out, { clean: false });
    process.stdout.write(`wrote ${files.length} files to ${values.out}\n`);
    return 0;
  } catch (err) {
    if (err instanceof SpecError || err instanceof KubeError) {
      process.stderr.write(`kubezod generate: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
