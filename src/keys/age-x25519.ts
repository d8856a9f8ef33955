// Native age X25519 recipient and identity: the same stanza as age-encryption's built-in type,
// but with node:crypto's X25519, HKDF and ChaCha20-Poly1305 instead of pure JavaScript: ~130 µs to
// wrap and ~110 µs to unwrap a file key, which is what bulk rotation spends its time on
// (docs/performance.md).
// Spec: https://age-encryption.org/v1 ("The X25519 recipient type").
import { createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { bech32 } from "@scure/base";
import { Stanza } from "./age-stanza.js";
import type { Identity, Recipient } from "age-encryption";

const X25519_LABEL = "age-encryption.org/v1/X25519";

const ZERO_NONCE = Buffer.alloc(12);

// Keys are imported as JWK, which node:crypto hands to OpenSSL as raw bytes (~0.01 ms); its DER
// decoders cost ~0.1-0.4 ms a key. A private JWK's `x` is only checked to be a string: the key is `d`.

/** An X25519 private key from its 32 raw bytes (clamping happens inside the scalar multiplication). */
export function x25519PrivateKey(scalar: Uint8Array): KeyObject {
  if (scalar.length !== 32) throw new Error("X25519 private key must be 32 bytes");
  return createPrivateKey({ key: { kty: "OKP", crv: "X25519", x: "", d: Buffer.from(scalar).toString("base64url") }, format: "jwk" });
}

export function x25519PublicKey(point: Uint8Array): KeyObject {
  if (point.length !== 32) throw new Error("X25519 public key must be 32 bytes");
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(point).toString("base64url") }, format: "jwk" });
}

/**
 * The 32 raw bytes of a private key's public half. OpenSSL works it out when the key is imported
 * (a fixed-base multiplication), so exporting it costs ~5 µs where X25519 with the base point
 * cost ~40 µs more per wrap.
 */
export function x25519RawPublic(privateKey: KeyObject): Uint8Array {
  return Buffer.from(privateKey.export({ format: "jwk" }).x!, "base64url");
}

/**
 * X25519(scalar, point). Throws on the all-zero output a low-order point gives (age requires
 * rejecting it; OpenSSL refuses to derive it in the first place).
 */
export function x25519(privateKey: KeyObject, point: Uint8Array | KeyObject): Uint8Array {
  let secret: Buffer;
  try {
    const publicKey = point instanceof Uint8Array ? x25519PublicKey(point) : point;
    secret = diffieHellman({ privateKey, publicKey });
  } catch {
    throw new Error("invalid X25519 share: low-order point");
  }
  if (secret.every((b) => b === 0)) throw new Error("invalid X25519 share: low-order point");
  return secret;
}

/**
 * A fresh ephemeral key pair for one wrap. Not generateKeyPairSync: in Node 20, exporting a key it
 * made can deadlock the thread (a garbage collection during the export destroys the generation job,
 * which locks the key's mutex the export holds): a bulk rotate hung that way, and a plain loop of the
 * two calls within ~20,000 keys. A key imported from its bytes has no such job to destroy.
 */
export function x25519Ephemeral(): { privateKey: KeyObject; share: Uint8Array } {
  const privateKey = x25519PrivateKey(randomBytes(32));
  return { privateKey, share: x25519RawPublic(privateKey) };
}

/**
 * HKDF-SHA-256 (RFC 5869) of at most 32 bytes: one HMAC to extract, one to expand. The same bytes
 * as node:crypto's hkdfSync (test/age/hkdf.test.ts), at under half its cost: hkdfSync builds a key
 * object per call, and age derives four keys per data key (docs/performance.md).
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  const prk = createHmac("sha256", salt).update(ikm).digest();
  return createHmac("sha256", prk).update(info, "utf8").update(EXPAND_COUNTER).digest();
}
const EXPAND_COUNTER = Buffer.of(1);

/** ChaCha20-Poly1305 with the all-zero nonce: each wrapping key is used exactly once. */
export function sealFileKey(key: Uint8Array, fileKey: Uint8Array): Uint8Array {
  const cipher = createCipheriv("chacha20-poly1305", key, ZERO_NONCE, { authTagLength: 16 });
  return Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
}

/**
 * Opens a wrapped file key. A body that is not exactly 16 + 16 bytes is a malformed stanza
 * (throws); a tag that does not verify means "not for us" (null), as the spec asks.
 */
