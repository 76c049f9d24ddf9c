/**
 * IP and CIDR checks against the tables of apimachinery's util/validation/ip_test.go (TestIsValidIP,
 * TestGetWarningsForIP, TestIsValidCIDR, TestGetWarningsForCIDR, TestIsValidInterfaceAddress).
 */
import { describe, expect, it } from "vitest";
import { FieldPath } from "../../../src/apiserver/field.js";
import {
  containsIP,
  formatIP,
  getWarningsForCIDR,
  getWarningsForIP,
  isLinkLocalMulticast,
  isLinkLocalUnicast,
  isLoopback,
  isUnspecified,
  isValidCIDR,
  isValidCIDRForLegacyField,
  isValidInterfaceAddress,
  isValidIP,
  isValidIPForLegacyField,
  isValidIPv4Address,
  isValidIPv6Address,
  parseCIDRSloppy,
  parseIPSloppy,
} from "../../../src/apiserver/validation/index.js";

const root = FieldPath.root();
const details = (errs: { message: string }[]) => errs.map((e) => e.message);

// [input, IsValidIP error, legacy error, legacy strict error] — "" means valid.
const IP_CASES: [string, string, string, string][] = [
  ["1.2.3.4", "", "", ""],
  ["0.0.0.0", "", "", ""],
  ["255.255.255.255", "", "", ""],
  ["1234::abcd", "", "", ""],
  ["::", "", "", ""],
  ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "", "", ""],
  ["0:0:0:0:0:0:0:0", 'must be in canonical form ("::")', "", ""],
  ["0001:002:03:4::", 'must be in canonical form ("1:2:3:4::")', "", ""],
  ["1234::ABCD", 'must be in canonical form ("1234::abcd")', "", ""],
  ["1.1.1.01", "must not have leading 0s", "", "must not have leading 0s"],
  ["::ffff:1.1.1.1", "must not be an IPv4-mapped IPv6 address", "", "must not be an IPv4-mapped IPv6 address"],
  ...["", "aaaaaaa", "myhost.mydomain", "1.2.3.0/24", "1.2.3.400", "-1.0.0.0", "2001:db8::10005", "1.2.3.4:80", "[2001:db8::1]", "[2001:db8::1]:80", "example.com:80", "1234::abcd%eth0", "169.254.0.0%eth0"].map(
    (v) => [v, "must be a valid IP address", "must be a valid IP address", "must be a valid IP address"] as [string, string, string, string],
  ),
];

describe("IsValidIP / IsValidIPForLegacyField (TestIsValidIP)", () => {
  const badIPs = IP_CASES.filter((c) => c[3] !== "").map((c) => c[0]);
  it.each(IP_CASES)("%j", (input, strictErr, legacyErr, legacyStrictErr) => {
    const check = (errs: { message: string }[], want: string) => {
      if (want === "") expect(details(errs)).toEqual([]);
      else {
        expect(errs).toHaveLength(1);
        expect(errs[0]!.message).toContain(want);
      }
    };
    check(isValidIP(root, input), strictErr);
    check(isValidIPForLegacyField(root, input, false), legacyErr);
    check(isValidIPForLegacyField(root, input, true), legacyStrictErr);
    expect(isValidIPForLegacyField(root, input, true, badIPs)).toEqual([]);
  });

  it("prints the value as the apiserver does", () => {
    const [err] = isValidIPForLegacyField(FieldPath.of("spec", "clusterIPs").index(0), "abc", false);
    expect(err).toMatchObject({ field: "spec.clusterIPs[0]", type: "FieldValueInvalid", value: "abc", message: "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" });
  });
});

describe("GetWarningsForIP (TestGetWarningsForIP)", () => {
  const clusterIP0 = FieldPath.of("spec", "clusterIPs").index(0);
  it.each([
    ["192.12.2.2", clusterIP0, []],
    ["2001:db8::2", clusterIP0, []],
    ["192.012.2.2", clusterIP0, ['spec.clusterIPs[0]: non-standard IP address "192.012.2.2" will be considered invalid in a future Kubernetes release: use "192.12.2.2"']],
    ["::ffff:192.12.2.2", clusterIP0, ['spec.clusterIPs[0]: non-standard IP address "::ffff:192.12.2.2" will be considered invalid in a future Kubernetes release: use "192.12.2.2"']],
    ["2001:db8:0:0::2", FieldPath.of("spec", "loadBalancerIP"), ['spec.loadBalancerIP: IPv6 address "2001:db8:0:0::2" should be in RFC 5952 canonical format ("2001:db8::2")']],
  ] as const)("%s", (address, path, want) => {
    expect(getWarningsForIP(path, address)).toEqual(want);
  });
});

