// The CLI entry: commander wiring and the one place errors are shown and exit statuses set.
// Command files register their options here and load their implementation only when they run.
import { Command, CommanderError, type Option } from "commander";
import { registerCommands } from "./commands/index.js";
import { reportError } from "./report.js";
import { fromLegacySops } from "./sops-legacy.js";
import { configureTerminal, warnIgnoreMac } from "./terminal.js";
import { writeStdoutSync } from "../ops/stdout.js";
import { VERSION } from "../version.js";

export function buildProgram(): Command {
  const program = new Command("sealbox")
    .description("Seal Kubernetes Secrets and encrypt config files in Git (SealedSecrets and SOPS, one CLI)")
    .version(VERSION, "-V, --version")
    .option("--debug", "show internal details (stack traces) on errors; never secret values")
    .option("-q, --quiet", "print nothing but data and errors")
    .option("--verbose", "say more about what is done")
    .option("--no-color", "never colour the output (also: NO_COLOR)")
    .showHelpAfterError("(run `sealbox help <command>` for usage)")
    .addHelpText("after", `\nExamples:\n  sealbox init                                   # set up .sops.yaml in this repository\n  sealbox encrypt -i secrets.yaml                # SOPS: values encrypted in place\n  sealbox seal secret.yaml -o app.sealed.yaml    # Sealed Secrets: like kubeseal\n  sealbox help seal\n\nsops's older form works too: sealbox -d FILE, -e [-i] FILE, -r -i FILE, and sealbox FILE to edit.`)
    .exitOverride()
    // help and --version straight to the descriptor, as all data (src/ops/file-io.ts writeStdout)
    .configureOutput({ writeOut: writeStdoutSync })
    // --quiet/--verbose/--no-color are read once, wherever on the line they were given; every command
    // that takes --ignore-mac says what it means once, before it runs
    .hook("preAction", async (_program, action) => {
      const options = action.optsWithGlobals();
      await configureTerminal(options);
      if (options.ignoreMac) warnIgnoreMac();
    });
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const debug = argv.includes("--debug");
  try {
    const commands = new Set(["help", ...program.commands.map((c) => c.name())]);
    const flags = (list: readonly Option[]): Set<string> => new Set(list.flatMap((o) => [o.short, o.long]).filter((flag): flag is string => !!flag));
    const takeValue = flags(program.commands.flatMap((c) => c.options.filter((o) => o.required || o.optional)));
    await program.parseAsync(fromLegacySops(argv, { commands, options: flags(program.options), takeValue }));
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and --version exit through here with status 0; usage errors were already printed.
      process.exitCode = error.exitCode === 0 ? 0 : 1;
      return;
    }
    process.exitCode = reportError(error, debug);
  }
}
