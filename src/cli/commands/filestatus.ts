// `sealbox filestatus`: sops filestatus. Prints {"encrypted":true|false} for scripts.
import type { Command } from "commander";
import { addInputFlags, type FileFlags } from "../sops-flags.js";

export function registerFilestatus(program: Command): void {
  addInputFlags(
    program
      .command("filestatus")
      .description("tell whether a file is SOPS-encrypted, as JSON (sops filestatus)")
      .argument("<file>", "the file to inspect"),
  )
    .addHelpText("after", `\nExample:\n  sealbox filestatus secrets.yaml   # {"encrypted":false}`)
    .action(async (file: string, flags: FileFlags) => {
      const { fileStatus } = await import("../../ops/sops-ops.js");
      const { readInput, writeStdout } = await import("../../ops/file-io.js");
      const input = await readInput(file);
      const status = await fileStatus(input.bytes, { filename: flags.filenameOverride ?? file, inputType: flags.inputType as never });
      await writeStdout(JSON.stringify(status) + "\n");
    });
}
