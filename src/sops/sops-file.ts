// SOPS documents as whole files: load (metadata split off), decrypt (data key, values, MAC check),
// encrypt (new or kept data key), and write back in any format. Format-free and key-source-free:
// codecs and key sources are passed in.
import { timingSafeEqual } from "node:crypto";
import { Branch, type Documents } from "../tree/tree.js";
import { SealboxError, withFile } from "../errors.js";
import { decryptValue, encryptValue } from "../core/sops-value.js";
import { goStringToBytes } from "../core/go-string.js";
import type { Codec, EmitOptions } from "../formats/types.js";
import type { RecipientGroup } from "../keys/types.js";
import type { KeySources } from "../keys/registry.js";
import { decryptDocuments, encryptDocuments } from "./tree-cipher.js";
import { metadataBranch, parseMetadata, SOPS_VERSION, sopsTimestamp, type SopsMetadata } from "./metadata.js";
import { newDataKey, recoverDataKey, wrapDataKey } from "./datakey.js";
import { withDefaultSelector, type EncryptionSelectors } from "./encryption-rules.js";

export const METADATA_KEY = "sops";

export interface EncryptedFile {
  /** The documents without their `sops` item; values still encrypted. */
  docs: Documents;
  metadata: SopsMetadata;
}

/** True when the first document carries a `sops` branch (sops's "already encrypted" test). */
export function hasMetadata(docs: Documents): boolean {
  return docs.length > 0 && docs[0].get(METADATA_KEY) instanceof Branch;
}

/** Splits the metadata off; every document's `sops` item is removed, the first one is read. */
export function splitMetadata(docs: Documents): EncryptedFile {
  const metadata = parseMetadata(docs[0]?.get(METADATA_KEY));
  const stripped = docs.map((doc) => new Branch(doc.items.filter((item) => item.key !== METADATA_KEY)));
  return { docs: stripped, metadata };
}

export function loadEncrypted(codec: Codec, input: Uint8Array, file: string): EncryptedFile {
  return withFile(() => splitMetadata(codec.parseEncrypted(input, file)), file);
}

/**
 * Refuses to encrypt no document at all (an empty YAML file, or one holding only comments): the
 * metadata lives in a document, so the output would be empty and nothing could decrypt it. sops
 * refuses the same in encrypt and edit (NeedAtLeastOneDocument).
 */
export function ensureDocuments(docs: Documents): void {
  if (docs.length === 0) throw new SealboxError("NeedAtLeastOneDocument", "the file cannot be completely empty: it must hold at least one document to carry the sops metadata");
}

export function emitEncrypted(codec: Codec, file: EncryptedFile, options?: EmitOptions): Uint8Array {
  ensureDocuments(file.docs);
  // a document's own top-level sops key would stand beside the metadata, and no reader could open the
  // file (sops refuses such input as already encrypted, too)
  if (file.docs.some((doc) => doc.items.some((item) => item.key === METADATA_KEY))) {
    throw new SealboxError("FileAlreadyEncrypted", "a top-level key named sops is reserved for sops's metadata: rename it");
  }
  const meta = metadataBranch(file.metadata);
  return codec.emitEncrypted(file.docs.map((doc) => new Branch([...doc.items, { key: METADATA_KEY, value: meta }])), options);
}

export interface DecryptOptions {
  sources: KeySources;
  decryptionOrder?: string[];
  /** Decrypt even when the MAC does not match (the caller must warn loudly). */
  ignoreMac?: boolean;
}

export interface DecryptedFile {
  docs: Documents;
  metadata: SopsMetadata;
  dataKey: Uint8Array;
}

export async function decryptFile(file: EncryptedFile, options: DecryptOptions): Promise<DecryptedFile> {
  const { metadata } = file;
  const dataKey = await recoverDataKey(metadata.keyGroups, options.sources, { threshold: metadata.shamirThreshold, decryptionOrder: options.decryptionOrder });
  return { docs: decryptWithKey(file, dataKey, !!options.ignoreMac), metadata, dataKey };
}

