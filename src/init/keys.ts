// The age keys `sealbox init` can offer: public keys of the identities already on this machine (the
// places sops and sealbox read them, src/keys/age-identities.ts), or a new identity written where
// sops will find it.
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { SealboxError, failureReason } from "../errors.js";
import { identitySources, parseIdentityFile } from "../keys/age-identities.js";
import { isSshRecipient } from "../keys/age-ssh.js";
import { NativeX25519Identity } from "../keys/age-x25519.js";
import { writeFileAtomic } from "../ops/atomic-write.js";
import { sopsTimestamp } from "../sops/metadata.js";

export interface FoundRecipient {
  /** The public key to put in .sops.yaml. */
  recipient: string;
  /** Where its identity lives (a path or a variable name), for the menu. */
  source: string;
}

export interface FoundKeys {
  recipients: FoundRecipient[];
  /** Sources seen but not usable here (passphrase-protected, a command, unreadable), said once each. */
  skipped: string[];
}

async function readText(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** Public keys of every identity the environment provides. Never runs SOPS_AGE_KEY_CMD. */
export async function findExistingRecipients(env: NodeJS.ProcessEnv = process.env): Promise<FoundKeys> {
  const found: FoundKeys = { recipients: [], skipped: [] };
  const add = (recipient: string, source: string) => {
    if (!found.recipients.some((r) => r.recipient === recipient)) found.recipients.push({ recipient, source });
  };
  for (const source of identitySources(env)) {
    if (source.value === undefined) continue;
    if (source.kind === "age-command" || source.kind === "ssh-command") {
      found.skipped.push(`${source.name}: a command (not run by init)`);
      continue;
    }
    if (source.kind === "ssh-file") {
      // The public half sits beside the private key; its line is the recipient.
      const line = (await readText(`${source.value}.pub`))?.toString("utf8").trim().split("\n")[0]?.trim();
      if (line && isSshRecipient(line)) add(line.split(/\s+/).slice(0, 2).join(" "), source.value);
      continue;
    }
    const bytes = source.kind === "age-text" ? Buffer.from(source.value) : await readText(source.value);
    if (!bytes) continue;
    let identities;
    try {
      identities = parseIdentityFile(bytes, source.name);
    } catch (error) {
      found.skipped.push(error instanceof SealboxError ? error.describe() : `${source.name}: unreadable`);
      continue;
    }
    for (const identity of identities) {
      if (identity instanceof NativeX25519Identity) add(identity.recipient, source.name);
      else if (typeof identity === "string") {
        const { identityToRecipient } = await import("age-encryption");
        add(await identityToRecipient(identity), source.name);
      } else found.skipped.push(`${source.name}: passphrase-protected (give its public key with --age)`);
    }
  }
  return found;
}

/** Where sops looks for identities by default: the user config dir's sops/age/keys.txt. */
export function defaultKeyFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return identitySources(env).find((s) => s.kind === "age-file" && s.value?.endsWith(join("sops", "age", "keys.txt")))?.value;
}

/** The identity file text age-keygen writes. */
export function identityFileText(identity: string, recipient: string, date = new Date()): string {
  return `# created: ${sopsTimestamp(date)}\n# public key: ${recipient}\n${identity}\n`;
}

/** A new X25519 identity, in memory only until saveAgeIdentity writes it. */
export async function newAgeIdentity(): Promise<{ identity: string; recipient: string }> {
  const { generateX25519Identity, identityToRecipient } = await import("age-encryption");
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/**
 * Appends an identity to `path` (created 0600 in a 0700 directory if missing). An existing file
 * keeps every key it had: the whole new content is written atomically, mode 0600.
 */
export async function saveAgeIdentity(path: string, key: { identity: string; recipient: string }): Promise<{ appended: boolean }> {
  const existing = await readText(path);
  const before = existing ? existing.toString("utf8") : "";
  const text = (before && !before.endsWith("\n") ? `${before}\n` : before) + identityFileText(key.identity, key.recipient);
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, text, { mode: 0o600, forceMode: true });
  } catch (error) {
    throw new SealboxError("CouldNotWriteOutputFile", `cannot write the new age key: ${failureReason(error)}`, { file: path, cause: error });
  }
  return { appended: existing !== undefined };
}
