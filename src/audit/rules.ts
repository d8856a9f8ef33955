// The audit's finding kinds: stable ids (scripts and SARIF consumers key on them), a default level,
// and the text shown as SARIF rule help. Changing an id is a breaking change (docs/audit.md).
export type Level = "error" | "warning" | "note";
export const LEVELS: Level[] = ["error", "warning", "note"];
export const LEVEL_RANK: Record<Level, number> = { error: 3, warning: 2, note: 1 };

export interface AuditRule {
  id: string;
  name: string;
  level: Level;
  short: string;
  help: string;
}

export const AUDIT_RULES = {
  plaintextSecret: {
    id: "SBX001",
    name: "plaintext-secret",
    level: "error",
    short: "A Kubernetes Secret with data in plain text is in the repository",
    help: "Seal it (sealbox seal) or encrypt it (sealbox encrypt -i), then remove the plaintext from Git history and rotate the values it exposed.",
  },
  unencryptedFile: {
    id: "SBX002",
    name: "unencrypted-file",
    level: "error",
    short: "A file that a creation rule says must be encrypted is not",
    help: "Encrypt it with `sealbox encrypt -i FILE` (or seal it, for a sealed_secrets rule); if it was committed, treat its values as exposed.",
  },
  plaintextInEncryptedFile: {
    id: "SBX003",
    name: "plaintext-in-encrypted-file",
    level: "error",
    short: "An encrypted file holds a value in clear text where its own settings encrypt values",
    help: "sops never writes such a file: the value was added or changed by hand after encryption and is stored in clear text, and neither sops nor sealbox can decrypt the file (not even with --ignore-mac). Delete those lines, then add the values with `sealbox edit FILE` (with --ignore-mac when they replaced encrypted values: the MAC no longer matches). If the file was committed, treat the values as exposed.",
  },
  extraRecipient: {
    id: "SBX010",
    name: "recipient-not-in-rule",
    level: "error",
    short: "The file is encrypted to a recipient its creation rule does not name",
    help: "Someone the rules no longer list can still decrypt the file. Run `sealbox rotate FILE` (new data key, recipients from the rules).",
  },
  missingRecipient: {
    id: "SBX011",
    name: "rule-recipient-missing",
    level: "warning",
    short: "A recipient the creation rule names cannot decrypt the file",
    help: "Run `sealbox updatekeys -y FILE` (or `sealbox rotate FILE`) to add the rule's recipients.",
  },
  keyGroupDrift: {
    id: "SBX012",
    name: "key-group-drift",
    level: "warning",
    short: "The file's key groups or Shamir threshold differ from its creation rule",
    help: "Run `sealbox rotate FILE` to re-split the data key as the rule says.",
  },
  scopeDrift: {
    id: "SBX013",
    name: "sealed-scope-drift",
    level: "warning",
    short: "A SealedSecret's scope differs from the scope its creation rule names",
    help: "Re-seal it into the rule's scope with `sealbox scope FILE --to SCOPE`.",
  },
  certExpired: {
    id: "SBX020",
    name: "sealing-cert-expired",
    level: "error",
    short: "The sealing certificate a creation rule names has expired",
    help: "Fetch the controller's current certificate (sealbox cert fetch) and re-seal with `sealbox rotate --private-key`.",
  },
  certExpiring: {
    id: "SBX021",
    name: "sealing-cert-expiring",
    level: "warning",
    short: "The sealing certificate a creation rule names expires soon",
    help: "Fetch the controller's renewed certificate (sealbox cert fetch) before this one expires.",
  },
  certUnreadable: {
    id: "SBX022",
    name: "sealing-cert-unreadable",
    level: "error",
    short: "The sealing certificate a creation rule names cannot be read",
    help: "Fix the `sealed_secrets.cert` path in .sops.yaml or fetch the certificate (sealbox cert fetch).",
  },
  exposedValue: {
    id: "SBX030",
    name: "exposed-value",
    level: "warning",
    short: "An encrypted file leaves a secret-looking value unencrypted",
    help: "The file's encryption settings (unencrypted_regex, encrypted_regex, suffixes) leave this value in clear text. Narrow them and re-encrypt.",
  },
  weakRule: {
    id: "SBX031",
    name: "weak-rule-selector",
    level: "warning",
    short: "A creation rule's settings leave Secret data unencrypted",
    help: "unencrypted_regex (or a too narrow encrypted_regex) matches keys such as data or stringData: values under them are stored in clear text.",
  },
  macOnlyEncrypted: {
    id: "SBX032",
    name: "mac-only-encrypted",
    level: "note",
    short: "Unencrypted values are not covered by the file's MAC",
    help: "With mac_only_encrypted the clear-text values can be changed without detection.",
  },
  stale: {
    id: "SBX040",
    name: "not-rotated",
    level: "warning",
    short: "The file's data key has not been rotated within --max-age days",
    help: "Run `sealbox rotate FILE`.",
  },
  unreadable: {
    id: "SBX050",
    name: "unreadable-file",
    level: "warning",
    short: "An encrypted file could not be read",
    help: "The file names sops or SealedSecrets but does not parse; it may be damaged or hand-edited.",
  },
  noRule: {
    id: "SBX051",
    name: "no-creation-rule",
    level: "note",
    short: "An encrypted file no creation rule covers",
    help: "Without a rule its recipients cannot be checked; add a creation rule to .sops.yaml.",
  },
  unsupportedKey: {
    id: "SBX052",
    name: "unsupported-key-type",
    level: "note",
    short: "The file carries a key type sealbox does not use (pgp, gcp_kms, azure_kv, hc_vault)",
    help: "sealbox keeps such stanzas but cannot check or wrap them.",
  },
} satisfies Record<string, AuditRule>;

export type AuditRuleName = keyof typeof AUDIT_RULES;
