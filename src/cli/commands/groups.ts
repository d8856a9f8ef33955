// `sealbox groups add|delete`: sops's commands for a file's key groups (Shamir secret sharing). The
// data key and the values stay; the key groups, and so the shares, are made again.
import type { Command } from "commander";
import { addFileFlags, indentOption, shamirThresholdOption, type FileFlags } from "../sops-flags.js";

interface GroupsFlags extends FileFlags {
  file: string;
  inPlace?: boolean;
  shamirSecretSharingThreshold?: number;
}

interface AddFlags extends GroupsFlags {
  age?: string;
  kms?: string;
  awsProfile?: string;
  encryptionContext?: string;
}

function addGroupsFlags(command: Command): Command {
  return addFileFlags(command)
    .requiredOption("-f, --file <file>", "the encrypted file")
    .option("-i, --in-place", "rewrite the file (atomically) instead of printing it")
    .addOption(shamirThresholdOption("how many key groups are needed to decrypt from now on (default, or 0: the file's, else all)"))
    .addOption(indentOption());
}

/** sops's --age and --kms here are repeatable: every value counts, not the last. */
function joinRepeated(value: string, previous: string | undefined): string {
  return previous === undefined ? value : `${previous},${value}`;
}

export function registerGroups(program: Command): void {
  const groups = program
    .command("groups")
    .description("add or delete a file's key groups (sops groups); the data key is kept, the Shamir shares made again")
    .addHelpText("after", `\nExamples:\n  sealbox groups add --file secrets.yaml --age age1… -i\n  sealbox groups delete --file secrets.yaml 1 -i`);
  addGroupsFlags(groups.command("add").description("add a key group: these keys together hold one share"))
    .option("-a, --age <recipients>", "the new group's age recipients, comma-separated or repeated", joinRepeated)
    .option("-k, --kms <arns>", "the new group's AWS KMS key ARNs, comma-separated or repeated, ARN+ROLE_ARN to assume a role", joinRepeated)
    .option("--aws-profile <profile>", "the AWS profile for the KMS keys")
    .option("--encryption-context <pairs>", "KMS encryption context, key:value,key2:value2")
    .addHelpText("after", `\nExample:\n  sealbox groups add --file secrets.yaml --age age1… --shamir-secret-sharing-threshold 2 -i`)
    .action(async (flags: AddFlags) => {
      const { parseKmsArns, parseEncryptionContext } = await import("../../keys/kms.js");
      const { groupsWithAdded } = await import("../../ops/key-groups.js");
      const context = flags.encryptionContext ? parseEncryptionContext(flags.encryptionContext) : undefined;
      const group = [
        ...(flags.age ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((recipient) => ({ type: "age" as const, recipient })),
        ...(flags.kms ? parseKmsArns(flags.kms, context, flags.awsProfile) : []),
      ];
      await regroup(flags, (opened) => groupsWithAdded(opened, group));
    });
  addGroupsFlags(groups.command("delete").description("delete the key group at INDEX (from 0, in the file's order)"))
    .argument("<index>", "which group, counting from 0")
    .addHelpText("after", `\nExample:\n  sealbox groups delete --file secrets.yaml 1 -i`)
    .action(async (index: string, flags: GroupsFlags) => {
      const { SealboxError } = await import("../../errors.js");
      const { groupsWithout } = await import("../../ops/key-groups.js");
      if (!/^\d+$/.test(index)) throw new SealboxError("ConflictingParameters", `the group index is a whole number from 0, not "${index}"`);
      await regroup(flags, (opened) => groupsWithout(opened, Number(index)));
    });
}

async function regroup(
  flags: GroupsFlags,
  change: (opened: import("../../ops/sops-ops.js").OpenedFile) => import("../../keys/types.js").RecipientGroup[],
): Promise<void> {
  const { SealboxError } = await import("../../errors.js");
  const { openEncrypted } = await import("../../ops/sops-ops.js");
  const { withKeyGroups } = await import("../../ops/key-groups.js");
  const { KeySources } = await import("../../keys/registry.js");
  const { decryptOptions, shamirThreshold } = await import("../sops-flags.js");
  const { readInput, writeOutput } = await import("../../ops/file-io.js");
  const options = decryptOptions(flags, flags.file);
  // one set of key sources opens the file and wraps the data key again (a passphrase asked once)
  const sources = new KeySources({ age: { passphrase: options.passphrase } });
  const input = await readInput(flags.file);
  const opened = await openEncrypted(input.bytes, { ...options, sources });
  try {
    const output = await withKeyGroups(opened, change(opened), sources, shamirThreshold(flags));
    await writeOutput(output, flags.inPlace ? flags.file : undefined);
  } catch (error) {
    throw error instanceof SealboxError ? error.inFile(flags.file) : error;
  } finally {
    opened.dataKey.fill(0);
  }
}
