// `sealbox rotate PATH…`: a new data key for every SOPS file, recipients from the current rules (so
// revoking someone is one command), and SealedSecret files re-sealed to their rule's certificate.
import type { Command } from "commander";
import type { FormatName } from "../../formats/types.js";
import type { RecipientSpec } from "../../keys/types.js";
import type { KeyChanges } from "../../repo/rekey.js";
import { collect } from "../options.js";
import { addUnsupportedKeyFlags, indentOption, inputTypeOption, terminalPassphrase } from "../sops-flags.js";

export function registerRotate(program: Command): void {
  addUnsupportedKeyFlags(
    program
      .command("rotate")
      .description("new data keys and re-encrypted values for many files at once, recipients from the current rules")
      .argument("<paths...>", "files and directories (inside git: the files git tracks or would track that a creation rule matches)")
      .option("--private-key <key>", "old sealing private key(s) to re-seal SealedSecret files: PEM, key Secret YAML or List backup; repeatable", collect, [])
      .option("--config <path>", "the rules file (default: SOPS_CONFIG, else the nearest .sops.yaml upward)")
      .option("-j, --concurrency <n>", "threads rotating files at once, one core each (default: the number of CPU cores; under 50 files, one)")
      .option("--add-age <recipients>", "also wrap the new data key for these age recipients (first key group), comma-separated")
      .option("--rm-age <recipients>", "no longer wrap it for these age recipients, comma-separated")
      .option("--add-kms <arns>", "also wrap it with these AWS KMS keys (first key group), comma-separated, ARN+ROLE_ARN to assume a role")
      .option("--rm-kms <arns>", "no longer wrap it with these AWS KMS keys (matched by ARN alone, as sops does)")
      .option("-i, --in-place", "accepted for sops compatibility: rotate always rewrites files in place")
      .addOption(indentOption())
      .addOption(inputTypeOption())
      .option("--dry-run", "say what would be rotated, write nothing")
      .option("--json", "print the report as JSON on stdout"),
    ["add-", "rm-"],
  )
    .addHelpText(
      "after",
      `
Each file is written atomically (temp file, synced to disk, renamed over the original; files are
synced in batches, one syncfs each on Linux): a run that is killed leaves every file
either as it was or fully rotated; run it again to finish. Files stand alone: one that fails is
reported, the others are still rotated; the exit status is the first failure's. YAML and JSON
files are indented as .sops.yaml's stores: says (as sops writes them), or by --indent.

Recipients come from the file's creation rule (without one, the file keeps its own); --add-* and
--rm-* change them for this run only, as sops rotate's flags do: to make a change last, change
.sops.yaml. With Shamir key groups, a change that would let fewer groups open the file (a key
added to group 0 that another group holds, a group emptied) is refused.

Examples:
  sealbox rotate .                                   # the whole repository
  sealbox rotate --json secrets/ > rotation.json
  sealbox rotate clusters/prod --private-key old-keys.yaml
  sealbox rotate -i --rm-age age1old… secrets.enc.yaml  # as with sops rotate`,
    )
    .action(async (paths: string[], flags: RotateFlags, command: Command) => {
      const { rotatePaths } = await import("../../repo/commands.js");
      const { keepYoungGenerationAsIs, tuneForRunOf } = await import("../v8-tuning.js");
      const { parseConcurrency } = await import("../../repo/pool.js");
      const { printRunReport } = await import("../../repo/run.js");
      const privateKeys = flags.privateKey.length ? (await (await import("../../sealed/keys.js")).loadPrivateKeys(flags.privateKey)).map((k) => k.key) : undefined;
      const keyChanges = flags.addAge || flags.rmAge || flags.addKms || flags.rmKms ? await parseKeyChanges(flags) : undefined;
      const quiet = Boolean(command.optsWithGlobals().quiet);
      // after this command's imports: a V8 flag changed makes V8 refuse the code cache of chunks loaded after
      const workerV8Flags = keepYoungGenerationAsIs();
      const report = await rotatePaths({ paths, configPath: flags.config, concurrency: parseConcurrency(flags.concurrency), quiet: quiet || flags.json, privateKeys, dryRun: flags.dryRun, threads: true, passphrase: terminalPassphrase, keyChanges, indent: flags.indent, inputType: flags.inputType, onFilesFound: tuneForRunOf, workerV8Flags });
      await printRunReport(report, { json: flags.json, quiet });
    });
}

/** The recipients to add and remove as specs; a malformed one stops the run before any file is read. */
async function parseKeyChanges(flags: RotateFlags): Promise<KeyChanges> {
  const { parseAgeRecipientList } = await import("../../keys/age-recipients.js");
  const { parseKmsArns } = await import("../../keys/kms.js");
  const { SealboxError } = await import("../../errors.js");
  // the message names the flag: four lists of keys look alike
  const parse = (flag: string, list: string | undefined, read: (list: string) => RecipientSpec[]): RecipientSpec[] => {
    try {
      return list === undefined ? [] : read(list);
    } catch (error) {
      if (!(error instanceof SealboxError) || error.message.startsWith(flag)) throw error;
      throw new SealboxError(error.code, `${flag}: ${error.message}`, { details: error.details });
    }
  };
  const age = (flag: string) => (list: string): RecipientSpec[] => parseAgeRecipientList(list, flag).map((recipient) => ({ type: "age", recipient }));
  const kms = (list: string): RecipientSpec[] => parseKmsArns(list);
  return {
    add: [...parse("--add-age", flags.addAge, age("--add-age")), ...parse("--add-kms", flags.addKms, kms)],
    remove: [...parse("--rm-age", flags.rmAge, age("--rm-age")), ...parse("--rm-kms", flags.rmKms, kms)],
  };
}

interface RotateFlags {
  privateKey: string[];
  addAge?: string;
  rmAge?: string;
  addKms?: string;
  rmKms?: string;
  config?: string;
  concurrency?: string;
  indent?: number;
  inputType?: FormatName;
  dryRun?: boolean;
  json?: boolean;
}
