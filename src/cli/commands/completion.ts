// `sealbox completion bash|zsh|fish`: a completion script generated from this very program.
import { Argument, type Command } from "commander";

// here, not in ../completion.js, so that registering the command does not load the generator
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script for bash, zsh or fish")
    .addArgument(new Argument("<shell>", "the shell").choices(SHELLS))
    .addHelpText(
      "after",
      `
Examples:
  source <(sealbox completion bash)                      # this shell; add it to ~/.bashrc to keep it
  sealbox completion zsh > "\${fpath[1]}/_sealbox"
  sealbox completion fish > ~/.config/fish/completions/sealbox.fish`,
    )
    .action(async (shell: Shell, _flags: unknown, command: Command) => {
      const { completionScript } = await import("../completion.js");
      const { writeStdout } = await import("../../ops/file-io.js");
      let root = command;
      while (root.parent) root = root.parent;
      await writeStdout(completionScript(root, shell));
    });
}
