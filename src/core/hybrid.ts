// The SealedSecret value cipher, as the Sealed Secrets controller's pkg/crypto HybridEncrypt/Decrypt:
// a fresh AES-256-GCM session key per value (zero nonce is safe: each key encrypts exactly once),
// wrapped with RSA-OAEP(SHA-256, MGF1-SHA-256) under the scope's label.
// Wire form: uint16_be(len(R)) ‖ R ‖ GCM ciphertext ‖ 16-byte tag.
import { createCipheriv, createDecipheriv, privateDecrypt, randomFillSync, type KeyObject } from "node:crypto";
import type { Worker } from "node:worker_threads";
import { SealboxError } from "../errors.js";
import { KeyWrapper, SESSION_KEY_BYTES, oaep } from "./oaep-wrap.js";

const NONCE = new Uint8Array(12);
const TAG_BYTES = 16;

/** Seals one value for `publicKey` under `label` (the scope's label, see src/sealed/scope.ts). */
export function hybridEncrypt(publicKey: KeyObject, plaintext: Uint8Array, label: Uint8Array): Uint8Array {
  const batch = new HybridBatch(publicKey);
  try {
    batch.add(plaintext, label);
    return batch.finish()[0];
  } finally {
    batch.wipe();
  }
}

/** Values per chunk of session keys handed to the helper thread. */
const CHUNK = 64;

/**
 * Many values sealed as hybridEncrypt seals each: add them as they are read, then finish. With a
 * helper thread (see ./oaep-wrap.ts) the RSA work of each full chunk starts at once, on that thread.
 * wipe() clears the session keys, whether or not finish was reached.
 */
export class HybridBatch {
  private readonly plaintexts: Uint8Array[] = [];
  private readonly keys: Uint8Array[] = [];
  private labels: Uint8Array[] = [];
  private readonly wrapper: KeyWrapper;

  constructor(publicKey: KeyObject, helper?: Worker) {
    this.wrapper = new KeyWrapper(publicKey, helper);
  }

  add(plaintext: Uint8Array, label: Uint8Array): void {
    this.plaintexts.push(plaintext);
    this.labels.push(label);
    if (this.labels.length === CHUNK) this.startChunk();
  }

  /** The sealed values, in the order they were added. */
  finish(): Uint8Array[] {
    this.startChunk();
    const wrapped = this.wrapper.finish();
    return this.plaintexts.map((plaintext, i) => {
      const key = this.keys[Math.floor(i / CHUNK)].subarray((i % CHUNK) * SESSION_KEY_BYTES, ((i % CHUNK) + 1) * SESSION_KEY_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, NONCE);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(wrapped[i].length);
      return Buffer.concat([length, wrapped[i], cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    });
  }

  wipe(): void {
    for (const keys of this.keys) keys.fill(0);
  }

  private startChunk(): void {
    if (this.labels.length === 0) return;
    // one random draw per chunk, in memory the helper thread reads without a copy
    const keys = randomFillSync(new Uint8Array(new SharedArrayBuffer(this.labels.length * SESSION_KEY_BYTES)));
    this.keys.push(keys);
    this.wrapper.add(keys, this.labels);
    this.labels = [];
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
