// `sealbox decrypt`: sops decrypt. Checks the MAC; prints plaintext, one value (--extract), or rewrites files.
import type { Command } from "commander";
import { addDecryptFlags, indentOption, type DecryptFlags } from "../sops-flags.js";
import type { OutputFlags } from "../transform.js";

export function registerDecrypt(program: Command): void {
  addDecryptFlags(
    program
      .command("decrypt")
      .description("decrypt SOPS files (sops decrypt); decrypted files are written 0600, and never over a file git tracks without --force")
      .argument("[files...]", "files or directories (with -i: the encrypted files a creation rule matches) to decrypt; - or nothing for stdin")
      .option("-i, --in-place", "replace each file with its plaintext (atomically, mode 0600)")
      .option("-o, --output <file>", "write here (mode 0600) instead of stdout")
      .option("--force", "write plaintext even over a file git tracks (refused by default)")
      .addOption(indentOption()),
  )
    .addHelpText(
      "after",
      `
Identities: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, SOPS_AGE_SSH_PRIVATE_KEY_FILE,
SOPS_AGE_SSH_PRIVATE_KEY_CMD, ~/.config/sops/age/keys.txt, ~/.ssh/id_ed25519 and id_rsa; KMS
through the AWS credential chain.

Examples:
  SOPS_AGE_KEY_FILE=key.txt sealbox decrypt secrets.enc.yaml
  sealbox decrypt --extract '["data"]["password"]' secret.enc.yaml`,
    )
    .action(async (files: string[], flags: DecryptFlags & OutputFlags & { force?: boolean }) => {
      // loaded side by side: one wait for the module loader instead of three (start-up time)
      const [{ decrypt, decryptStream }, { decryptOptions }, { transformFiles, nameOf, walkedFileEncrypted }] = await Promise.all([
        import("../../ops/sops-ops.js"),
        import("../sops-flags.js"),
        import("../transform.js"),
      ]);
      await transformFiles(files, flags, (input) => decrypt(input.bytes, decryptOptions(flags, nameOf(input))), {
        plaintext: true,
        force: flags.force,
        configPath: flags.config,
        skipWalked: async (input) => !(await walkedFileEncrypted(input)),
        stream: (source, name, open) => decryptStream(source, open, decryptOptions(flags, name)),
      });
    });
}
