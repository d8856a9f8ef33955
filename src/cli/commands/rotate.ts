// `sealbox rotate PATH…`: a new data key for every SOPS file, recipients from the current rules (so
// revoking someone is one command), and SealedSecret files re-sealed to their rule's certificate.
import type { Command } from "commander";
import { terminalPassphrase } from "../sops-flags.js";

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerRotate(program: Command): void {
  program
    .command("rotate")
    .description("new data keys and re-encrypted values for many files at once, recipients from the current rules")
    .argument("<paths...>", "files and directories (inside git: the files git tracks or would track that a creation rule matches)")
    .option("--private-key <key>", "old sealing private key(s) to re-seal SealedSecret files: PEM, key Secret YAML or List backup; repeatable", collect, [])
    .option("--config <path>", "the rules file (default: SOPS_CONFIG, else the nearest .sops.yaml upward)")
    .option("-j, --concurrency <n>", "threads rotating files at once, one core each (default: the number of CPU cores; under 50 files, one)")
    .option("--dry-run", "say what would be rotated, write nothing")
    .option("--json", "print the report as JSON on stdout")
    .addHelpText(
      "after",
      `
Each file is written atomically (temp file, fsync, rename): a run that is killed leaves every file
either as it was or fully rotated; run it again to finish. Files stand alone: one that fails is
reported, the others are still rotated; the exit status is the first failure's.

Examples:
  sealbox rotate .                                   # the whole repository
  sealbox rotate --json secrets/ > rotation.json
  sealbox rotate clusters/prod --private-key old-keys.yaml`,
    )
    .action(async (paths: string[], flags: RotateFlags, command: Command) => {
      const { rotatePaths } = await import("../../repo/commands.js");
      const { parseConcurrency } = await import("../../repo/pool.js");
      const { printRunReport } = await import("../../repo/run.js");
      const privateKeys = flags.privateKey.length ? (await (await import("../../sealed/keys.js")).loadPrivateKeys(flags.privateKey)).map((k) => k.key) : undefined;
      const quiet = Boolean(command.optsWithGlobals().quiet);
      const report = await rotatePaths({ paths, configPath: flags.config, concurrency: parseConcurrency(flags.concurrency), quiet: quiet || flags.json, privateKeys, dryRun: flags.dryRun, threads: true, passphrase: terminalPassphrase });
      await printRunReport(report, { json: flags.json, quiet });
    });
}

interface RotateFlags {
  privateKey: string[];
  config?: string;
  concurrency?: string;
  dryRun?: boolean;
  json?: boolean;
}
