// The document MAC (sops.go Tree.Encrypt/Decrypt): SHA-512 over every value in tree order, as
// uppercase hex, stored encrypted with the data key and `lastmodified` as additional data.
import { createHash, type Hash } from "node:crypto";
import { Comment, Timestamp } from "../tree/tree.js";
import { formatGoFloat, type PlainValue } from "./sops-value.js";
import { goStringToBytes } from "./go-string.js";

/** sops's MACOnlyEncryptedInitialization: sha256("sops"), so both MAC modes never collide. */
const MAC_ONLY_ENCRYPTED_PREFIX = Buffer.from("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69", "hex");

/** The bytes the MAC starts with before any value. */
export function macPrefix(macOnlyEncrypted: boolean): Uint8Array {
  return macOnlyEncrypted ? MAC_ONLY_ENCRYPTED_PREFIX : new Uint8Array(0);
}

/** sops's ToBytes: the bytes a value contributes to the MAC. Booleans are `True`/`False`. */
export function macBytes(value: Exclude<PlainValue, Comment>): Uint8Array {
  if (typeof value === "string") return goStringToBytes(value);
  if (typeof value === "bigint") return Buffer.from(value.toString());
  if (typeof value === "number") return Buffer.from(formatGoFloat(value));
  if (typeof value === "boolean") return Buffer.from(value ? "True" : "False");
  if (value instanceof Timestamp) return Buffer.from(value.text);
  return value; // bytes as they are: the hash only reads them (no copy of a large binary file)
}

export class MacHasher {
  private readonly hash: Hash = createHash("sha512");

  constructor(macOnlyEncrypted: boolean) {
    this.hash.update(macPrefix(macOnlyEncrypted));
  }

  add(value: Exclude<PlainValue, Comment>): void {
    this.hash.update(macBytes(value));
  }

  hex(): string {
    return this.hash.digest("hex").toUpperCase();
  }
}