const CIDR_CASES: [string, string, string, string][] = [
  ["1.0.0.0/8", "", "", ""],
  ["0.0.0.0/0", "", "", ""],
  ["1.1.1.1/32", "", "", ""],
  ["2001:4860:4860::/48", "", "", ""],
  ["::/0", "", "", ""],
  ["::1/128", "", "", ""],
  ["2a00:79e0:2:0::/64", 'must be in canonical form ("2a00:79e0:2::/64")', "", ""],
  ["2001:DB8::/64", 'must be in canonical form ("2001:db8::/64")', "", ""],
  ["1.1.01.0/24", "must not have leading 0s in IP", "", "must not have leading 0s in IP"],
  ["::ffff:1.1.1.0/24", "must not have an IPv4-mapped IPv6 address", "", "must not have an IPv4-mapped IPv6 address"],
  ["::ffff:1.1.1.0/120", "must not have an IPv4-mapped IPv6 address", "", "must not have an IPv4-mapped IPv6 address"],
  ["1.2.3.4/24", "must not have bits set beyond the prefix length", "", "must not have bits set beyond the prefix length"],
  ["2001:db8::1/64", "must not have bits set beyond the prefix length", "", "must not have bits set beyond the prefix length"],
  ["192.168.0.0/016", "must not have leading 0s", "", "must not have leading 0s"],
  ...["", "aaaaaaa", "1.2.3.4", "192.168.0.1/healthz", "192.168.0.1/0/99", "192.168.0.0/-16", "192.168.0.0/+16"].map(
    (v) => [v, "must be a valid CIDR value", "must be a valid CIDR value", "must be a valid CIDR value"] as [string, string, string, string],
  ),
];

describe("IsValidCIDR / IsValidCIDRForLegacyField (TestIsValidCIDR)", () => {
  const badCIDRs = CIDR_CASES.filter((c) => c[3] !== "").map((c) => c[0]);
  it.each(CIDR_CASES)("%j", (input, strictErr, legacyErr, legacyStrictErr) => {
    const check = (errs: { message: string }[], want: string) => {
      if (want === "") expect(details(errs)).toEqual([]);
      else {
        expect(errs).toHaveLength(1);
        expect(errs[0]!.message).toContain(want);
      }
    };
    check(isValidCIDR(root, input), strictErr);
    check(isValidCIDRForLegacyField(root, input, false), legacyErr);
    check(isValidCIDRForLegacyField(root, input, true), legacyStrictErr);
    expect(isValidCIDRForLegacyField(root, input, true, badCIDRs)).toEqual([]);
  });
});

describe("GetWarningsForCIDR (TestGetWarningsForCIDR)", () => {
  const lbsr0 = FieldPath.of("spec", "loadBalancerSourceRanges").index(0);
  it.each([
    ["192.12.2.0/24", []],
    ["2001:db8::/64", []],
    ["192.012.2.0/24", ['spec.loadBalancerSourceRanges[0]: non-standard CIDR value "192.012.2.0/24" will be considered invalid in a future Kubernetes release: use "192.12.2.0/24"']],
    ["192.12.2.0/024", ['spec.loadBalancerSourceRanges[0]: non-standard CIDR value "192.12.2.0/024" will be considered invalid in a future Kubernetes release: use "192.12.2.0/24"']],
    ["::ffff:192.12.2.0/120", ['spec.loadBalancerSourceRanges[0]: non-standard CIDR value "::ffff:192.12.2.0/120" will be considered invalid in a future Kubernetes release: use "192.12.2.0/24"']],
    ["192.12.2.8/24", ['spec.loadBalancerSourceRanges[0]: CIDR value "192.12.2.8/24" is ambiguous in this context (should be "192.12.2.0/24" or "192.12.2.8/32"?)']],
    [
      "192.012.2.8/24",
      [
        'spec.loadBalancerSourceRanges[0]: CIDR value "192.012.2.8/24" is ambiguous in this context (should be "192.12.2.0/24" or "192.12.2.8/32"?)',
        'spec.loadBalancerSourceRanges[0]: non-standard CIDR value "192.012.2.8/24" will be considered invalid in a future Kubernetes release: use "192.12.2.0/24"',
      ],
    ],
    ["2001:db8:0:0::/64", ['spec.loadBalancerSourceRanges[0]: IPv6 CIDR value "2001:db8:0:0::/64" should be in RFC 5952 canonical format ("2001:db8::/64")']],
  ] as const)("%s", (cidr, want) => {
    expect(getWarningsForCIDR(lbsr0, cidr)).toEqual(want);
  });
});

