// sops groups add/delete: a file's key groups changed while its data key stays. With several groups
// the data key is split with Shamir, one share per group, so any change of groups is a fresh split
// of the same key, wrapped again for every recipient.
import { SealboxError } from "../errors.js";
import type { KeySources } from "../keys/registry.js";
import type { RecipientGroup } from "../keys/types.js";
import { recipientId, sameKey } from "../repo/recipients.js";
import { storedRecipients, wrapDataKey } from "../sops/datakey.js";
import { emitEncrypted } from "../sops/sops-file.js";
import { sealOpened, type OpenedFile } from "./sops-ops.js";

const CANNOT_REWRAP = "sops itself can change the groups of such a file";

/**
 * The file's groups with `group` added at the end. A recipient that another group already holds is
 * refused: holding two shares, it would need one group fewer to open the file.
 */
export function groupsWithAdded(opened: OpenedFile, group: RecipientGroup): RecipientGroup[] {
  if (group.length === 0) throw new SealboxError("NoEncryptionKeyFound", "groups add needs the new group's keys: --age or --kms");
  const groups = storedRecipients(opened.metadata.keyGroups, CANNOT_REWRAP);
  for (const spec of group) {
    const holder = groups.findIndex((g) => g.some((key) => sameKey(key, spec)));
    if (holder >= 0) throw new SealboxError("ConflictingParameters", `${recipientId(spec)} is already in key group ${holder}: in a second group it would hold two Shamir shares`);
  }
  return [...groups, group];
}

/** The file's groups without the one at `index` (0-based, as sops counts them). */
export function groupsWithout(opened: OpenedFile, index: number): RecipientGroup[] {
  const groups = storedRecipients(opened.metadata.keyGroups, CANNOT_REWRAP);
  if (!Number.isInteger(index) || index < 0 || index >= groups.length) {
    throw new SealboxError("ConflictingParameters", `there is no key group ${index}: the file has ${groups.length} (numbered from 0)`);
  }
  if (groups.length === 1) throw new SealboxError("ConflictingParameters", "the file has one key group: deleting it would leave nobody able to open the file");
  return groups.filter((_, i) => i !== index);
}

/**
 * The file re-written with `groups`: the same data key, split again when there are several groups.
 * The threshold is `threshold`, else the file's own, else all the groups; as sops, one the groups
 * cannot meet is refused, so going down to a single group takes an explicit threshold of 1.
 */
export async function withKeyGroups(opened: OpenedFile, groups: RecipientGroup[], sources: KeySources, threshold?: number): Promise<Uint8Array> {
  // no threshold anywhere is sops's 0: every group of the new set is needed (wrapDataKey's default)
  const required = threshold ?? opened.metadata.shamirThreshold;
  if (required !== undefined && required > groups.length) {
    throw new SealboxError("ConflictingParameters", `the Shamir threshold is ${required}, but there would be only ${groups.length} key group${groups.length === 1 ? "" : "s"}: lower it with --shamir-secret-sharing-threshold (to ${groups.length} at most) if that is meant`);
  }
  const wanted = groups.length > 1 ? required : undefined;
  // Shamir's split needs two shares at least (sops's shamir.Split refuses 1 too): a threshold of 1
  // would be several copies of the key, which is one group with all the keys in it
  if (wanted !== undefined && wanted < 2) throw new SealboxError("ConflictingParameters", `a Shamir threshold is at least 2, not ${wanted}: for keys that each open the file alone, put them in one group`);
  const { keyGroups, shamirThreshold } = await wrapDataKey(groups, opened.dataKey, sources, wanted);
  const metadata = { ...opened.metadata, keyGroups, shamirThreshold };
  // As sops: the values, their MAC and lastmodified stay as they are, so a diff shows the keys alone.
  // Into another format the values are encrypted again (dotenv and INI paths are not YAML's).
  if (opened.codecs.output === opened.codecs.input) return emitEncrypted(opened.codecs.output, { docs: opened.encrypted.docs, metadata }, opened.emitOptions);
  return sealOpened({ ...opened, metadata });
}