/** Decrypts the values with a known data key and checks the MAC (sops decrypt.go). */
export function decryptWithKey(file: EncryptedFile, dataKey: Uint8Array, ignoreMac: boolean): Documents {
  const selectors = withDefaultSelector(file.metadata.selectors);
  const { docs, mac } = decryptDocuments(file.docs, dataKey, selectors);
  if (!ignoreMac) checkMac(file.metadata, dataKey, mac);
  return docs;
}

/** Throws unless the metadata's stored MAC opens with the data key and equals `mac` (the values' MAC). */
export function checkMac(metadata: SopsMetadata, dataKey: Uint8Array, mac: string): void {
  // like sops, a missing MAC decrypts to "" and so fails the comparison below
  if (!metadata.mac) throw new SealboxError("MacMismatch", "MAC mismatch: the file has no MAC (refusing to trust it; --ignore-mac overrides)");
  let stored: unknown;
  try {
    stored = decryptValue(metadata.mac, dataKey, metadata.lastModified);
  } catch {
    // sops's "Cannot decrypt MAC" is a MAC mismatch too (common.DecryptTree), not ErrorDecryptingMac
    throw new SealboxError("MacMismatch", "could not decrypt the MAC: the file's metadata was tampered with (lastmodified or mac changed) or damaged");
  }
  if (!sameMac(stored, mac)) throw new SealboxError("MacMismatch", "MAC mismatch: the file was modified after it was encrypted (values, keys or their order changed)");
}

/** In constant time: how long the check takes must not tell how much of a forged MAC is right. */
function sameMac(stored: unknown, mac: string): boolean {
  if (typeof stored !== "string") return false;
  const a = goStringToBytes(stored);
  const b = Buffer.from(mac);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface EncryptOptions {
  sources: KeySources;
  recipientGroups: RecipientGroup[];
  shamirThreshold?: number;
  selectors: EncryptionSelectors;
  /** sops adds `unencrypted_suffix: _unencrypted` when nothing is chosen, except for binary files. */
  defaultSelector?: boolean;
}

/** A new file's key: a fresh data key, and the metadata holding it wrapped for the recipients. */
export interface NewFileKey {
  dataKey: Uint8Array;
  metadata: SopsMetadata;
}

/** Makes a fresh data key and wraps it for the given recipients: everything but the values themselves. */
export async function newFileKey(options: EncryptOptions): Promise<NewFileKey> {
  const dataKey = newDataKey();
  const wrapped = await wrapDataKey(options.recipientGroups, dataKey, options.sources, options.shamirThreshold);
  const metadata: SopsMetadata = {
    keyGroups: wrapped.keyGroups,
    shamirThreshold: wrapped.shamirThreshold,
    lastModified: "",
    mac: "",
    selectors: options.defaultSelector === false ? options.selectors : withDefaultSelector(options.selectors),
    version: SOPS_VERSION,
  };
  return { dataKey, metadata };
}

/** Encrypts plaintext documents under a fresh data key wrapped for the given recipients. */
export async function encryptNew(docs: Documents, options: EncryptOptions): Promise<EncryptedFile> {
  const { dataKey, metadata } = await newFileKey(options);
  return encryptWithKey(docs, metadata, dataKey);
}

/** Encrypts plaintext documents with a known data key and metadata (edit, set, updatekeys). */
export function encryptWithKey(docs: Documents, metadata: SopsMetadata, dataKey: Uint8Array): EncryptedFile {
  const { docs: encrypted, mac } = encryptDocuments(docs, dataKey, metadata.selectors);
  return { docs: encrypted, metadata: stampMetadata(metadata, dataKey, mac) };
}

/** The metadata as written now: `lastmodified` set, the values' MAC stored encrypted under it. */
export function stampMetadata(metadata: SopsMetadata, dataKey: Uint8Array, mac: string): SopsMetadata {
  const lastModified = sopsTimestamp();
  return { ...metadata, lastModified, mac: encryptValue(mac, dataKey, lastModified), version: SOPS_VERSION };
}
