// Turns age recipient and identity strings into what age-encryption's Encrypter/Decrypter accept.
// X25519 and ssh keys come back as our native Recipient/Identity objects (node:crypto instead of the
// pure-JavaScript built-in, see age-x25519.ts); post-quantum and tag types stay strings for age-encryption.
import type { Identity, Recipient } from "age-encryption";
import { SealboxError } from "../errors.js";
import { looksLikeKeyMaterial } from "../core/redact.js";
import { decodeX25519Recipient, NativeX25519Identity, NativeX25519Recipient, tryBech32 } from "./age-x25519.js";
import { isSshRecipient, parseSshRecipient } from "./age-ssh.js";

export type AgeRecipient = Recipient | string;
export type AgeIdentity = Identity | string;

const BECH32_RECIPIENT = /^age1(pq1|tag1|tagpq1)?[02-9ac-hj-np-z]+$/;

// Bulk runs wrap for the same few recipients thousands of times: parse each string once.
const parsed = new Map<string, AgeRecipient>();

/** Shortens a (possibly 2,000-character post-quantum) recipient for messages. */
function shown(recipient: string): string {
  // an identity pasted where a recipient belongs is a secret: name what it is, never its characters
  if (looksLikeKeyMaterial(recipient)) return "(a secret key, not shown: give its public recipient, e.g. from age-keygen -y)";
  // only text that starts like a recipient is shown: anything else may be a key in the wrong place
  if (!/^(age1|ssh-)/i.test(recipient.trim())) return "(text that does not start with age1 or ssh-, not shown)";
  return recipient.length > 72 ? `${recipient.slice(0, 60)}…` : recipient;
}

/**
 * One recipient as sops accepts it: `age1…` (X25519), `age1pq1…` (ML-KEM-768 + X25519 hybrid),
 * `age1tag1…`/`age1tagpq1…`, or an ssh public key line (`ssh-ed25519 AAAA…`, `ssh-rsa AAAA…`).
 * Throws SealboxError(NoEncryptionKeyFound) naming the recipient when it is malformed.
 */
export function parseRecipient(recipient: string): AgeRecipient {
  const cached = parsed.get(recipient);
  if (cached) return cached;
  const result = parseUncached(recipient.trim());
  parsed.set(recipient, result);
  return result;
}

function parseUncached(recipient: string): AgeRecipient {
  if (isSshRecipient(recipient)) return parseSshRecipient(recipient);
  const kind = recipientKind(recipient);
  const bad = (why: string): never => {
    throw new SealboxError("NoEncryptionKeyFound", `not an age recipient (${why}): ${shown(recipient)}`);
  };
  if (kind === "plugin") bad("age plugin recipients are not supported");
  if (kind === "unknown" || !BECH32_RECIPIENT.test(recipient)) bad("expected age1… or an ssh public key");
  switch (kind) {
    case "x25519":
      try {
        decodeX25519Recipient(recipient);
      } catch {
        bad("bad checksum or length");
      }
      return new NativeX25519Recipient(recipient);
    case "pq":
      if (tryBech32(recipient)?.bytes.length !== 1216) bad("bad checksum or length for a post-quantum key");
      return recipient;
    case "tag":
      if (tryBech32(recipient)?.bytes.length !== 33) bad("bad checksum or length for a tag key");
      return recipient;
    case "tagpq":
      if (tryBech32(recipient)?.bytes.length !== 1249) bad("bad checksum or length for a post-quantum tag key");
      return recipient;
    default:
      return bad("expected age1… or an ssh public key");
  }
}

type RecipientKind = "x25519" | "pq" | "tag" | "tagpq" | "ssh" | "plugin" | "unknown";

function recipientKind(recipient: string): RecipientKind {
  if (isSshRecipient(recipient)) return "ssh";
  if (recipient.startsWith("age1pq1")) return "pq";
  if (recipient.startsWith("age1tagpq1")) return "tagpq";
  if (recipient.startsWith("age1tag1")) return "tag";
  if (!recipient.startsWith("age1")) return "unknown";
  // sops: an `age1` string with a second "1" is a plugin (`age1yubikey1…`); bech32 has one separator.
  return recipient.indexOf("1", 4) === -1 ? "x25519" : "plugin";
}

/**
 * age refuses to encrypt one file to both post-quantum and classic recipients (the classic one
 * would undo the post-quantum protection). Call before encrypting one age file to several
 * recipients. sops wraps the data key in a separate age file per recipient, so mixing across a
 * document's recipients is fine and this is not needed there.
 */
export function assertCompatibleRecipients(recipients: string[]): void {
  const isPq = (r: string): boolean => ["pq", "tagpq"].includes(recipientKind(r.trim()));
  const pq = recipients.filter(isPq).length;
  if (pq > 0 && pq < recipients.length) {
    throw new SealboxError("ConflictingParameters", "cannot encrypt one age file to both post-quantum (age1pq1…) and classic recipients, as age refuses to", {
      details: recipients.map((r) => `${isPq(r) ? "post-quantum" : "classic"}: ${shown(r)}`),
    });
  }
}

/**
 * A comma-separated recipient list, as sops reads `--age` and SOPS_AGE_RECIPIENTS: split on ",",
 * each entry trimmed; empty input is no recipients. Entries are validated with parseRecipient.
 */
export function parseAgeRecipientList(list: string | undefined, source = "SOPS_AGE_RECIPIENTS"): string[] {
  if (list === undefined || list === "") return [];
  return list.split(",").map((entry) => {
    const recipient = entry.trim();
    if (recipient === "") throw new SealboxError("NoEncryptionKeyFound", `${source}: empty entry in the comma-separated recipient list`);
    parseRecipient(recipient);
    return recipient;
  });
}

/**
 * Parses the text of an identity file (or SOPS_AGE_KEY): one identity per line, `#` comments and
 * blank lines ignored. `source` names where the text came from, for messages. Passphrase-protected
 * (age-encrypted) identity files are handled by parseIdentityFile in ./age-identities.ts.
 */
export function parseIdentities(text: string, source: string): AgeIdentity[] {
  const identities: AgeIdentity[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fail = (why: string): never => {
      throw new SealboxError("CouldNotRetrieveKey", why, { file: source, line: index + 1 });
    };
    if (line.startsWith("AGE-SECRET-KEY-PQ-1")) {
      const decoded = tryBech32(line);
      if (decoded?.prefix !== "age-secret-key-pq-" || decoded.bytes.length !== 32) fail("malformed post-quantum age identity (bad checksum or length)");
      identities.push(line);
    } else if (line.startsWith("AGE-SECRET-KEY-1")) {
      try {
        identities.push(new NativeX25519Identity(line));
      } catch {
        fail("malformed age identity (bad checksum or length)");
      }
    } else if (line.startsWith("AGE-PLUGIN-")) {
      fail("age plugin identities are not supported");
    } else {
      fail("not an age identity (expected AGE-SECRET-KEY-1…)");
    }
  });
  return identities;
}
