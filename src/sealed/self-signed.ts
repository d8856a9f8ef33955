// A Sealed Secrets key pair made offline, as the controller makes one (sealed-secrets
// pkg/crypto/keys.go GeneratePrivateKeyAndCert/SignKey, through Go's x509.CreateCertificate): an RSA
// key, and a self-signed X.509 v3 certificate for it with the extensions Go writes for that template.
// node:crypto makes the key, hashes and signs, but cannot build a certificate, so the DER is written
// here: exactly this one certificate, not a general ASN.1 encoder.
import { createHash, generateKeyPairSync, randomBytes, randomInt, sign, X509Certificate } from "node:crypto";
import { SealboxError } from "../errors.js";

export const SEALING_KEY_BITS = [2048, 3072, 4096] as const;
export const DEFAULT_SEALING_KEY_BITS = 4096;
/** The controller's --key-ttl default, 87600h. */
export const DEFAULT_SEALING_CERT_DAYS = 3650;
/** The controller's --my-cn default. */
export const DEFAULT_SEALING_CERT_CN = "sealed-secret";

export interface SealingKeyPairOptions {
  bits?: number;
  days?: number;
  commonName?: string;
  now?: Date;
}

export interface SealingKeyPair {
  /** PKCS#1 PEM ("RSA PRIVATE KEY"), as the controller's `tls.key`. */
  privateKeyPem: string;
  certificatePem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** GeneralizedTime has four year digits. */
const LAST_ENCODABLE_TIME = Date.UTC(9999, 11, 31, 23, 59, 59);

export function generateSealingKeyPair(options: SealingKeyPairOptions = {}): SealingKeyPair {
  const bits = options.bits ?? DEFAULT_SEALING_KEY_BITS;
  const days = options.days ?? DEFAULT_SEALING_CERT_DAYS;
  const commonName = options.commonName ?? DEFAULT_SEALING_CERT_CN;
  if (!(SEALING_KEY_BITS as readonly number[]).includes(bits)) {
    throw new SealboxError("ConflictingParameters", `the RSA key size must be one of ${SEALING_KEY_BITS.join(", ")} bits, not ${bits}`);
  }
  // Go's time encoding drops fractions of a second; so do we, so notAfter - notBefore is whole days
  const notBefore = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * DAY_MS);
  // (a lifetime past JavaScript's last date makes an invalid Date, whose getTime() is NaN)
  if (!Number.isInteger(days) || days < 1 || !(notAfter.getTime() <= LAST_ENCODABLE_TIME)) {
    throw new SealboxError("ConflictingParameters", `the certificate's lifetime must be a whole number of days, at least 1 and ending by the year 9999, not ${days}`);
  }
  if (commonName === "") throw new SealboxError("ConflictingParameters", "the certificate's common name must not be empty");
  // Both halves exported by the generation itself: exporting a generateKeyPairSync KeyObject later
  // can deadlock Node 20 under garbage collection (docs/security.md).
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicKeyEncoding: { type: "pkcs1", format: "der" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const der = selfSignedCertificate({ rsaPublicKey: publicKey, privateKeyPem: privateKey, commonName, notBefore, notAfter });
  return { privateKeyPem: privateKey, certificatePem: new X509Certificate(der).toString() };
}

export interface CertificateFields {
  /** The PKCS#1 RSAPublicKey DER: the contents of the certificate's public key BIT STRING. */
  rsaPublicKey: Uint8Array;
  privateKeyPem: string;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}

/** The DER certificate Go's x509.CreateCertificate makes from the controller's template. */
export function selfSignedCertificate(fields: CertificateFields): Buffer {
  const signatureAlgorithm = sequence(oid("1.2.840.113549.1.1.11"), NULL); // sha256WithRSAEncryption
  const name = commonNameOnly(fields.commonName); // issuer = subject: self-signed
  const subjectPublicKeyInfo = sequence(sequence(oid("1.2.840.113549.1.1.1"), NULL), bitString(fields.rsaPublicKey)); // rsaEncryption
  const extensions = [
    // KeyUsageEncipherOnly is bit 7; Go writes key usage critical
    extension("2.5.29.15", true, bitString(Buffer.from([0x01]))),
    // cA TRUE, no pathLenConstraint (Go's MaxPathLen -1); critical, as Go writes it
    extension("2.5.29.19", true, sequence(tlv(0x01, Buffer.from([0xff])))),
    // Go gives a CA certificate a subjectKeyIdentifier computed from the public key BIT STRING's
    // contents: since Go 1.25 (the controller's go.mod says go 1.25, so GODEBUG x509sha256skid=1)
    // the first 160 bits of its SHA-256 (RFC 7093 method 1), before that its SHA-1 (RFC 5280
    // 4.2.1.2 method 1). Self-signed, so no authorityKeyIdentifier.
    extension("2.5.29.14", false, tlv(0x04, createHash("sha256").update(fields.rsaPublicKey).digest().subarray(0, 20))),
  ];
  const tbsCertificate = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] EXPLICIT version: v3
    integer(serialNumber()),
    signatureAlgorithm,
    name,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    name,
    subjectPublicKeyInfo,
    tlv(0xa3, sequence(...extensions)), // [3] EXPLICIT extensions
  );
  const signature = sign("sha256", tbsCertificate, fields.privateKeyPem); // RSASSA-PKCS1-v1_5
  return sequence(tbsCertificate, signatureAlgorithm, bitString(signature));
}

