// `sealbox keygen --sealing`: the key pair the controller would make, checked by openssl (the
// certificate's fields and extensions, its self-signature, the key), and used for real: sealed to by
// sealbox, opened by sealbox and by openssl, and loaded from the key Secret as the controller keeps it.
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { sealboxSync } from "../helpers/cli.js";
import { VECTORS, opensslOpen, tempDir } from "./helpers.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const openssl = (...args: string[]): string => execFileSync("openssl", args, { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });

let dir: string;
let key: string;
let cert: string;
let secret: string;
let stderr: string;
beforeAll(() => {
  dir = tempDir();
  [key, cert, secret] = ["k.pem", "c.pem", "s.yaml"].map((name) => join(dir, name)) as [string, string, string];
  const r = sealboxSync(["keygen", "--sealing", "-o", key, "--cert", cert, "--secret", secret, "--bits", "2048", "--days", "30", "--cn", "my-sealer"]);
  expect(r.status, r.stderr).toBe(0);
  stderr = r.stderr;
});

describe("keygen --sealing: the certificate, as openssl reads it", () => {
  it("has the controller's fields: v3, the CN as subject and issuer, N days, a positive 128-bit serial", () => {
    const text = openssl("x509", "-in", cert, "-noout", "-text");
    expect(text).toContain("Version: 3 (0x2)");
    expect(text).toContain("Signature Algorithm: sha256WithRSAEncryption");
    expect(openssl("x509", "-in", cert, "-noout", "-subject", "-issuer", "-nameopt", "RFC2253")).toBe("subject=CN=my-sealer\nissuer=CN=my-sealer\n");
    const dates = Object.fromEntries(openssl("x509", "-in", cert, "-noout", "-dates").trim().split("\n").map((line) => line.split("=")));
    const notBefore = new Date(dates.notBefore).getTime();
    expect(Math.abs(notBefore - Date.now())).toBeLessThan(5 * 60_000);
    expect(new Date(dates.notAfter).getTime() - notBefore).toBe(30 * DAY_MS);
    const serial = openssl("x509", "-in", cert, "-noout", "-serial").trim().replace("serial=", "");
    expect(BigInt(`0x${serial}`) > 0n).toBe(true);
    expect(serial.length).toBeLessThanOrEqual(32);
    expect(text).not.toMatch(/Serial Number:\s*\(Negative\)/);
  });

  it("has key usage critical Encipher Only, basic constraints critical CA:TRUE, an SKI and no AKI", () => {
    const text = openssl("x509", "-in", cert, "-noout", "-text");
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Encipher Only\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
    expect(text).not.toContain("Authority Key Identifier");
    // as Go 1.25+ (the controller's go.mod): the first 160 bits of the SHA-256 of the public key BIT
    // STRING's contents, the PKCS#1 RSAPublicKey (RFC 7093 method 1; Go before 1.25 took its SHA-1)
    const rsaPublicKey = execFileSync("openssl", ["rsa", "-in", key, "-RSAPublicKey_out", "-outform", "DER"], { stdio: ["pipe", "pipe", "pipe"] });
    const expected = createHash("sha256").update(rsaPublicKey).digest("hex").slice(0, 40).toUpperCase().replace(/(..)(?=.)/g, "$1:");
    expect(text).toMatch(new RegExp(`X509v3 Subject Key Identifier: ?\\n\\s+${expected}\\n`));
  });

  it("is signed by its own key: openssl verify, and the signature over the TBSCertificate checked by openssl dgst", () => {
    expect(openssl("verify", "-CAfile", cert, cert)).toBe(`${cert}: OK\n`);
    // openssl verify does not check a trust anchor's own signature (and -check_ss_sig wants keyCertSign,
    // which the controller's certificate lacks too), so check it by hand
    openssl("asn1parse", "-in", cert, "-strparse", "4", "-out", join(dir, "tbs.der"), "-noout");
    const signatureOffset = openssl("asn1parse", "-in", cert).trim().split("\n").at(-1)!.split(":")[0]!.trim();
    openssl("asn1parse", "-in", cert, "-strparse", signatureOffset, "-out", join(dir, "sig.bin"), "-noout");
    writeFileSync(join(dir, "pub.pem"), openssl("x509", "-in", cert, "-noout", "-pubkey"));
    expect(openssl("dgst", "-sha256", "-verify", join(dir, "pub.pem"), "-signature", join(dir, "sig.bin"), join(dir, "tbs.der"))).toBe("Verified OK\n");
    // and a flipped bit in the signed part fails: the check above can fail
    const tbs = readFileSync(join(dir, "tbs.der"));
    tbs[tbs.length - 1]! ^= 1;
    writeFileSync(join(dir, "tbs-bad.der"), tbs);
    expect(() => openssl("dgst", "-sha256", "-verify", join(dir, "pub.pem"), "-signature", join(dir, "sig.bin"), join(dir, "tbs-bad.der"))).toThrow();
  });

  it("goes with the key: a PKCS#1 RSA key openssl checks, mode 0600, the same modulus", () => {
    expect(readFileSync(key, "utf8")).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(openssl("rsa", "-in", key, "-check", "-noout")).toContain("RSA key ok");
    expect(openssl("rsa", "-in", key, "-noout", "-modulus")).toBe(openssl("x509", "-in", cert, "-noout", "-modulus"));
    expect(openssl("x509", "-in", cert, "-noout", "-text")).toContain("Public-Key: (2048 bit)");
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(secret).mode & 0o777).toBe(0o600);
  });

  it("prints the fingerprint as cert verify does, and how to use the pair", () => {
    const verify = sealboxSync(["cert", "verify", cert]);
    expect(verify.status, verify.stderr).toBe(0);
    const fingerprint = verify.stdout.toString().match(/sha256: +(\S+)/)![1]!;
    expect(fingerprint).toBe(openssl("x509", "-in", cert, "-noout", "-fingerprint", "-sha256").trim().replace(/^.*=/, "").toLowerCase());
    expect(stderr).toContain(fingerprint);
    expect(stderr).toContain(`sealbox seal --cert ${cert}`);
    expect(stderr).toContain(`sealbox unseal --private-key ${key}`);
    expect(stderr).toContain(`kubectl apply -f ${secret}`);
    expect(stderr).not.toContain("PRIVATE KEY");
  });
});

