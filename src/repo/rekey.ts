// One file's new keys, bytes in, bytes out. updatekeys keeps the data key and changes only the
// stanzas (kept ones byte for byte, so values, MAC and lastmodified stay as they were); rotate makes a
// new data key, re-encrypts every value and wraps it for the rule's recipients; a SealedSecret file
// is re-sealed to its rule's certificate with the old private keys (src/sealed/rewrite.ts).
import type { KeyObject } from "node:crypto";
import { SealboxError } from "../errors.js";
import type { KeySources } from "../keys/registry.js";
import type { RecipientGroup, RecipientSpec } from "../keys/types.js";
import { emitOptionsFor, matchCreationRule, type CreationRule } from "../rules/config.js";
import { newDataKey, recoverDataKey, storedRecipients, wrapDataKey } from "../sops/datakey.js";
import type { StoredKeyGroup } from "../sops/metadata.js";
import { decryptWithKey, emitEncrypted, encryptWithKey } from "../sops/sops-file.js";
import type { SealingCert } from "../sealed/cert.js";
import type { FormatName } from "../formats/types.js";
import type { Classified } from "./classify.js";
import { describeChange, diffRecipients, recipientId, sameKey, type RecipientChange } from "./recipients.js";

export interface RekeyContext {
  sources: KeySources;
  /** The rules file, found once for the run (undefined: there is none). */
  configPath?: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Old sealing private keys, for re-sealing SealedSecret files (rotate --private-key). */
  privateKeys?: readonly KeyObject[];
  /** Certificates loaded once per run, by the rule's cert path. */
  certs?: Map<string, Promise<SealingCert>>;
  /** rotate --add-age/--rm-age/--add-kms/--rm-kms: applied to the recipients each file gets. */
  keyChanges?: KeyChanges;
  /** rotate --indent: in place of the rules file's `stores:` for every file written. */
  indent?: number;
  /** --input-type: every file read with this store, not the one its name picks. */
  inputType?: FormatName;
}

/** Recipients to add (to the first key group, as sops rotate does) and to remove (from every group). */
export interface KeyChanges {
  add: RecipientSpec[];
  remove: RecipientSpec[];
}

/**
 * `groups` with the changes made, as sops rotate makes them: added to the first group, removed from
 * all. Where sops would quietly weaken a Shamir split, this refuses: a key added to the first group
 * that another group already holds could open the file alone, and a group emptied would lower the
 * threshold (change key_groups in .sops.yaml for that). Removing every recipient is an error too.
 */
export function applyKeyChanges(groups: RecipientGroup[], changes: KeyChanges | undefined): RecipientGroup[] {
  if (!changes) return groups;
  // a KMS key to remove is named by its ARN alone: neither the role nor the context need be spelled out
  const kept = groups.map((group) => group.filter((key) => !changes.remove.some((spec) => sameKey(spec, key))));
  const first = kept[0] ?? [];
  for (const spec of changes.add) {
    const other = kept.findIndex((group, i) => i > 0 && group.some((key) => sameKey(key, spec)));
    if (other > 0) throw new SealboxError("ConflictingParameters", `${recipientId(spec)} is already in key group ${other}: adding it to group 0 too would let it open the file without the other groups`);
    // the same recipient is not written twice; the same KMS key under another role or context is a new stanza
    if (!first.some((key) => recipientId(key) === recipientId(spec))) first.push(spec);
  }
  const result = [first, ...kept.slice(1)];
  if (result.every((group) => group.length === 0)) throw new SealboxError("NoEncryptionKeyFound", "the --rm-age/--rm-kms keys were all the file's recipients: nobody could open it");
  const emptied = result.findIndex((group) => group.length === 0);
  if (groups.length > 1 && emptied >= 0) throw new SealboxError("ConflictingParameters", `removing those keys empties key group ${emptied}, which would lower the Shamir threshold: change key_groups in .sops.yaml instead`);
  return result;
}

export type SopsFile = Extract<Classified, { kind: "sops" }>;
export type SealedFile = Extract<Classified, { kind: "sealed" }>;

export async function ruleFor(file: string, ctx: RekeyContext): Promise<CreationRule | undefined> {
  if (!ctx.configPath) return undefined;
  return matchCreationRule(file, ctx.configPath, ctx.cwd);
}

/** The recipients the file's creation rule names now; an error naming the rule when there are none. */
export function ruleRecipients(rule: CreationRule | undefined, command: string): RecipientGroup[] {
  if (!rule) throw new SealboxError("NoEncryptionKeyFound", `${command} needs a creation rule in .sops.yaml that matches this file`);
  if (rule.recipientGroups.length === 0) {
    throw new SealboxError("NoEncryptionKeyFound", `the creation rule at ${rule.configPath}:${rule.line} names no age or kms keys`);
  }
  return rule.recipientGroups;
}

export interface UpdateKeysPlan {
  change: RecipientChange;
  /** "+ age:…" / "- kms:…" lines; empty when the file is up to date. */
  lines: string[];
  /** Computes the new file (recovers the data key once, wraps it only for added recipients). */
  apply(): Promise<Uint8Array>;
}

