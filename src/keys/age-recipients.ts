// Turns age recipient and identity strings into what age-encryption's Encrypter/Decrypter accept.
// This is the seam for faster or extra recipient types (native X25519, ssh-ed25519, ssh-rsa):
// they come back as Recipient/Identity objects, the built-in types as validated strings.
import type { Identity, Recipient } from "age-encryption";
import { SealboxError } from "../errors.js";

export type AgeRecipient = Recipient | string;
export type AgeIdentity = Identity | string;

const RECIPIENT = /^age1(pq1)?[02-9ac-hj-np-z]+$/;

export function parseRecipient(recipient: string): AgeRecipient {
  if (RECIPIENT.test(recipient)) return recipient;
  throw new SealboxError("NoEncryptionKeyFound", `not an age recipient: ${recipient}`);
}

/**
 * Parses the text of an identity file (or SOPS_AGE_KEY): one identity per line, `#` comments and
 * blank lines ignored. `source` names where the text came from, for messages.
 */
export function parseIdentities(text: string, source: string): AgeIdentity[] {
  const identities: AgeIdentity[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (line.startsWith("AGE-SECRET-KEY-")) identities.push(line);
    else throw new SealboxError("CouldNotRetrieveKey", "not an age identity (expected AGE-SECRET-KEY-1…)", { file: source, line: index + 1 });
  });
  return identities;
}
