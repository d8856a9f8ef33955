// `sealbox updatekeys PATH…`: each file's recipients become exactly those its creation rule names now.
// The data key is kept (unwrapped once, wrapped only for added recipients; kept stanzas unchanged),
// so values, MAC and lastmodified stay as they were. Asks first, as sops does: on a terminal, or a
// y/n line from a pipe.
import type { Command } from "commander";
import type { FormatName } from "../../formats/types.js";
import { inputTypeOption, terminalPassphrase } from "../sops-flags.js";

export function registerUpdatekeys(program: Command): void {
  program
    .command("updatekeys")
    .description("make each file's recipients those its creation rule names now (the data key is kept)")
    .argument("<paths...>", "files and directories (inside git: the files git tracks or would track that a creation rule matches)")
    .option("-y, --yes", "apply without asking (else asked on the terminal, or a y or n line read from stdin, as sops reads it)")
    .option("--dry-run", "show the changes, write nothing")
    .option("--config <path>", "the rules file (default: SOPS_CONFIG, else the nearest .sops.yaml upward)")
    .option("-j, --concurrency <n>", "files worked on at once (default: the number of CPU cores)")
    .option("--json", "print the report as JSON on stdout (needs -y or --dry-run)")
    .addOption(inputTypeOption())
    .addHelpText(
      "after",
      `
A removed recipient loses its stanza but could have kept the data key: to lock someone out, use
\`sealbox rotate\` (new data key, values re-encrypted) instead.

Examples:
  sealbox updatekeys --dry-run .
  sealbox updatekeys -y secrets/`,
    )
    .action(async (paths: string[], flags: UpdatekeysFlags, command: Command) => {
      const { SealboxError } = await import("../../errors.js");
      const { planUpdateKeysPaths, applyUpdateKeys } = await import("../../repo/commands.js");
      const { parseConcurrency } = await import("../../repo/pool.js");
      const { printRunReport, renderReport } = await import("../../repo/run.js");
      const { writeStdout } = await import("../../ops/file-io.js");
      const quiet = Boolean(command.optsWithGlobals().quiet);
      if (flags.yes && flags.dryRun) throw new SealboxError("ConflictingParameters", "-y and --dry-run do not go together");
      const interactive = !flags.yes && !flags.dryRun;
      const refusal = (why: string): Error => new SealboxError("ConflictingParameters", `updatekeys changes who can decrypt: confirm with -y, or see the changes with --dry-run (${why})`);
      if (interactive && flags.json) throw refusal("--json has no question to answer");
      const run = await planUpdateKeysPaths({ paths, configPath: flags.config, concurrency: parseConcurrency(flags.concurrency), quiet: quiet || flags.json, passphrase: terminalPassphrase, inputType: flags.inputType });
      if (flags.dryRun || run.pending.length === 0) return printRunReport(run.report, { json: flags.json, quiet });
      if (interactive) {
        await writeStdout(renderReport(run.report).replace(/[^\n]*\n$/, ""));
        const n = run.pending.length;
        const question = `Change the recipients of ${n} file${n === 1 ? "" : "s"}?`;
        let ok: boolean;
        if (process.stdin.isTTY) {
          const { createPromptModule } = (await import("inquirer")).default;
          const prompt = createPromptModule({ output: process.stderr });
          ({ ok } = await prompt<{ ok: boolean }>([{ type: "confirm", name: "ok", message: question, default: false }]));
        } else {
          // as sops: the answer may come down a pipe (echo y | sops updatekeys f)
          const answer = await answerFromStdin(`${question} (y/n): `);
          if (answer === undefined) throw refusal("stdin is not a terminal and gave no y or n");
          ok = answer;
        }
        if (!ok) {
          (await import("../terminal.js")).info("nothing changed");
          return;
        }
        // The changes were shown above: now only failures and the summary.
        const report = await applyUpdateKeys(run);
        return printRunReport({ ...report, files: report.files.filter((f) => f.status === "failed") }, { quiet });
      }
      return printRunReport(await applyUpdateKeys(run), { json: flags.json, quiet });
    });
}

/** sops's "Is this okay? (y/n)" read from stdin: asked again until a line says y or n; undefined at the end of input. */
async function answerFromStdin(question: string): Promise<boolean | undefined> {
  const { createInterface } = await import("node:readline");
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  process.stderr.write(question);
  try {
    for await (const line of lines) {
      const word = line.trim();
      if (word === "y" || word === "n") return word === "y";
      process.stderr.write(question);
    }
    return undefined;
  } finally {
    lines.close();
  }
}

interface UpdatekeysFlags {
  yes?: boolean;
  dryRun?: boolean;
  config?: string;
  concurrency?: string;
  json?: boolean;
  inputType?: FormatName;
}
