// The contract between documents on disk and the tree. Codecs know nothing of keys or ciphers;
// the encrypted forms differ only in where the `sops` metadata branch lives and how it is laid out.
import type { Documents } from "../tree/tree.js";

export type FormatName = "yaml" | "json" | "dotenv" | "ini" | "binary";

export interface Codec {
  readonly name: FormatName;
  /** Reads a plaintext file. Errors are SealboxErrors naming `file` and the line. */
  parsePlain(input: Uint8Array, file: string): Documents;
  /**
   * Reads an encrypted file. Each document's metadata comes back as a top-level item `sops`
   * holding a Branch (codecs that store it flattened, like dotenv and INI, unflatten it here).
   */
  parseEncrypted(input: Uint8Array, file: string): Documents;
  /** Writes decrypted documents as the user's file. */
  emitPlain(docs: Documents): Uint8Array;
  /** Writes encrypted documents, each carrying its `sops` item, laid out as sops writes them. */
  emitEncrypted(docs: Documents): Uint8Array;
}
