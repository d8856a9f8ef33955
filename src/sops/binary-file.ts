// sops's binary store for large files: the same bytes the document path writes and reads
// ({"data": "ENC[...]", "sops": {...}} through the JSON codec), made in one streaming pass. The
// document path holds the file as a Go string, its base64 and the whole JSON text at once (about 20x
// the file in memory and ~2.4 s for 10 MB); this one reads and writes the file in slices of ~1 MB,
// with the SHA-512 MAC on a second core (src/core/slice-hasher.ts). The layout around the data comes
// from the JSON codec itself: the data's base64 goes where a marker stood. Returns false when the file
// is not the plain case (empty, a selector that leaves `data` unencrypted, another layout), and the
// document path does it.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { Branch } from "../tree/tree.js";
import { SealboxError } from "../errors.js";
import { isBase64Run } from "../core/base64.js";
import { macPrefix } from "../core/mac.js";
import { readAt, readFully, WriteBehind, type ByteSource, type OpenSink } from "../core/byte-stream.js";
import { sliceHasher } from "../core/slice-hasher.js";
import { keepFreedHeapPages } from "../core/heap-pages.js";
import type { Codec, EmitOptions } from "../formats/types.js";
import type { KeySources } from "../keys/registry.js";
import type { RecipientGroup } from "../keys/types.js";
import { newDataKey, recoverDataKey, wrapDataKey } from "./datakey.js";
import { EncryptionDecider, type EncryptionSelectors } from "./encryption-rules.js";
import { SOPS_VERSION, type SopsMetadata } from "./metadata.js";
import { checkMac, emitEncrypted, loadEncrypted, stampMetadata } from "./sops-file.js";
import { describePath } from "./tree-cipher.js";

const PATH = ["data"];
const AAD = Buffer.from("data:");
const IV_BYTES = 32;
const TAG_BYTES = 16;
const ENC_DATA = Buffer.from("ENC[AES256_GCM,data:");
// The file is read, hashed and written in slices of SLICE bytes, and encrypted and encoded STEP bytes
// at a time: each step's buffer and string stay under malloc's mmap threshold and V8's young
// generation, so they are reused at once instead of faulting in new pages (3 MB steps cost twice the
// CPU). Slices of ~1 MB keep the buffers that pass between threads small too: every page first
// touched costs a page fault, and 3 MB slices spent ~80 ms of a 100 MB encrypt faulting in their 24 MB
// (docs/performance.md). Both are multiples of 3, so each step's base64 is whole quanta.
const STEP = 48 * 1024;
const SLICE = 21 * STEP;
const B64_SLICE = (SLICE / 3) * 4;
const B64_STEP = (STEP / 3) * 4;
const MARK = "SEALBOX-DATA-MARK";
const TAG_MARK = "T".repeat(22) + "==";
/** Where decryption looks for the start of the data and for the metadata after it. */
const HEAD_BYTES = 64 * 1024;
const TAIL_BYTES = 1024 * 1024;

function encryptsData(selectors: EncryptionSelectors): boolean {
  return new EncryptionDecider(selectors).shouldEncrypt(PATH, [[]], false);
}

export interface BinaryEncryptOptions {
  codec: Codec;
  /** The envelope's layout (stores.json_binary or --indent). */
  emitOptions?: EmitOptions;
  sources: KeySources;
  recipientGroups: RecipientGroup[];
  shamirThreshold?: number;
  selectors: EncryptionSelectors;
}

/** Encrypts a file's bytes as sops's binary store does (the value is the file as a Go string, type str). */
export async function encryptBinary(source: ByteSource, open: OpenSink, options: BinaryEncryptOptions): Promise<boolean> {
  const size = source.size;
  if (size === 0 || !encryptsData(options.selectors)) return false;
  keepFreedHeapPages();
  // started first: the worker boots while the data key is wrapped
  const hasher = sliceHasher(size, Math.min(SLICE, size), macPrefix(!!options.selectors.macOnlyEncrypted));
  const dataKey = newDataKey();
  try {
    const wrapped = await wrapDataKey(options.recipientGroups, dataKey, options.sources, options.shamirThreshold);
    const base: SopsMetadata = { keyGroups: wrapped.keyGroups, shamirThreshold: wrapped.shamirThreshold, lastModified: "", mac: "", selectors: options.selectors, version: SOPS_VERSION };
    const iv = randomBytes(IV_BYTES);
    const value = `ENC[AES256_GCM,data:${MARK},iv:${iv.toString("base64")},tag:${TAG_MARK},type:str]`;
    const layout = (mac: string): { head: Buffer; tail: Buffer } => {
      const text = Buffer.from(emitEncrypted(options.codec, { docs: [new Branch([{ key: "data", value }])], metadata: stampMetadata(base, dataKey, mac) }, options.emitOptions));
      const at = text.indexOf(MARK);
      return { head: text.subarray(0, at), tail: text.subarray(at + MARK.length) };
    };
    // what comes before the data is written first; what follows it holds the MAC, known at the end
    const draft = layout("0".repeat(128));
    const sink = new WriteBehind(await open(draft.head.length + 4 * Math.ceil(size / 3) + draft.tail.length));
    await sink.write(draft.head);
    const cipher = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD);
    // two buffers: one being written while the next slice is encoded into the other
    const texts = [0, 1].map(() => Buffer.allocUnsafe(4 * Math.ceil(Math.min(SLICE, size) / 3)));
    for (let at = 0, n = 0; at < size; n++) {
      const slot = (await hasher.slot()).subarray(0, Math.min(SLICE, size - at));
      at += readFully(source, slot, at);
      hasher.commit(slot.length);
      const text = texts[n % 2];
      let length = 0;
      for (let i = 0; i < slot.length; i += STEP) length += text.write(cipher.update(slot.subarray(i, i + STEP)).toString("base64"), length, "latin1");
      await sink.write(text.subarray(0, length));
    }
    cipher.final();
    const { head, tail } = layout(await hasher.hex());
    if (!head.equals(draft.head)) throw new Error("internal error: the layout before the data depends on the MAC");
    tail.write(cipher.getAuthTag().toString("base64"), tail.indexOf(TAG_MARK), "latin1");
    await sink.write(tail);
    await sink.flush();
    return true;
  } finally {
    hasher.close();
    dataKey.fill(0);
  }
}

