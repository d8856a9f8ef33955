// Reading a file or stdin, and writing stdout or a file atomically, with errors that name the file.
import { readFile } from "node:fs/promises";
import { SealboxError } from "../errors.js";
import { writeFileAtomic } from "./atomic-write.js";

export interface Input {
  /** The path, or "(stdin)". */
  name: string;
  bytes: Buffer;
}

export const STDIN_NAME = "(stdin)";

/** Reads a file, or stdin for "-" / undefined. */
export async function readInput(path: string | undefined): Promise<Input> {
  if (path === undefined || path === "-") {
    if (process.stdin.isTTY) process.stderr.write("sealbox: reading from stdin (end with Ctrl-D)\n");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return { name: STDIN_NAME, bytes: Buffer.concat(chunks) };
  }
  try {
    return { name: path, bytes: await readFile(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? (error as Error).message);
    throw new SealboxError(code === "ENOENT" ? "NoFileSpecified" : "CouldNotReadInputFile", `cannot read: ${reason}`, { file: path, cause: error });
  }
}

export async function writeStdout(data: string | Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => process.stdout.write(data, (e) => (e ? reject(e) : resolve())));
}

/**
 * Writes to `outPath` atomically, else to stdout. `mode` applies to a new file (existing files keep
 * theirs) unless `forceMode` — decrypted output is always 0600.
 */
export async function writeOutput(data: string | Uint8Array, outPath: string | undefined, options: { mode?: number; forceMode?: boolean } = {}): Promise<void> {
  if (outPath === undefined || outPath === "-") return writeStdout(data);
  try {
    await writeFileAtomic(outPath, data, options);
  } catch (error) {
    throw new SealboxError("CouldNotWriteOutputFile", `cannot write: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file: outPath, cause: error });
  }
}
