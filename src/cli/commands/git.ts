// `sealbox git install`: decrypted diffs (a textconv diff driver) and a pre-commit guard, set up in
// this clone. `git textconv` and `git pre-commit` are what git runs; they are hidden from the help.
import { Command } from "commander";
import { writeStdout } from "../../ops/stdout.js";

export function registerGit(program: Command): void {
  const gitCommand = program
    .command("git")
    .description("git integration: decrypted diffs and a pre-commit guard")
    .addHelpText("after", `\nExample:\n  sealbox git install   # then: git diff shows SOPS files decrypted, commits of plaintext Secrets are refused`);
  gitCommand
    .command("install")
    .description("set up the diff driver and the pre-commit guard in this clone")
    .option("--pattern <glob>", "files that get decrypted diffs (repeatable; default *.yaml *.yml *.json *.env *.ini)", (v: string, p: string[] = []) => [...p, v])
    .option("--gitattributes", "write the diff attributes to the committed .gitattributes (default: .git/info/attributes)")
    .option("--command <cmd>", "how git should run sealbox (default: this node and sealbox by absolute path)")
    .option("--no-diff", "skip the diff driver")
    .option("--no-hook", "skip the pre-commit hook")
    .option("--force", "replace a pre-commit hook that is not sealbox's")
    .addHelpText("after", `\nExamples:\n  sealbox git install\n  sealbox git install --gitattributes --pattern '*.enc.yaml'   # shared with the team via .gitattributes`)
    .action(async (flags: InstallFlags, command: Command) => {
      const { installGit } = await import("../../repo/git.js");
      const result = await installGit({ command: flags.command, patterns: flags.pattern, sharedAttributes: flags.gitattributes, diff: flags.diff, hook: flags.hook, force: flags.force });
      if (!command.optsWithGlobals().quiet) await writeStdout(result.actions.map((a) => `installed: ${a}\n`).join(""));
    });
  gitCommand.addCommand(
    new Command("textconv")
      .description("print FILE decrypted when a key is at hand, else unchanged (git's diff textconv)")
      .argument("<file>")
      .action(async (file: string) => {
        const { textconv } = await import("../../repo/git.js");
        await writeStdout(await textconv(file));
      }),
    { hidden: true },
  );
  gitCommand.addCommand(
    new Command("pre-commit")
      .description("refuse plaintext Secrets, unencrypted files a creation rule covers and clear-text values in encrypted files (staged files, or FILES)")
      .argument("[files...]")
      .option("--config <path>", "the rules file")
      .action(async (files: string[], flags: { config?: string }) => {
        const { SealboxError } = await import("../../errors.js");
        const { preCommitFindings } = await import("../../repo/git.js");
        const findings = await preCommitFindings({ files, configPath: flags.config });
        if (findings.length === 0) return;
        throw new SealboxError("AuditFindings", "refusing the commit: secrets would be committed in clear text", {
          details: [...findings.map((f) => `${f.path}${f.line ? `:${f.line}` : ""}: ${f.message}`), "(encrypt or seal them; `git commit --no-verify` skips this check)"],
        });
      }),
    { hidden: true },
  );
}

interface InstallFlags {
  pattern?: string[];
  gitattributes?: boolean;
  command?: string;
  diff: boolean;
  hook: boolean;
  force?: boolean;
}
