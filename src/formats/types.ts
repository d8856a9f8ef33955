// The contract between documents on disk and the tree. Codecs know nothing of keys or ciphers;
// the encrypted forms differ only in where the `sops` metadata branch lives and how it is laid out.
import type { Documents } from "../tree/tree.js";

export type FormatName = "yaml" | "json" | "dotenv" | "ini" | "binary";

/** How a codec lays out what it writes: sops's per-store settings (.sops.yaml `stores:`, --indent). */
export interface EmitOptions {
  /**
   * The indent as sops's store takes it. YAML: unset or 0 is 4; go-yaml keeps 2 to 9 and writes
   * anything else as 2. JSON (and the binary store's JSON): unset or -1 is a tab, 0 no indentation
   * (a line per element all the same), n is n spaces. Values sops refuses (negative for YAML, below
   * -1 for JSON) are refused before a codec sees them (src/rules/config.ts emitOptionsFor).
   */
  indent?: number;
}

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
  emitPlain(docs: Documents, options?: EmitOptions): Uint8Array;
  /** Writes encrypted documents, each carrying its `sops` item, laid out as sops writes them. */
  emitEncrypted(docs: Documents, options?: EmitOptions): Uint8Array;
}
