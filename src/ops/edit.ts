// sops edit: decrypt to a private file, run the editor, encrypt again only when the text changed.
import { access } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { SealboxError } from "../errors.js";
import { readInput, writeOutput } from "./file-io.js";
import { runShell, withPrivateFile } from "./private-temp.js";
import { leaveInterruptsTo } from "./signal-cleanup.js";
import { encrypt, newKeyFor, openEncrypted, sealOpened, type EncryptOptions } from "./sops-ops.js";

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

export interface EditOptions extends EncryptOptions {
  ignoreMac?: boolean;
  /**
   * Asked when the edited text does not load (invalid syntax, no document, a top-level `sops` key):
   * true opens the editor again on the same text, as sops does; without it, the edit ends there.
   */
  editAgain?: (problem: SealboxError) => Promise<boolean>;
}

export async function editFile(file: string, options: EditOptions): Promise<void> {
  const env = options.env ?? process.env;
  const editor = await findEditor(env);
  const exists = await access(file).then(() => true, () => false);
  const opened = exists ? await openEncrypted((await readInput(file)).bytes, { ...options, filename: file }) : undefined;
  // a new file's key is made and wrapped before the editor opens, as sops does: a recipient that
  // fails afterwards would lose what was typed
  const key = exists ? undefined : await newKeyFor({ ...options, filename: file });
  const before = opened ? Buffer.from(opened.codecs.output.emitPlain(opened.docs, opened.emitOptions)) : Buffer.alloc(0);
  const encrypted = await withPrivateFile(file, before, async (path) => {
    for (;;) {
      // the shell running the editor would die of a Ctrl-C that the editor handles, ending the edit:
      // it traps them instead (the editor, a command it runs, gets their default handling back)
      const status = await leaveInterruptsTo(() => runShell(`trap : INT QUIT; ${editor} "$1"`, { args: [path], env }));
      // sops's "Could not run editor" (NoEditorFound) for an editor that cannot start or fails
      if (status !== 0) {
        const what = status === 127 ? `the editor (${editor}) was not found` : `the editor exited with status ${status}`;
        throw new SealboxError("NoEditorFound", `could not run the editor: ${what}; ${file} was left as it was`);
      }
      const after = await readFile(path);
      if (after.equals(before)) throw new SealboxError("FileHasNotBeenModified", "file has not changed, exiting", { file });
      try {
        return opened ? sealOpened(opened, opened.codecs.output.parsePlain(after, file)) : await encrypt(after, { ...options, filename: file }, key);
      } catch (error) {
        if (!(error instanceof SealboxError)) throw error;
        const problem = error.inFile(file);
        if (!(await options.editAgain?.(problem))) throw new SealboxError(problem.code, `${problem.message} (your edit was not saved)`, { file, line: problem.line, details: problem.details });
      }
    }
  });
  await writeOutput(encrypted, file, opened ? {} : { mode: 0o644 });
}
