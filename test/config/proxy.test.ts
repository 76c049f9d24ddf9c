import { describe, expect, it } from "vitest";
import { proxyFor, proxyFromEnv, type ProxyEnv } from "../../src/config/public.js";

const env = (noProxy: string, https = "proxy.corp:3128", http = "http://http-proxy.corp:8080"): ProxyEnv => ({ httpsProxy: https, httpProxy: http, noProxy });

describe("proxy selection from the environment (Go's ProxyFromEnvironment rules)", () => {
  it("picks HTTPS_PROXY for https and HTTP_PROXY for http, upper case first", () => {
    const e = proxyFromEnv({ HTTPS_PROXY: "https://secure.corp:443", https_proxy: "http://lower:1", http_proxy: "plain.corp:8080", no_proxy: "x" });
    expect(e).toEqual({ httpsProxy: "https://secure.corp:443", httpProxy: "plain.corp:8080", noProxy: "x" });
    expect(proxyFor("https://api.example.com", e)).toBe("https://secure.corp");
    expect(proxyFor("http://api.example.com", e)).toBe("http://plain.corp:8080");
    expect(proxyFor("https://api.example.com", { httpsProxy: undefined, httpProxy: "http://p:1", noProxy: undefined })).toBeUndefined();
  });

  it("never proxies localhost or loopback addresses", () => {
    for (const url of ["https://localhost:6443", "https://127.0.0.1:6443", "https://127.5.5.5", "https://[::1]:6443", "https://[::ffff:127.0.0.1]:6443"]) {
      expect(proxyFor(url, env(""))).toBeUndefined();
    }
  });

  // [target, NO_PROXY, proxied?]
  const cases: Array<[string, string, boolean]> = [
    // domain names match themselves and their subdomains; a leading "." or "*." only subdomains
    ["https://example.com", "example.com", false],
    ["https://api.example.com", "example.com", false],
    ["https://notexample.com", "example.com", true],
    ["https://example.com", ".example.com", true],
    ["https://api.example.com", ".example.com", false],
    ["https://api.example.com", "*.example.com", false],
    ["https://API.Example.COM", " Example.com , other.org", false],
    // IP addresses and CIDRs, IPv4 and IPv6
    ["https://10.1.2.3:6443", "10.0.0.0/8", false],
    ["https://11.1.2.3:6443", "10.0.0.0/8", true],
    ["https://192.168.1.7", "192.168.1.0/24,172.16.0.0/12", false],
    ["https://172.31.255.255", "192.168.1.0/24,172.16.0.0/12", false],
    ["https://172.32.0.1", "172.16.0.0/12", true],
    ["https://[fd00::1234]:6443", "fd00::/8", false],
    ["https://[fe80::1]:6443", "fd00::/8", true],
    ["https://10.0.0.1", "10.0.0.1", false],
    ["https://[fd00::1]", "fd00:0:0::1", false],
    ["https://10.0.0.2", "10.0.0.1", true],
    // ports on entries, and "*"
    ["https://10.0.0.1:6443", "10.0.0.1:6443", false],
    ["https://10.0.0.1:443", "10.0.0.1:6443", true],
    ["https://api.example.com", "example.com:443", false],
    ["https://api.example.com:6443", "example.com:443", true],
    ["https://[fd00::1]:6443", "[fd00::1]:6443", false],
    ["https://anything.example", "*", false],
  ];
  it.each(cases)("%s with NO_PROXY=%s: proxied %s", (target, noProxy, proxied) => {
    expect(proxyFor(target, env(noProxy))).toBe(proxied ? "http://proxy.corp:3128" : undefined);
  });

  it("ignores malformed entries", () => {
    expect(proxyFor("https://api.example.com", env(",, :80, 10.0.0.0/99, /8"))).toBe("http://proxy.corp:3128");
  });
});