export async function planUpdateKeys(path: string, sops: SopsFile, ctx: RekeyContext): Promise<UpdateKeysPlan> {
  const rule = await ruleFor(path, ctx);
  const wanted = ruleRecipients(rule, "updatekeys");
  const layout = await emitOptionsFor(sops.format, ctx.configPath, ctx.indent);
  const { metadata } = sops.file;
  const change = diffRecipients(metadata.keyGroups, wanted, metadata.shamirThreshold, rule!.shamirThreshold);
  return {
    change,
    lines: describeChange(change),
    async apply() {
      const dataKey = await recoverDataKey(metadata.keyGroups, ctx.sources, { threshold: metadata.shamirThreshold });
      // The MAC proves the recovered key is this file's key before anyone new is given it.
      decryptWithKey(sops.file, dataKey, false);
      let keyGroups: StoredKeyGroup[];
      let shamirThreshold: number | undefined;
      if (wanted.length === 1 && metadata.keyGroups.length === 1) {
        // Same identity as the diff, so "kept" in the report is exactly the stanza kept in the file.
        const existing = new Map(metadata.keyGroups[0].map((s) => [recipientId(s), s]));
        keyGroups = [await Promise.all(wanted[0].map((r) => existing.get(recipientId(r)) ?? ctx.sources.wrap(r, dataKey)))];
      } else {
        // Shamir shares come from one random split: a changed group layout needs a fresh split of the same key.
        ({ keyGroups, shamirThreshold } = await wrapDataKey(wanted, dataKey, ctx.sources, rule!.shamirThreshold));
      }
      return emitEncrypted(sops.codec, { docs: sops.file.docs, metadata: { ...metadata, keyGroups, shamirThreshold } }, layout);
    },
  };
}

export interface RotateResult {
  output: Uint8Array;
  lines: string[];
  note?: string;
}

/**
 * A new data key, every value re-encrypted, wrapped for the rule's recipients (or the file's own,
 * without a rule), with the recipients rotate was told to add or remove.
 */
export async function rotateSops(path: string, sops: SopsFile, ctx: RekeyContext): Promise<RotateResult> {
  const rule = await ruleFor(path, ctx);
  const layout = await emitOptionsFor(sops.format, ctx.configPath, ctx.indent);
  const { metadata } = sops.file;
  let wanted: RecipientGroup[];
  let threshold = metadata.shamirThreshold;
  let note: string | undefined;
  if (rule && rule.recipientGroups.length > 0) {
    wanted = rule.recipientGroups;
    threshold = rule.shamirThreshold;
  } else {
    wanted = storedRecipients(metadata.keyGroups, "add a creation rule that names its recipients");
    note = rule ? `the rule at ${rule.configPath}:${rule.line} names no keys: recipients kept` : "no creation rule matches: recipients kept";
  }
  wanted = applyKeyChanges(wanted, ctx.keyChanges);
  if (note && ctx.keyChanges) note = `${note}, then changed by --add/--rm`;
  const dataKey = await recoverDataKey(metadata.keyGroups, ctx.sources, { threshold: metadata.shamirThreshold });
  const docs = decryptWithKey(sops.file, dataKey, false);
  const fresh = newDataKey();
  const wrapped = await wrapDataKey(wanted, fresh, ctx.sources, threshold);
  const rotated = encryptWithKey(docs, { ...metadata, keyGroups: wrapped.keyGroups, shamirThreshold: wrapped.shamirThreshold }, fresh);
  dataKey.fill(0);
  fresh.fill(0);
  const change = diffRecipients(metadata.keyGroups, wanted, metadata.shamirThreshold, threshold);
  return { output: emitEncrypted(sops.codec, rotated, layout), lines: describeChange(change), note };
}

/** Re-seals every SealedSecret in the file to the certificate its rule names now. */
export async function resealFile(path: string, sealed: SealedFile, ctx: RekeyContext): Promise<RotateResult> {
  const rule = await ruleFor(path, ctx);
  if (!rule?.sealedSecrets) {
    const where = rule ? `the creation rule at ${rule.configPath}:${rule.line} has no sealed_secrets entry` : "no creation rule matches it";
    throw new SealboxError("BadCertificate", `cannot re-seal: ${where} (use \`sealbox reencrypt --cert\` for one-off files)`);
  }
  if (!ctx.privateKeys?.length) {
    throw new SealboxError("ConflictingParameters", "re-sealing SealedSecrets needs the old private keys: --private-key KEY");
  }
  const certs = (ctx.certs ??= new Map());
  const certPath = rule.sealedSecrets.cert;
  let cert = certs.get(certPath);
  if (!cert) {
    cert = import("../sealed/cert.js").then((m) => m.loadCertificate(certPath));
    certs.set(certPath, cert);
  }
  const { publicKey, sha256 } = await cert;
  const { reencrypt } = await import("../sealed/rewrite.js");
  const { stringifyManifests } = await import("../sealed/manifest.js");
  const count = reencrypt(sealed.manifests, path, { publicKey, privateKeys: ctx.privateKeys });
  return { output: Buffer.from(stringifyManifests(sealed.manifests), "utf8"), lines: [`re-sealed ${count} SealedSecret${count === 1 ? "" : "s"} to ${sha256}`] };
}
