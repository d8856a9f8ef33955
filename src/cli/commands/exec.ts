// `sealbox exec-env` / `sealbox exec-file`: run a command with the decrypted values, never writing
// plaintext anywhere but the child's environment or a private 0600 temp file (sops exec-*).
import { InvalidArgumentError, Option, type Command } from "commander";
import { basename } from "node:path";
import { addDecryptFlags, addInputFlags, addOpenFlags, indentOption, type DecryptFlags } from "../sops-flags.js";

export function registerExecEnv(program: Command): void {
  // sops's exec-env has no --extract or --output-type: every top-level value goes to the environment
  addOpenFlags(addInputFlags(
    program
      .command("exec-env")
      .description("run a command with the file's top-level values as environment variables (sops exec-env)")
      .argument("<file>", "the encrypted file")
      .argument("<command>", "the command line, run by sh -c")
      .option("--pristine", "do not pass on sealbox's own environment")
      .option("--same-process", "accepted for sops compatibility: the command runs as a child, its exit status passed on")
      .option("--user <user>", "run the command as this user (sealbox must run as root)")
      .option("--background", "start the command and exit 0 without waiting for it; its stdin, stdout and stderr are /dev/null (as in sops, which deprecates the flag)"),
  ))
    .addHelpText("after", `\nExample:\n  sealbox exec-env app.enc.env './migrate --db "$DB_URL"'`)
    .action(async (file: string, commandLine: string, flags: DecryptFlags & { pristine?: boolean; sameProcess?: boolean; user?: string; background?: boolean }) => {
      if (flags.background && flags.sameProcess) {
        const { SealboxError } = await import("../../errors.js");
        throw new SealboxError("ConflictingParameters", "--background and --same-process do not go together (as in sops)");
      }
      const { openEncrypted } = await import("../../ops/sops-ops.js");
      const { decryptOptions } = await import("../sops-flags.js");
      const { readInput } = await import("../../ops/file-io.js");
      const { inheritedEnv, runShell, userIds } = await import("../../ops/private-temp.js");
      // looked up before anything is decrypted: an unknown user fails first
      const user = await userIds(flags.user);
      const { environmentFor } = await import("../../ops/exec-env.js");
      const opened = await openEncrypted((await readInput(file)).bytes, decryptOptions(flags, file));
      const env = environmentFor(opened.docs, await inheritedEnv(flags.pristine ? { PATH: process.env.PATH } : process.env, user), file);
      process.exitCode = await runShell(commandLine, { env, user, background: flags.background });
    });
}

export function registerExecFile(program: Command): void {
  addDecryptFlags(
    program
      .command("exec-file")
      .description("run a command with the decrypted file at a private temp path; {} in the command is that path (sops exec-file)")
      .argument("<file>", "the encrypted file")
      .argument("<command>", "the command line, run by sh -c; each {} is replaced by the temp file's path, as text, so it may stand in quotes")
      .option("--filename <name>", "the temp file's name, of letters, digits and . _ + - (default: the file's own name, any other character made _)", tempFileName)
      .option("--no-fifo", "accepted for sops compatibility: sealbox always uses a private 0600 file")
      .option("--user <user>", "run the command as this user (sealbox must run as root); the temp file is theirs, 0600")
      // refused in the action, with the reason: not offered in help or completion
      .addOption(new Option("--background").hideHelp())
      .addOption(indentOption()),
  )
    .addHelpText("after", `\nExample:\n  sealbox exec-file kubeconfig.enc.yaml 'kubectl --kubeconfig {} get pods'`)
    .action(async (file: string, commandLine: string, flags: DecryptFlags & { filename?: string; user?: string; background?: boolean }) => {
      if (flags.background) {
        const { SealboxError } = await import("../../errors.js");
        // sops removes the file as the command starts, so the command races its removal; a file
        // kept for it would outlive sealbox, and plaintext with it
        throw new SealboxError(
          "Generic",
          "exec-file --background is not supported: the temp file must be gone when sealbox exits, and a command left running would still need it. Run sealbox itself in the background instead (sealbox exec-file FILE CMD &: the file is removed when the command ends), or use exec-env --background",
        );
      }
      const { tmpdir } = await import("node:os");
      if (!SHELL_SAFE_PATH.test(tmpdir())) {
        const { SealboxError } = await import("../../errors.js");
        throw new SealboxError(
          "Generic",
          `exec-file makes its temp file under ${tmpdir()} (TMPDIR), whose path is pasted into the command line for {} and must hold only letters, digits and / . _ + -: set TMPDIR to such a directory`,
        );
      }
      const { decrypt } = await import("../../ops/sops-ops.js");
      const { decryptOptions } = await import("../sops-flags.js");
      const { readInput } = await import("../../ops/file-io.js");
      const { inheritedEnv, runShell, userIds, withPrivateFile } = await import("../../ops/private-temp.js");
      // looked up before anything is decrypted, as for exec-env
      const user = await userIds(flags.user);
      const plain = await decrypt((await readInput(file)).bytes, decryptOptions(flags, file));
      const env = await inheritedEnv(process.env, user);
      process.exitCode = await withPrivateFile(
        flags.filename ?? basename(file).replace(/[^\w.+-]/g, "_"),
        plain,
        // a plain text swap, as sops's: the path (mkdtemp's directory, a checked or cleaned name)
        // holds only SHELL_SAFE_PATH's characters, so it means the same in any quoting context
        (path) => runShell(commandLine.split("{}").join(path), { env, user }),
        user,
      );
    });
}

/**
 * What exec-file's temp path may hold: pasted into a command line, none of these characters is
 * special to sh, bare or in single or double quotes, so a file's name cannot run anything.
 */
const SHELL_SAFE_PATH = /^[\w./+-]+$/;

/**
 * --filename: the temp file is made under this name in a private directory, so it must name a
 * file; refused rather than cleaned when unsafe, as it was chosen to be exactly that name.
 */
function tempFileName(value: string): string {
  const name = basename(value);
  if (["", ".", ".."].includes(name)) throw new InvalidArgumentError("a file name is needed: the temp file is made under it in a private directory");
  if (!SHELL_SAFE_PATH.test(name)) {
    throw new InvalidArgumentError("the temp file's name is pasted into the command line for {}: use only letters, digits and . _ + -");
  }
  return value;
}
