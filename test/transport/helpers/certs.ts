/**
 * Certificates generated for the tests with openssl: a CA, a server certificate for localhost,
 * 127.0.0.1, ::1 and kube.test, client certificates signed by the CA, and an unrelated CA.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCerts {
  dir: string;
  ca: string;
  caFile: string;
  otherCa: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** A second client identity (used for exec-provided certificates). */
  execCert: string;
  execKey: string;
}

export const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** A suffix for test names that need openssl. */
export const needsOpenssl = hasOpenssl ? "" : " [skipped: openssl is not installed]";

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function keyAndCsr(dir: string, name: string, subject: string, extensions: string[]): void {
  openssl(dir, ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject, ...extensions.flatMap((e) => ["-addext", e])]);
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-copy_extensions", "copyall"]);
}

let cached: TestCerts | undefined;

export function testCerts(): TestCerts {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "kubezod-certs-"));
  const selfSigned = (name: string, cn: string) =>
    openssl(dir, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${cn}`]);
  selfSigned("ca", "kubezod-test-ca");
  selfSigned("other-ca", "kubezod-other-ca");
  keyAndCsr(dir, "server", "/CN=kube-apiserver", ["subjectAltName=DNS:localhost,DNS:kube.test,IP:127.0.0.1,IP:::1", "extendedKeyUsage=serverAuth"]);
  keyAndCsr(dir, "client", "/CN=alice/O=devs", ["extendedKeyUsage=clientAuth"]);
  keyAndCsr(dir, "exec", "/CN=exec-user/O=plugins", ["extendedKeyUsage=clientAuth"]);
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  cached = {
    dir,
    ca: read("ca.crt"),
    caFile: join(dir, "ca.crt"),
    otherCa: read("other-ca.crt"),
    serverCert: read("server.crt"),
    serverKey: read("server.key"),
    clientCert: read("client.crt"),
    clientKey: read("client.key"),
    clientCertFile: join(dir, "client.crt"),
    clientKeyFile: join(dir, "client.key"),
    execCert: read("exec.crt"),
    execKey: read("exec.key"),
  };
  writeFileSync(join(dir, "README"), "certificates generated for kubezod tests\n");
  return cached;
}
