// Key types sops has and sealbox does not. Their sops flags and variables are refused with that
// reason: sops would add such keys to a new file, and quietly leaving them out would differ.
import { SealboxError } from "../errors.js";

export interface UnsupportedKeyType {
  type: string;
  /** sops's flag naming such keys, where it has one. */
  flag?: string;
  /** The variable sops reads such keys from. */
  variable: string;
}

export const UNSUPPORTED_KEY_TYPES: readonly UnsupportedKeyType[] = [
  { type: "PGP", flag: "--pgp", variable: "SOPS_PGP_FP" },
  { type: "GCP KMS", flag: "--gcp-kms", variable: "SOPS_GCP_KMS_IDS" },
  { type: "Azure Key Vault", flag: "--azure-kv", variable: "SOPS_AZURE_KEYVAULT_URLS" },
  { type: "HashiCorp Vault", flag: "--hc-vault-transit", variable: "SOPS_VAULT_URIS" },
  { type: "HuaweiCloud KMS", variable: "SOPS_HUAWEICLOUD_KMS_IDS" },
];

/** The refusal for `given` (a flag or a variable) naming keys of `key.type`. */
export function unsupportedKeys(key: UnsupportedKeyType, given: string, file?: string): SealboxError {
  return new SealboxError("ConflictingParameters", `${given} names ${key.type} keys, which sealbox cannot use (age and AWS KMS keys only)`, { file });
}