export function openFileKey(key: Uint8Array, body: Uint8Array, stanzaType: string): Uint8Array | null {
  if (body.length !== 32) throw new Error(`invalid ${stanzaType} stanza: wrapped file key is not 32 bytes`);
  const decipher = createDecipheriv("chacha20-poly1305", key, ZERO_NONCE, { authTagLength: 16 });
  decipher.setAuthTag(body.subarray(16));
  try {
    return new Uint8Array(Buffer.concat([decipher.update(body.subarray(0, 16)), decipher.final()]));
  } catch {
    return null;
  }
}

export function base64NoPad(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64").replace(/=+$/, "");
}

/** Strict, canonical unpadded base64, as age's header arguments must be (Node's decoder is lenient). */
export function decodeBase64NoPad(s: string, what: string): Uint8Array {
  const bytes = /^[A-Za-z0-9+/]*$/.test(s) && s.length % 4 !== 1 ? Buffer.from(s, "base64") : undefined;
  if (!bytes || base64NoPad(bytes) !== s) throw new Error(`invalid ${what}: not canonical unpadded base64`);
  return new Uint8Array(bytes);
}

/** Decodes `age1…` to the 32-byte X25519 point; throws on anything else. */
export function decodeX25519Recipient(s: string): Uint8Array {
  const decoded = s.startsWith("age1") ? tryBech32(s) : undefined;
  if (!decoded || decoded.prefix !== "age" || decoded.bytes.length !== 32) throw new Error("invalid X25519 recipient");
  return decoded.bytes;
}

/** Decodes `AGE-SECRET-KEY-1…` to the 32-byte scalar; throws on anything else. */
export function decodeX25519Identity(s: string): Uint8Array {
  const decoded = s.startsWith("AGE-SECRET-KEY-1") ? tryBech32(s) : undefined;
  if (!decoded || decoded.prefix !== "age-secret-key-" || decoded.bytes.length !== 32) throw new Error("invalid X25519 identity");
  return decoded.bytes;
}

export function encodeX25519Recipient(point: Uint8Array): string {
  return bech32.encodeFromBytes("age", point);
}

/** Bech32 without the 90-character limit (post-quantum keys are ~2,000 characters); prefix in lower case. */
export function tryBech32(s: string): { prefix: string; bytes: Uint8Array } | undefined {
  try {
    const { prefix, words } = bech32.decode(s as `${string}1${string}`, false);
    return { prefix, bytes: bech32.fromWords(words) };
  } catch {
    return undefined;
  }
}

/** Encrypts a file key to an `age1…` X25519 recipient. */
export class NativeX25519Recipient implements Recipient {
  readonly recipient: string;
  private readonly point: Uint8Array;
  private readonly publicKey: KeyObject;

  constructor(recipient: string) {
    this.point = decodeX25519Recipient(recipient);
    this.publicKey = x25519PublicKey(this.point);
    this.recipient = recipient;
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    const { privateKey, share } = x25519Ephemeral();
    const secret = x25519(privateKey, this.publicKey);
    const key = hkdfSha256(secret, concat(share, this.point), X25519_LABEL);
    return [new Stanza(["X25519", base64NoPad(share)], sealFileKey(key, fileKey))];
  }
}

/** Decrypts X25519 stanzas with an `AGE-SECRET-KEY-1…` identity (or a raw scalar). */
export class NativeX25519Identity implements Identity {
  /** The matching `age1…` recipient. */
  readonly recipient: string;
  private readonly privateKey: KeyObject;
  private readonly point: Uint8Array;

  constructor(identity: string | Uint8Array) {
    this.privateKey = x25519PrivateKey(typeof identity === "string" ? decodeX25519Identity(identity) : identity);
    this.point = x25519RawPublic(this.privateKey);
    this.recipient = encodeX25519Recipient(this.point);
  }

  unwrapFileKey(stanzas: Stanza[]): Uint8Array | null {
    for (const s of stanzas) {
      if (s.args[0] !== "X25519") continue;
      if (s.args.length !== 2) throw new Error("invalid X25519 stanza: expected one argument");
      const share = decodeBase64NoPad(s.args[1]!, "X25519 stanza share");
      if (share.length !== 32) throw new Error("invalid X25519 stanza: share is not 32 bytes");
      const key = hkdfSha256(x25519(this.privateKey, share), concat(share, this.point), X25519_LABEL);
      const fileKey = openFileKey(key, s.body, "X25519");
      if (fileKey) return fileKey;
    }
    return null;
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
