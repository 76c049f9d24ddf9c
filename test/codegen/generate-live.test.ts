import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { resourceInfo } from "../../src/index.js";
import { runCli } from "../support/cli.js";
import { scratchDir } from "../support/generated.js";

const v2 = readFileSync(new URL("./fixtures/mini-v2.json", import.meta.url), "utf8");
const TOKEN = "t0ken-for-the-test";

/** A v3 document for one group-version, as the apiserver splits them (references via allOf). */
function v3Doc(): unknown {
  const doc = JSON.parse(v2.replaceAll("#/definitions/", "#/components/schemas/"));
  return { openapi: "3.0.0", info: doc.info, paths: doc.paths, components: { schemas: doc.definitions } };
}

describe("kubezod generate from a live server", () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization ?? ""}`);
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { "content-type": "application/json" }).end('{"kind":"Status","code":401,"reason":"Unauthorized"}');
        return;
      }
      const url = new URL(req.url!, "http://x");
      if (url.pathname === "/openapi/v2") return void res.writeHead(200).end(v2);
      if (url.pathname === "/openapi/v3") {
        return void res.writeHead(200).end(
          JSON.stringify({ paths: { "apis/example.com/v1": { serverRelativeURL: "/openapi/v3/apis/example.com/v1?hash=ABC" }, version: { serverRelativeURL: "/openapi/v3/version" } } }),
        );
      }
      if (url.pathname === "/openapi/v3/apis/example.com/v1" && url.searchParams.get("hash") === "ABC") {
        return void res.writeHead(200).end(JSON.stringify(v3Doc()));
      }
      res.writeHead(404).end("not found");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  for (const path of ["/openapi/v2", "/openapi/v3"]) {
    it(`reads ${path} with a bearer token`, async () => {
      const dir = scratchDir("live");
      const r = await runCli(["generate", "--openapi", `${base}${path}`, "--token", TOKEN, "--out", dir, "--format", "js+dts"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const mod = (await import(pathToFileURL(join(dir, "example.com/v1.js")).href)) as Record<string, z.ZodType>;
      expect(resourceInfo(mod.Widget!)).toMatchObject({ plural: "widgets", namespaced: true });
      expect(mod.WidgetList!.parse({ items: [{ spec: { size: 1 } }] })).toMatchObject({ items: [{ kind: "Widget" }] });
    });
  }

  it("names the URL and status when the server refuses", async () => {
    const r = await runCli(["generate", "--openapi", `${base}/openapi/v2`, "--token", "wrong", "--out", scratchDir("live-401")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`kubezod generate: ${base}/openapi/v2: HTTP 401`));
    expect(r.stderr).not.toContain("wrong");
  });
});
