// `sealbox keygen`: a new age identity, printed or written 0600, in age-keygen's layout.
import type { Command } from "commander";

interface KeygenFlags {
  output?: string;
  pq?: boolean;
}

export function registerKeygen(program: Command): void {
  program
    .command("keygen")
    .description("generate an age identity (like age-keygen); its public key is the recipient to encrypt to")
    .option("-o, --output <file>", "write the identity to this file (mode 0600) and print the public key on stderr")
    .option("--pq", "a post-quantum hybrid identity (age1pq1… recipient)")
    .addHelpText("after", `\nExample:\n  sealbox keygen -o ~/.config/sops/age/keys.txt`)
    .action(async (flags: KeygenFlags) => {
      const { generateX25519Identity, generateHybridIdentity, identityToRecipient } = await import("age-encryption");
      const { writeOutput } = await import("../../ops/file-io.js");
      const { identityFileText } = await import("../../init/keys.js");
      const identity = flags.pq ? await generateHybridIdentity() : await generateX25519Identity();
      const recipient = await identityToRecipient(identity);
      const text = identityFileText(identity, recipient);
      if (flags.output) {
        const { access } = await import("node:fs/promises");
        const { SealboxError } = await import("../../errors.js");
        const exists = await access(flags.output).then(() => true, () => false);
        if (exists) throw new SealboxError("CouldNotWriteOutputFile", "refusing to overwrite an existing identity file", { file: flags.output });
        await writeOutput(text, flags.output, { mode: 0o600, forceMode: true });
        process.stderr.write(`Public key: ${recipient}\n`);
      } else {
        await writeOutput(text, undefined);
      }
    });
}
