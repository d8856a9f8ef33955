// sops's binary store for large files: the same bytes the document path writes and reads
// ({"data": "ENC[...]", "sops": {...}} through the JSON codec), made in one pass over preallocated
// buffers. The document path holds the file as a Go string, its base64 and the whole JSON text at
// once (about 20x the file in memory and ~2.4 s for 10 MB); this one holds the input and the output
// buffer, about 2.4x. The layout around the data comes from the JSON codec itself: the data's base64
// is spliced in where a marker stood. Returns undefined when the file is not the plain case (empty,
// a selector that leaves `data` unencrypted, another layout), and the document path does it.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { Branch } from "../tree/tree.js";
import { SealboxError } from "../errors.js";
import { MacHasher } from "../core/mac.js";
import type { Codec } from "../formats/types.js";
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
// Base64 is written and read in slices of this many bytes (a multiple of 3; its base64 a multiple of 4),
// small enough that each slice's strings and buffers die young instead of piling up in old space.
const SLICE = 48 * 1024;
const B64_SLICE = (SLICE / 3) * 4;
const MARK = "SEALBOX-DATA-MARK";
const TAG_MARK = "T".repeat(22) + "==";

function encryptsData(selectors: EncryptionSelectors): boolean {
  return new EncryptionDecider(selectors).shouldEncrypt(PATH, [[]], false);
}

export interface BinaryEncryptOptions {
  codec: Codec;
  sources: KeySources;
  recipientGroups: RecipientGroup[];
  shamirThreshold?: number;
  selectors: EncryptionSelectors;
}

/** Encrypts a file's bytes as sops's binary store does (the value is the file as a Go string, type str). */
export async function encryptBinary(input: Uint8Array, options: BinaryEncryptOptions): Promise<Uint8Array | undefined> {
  if (input.length === 0 || !encryptsData(options.selectors)) return undefined;
  const mac = new MacHasher(!!options.selectors.macOnlyEncrypted);
  for (let i = 0; i < input.length; i += SLICE) mac.add(input.subarray(i, i + SLICE));
  const dataKey = newDataKey();
  try {
    const wrapped = await wrapDataKey(options.recipientGroups, dataKey, options.sources, options.shamirThreshold);
    const base: SopsMetadata = { keyGroups: wrapped.keyGroups, shamirThreshold: wrapped.shamirThreshold, lastModified: "", mac: "", selectors: options.selectors, version: SOPS_VERSION };
    const metadata = stampMetadata(base, dataKey, mac.hex());
    const iv = randomBytes(IV_BYTES);
    const value = `ENC[AES256_GCM,data:${MARK},iv:${iv.toString("base64")},tag:${TAG_MARK},type:str]`;
    const layout = Buffer.from(emitEncrypted(options.codec, { docs: [new Branch([{ key: "data", value }])], metadata }));
    const at = layout.indexOf(MARK);
    const tagAt = layout.indexOf(TAG_MARK, at) - at - MARK.length;
    const b64Length = 4 * Math.ceil(input.length / 3);
    const out = Buffer.allocUnsafe(layout.length - MARK.length + b64Length);
    let o = layout.copy(out, 0, 0, at);
    const cipher = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD);
    for (let i = 0; i < input.length; i += SLICE) o += out.write(cipher.update(input.subarray(i, i + SLICE)).toString("base64"), o, "latin1");
    cipher.final();
    const suffixAt = o;
    layout.copy(out, o, at + MARK.length);
    out.write(cipher.getAuthTag().toString("base64"), suffixAt + tagAt, "latin1");
    return out;
  } finally {
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

/** Decrypts a binary-store file to the original bytes; nothing is returned before the tag and the MAC check out. */
export async function decryptBinary(input: Uint8Array, options: BinaryDecryptOptions): Promise<Uint8Array | undefined> {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const start = bytes.indexOf(ENC_DATA);
  const end = start < 0 ? -1 : bytes.indexOf(",iv:", start);
  if (end < 0) return undefined;
  const from = start + ENC_DATA.length;
  // The file without the data's base64: small enough for the JSON codec, which checks the rest.
  const { docs, metadata } = loadEncrypted(options.codec, Buffer.concat([bytes.subarray(0, from), bytes.subarray(end)]), options.file);
  const item = docs.length === 1 && docs[0].items.length === 1 ? docs[0].items[0] : undefined;
  const match = item?.key === "data" && typeof item.value === "string" ? EMPTIED_VALUE.exec(item.value) : null;
  if (!match || !encryptsData(metadata.selectors)) return undefined;
  const iv = Buffer.from(match[1], "base64");
  const tag = Buffer.from(match[2], "base64");
  const b64 = bytes.subarray(from, end);
  const padding = b64.length > 0 && b64[b64.length - 1] === 0x3d ? (b64[b64.length - 2] === 0x3d ? 2 : 1) : 0;
  // anything but canonical padded base64 (and a sane iv and tag) is the document path's to judge
  if (b64.length === 0 || b64.length % 4 !== 0 || iv.length === 0 || tag.length !== TAG_BYTES) return undefined;
  const dataKey = await recoverDataKey(metadata.keyGroups, options.sources, { threshold: metadata.shamirThreshold, decryptionOrder: options.decryptionOrder });
  try {
    const out = Buffer.allocUnsafe((b64.length / 4) * 3 - padding);
    const decipher = createDecipheriv("aes-256-gcm", dataKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    const mac = new MacHasher(!!metadata.selectors.macOnlyEncrypted);
    let o = 0;
    for (let i = 0; i < b64.length; i += B64_SLICE) {
      const text = b64.subarray(i, i + B64_SLICE).toString("latin1");
      const data = Buffer.from(text, "base64");
      // Node's decoder skips what is not base64; a slice that does not encode back is not canonical
      if (data.toString("base64") !== text) return undefined;
      const plain = decipher.update(data);
      mac.add(plain);
      o += plain.copy(out, o);
    }
    try {
      decipher.final();
    } catch {
      throw new SealboxError("ErrorDecryptingTree", `could not decrypt a value: authentication failed (wrong key, tampered value, or value moved to another key path) at ${describePath(PATH)}`);
    }
    if (!options.ignoreMac) checkMac(metadata, dataKey, mac.hex());
    return out;
  } finally {
    dataKey.fill(0);
  }
}