describe("keygen --sealing: the pair in use", () => {
  const secretFile = join(VECTORS, "data-strict.secret.yaml");

  it("seals with --cert and unseals with --private-key (the key file, and the key Secret); openssl opens it too", () => {
    const sealed = sealboxSync(["seal", "--cert", cert, "--format", "yaml", secretFile]);
    expect(sealed.status, sealed.stderr).toBe(0);
    const original = YAML.parse(readFileSync(secretFile, "utf8"));
    for (const privateKey of [key, secret]) {
      const r = sealboxSync(["unseal", "--private-key", privateKey, "-"], { input: sealed.stdout });
      expect(r.status, r.stderr).toBe(0);
      expect(YAML.parse(r.stdout.toString()).data).toEqual(original.data);
    }
    const token = YAML.parse(sealed.stdout.toString()).spec.encryptedData.token;
    expect(opensslOpen(token, "prod/api-token", key).toString()).toBe("tok-1234567890");
  });

  it("writes the controller's key Secret: kubernetes.io/tls, kube-system, labelled active, a generated name", () => {
    const manifest = YAML.parse(readFileSync(secret, "utf8"));
    expect(manifest).toMatchObject({
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { namespace: "kube-system", labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" } },
    });
    expect(manifest.metadata.name).toMatch(/^sealed-secrets-key[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(Buffer.from(manifest.data["tls.crt"], "base64").toString()).toBe(readFileSync(cert, "utf8"));
    expect(Buffer.from(manifest.data["tls.key"], "base64").toString()).toBe(readFileSync(key, "utf8"));
  });

  it("puts the key Secret in the controller's namespace when told (--controller-namespace), and only with --secret", () => {
    const out = tempDir();
    const r = sealboxSync(["keygen", "--sealing", "-o", "k.pem", "--cert", "c.pem", "--secret", "s.yaml", "--bits", "2048", "--controller-namespace", "sealed-secrets"], { cwd: out });
    expect(r.status).toBe(0);
    expect(YAML.parse(readFileSync(join(out, "s.yaml"), "utf8")).metadata.namespace).toBe("sealed-secrets");
    const without = sealboxSync(["keygen", "--sealing", "-o", "k2.pem", "--cert", "c2.pem", "--bits", "2048", "--controller-namespace", "x"], { cwd: out });
    expect(without.status).toBe(8);
    expect(existsSync(join(out, "k2.pem"))).toBe(false);
  });

  it("makes a 4096-bit key with the controller's defaults when not told otherwise", () => {
    const out = tempDir();
    const r = sealboxSync(["keygen", "--sealing", "-o", join(out, "k.pem"), "--cert", join(out, "c.pem")]);
    expect(r.status, r.stderr).toBe(0);
    const x509 = new X509Certificate(readFileSync(join(out, "c.pem")));
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(x509.subject).toBe("CN=sealed-secret");
    expect(new Date(x509.validTo).getTime() - new Date(x509.validFrom).getTime()).toBe(3650 * DAY_MS);
    expect(existsSync(join(out, "s.yaml"))).toBe(false);
  });

  it("writes a notAfter from 2050 on as GeneralizedTime, which openssl reads with the right year", () => {
    const out = tempDir();
    const r = sealboxSync(["keygen", "--sealing", "-o", join(out, "k.pem"), "--cert", join(out, "c.pem"), "--bits", "2048", "--days", "10000"]);
    expect(r.status, r.stderr).toBe(0);
    const parsed = openssl("asn1parse", "-in", join(out, "c.pem"));
    expect(parsed).toMatch(/prim: UTCTIME +:\d{12}Z\n.*prim: GENERALIZEDTIME +:\d{14}Z\n/);
    const year = new Date(Date.now() + 10000 * DAY_MS).getUTCFullYear();
    expect(openssl("x509", "-in", join(out, "c.pem"), "-noout", "-enddate")).toMatch(new RegExp(` ${year} GMT\\n$`));
    expect(openssl("verify", "-CAfile", join(out, "c.pem"), join(out, "c.pem"))).toContain("OK");
  });
});

describe("keygen --sealing: refusals", () => {
  const run = (args: string[]) => sealboxSync(["keygen", ...args], { cwd: tempDir() });

  it("refuses --pq with --sealing, and the sealing flags without it", () => {
    expect(run(["--sealing", "--pq", "-o", "k", "--cert", "c", "--bits", "2048"]).status).toBe(8);
    for (const flag of [["--cert", "c"], ["--secret", "s"], ["--days", "3"], ["--bits", "2048"], ["--cn", "x"], ["--controller-namespace", "infra"]]) {
      const r = run(["-o", "id.txt", ...flag]);
      expect(r.status, flag.join(" ")).toBe(8);
      expect(r.stderr).toContain(`${flag[0]} goes only with --sealing`);
    }
  });

  it("needs -o and --cert as files, and a whole number of days and a known key size", () => {
    expect(run(["--sealing", "--cert", "c"]).status).toBe(8);
    expect(run(["--sealing", "-o", "k"]).status).toBe(8);
    expect(run(["--sealing", "-o", "-", "--cert", "c"]).status).toBe(8);
    expect(run(["--sealing", "-o", "k", "--cert", "c", "--days", "1.5"]).status).toBe(8);
    expect(run(["--sealing", "-o", "k", "--cert", "c", "--days", "0"]).status).toBe(8);
    expect(run(["--sealing", "-o", "k", "--cert", "c", "--days", "4000000"]).status).toBe(8);
    expect(run(["--sealing", "-o", "k", "--cert", "c", "--bits", "1024"]).status).toBe(1);
    expect(run(["--sealing", "-o", "k", "--cert", "k"]).status).toBe(8);
    // a lifetime past JavaScript's last date is refused as any other too long, not a RangeError
    const huge = run(["--sealing", "-o", "k", "--cert", "c", "--bits", "2048", "--days", "99999999999"]);
    expect(huge.status, huge.stderr).toBe(8);
    expect(huge.stderr).toContain("the certificate's lifetime must be");
  });

  it("refuses one file named two ways: the certificate would take the key's place", () => {
    const out = tempDir();
    const r = sealboxSync(["keygen", "--sealing", "-o", "k.pem", "--cert", "./k.pem", "--bits", "2048"], { cwd: out });
    expect(r.status, r.stderr).toBe(8);
    expect(r.stderr).toContain("must name different files");
    expect(readdirSync(out)).toEqual([]);
    const secret = sealboxSync(["keygen", "--sealing", "-o", "k.pem", "--cert", "c.pem", "--secret", join(out, "c.pem"), "--bits", "2048"], { cwd: out });
    expect(secret.status, secret.stderr).toBe(8);
    expect(readdirSync(out)).toEqual([]);
  });

  it("writes all or nothing: a certificate it cannot write leaves no key behind (nor temp files)", () => {
    const out = tempDir();
    for (const args of [["--cert", "missing/c.pem"], ["--cert", "c.pem", "--secret", "missing/s.yaml"]]) {
      const r = sealboxSync(["keygen", "--sealing", "-o", "k.pem", ...args, "--bits", "2048"], { cwd: out });
      expect(r.status, args.join(" ")).toBe(3);
      expect(r.stderr).toContain("missing/");
      expect(readdirSync(out), args.join(" ")).toEqual([]);
    }
  });

  it("never overwrites a key, certificate or Secret, and writes nothing then", () => {
    for (const existing of ["k.pem", "c.pem", "s.yaml"]) {
      const out = tempDir();
      writeFileSync(join(out, existing), "keep me\n");
      const r = sealboxSync(["keygen", "--sealing", "-o", "k.pem", "--cert", "c.pem", "--secret", "s.yaml", "--bits", "2048"], { cwd: out });
      expect(r.status, existing).toBe(3);
      expect(r.stderr).toContain("refusing to overwrite");
      expect(readFileSync(join(out, existing), "utf8")).toBe("keep me\n");
      for (const other of ["k.pem", "c.pem", "s.yaml"].filter((name) => name !== existing)) expect(existsSync(join(out, other))).toBe(false);
    }
  });
});

describe("generateSealingKeyPair: times as Go's asn1 writes them", () => {
  it("writes a notBefore before 1950 as GeneralizedTime: a UTCTime there would read as 20xx", async () => {
    const { generateSealingKeyPair } = await import("../../src/sealed/self-signed.js");
    const pair = generateSealingKeyPair({ bits: 2048, days: 1, now: new Date("1949-06-01T00:00:00Z") });
    const x509 = new X509Certificate(pair.certificatePem);
    expect(new Date(x509.validFrom).toISOString()).toBe("1949-06-01T00:00:00.000Z");
    expect(new Date(x509.validTo).toISOString()).toBe("1949-06-02T00:00:00.000Z");
  });
});
