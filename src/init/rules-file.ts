// The .sops.yaml that `sealbox init` writes: a Sealed Secrets rule first (first match wins), then
// the SOPS rule. Keys are written as sops 3.x reads them everywhere: one comma-separated string.
import { yamlLibrary } from "../formats/yaml-library.js";
import type { SealedScope } from "../rules/config.js";

export interface InitRules {
  /** age recipients (age1…, age1pq1…, ssh-ed25519 …, ssh-rsa …). */
  age: string[];
  /** AWS KMS key ARNs (ARN or ARN+ROLE_ARN). */
  kms: string[];
  /** Which files the SOPS rule covers; undefined: every file not taken by the sealed rule. */
  pathRegex?: string;
  encryptedRegex?: string;
  sealed?: {
    /** Certificate path relative to the rules file's directory, or a URL. */
    cert: string;
    scope: SealedScope;
    pathRegex: string;
  };
}

export const DEFAULT_SEALED_PATH_REGEX = "\\.sealed\\.(ya?ml|json)$";

/** The rules file text. Throws nothing: the caller has already validated every value. */
export function renderRulesFile(rules: InitRules): string {
  const creationRules: Record<string, unknown>[] = [];
  if (rules.sealed) {
    creationRules.push({
      path_regex: rules.sealed.pathRegex,
      sealed_secrets: { cert: rules.sealed.cert, scope: rules.sealed.scope },
    });
  }
  if (rules.age.length || rules.kms.length) {
    const rule: Record<string, unknown> = {};
    if (rules.pathRegex) rule.path_regex = rules.pathRegex;
    if (rules.encryptedRegex) rule.encrypted_regex = rules.encryptedRegex;
    if (rules.age.length) rule.age = rules.age.join(",");
    if (rules.kms.length) rule.kms = rules.kms.join(",");
    creationRules.push(rule);
  }
  const doc = new (yamlLibrary().Document)({ creation_rules: creationRules });
  doc.commentBefore = [
    " Written by `sealbox init`. sops reads this file too; it ignores sealed_secrets.",
    " The first rule whose path_regex matches a file's path (relative to this file) is used.",
  ].join("\n");
  return doc.toString({ lineWidth: 0 });
}
