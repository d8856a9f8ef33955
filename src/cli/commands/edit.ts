// `sealbox edit`: sops edit. Decrypts into a private temp file, opens $SOPS_EDITOR/$EDITOR, and
// re-encrypts only if the text changed, keeping the data key and recipients.
import type { Command } from "commander";
import type { SealboxError } from "../../errors.js";
import { addEncryptFlags, indentOption, type EncryptFlags } from "../sops-flags.js";
import { canPrompt } from "../terminal.js";

export function registerEdit(program: Command): void {
  addEncryptFlags(
    program
      .command("edit")
      .description("edit an encrypted file in $SOPS_EDITOR or $EDITOR (sops edit); a new file is encrypted by the rules")
      .argument("<file>", "the encrypted file (created if it does not exist)")
      .option("--ignore-mac", "open even if the MAC does not match (dangerous)")
      .addOption(indentOption()),
  )
    .addHelpText(
      "after",
      `
The plaintext lives only in a 0600 file inside a 0700 temp directory, removed on exit, error,
SIGTERM, SIGHUP or SIGQUIT. Ctrl-C and Ctrl-\ belong to the editor while it runs, as in git: the
edit ends (exit 130/131, nothing written) only if the editor dies of them. Exit status 200 when
nothing changed. Text that does not load (a syntax error, no document, a top-level sops key) is
not lost: on a terminal the error is shown and Enter opens the editor again on that text, as in
sops (Ctrl-C gives up); off a terminal the edit ends there, nothing written.

Example:
  EDITOR=nano sealbox edit secrets.enc.yaml`,
    )
    .action(async (file: string, flags: EncryptFlags & { ignoreMac?: boolean }) => {
      const { editFile } = await import("../../ops/edit.js");
      const { encryptOptions } = await import("../sops-flags.js");
      await editFile(file, { ...(await encryptOptions(flags, file)), ignoreMac: flags.ignoreMac, editAgain: canPrompt() ? editAgainOnTerminal : undefined });
    });
}

/**
 * sops's "Press a key to return to the editor": what was typed is not lost to a syntax error. Ctrl-C
 * gives up (the temp file is removed, the file stays as it was). Off a terminal the edit ends.
 */
async function editAgainOnTerminal(problem: SealboxError): Promise<boolean> {
  process.stderr.write(`sealbox: ${problem.describe()}\nPress Enter to return to the editor, or Ctrl-C to give up (the file stays as it was). `);
  const { createInterface } = await import("node:readline");
  // not a terminal interface: the line discipline stays as it is, so Ctrl-C is the signal it always is
  const lines = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const _ of lines) return true;
    return false;
  } finally {
    lines.close();
  }
}
