// `sealbox set` / `sealbox unset`: change one value in an encrypted file without showing the rest
// (sops set/unset). The data key and recipients stay; only the values and the MAC are renewed.
import type { Command } from "commander";
import { addFileFlags, addOpenFlags, indentOption, type DecryptFlags } from "../sops-flags.js";

interface SetFlags extends DecryptFlags {
  valueFile?: boolean;
  valueStdin?: boolean;
  idempotent?: boolean;
}

async function rewrite(file: string, flags: DecryptFlags & { idempotent?: boolean }, change: (doc: import("../../tree/tree.js").Branch) => boolean): Promise<void> {
  const { openEncrypted, sealOpened } = await import("../../ops/sops-ops.js");
  const { decryptOptions } = await import("../sops-flags.js");
  const { readInput, writeOutput } = await import("../../ops/file-io.js");
  const { withFile } = await import("../../errors.js");
  const input = await readInput(file);
  const opened = await openEncrypted(input.bytes, decryptOptions(flags, file));
  const { Branch } = await import("../../tree/tree.js");
  const doc = opened.docs[0] ?? new Branch();
  if (opened.docs.length === 0) opened.docs.push(doc);
  if (!withFile(() => change(doc), file)) return;
  await writeOutput(sealOpened(opened), file);
}

export function registerSet(program: Command): void {
  addOpenFlags(addFileFlags(
    program
      .command("set")
      .description("set one value in an encrypted file (sops set); the value is JSON")
      .argument("<file>", "the encrypted file")
      .argument("<path>", "where, e.g. '[\"data\"][\"password\"]'")
      .argument("[value]", "the new value as JSON, e.g. '\"s3cret\"' or '{\"a\":1}'; with --value-file, the file holding it")
      .option("--value-file", "the third argument names a file holding the JSON value (as in sops)")
      .option("--value-stdin", "read the JSON value from stdin (no third argument)")
      .option("--idempotent", "do not rewrite the file when the value is already set")
      .addOption(indentOption()),
  ))
    .addHelpText("after", `\nExample:\n  sealbox set secrets.enc.yaml '["data"]["password"]' '"n3w-s3cret"'`)
    .action(async (file: string, pathText: string, valueText: string | undefined, flags: SetFlags) => {
      const { SealboxError } = await import("../../errors.js");
      const { parseJson, emitJsonValue } = await import("../../formats/json.js");
      const { parseTreePath, setAtPath, getAtPath } = await import("../../ops/tree-path.js");
      const { readInput } = await import("../../ops/file-io.js");
      if (flags.valueFile && flags.valueStdin) throw new SealboxError("InvalidSetFormat", "--value-file and --value-stdin do not go together");
      if ((valueText === undefined) !== !!flags.valueStdin) {
        throw new SealboxError("InvalidSetFormat", flags.valueStdin ? "with --value-stdin the value comes from stdin: give no third argument" : flags.valueFile ? "--value-file needs the value's file as the third argument" : "give the value as the third argument, or --value-stdin");
      }
      // as in sops: the path first, and a path or value that does not parse is ErrorInvalidSetFormat
      const path = parseTreePath(pathText, "InvalidSetFormat");
      const raw = flags.valueStdin ? (await readInput("-")).bytes : flags.valueFile ? (await readInput(valueText)).bytes : Buffer.from(valueText!);
      let value;
      try {
        value = parseJson(raw, "the value");
      } catch (error) {
        throw error instanceof SealboxError ? new SealboxError("InvalidSetFormat", error.message, { file: error.file, line: error.line, cause: error }) : error;
      }
      await rewrite(file, flags, (doc) => {
        if (flags.idempotent) {
          try {
            if (emitJsonValue(getAtPath(doc, path)) === emitJsonValue(value)) return false;
          } catch {
            // not set yet
          }
        }
        setAtPath(doc, path, value);
        return true;
      });
    });
}

export function registerUnset(program: Command): void {
  addOpenFlags(addFileFlags(
    program
      .command("unset")
      .description("remove one key or list item from an encrypted file (sops unset)")
      .argument("<file>", "the encrypted file")
      .argument("<path>", "what to remove, e.g. '[\"data\"][\"old\"]'")
      .option("--idempotent", "succeed without rewriting when the path does not exist")
      .addOption(indentOption()),
  ))
    .addHelpText("after", `\nExample:\n  sealbox unset secrets.enc.yaml '["data"]["old_token"]'`)
    .action(async (file: string, pathText: string, flags: DecryptFlags & { idempotent?: boolean }) => {
      const { parseTreePath, unsetAtPath } = await import("../../ops/tree-path.js");
      const path = parseTreePath(pathText, "InvalidSetFormat");
      await rewrite(file, flags, (doc) => unsetAtPath(doc, path, flags.idempotent));
    });
}