export interface BinaryDecryptOptions {
  codec: Codec;
  file: string;
  sources: KeySources;
  ignoreMac?: boolean;
  decryptionOrder?: string[];
}

const EMPTIED_VALUE = /^ENC\[AES256_GCM,data:,iv:([A-Za-z0-9+/]+={0,2}),tag:([A-Za-z0-9+/]+={0,2}),type:str\]$/;

/**
 * Decrypts a binary-store file to the original bytes. The output is opened only once the metadata
 * checks out and is written before the tag and the MAC are known: a throw (or false) means the
 * caller must discard it.
 */
export async function decryptBinary(source: ByteSource, open: OpenSink, options: BinaryDecryptOptions): Promise<boolean> {
  const size = source.size;
  const head = readAt(source, 0, Math.min(size, HEAD_BYTES));
  const start = head.indexOf(ENC_DATA);
  if (start < 0) return false;
  const from = start + ENC_DATA.length;
  const tailAt = Math.max(from, size - TAIL_BYTES);
  const tail = readAt(source, tailAt, size - tailAt);
  const endInTail = tail.indexOf(",iv:");
  // the base64 must run unbroken into the tail up to the first ",iv:" (if it stops earlier, this is not the plain case)
  if (endInTail < 0 || !isBase64Run(tail.toString("latin1", 0, endInTail))) return false;
  const end = tailAt + endInTail;
  // The file without the data's base64: small enough for the JSON codec, which checks the rest.
  const { docs, metadata } = loadEncrypted(options.codec, Buffer.concat([head.subarray(0, from), tail.subarray(endInTail)]), options.file);
  const item = docs.length === 1 && docs[0].items.length === 1 ? docs[0].items[0] : undefined;
  const match = item?.key === "data" && typeof item.value === "string" ? EMPTIED_VALUE.exec(item.value) : null;
  if (!match || !encryptsData(metadata.selectors)) return false;
  const iv = Buffer.from(match[1], "base64");
  const tag = Buffer.from(match[2], "base64");
  const b64Length = end - from;
  // anything but canonical padded base64 (and a sane iv and tag) is the document path's to judge
  if (b64Length === 0 || b64Length % 4 !== 0 || iv.length === 0 || tag.length !== TAG_BYTES) return false;
  const lastQuantum = readAt(source, end - 4, 4).toString("latin1");
  if (Buffer.from(lastQuantum, "base64").toString("base64") !== lastQuantum) return false;
  const padding = lastQuantum.endsWith("==") ? 2 : lastQuantum.endsWith("=") ? 1 : 0;
  const plainLength = (b64Length / 4) * 3 - padding;
  keepFreedHeapPages();
  // started first: the worker boots while the data key is recovered
  const hasher = sliceHasher(plainLength, Math.min(SLICE, plainLength), macPrefix(!!metadata.selectors.macOnlyEncrypted));
  let dataKey: Uint8Array | undefined;
  try {
    dataKey = await recoverDataKey(metadata.keyGroups, options.sources, { threshold: metadata.shamirThreshold, decryptionOrder: options.decryptionOrder });
    const decipher = createDecipheriv("aes-256-gcm", dataKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    const sink = new WriteBehind(await open(plainLength));
    const text = Buffer.allocUnsafe(Math.min(B64_SLICE, b64Length));
    const data = Buffer.allocUnsafe(STEP);
    for (let at = from; at < end; ) {
      const slice = text.subarray(0, Math.min(B64_SLICE, end - at));
      at += readFully(source, slice, at);
      // Node's decoder reads the URL alphabet's - and _, and skips what is not base64 (so such text decodes short)
      if (slice.includes(0x2d) || slice.includes(0x5f)) return false;
      // the plaintext gathers in the slot, which is hashed and then written as a whole
      const slot = await hasher.slot();
      let length = 0;
      for (let i = 0; i < slice.length; i += B64_STEP) {
        const step = slice.subarray(i, i + B64_STEP);
        const decoded = data.write(step.toString("latin1"), "base64");
        if (decoded !== (step.length / 4) * 3 - (at === end && i + B64_STEP >= slice.length ? padding : 0)) return false;
        length += decipher.update(data.subarray(0, decoded)).copy(slot, length);
      }
      hasher.commit(length);
      await sink.write(slot.subarray(0, length));
    }
    await sink.flush();
    try {
      decipher.final();
    } catch {
      throw new SealboxError("ErrorDecryptingTree", `could not decrypt a value: authentication failed (wrong key, tampered value, or value moved to another key path) at ${describePath(PATH)}`);
    }
    if (!options.ignoreMac) checkMac(metadata, dataKey, await hasher.hex());
    return true;
  } finally {
    hasher.close();
    dataKey?.fill(0);
  }
}
