/**
 * sealbox as a library: the functions the CLI itself calls, with nothing of the CLI around them
 * (no argument parsing, no terminal, no process exit). Every failure is a {@link SealboxError} with a
 * stable `code` and `exitStatus`; messages name files, lines and keys, never a secret value.
 *
 * Two routes, one package:
 * - SOPS documents: {@link encrypt}, {@link decrypt}, {@link openEncrypted}/{@link sealOpened},
 *   {@link fileStatus}; recipients from options, else SOPS_AGE_RECIPIENTS / SOPS_KMS_ARN, else the
 *   `.sops.yaml` creation rule that matches `options.filename`, exactly as `sealbox encrypt` decides.
 * - SealedSecrets: {@link seal}, {@link sealRaw}, {@link unseal}, with certificates from
 *   {@link loadCertificate} or {@link fetchControllerCert} and recovery keys from
 *   {@link loadPrivateKeys}.
 *
 * See docs/api.md for examples.
 * @module
 */

// ---- errors ----
export { SealboxError, ExitCode, isSealboxError } from "./errors.js";
export type { ExitCodeName, SealboxErrorOptions } from "./errors.js";

// ---- SOPS documents (what `sealbox encrypt|decrypt|edit|set|filestatus` call) ----
export { encrypt, decrypt, openEncrypted, sealOpened, fileStatus, planEncryption } from "./ops/sops-ops.js";
export type { EncryptOptions, DecryptOptions, FileOptions, OpenedFile } from "./ops/sops-ops.js";
export type { EncryptionSelectors } from "./sops/encryption-rules.js";
export type { SopsMetadata } from "./sops/metadata.js";
export type { EmitOptions, FormatName } from "./formats/types.js";
export { FORMAT_NAMES, formatForPath } from "./formats/index.js";

// ---- keys ----
/** Reuse one KeySources across many files so identities are read and KMS clients made only once. */
export { KeySources } from "./keys/registry.js";
export type { KeySourceOptions } from "./keys/registry.js";
export type { AgeRecipientSpec, KmsRecipientSpec, RecipientSpec, RecipientGroup, AgeStanza, KmsStanza, KeyStanza } from "./keys/types.js";
export { parseRecipient, parseAgeRecipientList, assertCompatibleRecipients } from "./keys/age-recipients.js";
export { loadAgeIdentities, identitySources, describeIdentitySources } from "./keys/age-identities.js";
export type { AgeIdentityOptions, IdentitySource } from "./keys/age-identities.js";

// ---- the rules file (.sops.yaml) ----
export { findConfigFile, loadRules, loadStores, resolveCreationRule, pathForRules, CONFIG_FILE_NAME } from "./rules/config.js";
export type { CreationRule, RuleLookupOptions, SealedScope, StoreIndents, IndentedStore } from "./rules/config.js";

// ---- SealedSecrets (what `sealbox seal|unseal|reencrypt|scope|cert` call) ----
/**
 * Seals every Secret in a manifest text (YAML documents, a JSON stream or a v1 List) into
 * SealedSecrets, in kubeseal's output layout: `seal(text, sourceName, { publicKey, format })`.
 * `sourceName` only labels errors. The same function as `sealbox seal`.
 */
export { sealManifests as seal, sealSecret, sealRaw, sealValue } from "./sealed/seal.js";
export type { SealOptions, RawOptions } from "./sealed/seal.js";
/**
 * The Secret the controller would make from one SealedSecret object, opened with backed-up private
 * keys (all values or none); unsealManifests does it for every SealedSecret of a file, as `sealbox
 * unseal` does.
 */
export { unsealSecret as unseal, unsealManifests, unsealValues, sealedIdentity } from "./sealed/unseal.js";
export type { SealedIdentity, UnsealOptions } from "./sealed/unseal.js";
export { loadCertificate, parseCertificate, checkCertificate, normaliseFingerprint } from "./sealed/cert.js";
export type { SealingCert, CertCheck, LoadCertOptions } from "./sealed/cert.js";
export { fetchControllerCert, loadKubeTarget, reencryptWithController, verifyWithController } from "./sealed/kube.js";
export type { FetchCertOptions, KubeconfigOptions } from "./sealed/kube.js";
export { loadPrivateKeys, parsePrivateKeys } from "./sealed/keys.js";
export type { NamedPrivateKey } from "./sealed/keys.js";
export { parseManifests, formatManifest, stringifyManifests, asSecret, asSealedSecret, isSealedSecret, readSecrets } from "./sealed/manifest.js";
export type { ManifestFormat, ManifestFile, ManifestDoc, SecretManifest, SealedSecretManifest, ObjectMeta } from "./sealed/manifest.js";
export { reencrypt as reencryptSealed, reencryptThrough, rescope, mergeInto } from "./sealed/rewrite.js";
export type { MergeOptions, ReencryptOptions, RescopeOptions } from "./sealed/rewrite.js";
export { reencryptFiles } from "./sealed/reencrypt-files.js";
export type { ReencryptFilesOptions, ReencryptedFile } from "./sealed/reencrypt-files.js";
export { validateThrough } from "./sealed/verify.js";
export { SCOPES, parseScope, scopeLabel } from "./sealed/scope.js";
export type { Scope } from "./sealed/scope.js";

// ---- whole repositories (what `sealbox rotate|updatekeys|audit|git` call) ----
export { rotatePaths, planUpdateKeysPaths, applyUpdateKeys } from "./repo/commands.js";
export type { RotateOptions, UpdateKeysRun } from "./repo/commands.js";
export type { KeyChanges } from "./repo/rekey.js";
export type { RunReport } from "./repo/run.js";
export { discoverFiles } from "./repo/discover.js";
export { audit, reachesThreshold } from "./audit/audit.js";
export type { AuditOptions, AuditReport, Finding, InventoryEntry } from "./audit/audit.js";
export { formatReport } from "./audit/format.js";
export { installGit, preCommitFindings } from "./repo/git.js";
export type { InstallOptions, InstallResult } from "./repo/git.js";

export { VERSION } from "./version.js";
