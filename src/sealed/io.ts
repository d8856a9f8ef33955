// The sealing certificate for the sealed commands: from --cert, else the creation rule that matches
// the output or input file, else SEALED_SECRETS_CERT, else (seal, as kubeseal) the controller's own,
// fetched through the cluster. (File I/O is src/ops/file-io.ts.)
import { SealboxError } from "../errors.js";
import { loadCertificate, type SealingCert } from "./cert.js";
import type { Scope } from "./scope.js";

export interface CertFlags {
  cert?: string;
  certSha256?: string;
}

export interface SealingTarget {
  cert: SealingCert;
  /** The rule's scope, when the certificate came from a rules file entry that names one. */
  ruleScope?: Scope;
}

/** Where a certificate comes from when nothing names one (seal: the controller, as kubeseal). */
export type CertFallback = () => Promise<SealingCert>;

/**
 * --cert, else the `sealed_secrets: {cert, scope}` of the creation rule (in .sops.yaml, or --config)
 * that matches `rulePath` (the file being written), else SEALED_SECRETS_CERT, else `fallback`;
 * pinned by --cert-sha256.
 */
export async function sealingTarget(flags: CertFlags & { config?: string }, command: string, rulePath: string | undefined, fallback?: CertFallback): Promise<SealingTarget> {
  if (flags.cert || rulePath === undefined) return { cert: await certFromFlags(flags, command, fallback) };
  const { resolveCreationRule } = await import("../rules/config.js");
  const rule = await resolveCreationRule(rulePath, { configPath: flags.config });
  if (!rule || (!rule.sealedSecrets && process.env.SEALED_SECRETS_CERT)) return { cert: await certFromFlags(flags, command, fallback) };
  if (!rule.sealedSecrets) {
    throw new SealboxError("BadCertificate", `${command} needs --cert: the creation rule matching ${rulePath} has no sealed_secrets entry`, { file: rule.configPath, line: rule.line });
  }
  const cert = await loadCertificate(rule.sealedSecrets.cert, { pinSha256: flags.certSha256 });
  return { cert, ruleScope: rule.sealedSecrets.scope };
}

/** The certificate named by --cert (else SEALED_SECRETS_CERT, else `fallback`), pinned by --cert-sha256 when given. */
export async function certFromFlags(flags: CertFlags, command: string, fallback?: CertFallback): Promise<SealingCert> {
  // kubeseal's environment default, so existing setups keep working.
  const env = process.env.SEALED_SECRETS_CERT;
  if (!flags.cert && env) return loadCertificate(env, { pinSha256: flags.certSha256 });
  if (!flags.cert && fallback) return fallback();
  if (!flags.cert) {
    throw new SealboxError("BadCertificate", `${command} needs the controller's certificate: --cert PATH|URL (get it with \`sealbox cert fetch > cert.pem\`)`);
  }
  return loadCertificate(flags.cert, { pinSha256: flags.certSha256 });
}
