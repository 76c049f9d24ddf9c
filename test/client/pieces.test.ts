import { describe, expect, it } from "vitest";
import { resourceInfo } from "../../src/index.js";
import { ClusterRole, Deployment, Pod } from "kubezod/k8s";
import { fieldSelectorString, labelSelectorString } from "../../src/client/selectors.js";
import { resourcePath } from "../../src/client/requests.js";
import { encodeQuery } from "../../src/transport/query.js";
import { lines, ndjson } from "../../src/client/ndjson.js";
import { StreamDecodeError } from "../../src/errors.js";

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

async function collect(it: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of it) out.push(v);
  return out;
}

describe("label selectors", () => {
  it("render matchLabels and matchExpressions like apimachinery (sorted by key, values sorted)", () => {
    expect(
      labelSelectorString({
        matchLabels: { tier: "web", app: "shop" },
        matchExpressions: [
          { key: "env", operator: "NotIn", values: ["prod", "dev"] },
          { key: "zone", operator: "In", values: ["b", "a"] },
          { key: "canary", operator: "DoesNotExist" },
          { key: "team", operator: "Exists" },
        ],
      }),
    ).toBe("app=shop,!canary,env notin (dev,prod),team,tier=web,zone in (a,b)");
    expect(labelSelectorString({ app: "web" })).toBe("app=web");
    expect(labelSelectorString("app=web,tier!=db")).toBe("app=web,tier!=db");
  });

  it("refuse invalid keys, values and operators", () => {
    expect(() => labelSelectorString({ "bad key": "x" })).toThrow(/invalid label selector key "bad key"/);
    expect(() => labelSelectorString({ app: "not valid!" })).toThrow(/invalid label selector value/);
    expect(() => labelSelectorString({ matchExpressions: [{ key: "a", operator: "In", values: [] }] })).toThrow(/needs at least one value/);
  });
});

describe("field selectors", () => {
  it("escape values", () => {
    expect(fieldSelectorString({ "metadata.name": "a,b=c\\d" })).toBe("metadata.name=a\\,b\\=c\\\\d");
  });
});

describe("paths", () => {
  it("build collection, object and subresource paths from the annotations", () => {
    const pods = resourceInfo(Pod)!;
    expect(resourcePath(pods, { namespace: "default" })).toBe("/api/v1/namespaces/default/pods");
    expect(resourcePath(pods)).toBe("/api/v1/pods");
    expect(resourcePath(pods, { namespace: "default", name: "web", subresource: "log" })).toBe("/api/v1/namespaces/default/pods/web/log");
    expect(resourcePath(resourceInfo(Deployment)!, { namespace: "a", name: "b", subresource: "scale" })).toBe("/apis/apps/v1/namespaces/a/deployments/b/scale");
    expect(resourcePath(resourceInfo(ClusterRole)!, { namespace: "ignored", name: "system:aggregate-to-view" })).toBe(
      "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aaggregate-to-view",
    );
    expect(() => resourcePath(pods, { name: ".." })).toThrow(/not a valid path segment/);
  });

  it("build query strings with repeated values and nothing for unset options", () => {
    expect(encodeQuery({ a: undefined, b: null })).toBe("");
    expect(encodeQuery({ labelSelector: "app=web", limit: 5, watch: true, command: ["sh", "-c"] })).toBe(
      "?labelSelector=app%3Dweb&limit=5&watch=true&command=sh&command=-c",
    );
  });
});

describe("ndjson", () => {
  it("splits values across chunk boundaries", async () => {
    expect(await collect(ndjson(chunks('{"a":1}\n{"b"', ':2}\n\n{"c":3}\n', '{"d":"é"}')))).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }, { d: "é" }]);
  });

  it("decodes multi-byte characters split between chunks", async () => {
    const bytes = new TextEncoder().encode('{"x":"日本"}\n');
    async function* split() {
      yield bytes.slice(0, 8);
      yield bytes.slice(8);
    }
    expect(await collect(ndjson(split()))).toEqual([{ x: "日本" }]);
  });

  it("decodes a line opened by a byte-order mark, and bytes that are not UTF-8 as replacement characters, as TextDecoder does", async () => {
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a":"\ufeffb"}\n')]);
    const invalid = Uint8Array.from([...new TextEncoder().encode('{"s":"'), 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x90, 0x80, 0x41, ...new TextEncoder().encode('"}\n')]);
    const expected = [bom, invalid].map((b) => JSON.parse(new TextDecoder().decode(b).trim()) as unknown);
    async function* parts() {
      yield Buffer.from(bom);
      yield Buffer.from(invalid.subarray(0, 8));
      yield invalid.subarray(8);
    }
    expect(await collect(ndjson(parts()))).toEqual(expected);
    expect(expected[0]).toEqual({ a: "\ufeffb" });
  });

  it("names a line that is not JSON, and bounds line length", async () => {
    await expect(collect(ndjson(chunks("{oops}\n")))).rejects.toThrow(StreamDecodeError);
    await expect(collect(ndjson(chunks("x".repeat(100)), { maxLineBytes: 10 }))).rejects.toThrow(/longer than 10 bytes/);
  });

  it("hands out the values before a bad or overlong line of the same chunk, then fails", async () => {
    for (const [body, error] of [
      ['{"a":1}\n{"b":2}\n{oops}\n{"c":3}\n', StreamDecodeError],
      ['{"a":1}\n{"b":2}\n' + "x".repeat(100), /longer than 20 bytes/],
    ] as const) {
      const seen: unknown[] = [];
      await expect(
        (async () => {
          for await (const v of ndjson(chunks(body), { maxLineBytes: 20 })) seen.push(v);
        })(),
      ).rejects.toThrow(error);
      expect(seen).toEqual([{ a: 1 }, { b: 2 }]);
    }
  });

  it("lines: the same splitting, strings as they are", async () => {
    expect(await collect(lines(chunks("a\nb", "c\n\nd")))).toEqual(["a", "bc", "", "d"]);
  });
});
