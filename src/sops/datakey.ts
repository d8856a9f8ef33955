// The data key: made fresh per file, wrapped for every master key (split with Shamir across key
// groups when there are several), and recovered by trying keys in the decryption order.
import { randomBytes } from "node:crypto";
import { SealboxError } from "../errors.js";
import { splitSecret, combineShares } from "../core/shamir.js";
import { describeStanza, type KeyStanza, type RecipientGroup, type RecipientSpec } from "../keys/types.js";
import type { KeySources } from "../keys/registry.js";
import type { StoredKeyGroup, StoredStanza } from "./metadata.js";

export const DATA_KEY_BYTES = 32;
/** sops's DefaultDecryptionOrder, with the key types sealbox supports. */
export const DEFAULT_DECRYPTION_ORDER = ["age", "kms"];

export function newDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_BYTES));
}

export interface WrappedKeys {
  keyGroups: StoredKeyGroup[];
  shamirThreshold?: number;
}

/**
 * A file's own recipients as specs, to wrap a data key for them again; a foreign key type (pgp,
 * gcp_kms, …) cannot be wrapped for, and `hint` says what to do instead.
 */
export function storedRecipients(groups: StoredKeyGroup[], hint: string): RecipientGroup[] {
  return groups.map((group) =>
    group.map((s): RecipientSpec => {
      if (s.type === "foreign") throw new SealboxError("NoEncryptionKeyFound", `the file has a ${s.kind} key, which sealbox cannot wrap a data key for; ${hint}`);
      if (s.type === "age") return { type: "age", recipient: s.recipient };
      return { type: "kms", arn: s.arn, ...(s.role ? { role: s.role } : {}), ...(s.context ? { context: s.context } : {}), ...(s.aws_profile ? { awsProfile: s.aws_profile } : {}) };
    }),
  );
}

/** Wraps `dataKey` (or one Shamir share of it per group) for every recipient of every group. */
export async function wrapDataKey(groups: RecipientGroup[], dataKey: Uint8Array, sources: KeySources, threshold?: number): Promise<WrappedKeys> {
  if (groups.length === 0 || groups.every((g) => g.length === 0)) {
    throw new SealboxError("NoEncryptionKeyFound", "no recipients: name age recipients or KMS keys (flags, SOPS_AGE_RECIPIENTS, or a creation rule in .sops.yaml)");
  }
  let parts: Uint8Array[] = [dataKey];
  let shamirThreshold: number | undefined;
  if (groups.length > 1) {
    shamirThreshold = threshold && threshold > 0 ? threshold : groups.length;
    if (shamirThreshold > groups.length) {
      throw new SealboxError("ErrorReadingConfig", `shamir_threshold ${shamirThreshold} is larger than the number of key groups (${groups.length})`);
    }
    parts = splitSecret(dataKey, groups.length, shamirThreshold);
  }
  const keyGroups = await Promise.all(groups.map((group, i) => Promise.all(group.map((r) => sources.wrap(r, parts[i])))));
  return { keyGroups, shamirThreshold };
}

function orderOf(stanza: StoredStanza, order: string[]): number {
  const type = stanza.type === "foreign" ? stanza.kind : stanza.type;
  const index = order.indexOf(type);
  return index < 0 ? order.length : index;
}

/** Tries the group's keys in decryption order; the first that unwraps wins. */
async function unwrapGroup(group: StoredKeyGroup, sources: KeySources, order: string[], failures: string[]): Promise<Uint8Array | undefined> {
  const sorted = group.map((s, i) => ({ s, i })).sort((a, b) => orderOf(a.s, order) - orderOf(b.s, order) || a.i - b.i);
  for (const { s } of sorted) {
    if (s.type === "foreign") {
      failures.push(`${s.kind}: key type not supported by sealbox`);
      continue;
    }
    try {
      return await sources.unwrap(s as KeyStanza);
    } catch (error) {
      failures.push(error instanceof SealboxError ? error.describe() : `${describeStanza(s)}: ${String(error)}`);
    }
  }
  return undefined;
}

/** Recovers the data key. The error lists every key tried and why it failed. */
export async function recoverDataKey(keyGroups: StoredKeyGroup[], sources: KeySources, options: { threshold?: number; decryptionOrder?: string[] } = {}): Promise<Uint8Array> {
  const order = options.decryptionOrder ?? DEFAULT_DECRYPTION_ORDER;
  const failures: string[] = [];
  const parts: Uint8Array[] = [];
  const needed = keyGroups.length > 1 ? (options.threshold && options.threshold > 0 ? options.threshold : keyGroups.length) : 1;
  for (const group of keyGroups) {
    if (parts.length >= needed) break;
    const part = await unwrapGroup(group, sources, order, failures);
    if (part) parts.push(part);
  }
  if (parts.length < needed) {
    const groupsNote = keyGroups.length > 1 ? ` (${parts.length} of the ${needed} key groups needed could be opened)` : "";
    throw new SealboxError("CouldNotRetrieveKey", `could not retrieve the data key${groupsNote}; keys tried:`, { details: failures });
  }
  const dataKey = keyGroups.length > 1 ? combineShares(parts) : parts[0];
  if (dataKey.length !== DATA_KEY_BYTES) throw new SealboxError("CouldNotRetrieveKey", "the recovered data key has the wrong length");
  return dataKey;
}
