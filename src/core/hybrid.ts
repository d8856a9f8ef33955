// The SealedSecret value cipher, as the Sealed Secrets controller's pkg/crypto HybridEncrypt/Decrypt:
// a fresh AES-256-GCM session key per value (zero nonce is safe: each key encrypts exactly once),
// wrapped with RSA-OAEP(SHA-256, MGF1-SHA-256) under the scope's label.
// Wire form: uint16_be(len(R)) ‖ R ‖ GCM ciphertext ‖ 16-byte tag.
import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from "node:crypto";
import { SealboxError } from "../errors.js";

const SESSION_KEY_BYTES = 32;
const NONCE = new Uint8Array(12);
const TAG_BYTES = 16;
// Session keys are cut from one randomBytes call for many: a call per 32-byte key cost a sixth as
// much as the RSA work when sealing many values. Each slice is used once, then wiped.
const KEYS_PER_DRAW = 64;
let keyPool = Buffer.alloc(0);
let keyOffset = 0;

function freshSessionKey(): Buffer {
  if (keyOffset === keyPool.length) {
    keyPool = randomBytes(SESSION_KEY_BYTES * KEYS_PER_DRAW);
    keyOffset = 0;
  }
  return keyPool.subarray(keyOffset, (keyOffset += SESSION_KEY_BYTES));
}

/** Seals one value for `publicKey` under `label` (the scope's label, see src/sealed/scope.ts). */
export function hybridEncrypt(publicKey: KeyObject, plaintext: Uint8Array, label: Uint8Array): Uint8Array {
  const sessionKey = freshSessionKey();
  try {
    const wrapped = publicEncrypt(oaep(publicKey, label), sessionKey);
    const cipher = createCipheriv("aes-256-gcm", sessionKey, NONCE);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(wrapped.length);
    return Buffer.concat([length, wrapped, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  } finally {
    sessionKey.fill(0);
  }
}

/**
 * Opens one value with the first of `privateKeys` that unwraps its session key under `label`, as the
 * controller does. Throws SealedDecryptFailed with a reason that never includes plaintext.
 */
export function hybridDecrypt(privateKeys: readonly KeyObject[], ciphertext: Uint8Array, label: Uint8Array): Uint8Array {
  const data = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  if (data.length < 2) throw fail("too short to be a sealed value");
  const rsaLength = data.readUInt16BE(0);
  if (data.length < 2 + rsaLength + TAG_BYTES) throw fail("truncated (shorter than its RSA block and GCM tag)");
  const wrapped = data.subarray(2, 2 + rsaLength);
  const body = data.subarray(2 + rsaLength);

  let sessionKey: Buffer | undefined;
  for (const key of privateKeys) {
    try {
      sessionKey = privateDecrypt(oaep(key, label), wrapped);
      break;
    } catch {
      // OAEP cannot say whether the key or the label was wrong; try the next key.
    }
  }
  if (!sessionKey) {
    throw fail("no private key opens its session key (wrong key, or the label does not match: renamed, moved to another namespace, scope changed, or damaged)");
  }
  try {
    if (sessionKey.length !== SESSION_KEY_BYTES) throw fail("the session key has the wrong length");
    const decipher = createDecipheriv("aes-256-gcm", sessionKey, NONCE);
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw fail("AES-GCM authentication failed (the ciphertext was changed or truncated)");
    }
  } finally {
    sessionKey.fill(0);
  }
}

function oaep(key: KeyObject, label: Uint8Array) {
  return { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: label };
}

function fail(reason: string): SealboxError {
  return new SealboxError("SealedDecryptFailed", reason);
}
