// The document MAC (sops.go Tree.Encrypt/Decrypt): SHA-512 over every value in tree order, as
// uppercase hex, stored encrypted with the data key and `lastmodified` as additional data.
import { createHash, type Hash } from "node:crypto";
import type { Comment } from "../tree/tree.js";
import { valueBytes, type PlainValue } from "./sops-value.js";

/** sops's MACOnlyEncryptedInitialization: sha256("sops"), so both MAC modes never collide. */
const MAC_ONLY_ENCRYPTED_PREFIX = Buffer.from("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69", "hex");

/** The bytes the MAC starts with before any value. */
export function macPrefix(macOnlyEncrypted: boolean): Uint8Array {
  return macOnlyEncrypted ? MAC_ONLY_ENCRYPTED_PREFIX : new Uint8Array(0);
}

export class MacHasher {
  private readonly hash: Hash = createHash("sha512");

  constructor(macOnlyEncrypted: boolean) {
    this.hash.update(macPrefix(macOnlyEncrypted));
  }

  add(value: Exclude<PlainValue, Comment>): void {
    this.hash.update(valueBytes(value));
  }

  hex(): string {
    return this.hash.digest("hex").toUpperCase();
  }
}
