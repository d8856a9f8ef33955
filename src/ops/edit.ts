// sops edit: decrypt to a private file, run the editor, encrypt again only when the text changed.
import { access } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { SealboxError } from "../errors.js";
import { readInput, writeOutput } from "./file-io.js";
import { runShell, withPrivateFile } from "./private-temp.js";
import { encrypt, openEncrypted, planEncryption, sealOpened, type EncryptOptions } from "./sops-ops.js";

const FALLBACK_EDITORS = ["vim", "nano", "vi"];

async function findEditor(env: NodeJS.ProcessEnv): Promise<string> {
  const named = env.SOPS_EDITOR || env.EDITOR;
  if (named) return named;
  for (const dir of (env.PATH ?? "").split(":")) {
    for (const name of FALLBACK_EDITORS) {
      if (await access(`${dir}/${name}`).then(() => true, () => false)) return name;
    }
  }
  throw new SealboxError("NoEditorFound", "no editor found: set SOPS_EDITOR or EDITOR");
}

export async function editFile(file: string, options: EncryptOptions & { ignoreMac?: boolean }): Promise<void> {
  const env = options.env ?? process.env;
  const editor = await findEditor(env);
  const exists = await access(file).then(() => true, () => false);
  const opened = exists ? await openEncrypted((await readInput(file)).bytes, { ...options, filename: file }) : undefined;
  // a new file's recipients are settled before the editor opens: a refusal afterwards would lose what was typed
  if (!exists) await planEncryption({ ...options, filename: file });
  const before = opened ? Buffer.from(opened.codecs.output.emitPlain(opened.docs, opened.emitOptions)) : Buffer.alloc(0);
  const after = await withPrivateFile(file, before, async (path) => {
    const status = await runShell(`${editor} "$1"`, [path], env);
    if (status !== 0) throw new SealboxError("Generic", `the editor exited with status ${status}; ${file} was left as it was`);
    return readFile(path);
  });
  if (after.equals(before)) throw new SealboxError("FileHasNotBeenModified", "file has not changed, exiting", { file });
  if (opened) {
    let docs;
    try {
      docs = opened.codecs.output.parsePlain(after, file);
    } catch (error) {
      throw error instanceof SealboxError ? new SealboxError(error.code, `${error.message} (your edit was not saved)`, { file, line: error.line }) : error;
    }
    await writeOutput(sealOpened(opened, docs), file);
  } else {
    await writeOutput(await encrypt(after, { ...options, filename: file }), file, { mode: 0o644 });
  }
}
