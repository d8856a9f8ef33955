// `sealbox encrypt`: sops encrypt. Plaintext YAML/JSON/dotenv/INI/binary in, SOPS document out.
import type { Command } from "commander";
import { addEncryptFlags, indentOption, type EncryptFlags } from "../sops-flags.js";
import type { OutputFlags } from "../transform.js";

export function registerEncrypt(program: Command): void {
  addEncryptFlags(
    program
      .command("encrypt")
      .description("encrypt files value by value in the SOPS format (sops encrypt)")
      .argument("[files...]", "files or directories (with -i: the files a creation rule matches) to encrypt; - or nothing for stdin, with --filename-override")
      .option("-i, --in-place", "replace each file with its encrypted form (atomically)")
      .option("-o, --output <file>", "write here instead of stdout")
      .addOption(indentOption()),
  )
    .addHelpText(
      "after",
      `
Recipients come from --age (else SOPS_AGE_RECIPIENTS) and --kms (else SOPS_KMS_ARN); when
these name none, from the first creation rule in .sops.yaml whose path_regex matches the file.

Examples:
  sealbox encrypt --age age1... secrets.yaml > secrets.enc.yaml
  sealbox encrypt -i secrets/*.yaml                      # recipients from .sops.yaml
  sealbox encrypt -i secrets/                            # every plain file a rule covers
  cat app.env | sealbox encrypt --filename-override app.env --age age1...`,
    )
    .action(async (files: string[], flags: EncryptFlags & OutputFlags) => {
      // as sops: without a name, neither the creation rule nor the store can be chosen (the binary
      // store would silently take the text whole)
      if ((files.length === 0 || files.includes("-")) && !flags.inPlace && flags.filenameOverride === undefined) {
        const { SealboxError } = await import("../../errors.js");
        throw new SealboxError("ConflictingParameters", "encrypting stdin needs --filename-override NAME: the name picks the format and the creation rule, as in sops");
      }
      // loaded side by side: one wait for the module loader instead of three (start-up time)
      const [{ encrypt, encryptStream }, { encryptOptions }, { transformFiles, nameOf, walkedFileEncrypted }] = await Promise.all([
        import("../../ops/sops-ops.js"),
        import("../sops-flags.js"),
        import("../transform.js"),
      ]);
      await transformFiles(files, flags, async (input) => encrypt(input.bytes, await encryptOptions(flags, nameOf(input))), {
        mode: 0o644,
        configPath: flags.config,
        skipWalked: walkedFileEncrypted,
        stream: async (source, name, open) => encryptStream(source, open, await encryptOptions(flags, name)),
      });
    });
}