/** As the controller's: a random positive integer below 2^128 (zero is not a valid serial). */
function serialNumber(): Buffer {
  for (;;) {
    const serial = randomBytes(16);
    if (serial.some((byte) => byte !== 0)) return serial;
  }
}

/** A Name of one RDN holding the CN, as Go's pkix writes Subject{CommonName}. */
function commonNameOnly(commonName: string): Buffer {
  // Go's asn1 uses PrintableString when every character allows it, else UTF8String
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(commonName);
  const value = tlv(printable ? 0x13 : 0x0c, Buffer.from(commonName, "utf8"));
  return sequence(tlv(0x31, sequence(oid("2.5.4.3"), value)));
}

/** X.509's rule (RFC 5280 4.1.2.5), as Go's asn1: UTCTime for 1950 through 2049, else GeneralizedTime; whole seconds, Z. */
function time(date: Date): Buffer {
  const digits = date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:T]/g, ""); // YYYYMMDDHHMMSSZ
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), "ascii")) : tlv(0x18, Buffer.from(digits, "ascii"));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  // DER leaves out a BOOLEAN that equals its DEFAULT (critical FALSE)
  return sequence(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

const NULL = Buffer.from([0x05, 0x00]);

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

/** A non-negative INTEGER from big-endian magnitude bytes: minimal, with a 0x00 before a high bit. */
function integer(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = Buffer.from(magnitude.subarray(start));
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** A BIT STRING of whole bytes: the leading byte counts the unused bits, here none. */
function bitString(bytes: Uint8Array): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const arcs = [first! * 40 + second!, ...rest];
  // each arc base 128, most significant group first, the high bit set on all but the last byte
  const bytes = arcs.flatMap((arc) => {
    const groups = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) groups.unshift((rest & 0x7f) | 0x80);
    return groups;
  });
  return tlv(0x06, Buffer.from(bytes));
}

/** Tag, DER length (short form below 128, else 0x80 + the number of length bytes), contents. */
function tlv(tag: number, contents: Uint8Array): Buffer {
  const length = contents.length;
  const lengthBytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest & 0xff);
  const header = length < 0x80 ? [tag, length] : [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  return Buffer.concat([Buffer.from(header), contents]);
}

/** Kubernetes' generateName suffix: five characters from its alphabet (no vowels, no look-alikes). */
function generatedNameSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  return Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/**
 * The key Secret the controller keeps and picks up: type kubernetes.io/tls, labelled active. Named
 * as the controller's generateName would, because `kubectl apply` needs a name.
 */
export function sealingKeySecret(pair: SealingKeyPair, namespace = "kube-system"): object {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: {
      name: `sealed-secrets-key${generatedNameSuffix()}`,
      namespace,
      labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" },
    },
    data: {
      "tls.crt": Buffer.from(pair.certificatePem).toString("base64"),
      "tls.key": Buffer.from(pair.privateKeyPem).toString("base64"),
    },
  };
}
