// The sealing certificate: read from a file or URL, checked (RSA, in date, optional SHA-256 pin) before
// anything is sealed to it. kubeseal only refuses a cert after its notAfter; we do the same and warn
// when it is older than the controller's 30-day key renewal period (a newer key probably exists).
import { X509Certificate, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { SealboxError } from "../errors.js";
import { shownInMessage } from "../core/redact.js";

export const RENEWAL_PERIOD_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SealingCert {
  /** Where it came from (path or URL), for messages. */
  source: string;
  publicKey: KeyObject;
  /** SHA-256 of the DER certificate, lowercase hex with colons (as openssl prints it). */
  sha256: string;
  notBefore: Date;
  notAfter: Date;
  subject: string;
  modulusBits: number;
}

export interface CertCheck {
  expired: boolean;
  notYetValid: boolean;
  ageDays: number;
  warnings: string[];
}

export interface LoadCertOptions {
  /** `--cert-sha256`: refuse any other certificate. */
  pinSha256?: string;
  now?: Date;
  /** Timeout for http(s) URLs. */
  timeoutMs?: number;
  /** Return an expired certificate instead of refusing it (for `cert verify`, which reports it). */
  allowExpired?: boolean;
}

/** Reads, parses and checks a certificate named by a path, `file://`, `http://` or `https://` URL. */
export async function loadCertificate(spec: string, options: LoadCertOptions = {}): Promise<SealingCert> {
  return checkedCertificate(await readCertSource(spec, options.timeoutMs ?? 30_000), shownInMessage(spec), options);
}

/** A certificate read from `source` (a file, a URL, the controller), pinned and in date unless allowed. */
export function checkedCertificate(pem: Uint8Array, source: string, options: Omit<LoadCertOptions, "timeoutMs"> = {}): SealingCert {
  const cert = parseCertificate(pem, source);
  if (options.pinSha256 !== undefined) checkPin(cert, options.pinSha256);
  const check = checkCertificate(cert, options.now);
  if (check.expired && !options.allowExpired) {
    throw new SealboxError("BadCertificate", `the certificate expired on ${cert.notAfter.toISOString()}; fetch the controller's current one (sealbox cert fetch)`, { file: source });
  }
  return cert;
}

export async function readCertSource(spec: string, timeoutMs: number): Promise<Uint8Array> {
  try {
    if (/^https?:\/\//i.test(spec)) {
      const response = await fetch(spec, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      return new Uint8Array(await response.arrayBuffer());
    }
    return await readFile(/^file:/i.test(spec) ? fileURLToPath(spec) : spec);
  } catch (error) {
    // fetch's messages repeat the URL, credentials included
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message.split(spec).join(shownInMessage(spec));
    throw new SealboxError("BadCertificate", `cannot read the certificate: ${reason}`, { file: spec, cause: error });
  }
}

export function parseCertificate(pem: Uint8Array | string, source: string): SealingCert {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(typeof pem === "string" ? pem : Buffer.from(pem));
  } catch (error) {
    throw new SealboxError("BadCertificate", "not an X.509 certificate (PEM or DER)", { file: source, cause: error });
  }
  const publicKey = x509.publicKey;
  if (publicKey.asymmetricKeyType !== "rsa") {
    throw new SealboxError("BadCertificate", `the certificate's key is ${publicKey.asymmetricKeyType}, but sealing needs RSA`, { file: source });
  }
  return {
    source,
    publicKey,
    // lower case, as sealbox has always printed it ("46:4b:…"); Node gives "46:4B:…"
    sha256: x509.fingerprint256.toLowerCase(),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    subject: x509.subject,
    modulusBits: publicKey.asymmetricKeyDetails?.modulusLength ?? 0,
  };
}

export function checkCertificate(cert: SealingCert, now = new Date()): CertCheck {
  const ageDays = Math.floor((now.getTime() - cert.notBefore.getTime()) / DAY_MS);
  const check: CertCheck = { expired: now > cert.notAfter, notYetValid: now < cert.notBefore, ageDays, warnings: [] };
  if (ageDays > RENEWAL_PERIOD_DAYS) {
    check.warnings.push(
      `the certificate is ${ageDays} days old, more than the controller's ${RENEWAL_PERIOD_DAYS}-day key renewal period: the controller has probably made a newer key (sealbox cert fetch)`,
    );
  }
  if (check.notYetValid) check.warnings.push(`the certificate is not valid before ${cert.notBefore.toISOString()} (clock skew?)`);
  if (cert.modulusBits && cert.modulusBits < 2048) check.warnings.push(`the RSA key has only ${cert.modulusBits} bits`);
  return check;
}

/** Normalises a pin: hex with or without colons, any case, optional `sha256:` prefix. */
export function normaliseFingerprint(pin: string): string {
  const hex = pin.trim().replace(/^sha256:/i, "").replace(/[:\s]/g, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new SealboxError("ConflictingParameters", "--cert-sha256 must be a SHA-256 fingerprint: 64 hex digits, colons allowed");
  }
  return hex;
}

export function checkPin(cert: SealingCert, pin: string): void {
  if (normaliseFingerprint(pin) !== cert.sha256.replace(/:/g, "")) {
    throw new SealboxError("BadCertificate", `the certificate does not match --cert-sha256 (its SHA-256 is ${cert.sha256})`, { file: cert.source });
  }
}
