// `sealbox edit`: sops edit. Decrypts into a private temp file, opens $SOPS_EDITOR/$EDITOR, and
// re-encrypts only if the text changed, keeping the data key and recipients.
import type { Command } from "commander";
import { addEncryptFlags, indentOption, type EncryptFlags } from "../sops-flags.js";

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
nothing changed.

Example:
  EDITOR=nano sealbox edit secrets.enc.yaml`,
    )
    .action(async (file: string, flags: EncryptFlags & { ignoreMac?: boolean }) => {
      const { editFile } = await import("../../ops/edit.js");
      const { encryptOptions } = await import("../sops-flags.js");
      await editFile(file, { ...(await encryptOptions(flags, file)), ignoreMac: flags.ignoreMac });
    });
}
