// Shared by the sealed tests: an independent opener (openssl's RSA-OAEP, not our code), and
// throw-away keys and certificates made with openssl.
import { execFileSync } from "node:child_process";
import { createDecipheriv } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/fixtures.js";

export { ROOT };
export const VECTORS = join(ROOT, "fixtures/interop/sealed");
export const CERT = join(VECTORS, "cert.pem");
export const KEY = join(VECTORS, "key.pem");

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sealbox-sealed-"));
}

/** Hides encryptedData values (random per run) so layouts can be compared byte for byte. */
export function maskSealed(text: string): string {
  return text.replace(/A[gQ][A-Za-z0-9+/=]{100,}/g, "<sealed>"); // Ag: RSA-4096, AQ: RSA-2048
}

/** Opens one encryptedData value with openssl pkeyutl (RSA-OAEP half) and node's AES-GCM. */
export function opensslOpen(valueBase64: string, label: string, keyPath = KEY): Buffer {
  const blob = Buffer.from(valueBase64, "base64");
  const rsaLength = blob.readUInt16BE(0);
  const wrapped = blob.subarray(2, 2 + rsaLength);
  const args = ["pkeyutl", "-decrypt", "-inkey", keyPath, "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"];
  if (label) args.push("-pkeyopt", `rsa_oaep_label:${Buffer.from(label).toString("hex")}`);
  const sessionKey = execFileSync("openssl", args, { input: wrapped, stdio: ["pipe", "pipe", "pipe"] });
  const body = blob.subarray(2 + rsaLength);
  const decipher = createDecipheriv("aes-256-gcm", sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
}

export interface KeyPair {
  key: string;
  cert: string;
}

/** A 2048-bit sealing key pair shaped like the controller's; with dates, through `openssl ca` to backdate. */
export function makeKeyPair(dir: string, name: string, dates?: { start: string; end: string }): KeyPair {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync("openssl", ["genrsa", "-traditional", "-out", key, "2048"], { stdio: "pipe" });
  if (!dates) {
    execFileSync("openssl", ["req", "-x509", "-new", "-key", key, "-subj", "/", "-days", "3650", "-out", cert, "-addext", "keyUsage=critical,encipherOnly"], { stdio: "pipe" });
    return { key, cert };
  }
  const ca = join(dir, `${name}-ca`);
  execFileSync("mkdir", ["-p", ca]);
  writeFileSync(join(ca, "index.txt"), "");
  writeFileSync(join(ca, "serial"), "01\n");
  writeFileSync(
    join(ca, "ca.cnf"),
    `[ca]\ndefault_ca=d\n[d]\ndatabase=${ca}/index.txt\nnew_certs_dir=${ca}\ndefault_md=sha256\npolicy=p\nserial=${ca}/serial\nunique_subject=no\n[p]\n[ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,encipherOnly\n`,
  );
  execFileSync("openssl", ["req", "-new", "-key", key, "-subj", "/CN=sealed-secret", "-out", join(ca, "r.csr")], { stdio: "pipe" });
  execFileSync("openssl", ["ca", "-batch", "-config", join(ca, "ca.cnf"), "-selfsign", "-keyfile", key, "-in", join(ca, "r.csr"), "-startdate", dates.start, "-enddate", dates.end, "-extensions", "ext", "-notext", "-out", cert], { stdio: "pipe" });
  return { key, cert };
}
