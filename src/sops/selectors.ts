// The settings that choose which values get encrypted, with their names in sops's metadata and
// rules, in sops's order: a file or rule may set one at most. A module without dependencies, as the
// CLI's flag table needs it at start-up.
import type { EncryptionSelectors } from "./encryption-rules.js";

export const SELECTORS = [
  ["encryptedSuffix", "encrypted_suffix"],
  ["unencryptedSuffix", "unencrypted_suffix"],
  ["encryptedRegex", "encrypted_regex"],
  ["unencryptedRegex", "unencrypted_regex"],
  ["encryptedCommentRegex", "encrypted_comment_regex"],
  ["unencryptedCommentRegex", "unencrypted_comment_regex"],
] as const satisfies readonly (readonly [keyof EncryptionSelectors, string])[];
