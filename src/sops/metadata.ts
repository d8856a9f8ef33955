// The `sops` metadata branch <-> a typed object. Written with keys sorted and empty key lists left
// out, as sops 3.13 writes it; read leniently (dotenv and INI hand every value over as a string).
import { Branch, Timestamp, type Value } from "../tree/tree.js";
import { SealboxError } from "../errors.js";
import type { KeyStanza, KmsStanza } from "../keys/types.js";
import type { EncryptionSelectors } from "./encryption-rules.js";
import { SELECTORS } from "./selectors.js";

/** A master key of a type sealbox cannot use (pgp, gcp_kms, azure_kv, hc_vault): kept as it was. */
export interface ForeignStanza {
  type: "foreign";
  kind: string;
  fields: Branch;
}

export type StoredStanza = KeyStanza | ForeignStanza;
export type StoredKeyGroup = StoredStanza[];

export interface SopsMetadata {
  keyGroups: StoredKeyGroup[];
  shamirThreshold?: number;
  lastModified: string;
  mac: string;
  selectors: EncryptionSelectors;
  version: string;
}

export const SOPS_VERSION = "3.13.2";
const KEY_LIST_NAMES = ["age", "kms", "pgp", "gcp_kms", "azure_kv", "hc_vault"] as const;

function text(value: Value | undefined, field: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean") return String(value);
  // a hand-edited file may leave lastmodified unquoted, which YAML reads as a time
  if (value instanceof Timestamp) return value.text;
  throw new SealboxError("ErrorDecryptingMac", `sops metadata field ${field} should be a string`);
}

function stringMap(value: Value | undefined, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Branch)) throw new SealboxError("ErrorDecryptingMac", `sops metadata field ${field} should be a mapping`);
  const out: Record<string, string> = {};
  for (const item of value.items) if (typeof item.key === "string") out[item.key] = text(item.value, `${field}.${item.key}`);
  return Object.keys(out).length ? out : undefined;
}

function parseStanza(kind: string, entry: Value): StoredStanza {
  if (!(entry instanceof Branch)) throw new SealboxError("ErrorDecryptingMac", `sops metadata: each ${kind} entry should be a mapping`);
  if (kind === "age") {
    return { type: "age", recipient: text(entry.get("recipient"), "age.recipient"), enc: text(entry.get("enc"), "age.enc") };
  }
  if (kind === "kms") {
    const stanza: KmsStanza = {
      type: "kms",
      arn: text(entry.get("arn"), "kms.arn"),
      created_at: text(entry.get("created_at"), "kms.created_at"),
      enc: text(entry.get("enc"), "kms.enc"),
      aws_profile: text(entry.get("aws_profile"), "kms.aws_profile"),
    };
    const role = text(entry.get("role"), "kms.role");
    if (role) stanza.role = role;
    const context = stringMap(entry.get("context"), "kms.context");
    if (context) stanza.context = context;
    return stanza;
  }
  return { type: "foreign", kind, fields: entry };
}

function parseGroup(holder: Branch, where: string): StoredKeyGroup {
  const group: StoredKeyGroup = [];
  for (const kind of KEY_LIST_NAMES) {
    const list = holder.get(kind);
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new SealboxError("ErrorDecryptingMac", `sops metadata: ${where}${kind} should be a list`);
    for (const entry of list) group.push(parseStanza(kind, entry));
  }
  return group;
}

function parseBool(value: Value | undefined): boolean {
  return value === true || value === "true" || value === "True";
}

/** Reads the metadata branch. Throws errors naming the field at fault, never values. */
export function parseMetadata(sops: Value | undefined): SopsMetadata {
  // sops returns its MetadataNotFound as a plain error: exit status 1
  if (!(sops instanceof Branch)) throw new SealboxError("Generic", "sops metadata not found: this file is not encrypted by sops or sealbox");
  let keyGroups: StoredKeyGroup[];
  const groups = sops.get("key_groups");
  if (Array.isArray(groups) && groups.length > 0) {
    keyGroups = groups.map((g, i) => {
      if (!(g instanceof Branch)) throw new SealboxError("ErrorDecryptingMac", `sops metadata: key_groups[${i}] should be a mapping`);
      return parseGroup(g, `key_groups[${i}].`);
    });
  } else {
    keyGroups = [parseGroup(sops, "")];
  }
  if (keyGroups.every((g) => g.length === 0)) throw new SealboxError("NoEncryptionKeyFound", "no keys found in the file's sops metadata");
  const threshold = sops.get("shamir_threshold");
  const mac = text(sops.get("mac"), "mac");
  const lastModified = text(sops.get("lastmodified"), "lastmodified");
  if (!lastModified) throw new SealboxError("ErrorDecryptingMac", "sops metadata has no lastmodified");
  const selectors: EncryptionSelectors = { macOnlyEncrypted: parseBool(sops.get("mac_only_encrypted")) || undefined };
  for (const [key, name] of SELECTORS) selectors[key] = text(sops.get(name), name) || undefined;
  return {
    keyGroups,
    shamirThreshold: threshold === undefined || threshold === null ? undefined : Number(text(threshold, "shamir_threshold")),
    lastModified,
    mac,
    selectors,
    version: text(sops.get("version"), "version"),
  };
}

function sortedBranch(entries: [string, Value][]): Branch {
  return new Branch(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value })));
}

function stanzaBranch(s: StoredStanza): Branch {
  if (s.type === "foreign") return s.fields;
  if (s.type === "age") return sortedBranch([["recipient", s.recipient], ["enc", s.enc]]);
  const entries: [string, Value][] = [["arn", s.arn], ["created_at", s.created_at], ["enc", s.enc], ["aws_profile", s.aws_profile]];
  if (s.role) entries.push(["role", s.role]);
  if (s.context) entries.push(["context", sortedBranch(Object.entries(s.context))]);
  return sortedBranch(entries);
}

function kindOf(s: StoredStanza): string {
  return s.type === "foreign" ? s.kind : s.type;
}

function groupEntries(group: StoredKeyGroup, inKeyGroups: boolean): [string, Value][] {
  const entries: [string, Value][] = [];
  for (const kind of KEY_LIST_NAMES) {
    const stanzas = group.filter((s) => kindOf(s) === kind).map(stanzaBranch);
    // sops 3.13 writes hc_vault inside key groups even when it is empty
    if (stanzas.length > 0 || (inKeyGroups && kind === "hc_vault")) entries.push([kind, stanzas]);
  }
  return entries;
}

/** The metadata branch as sops writes it. */
export function metadataBranch(m: SopsMetadata): Branch {
  const entries: [string, Value][] = [];
  if (m.keyGroups.length === 1) entries.push(...groupEntries(m.keyGroups[0], false));
  else entries.push(["key_groups", m.keyGroups.map((g) => sortedBranch(groupEntries(g, true)))]);
  if (m.shamirThreshold !== undefined && m.keyGroups.length > 1) entries.push(["shamir_threshold", BigInt(m.shamirThreshold)]);
  entries.push(["lastmodified", m.lastModified], ["mac", m.mac], ["version", m.version]);
  const s = m.selectors;
  for (const [key, name] of SELECTORS) if (s[key]) entries.push([name, s[key]]);
  if (s.macOnlyEncrypted) entries.push(["mac_only_encrypted", true]);
  return sortedBranch(entries);
}

/** sops's time format for lastmodified and created_at: RFC 3339 in UTC, whole seconds. */
export function sopsTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
