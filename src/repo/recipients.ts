// Recipients compared the same way everywhere (updatekeys, rotate, audit): a stanza in a file and a
// key a rule names are the same recipient when they would open the same way — the age recipient; the
// KMS ARN with its role and encryption context (the AWS profile only picks local credentials).
import type { RecipientGroup, RecipientSpec } from "../keys/types.js";
import type { StoredKeyGroup, StoredStanza } from "../sops/metadata.js";

/** A stable text naming one recipient, as messages and reports show it. */
export function recipientId(key: StoredStanza | RecipientSpec): string {
  if (key.type === "foreign") return `${key.kind} (not supported by sealbox)`;
  if (key.type === "age") return `age:${key.recipient}`;
  let id = `kms:${key.arn}`;
  if (key.role) id += `+${key.role}`;
  if (key.context && Object.keys(key.context).length) {
    const pairs = Object.keys(key.context).sort().map((k) => `${k}=${key.context![k]}`);
    id += ` context{${pairs.join(",")}}`;
  }
  return id;
}

/**
 * Whether two specs are the same key, which is less than the same recipient: a KMS key is its ARN
 * whatever the role, profile or encryption context (the context is stored in the file, so whoever
 * may use the key opens every stanza of it). As sops's --rm-kms matches keys (MasterKey.ToString is
 * the ARN); used wherever a key may not hold two Shamir shares, and to find a key to remove.
 */
export function sameKey(a: RecipientSpec, b: RecipientSpec): boolean {
  if (a.type === "age" || b.type === "age") return a.type === b.type && recipientId(a) === recipientId(b);
  return a.arn === b.arn;
}

export interface GroupChange {
  group: number;
  added: string[];
  removed: string[];
  kept: string[];
}

export interface RecipientChange {
  /** True when the file's recipients are exactly the wanted ones (same groups, same keys). */
  same: boolean;
  groups: GroupChange[];
  /** Set when the number of key groups (or the Shamir threshold) changes. */
  structure?: string;
}

/** What changes when a file's key groups become `wanted` (per group, by position). */
export function diffRecipients(current: StoredKeyGroup[], wanted: RecipientGroup[], currentThreshold?: number, wantedThreshold?: number): RecipientChange {
  const groups: GroupChange[] = [];
  const count = Math.max(current.length, wanted.length);
  for (let i = 0; i < count; i++) {
    const have = new Set((current[i] ?? []).map(recipientId));
    const want = new Set((wanted[i] ?? []).map(recipientId));
    groups.push({
      group: i,
      added: [...want].filter((id) => !have.has(id)),
      removed: [...have].filter((id) => !want.has(id)),
      kept: [...want].filter((id) => have.has(id)),
    });
  }
  let structure: string | undefined;
  if (current.length !== wanted.length) structure = `key groups: ${current.length} → ${wanted.length}`;
  else if (wanted.length > 1) {
    const before = currentThreshold ?? current.length;
    const after = wantedThreshold ?? wanted.length;
    if (before !== after) structure = `shamir threshold: ${before} → ${after}`;
  }
  const same = !structure && groups.every((g) => g.added.length === 0 && g.removed.length === 0);
  return { same, groups, structure };
}

/** One line per group, e.g. "+age:age1… -age:age1…"; empty when nothing changes. */
export function describeChange(change: RecipientChange): string[] {
  const lines: string[] = [];
  if (change.structure) lines.push(change.structure);
  const many = change.groups.length > 1;
  for (const g of change.groups) {
    const parts = [...g.added.map((id) => `+ ${id}`), ...g.removed.map((id) => `- ${id}`)];
    if (parts.length) lines.push(...parts.map((p) => (many ? `group ${g.group}: ${p}` : p)));
  }
  return lines;
}
