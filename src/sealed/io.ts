// File and stream plumbing shared by the sealed commands: input from a file or stdin, output to stdout
// or atomically to a file, and the sealing certificate from --cert (or the rules file).
import { readFile } from "node:fs/promises";
import { SealboxError } from "../errors.js";
import { writeFileAtomic } from "../ops/atomic-write.js";
import { loadCertificate, type SealingCert } from "./cert.js";
import type { Scope } from "./scope.js";

export interface Input {
  /** The path, or "(stdin)". */
  name: string;
  bytes: Buffer;
}

/** Reads a file, or stdin for "-" / undefined. */
export async function readInput(path: string | undefined): Promise<Input> {
  if (path === undefined || path === "-") {
    if (process.stdin.isTTY) process.stderr.write("sealbox: reading from stdin (end with Ctrl-D)\n");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return { name: "(stdin)", bytes: Buffer.concat(chunks) };
  }
  try {
    return { name: path, bytes: await readFile(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? (error as Error).message);
    throw new SealboxError("CouldNotReadInputFile", `cannot read: ${reason}`, { file: path, cause: error });
  }
}

/** Writes to `-o FILE` atomically (0600 for a new file), else to stdout. */
export async function writeOutput(text: string, outPath: string | undefined): Promise<void> {
  if (outPath === undefined || outPath === "-") {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
    return;
  }
  try {
    await writeFileAtomic(outPath, text);
  } catch (error) {
    throw new SealboxError("CouldNotWriteOutputFile", `cannot write: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file: outPath, cause: error });
  }
}

export interface CertFlags {
  cert?: string;
  certSha256?: string;
}

export interface SealingTarget {
  cert: SealingCert;
  /** The rule's scope, when the certificate came from a rules file entry that names one. */
  ruleScope?: Scope;
}

/**
 * --cert, else the `sealed_secrets: {cert, scope}` of the creation rule (in .sops.yaml, or --config)
 * that matches `rulePath` (the file being written), else SEALED_SECRETS_CERT; pinned by --cert-sha256.
 */
export async function sealingTarget(flags: CertFlags & { config?: string }, command: string, rulePath: string | undefined): Promise<SealingTarget> {
  if (flags.cert || rulePath === undefined) return { cert: await certFromFlags(flags, command) };
  const { resolveCreationRule } = await import("../rules/config.js");
  const rule = await resolveCreationRule(rulePath, { configPath: flags.config });
  if (!rule || (!rule.sealedSecrets && process.env.SEALED_SECRETS_CERT)) return { cert: await certFromFlags(flags, command) };
  if (!rule.sealedSecrets) {
    throw new SealboxError("BadCertificate", `${command} needs --cert: the creation rule matching ${rulePath} has no sealed_secrets entry`, { file: rule.configPath, line: rule.line });
  }
  const cert = await loadCertificate(rule.sealedSecrets.cert, { pinSha256: flags.certSha256 });
  return { cert, ruleScope: rule.sealedSecrets.scope };
}

/** The certificate named by --cert, pinned by --cert-sha256 when given. */
export async function certFromFlags(flags: CertFlags, command: string): Promise<SealingCert> {
  // kubeseal's environment default, so existing setups keep working.
  const env = process.env.SEALED_SECRETS_CERT;
  if (!flags.cert && env) return loadCertificate(env, { pinSha256: flags.certSha256 });
  if (!flags.cert) {
    throw new SealboxError("BadCertificate", `${command} needs the controller's certificate: --cert PATH|URL (get it with \`sealbox cert fetch > cert.pem\`)`);
  }
  return loadCertificate(flags.cert, { pinSha256: flags.certSha256 });
}
