import { describe, expect, it } from "vitest";
import { proxyFor, proxyFromEnv, type ProxyEnv } from "../../src/index.js";

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

  it("matches domain names and their subdomains, with a leading dot or *. for subdomains only", () => {
    expect(proxyFor("https://example.com", env("example.com"))).toBeUndefined();
    expect(proxyFor("https://api.example.com", env("example.com"))).toBeUndefined();
    expect(proxyFor("https://notexample.com", env("example.com"))).toBe("http://proxy.corp:3128");
    expect(proxyFor("https://example.com", env(".example.com"))).toBe("http://proxy.corp:3128");
    expect(proxyFor("https://api.example.com", env(".example.com"))).toBeUndefined();
    expect(proxyFor("https://api.example.com", env("*.example.com"))).toBeUndefined();
    expect(proxyFor("https://API.Example.COM", env(" Example.com , other.org"))).toBeUndefined();
  });

  it("matches IP addresses and CIDRs, IPv4 and IPv6", () => {
    expect(proxyFor("https://10.1.2.3:6443", env("10.0.0.0/8"))).toBeUndefined();
    expect(proxyFor("https://11.1.2.3:6443", env("10.0.0.0/8"))).toBe("http://proxy.corp:3128");
    expect(proxyFor("https://192.168.1.7", env("192.168.1.0/24,172.16.0.0/12"))).toBeUndefined();
    expect(proxyFor("https://172.31.255.255", env("192.168.1.0/24,172.16.0.0/12"))).toBeUndefined();
    expect(proxyFor("https://172.32.0.1", env("172.16.0.0/12"))).toBe("http://proxy.corp:3128");
    expect(proxyFor("https://[fd00::1234]:6443", env("fd00::/8"))).toBeUndefined();
    expect(proxyFor("https://[fe80::1]:6443", env("fd00::/8"))).toBe("http://proxy.corp:3128");
    expect(proxyFor("https://10.0.0.1", env("10.0.0.1"))).toBeUndefined();
    expect(proxyFor("https://[fd00::1]", env("fd00:0:0::1"))).toBeUndefined();
    expect(proxyFor("https://10.0.0.2", env("10.0.0.1"))).toBe("http://proxy.corp:3128");
  });

  it("honours ports on entries and `*`", () => {
    expect(proxyFor("https://10.0.0.1:6443", env("10.0.0.1:6443"))).toBeUndefined();
    expect(proxyFor("https://10.0.0.1:443", env("10.0.0.1:6443"))).toBe("http://proxy.corp:3128");
    expect(proxyFor("https://api.example.com", env("example.com:443"))).toBeUndefined();
    expect(proxyFor("https://api.example.com:6443", env("example.com:443"))).toBe("http://proxy.corp:3128");
    expect(proxyFor("https://[fd00::1]:6443", env("[fd00::1]:6443"))).toBeUndefined();
    expect(proxyFor("https://anything.example", env("*"))).toBeUndefined();
  });

  it("ignores malformed entries", () => {
    expect(proxyFor("https://api.example.com", env(",, :80, 10.0.0.0/99, /8"))).toBe("http://proxy.corp:3128");
  });
});