describe("IsValidInterfaceAddress (TestIsValidInterfaceAddress)", () => {
  it.each([
    ["1.2.3.4/24", ""],
    ["1.1.1.1/32", ""],
    ["2001:4860:4860::1/48", ""],
    ["::1/128", ""],
    ...["", "aaaaaaa", "1.2.3.4", "192.168.0.1/healthz", "192.168.0.1/0/99", "192.168.0.0/-16", "192.168.0.0/+16"].map((v) => [v, "must be a valid address in CIDR form"]),
    ["2001:0:0:0::0BCD/64", 'must be in canonical form ("2001::bcd/64")'],
    ["1.1.01.002/24", 'must be in canonical form ("1.1.1.2/24")'],
    ["::ffff:1.1.1.1/24", 'must be in canonical form ("1.1.1.1/24")'],
    ["::ffff:1.1.1.1/120", 'must be in canonical form ("1.1.1.1/24")'],
    ["192.168.0.5/016", 'must be in canonical form ("192.168.0.5/16")'],
  ])("%j", (input, want) => {
    const errs = isValidInterfaceAddress(root, input);
    if (want === "") expect(details(errs)).toEqual([]);
    else {
      expect(errs).toHaveLength(1);
      expect(errs[0]!.message).toContain(want);
    }
  });
});

describe("family and range helpers", () => {
  it("IsValidIPv4Address / IsValidIPv6Address", () => {
    expect(isValidIPv4Address(root, "10.0.0.1")).toEqual([]);
    expect(details(isValidIPv4Address(root, "fd00::1"))).toEqual(["must be a valid IPv4 address"]);
    expect(isValidIPv6Address(root, "fd00::1")).toEqual([]);
    expect(details(isValidIPv6Address(root, "::ffff:10.0.0.1"))).toEqual(["must be a valid IPv6 address"]);
  });

  it("net.IP's range predicates", () => {
    const ip = (s: string) => parseIPSloppy(s)!;
    expect([isUnspecified(ip("0.0.0.0")), isUnspecified(ip("::")), isUnspecified(ip("::1"))]).toEqual([true, true, false]);
    expect([isLoopback(ip("127.1.2.3")), isLoopback(ip("::1")), isLoopback(ip("128.0.0.1"))]).toEqual([true, true, false]);
    expect([isLinkLocalUnicast(ip("169.254.1.1")), isLinkLocalUnicast(ip("fe80::1")), isLinkLocalUnicast(ip("fec0::1"))]).toEqual([true, true, false]);
    expect([isLinkLocalMulticast(ip("224.0.0.251")), isLinkLocalMulticast(ip("ff02::1")), isLinkLocalMulticast(ip("224.0.1.1"))]).toEqual([true, true, false]);
  });

  it("IPNet.Contains keeps families apart", () => {
    expect(containsIP(parseCIDRSloppy("10.0.0.0/8")!, parseIPSloppy("10.20.30.40")!)).toBe(true);
    expect(containsIP(parseCIDRSloppy("::/0")!, parseIPSloppy("10.20.30.40")!)).toBe(false);
    expect(containsIP(parseCIDRSloppy("::ffff:10.0.0.0/104")!, parseIPSloppy("10.1.2.3")!)).toBe(true);
  });

  it("formats as net.IP.String()", () => {
    expect(formatIP(parseIPSloppy("2001:0db8:0000:0000:0001:0000:0000:0001")!)).toBe("2001:db8::1:0:0:1");
    expect(formatIP(parseIPSloppy("1:0:1:0:1:0:1:0")!)).toBe("1:0:1:0:1:0:1:0");
    expect(formatIP(parseIPSloppy("::ffff:010.001.002.003")!)).toBe("10.1.2.3");
  });
});
