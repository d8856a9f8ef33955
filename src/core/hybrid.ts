// The SealedSecret value cipher, as the Sealed Secrets controller's pkg/crypto HybridEncrypt/Decrypt:
// a fresh AES-256-GCM session key per value (zero nonce is safe: each key encrypts exactly once),
// wrapped with RSA-OAEP(SHA-256, MGF1-SHA-256) under the scope's label.
// Wire form: uint16_be(len(R)) ‖ R ‖ GCM ciphertext ‖ 16-byte tag.
import { createCipheriv, createDecipheriv, privateDecrypt, randomFillSync, type KeyObject } from "node:crypto";
import type { Worker } from "node:worker_threads";
import { SealboxError } from "../errors.js";
import { SESSION_KEY_BYTES, oaep, wrapSessionKeys } from "./oaep-wrap.js";

const NONCE = new Uint8Array(12);
const TAG_BYTES = 16;

/** Seals one value for `publicKey` under `label` (the scope's label, see src/sealed/scope.ts). */
export function hybridEncrypt(publicKey: KeyObject, plaintext: Uint8Array, label: Uint8Array): Uint8Array {
  return hybridEncryptAll(publicKey, [{ plaintext, label }])[0];
}

/**
 * Seals many values at once, each as hybridEncrypt does; the RSA work is shared with a helper thread
 * when there are many (`helper`: one started early with startWrapHelper, see ./oaep-wrap.ts).
 */
export function hybridEncryptAll(publicKey: KeyObject, values: readonly { plaintext: Uint8Array; label: Uint8Array }[], helper?: Worker): Uint8Array[] {
  if (values.length === 0) return [];
  // every session key from one random draw, in memory the helper thread can read without a copy
  const keys = randomFillSync(new Uint8Array(new SharedArrayBuffer(values.length * SESSION_KEY_BYTES)));
  try {
    const wrapped = wrapSessionKeys(publicKey, keys, values.map((v) => v.label), helper);
    return values.map(({ plaintext }, i) => {
      const cipher = createCipheriv("aes-256-gcm", keys.subarray(i * SESSION_KEY_BYTES, (i + 1) * SESSION_KEY_BYTES), NONCE);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(wrapped[i].length);
      return Buffer.concat([length, wrapped[i], cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    });
  } finally {
    keys.fill(0);
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

function fail(reason: string): SealboxError {
  return new SealboxError("SealedDecryptFailed", reason);
}
