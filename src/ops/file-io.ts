// Reading a file or stdin, and writing stdout or a file atomically, with errors that name the file.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { SealboxError, failureReason } from "../errors.js";
import type { ByteSource } from "../core/byte-stream.js";
import { openAtomic, writeFileAtomic, writeFilesAtomic, writeTarget, type AtomicFile, type AtomicWriteOptions, type FileToWrite } from "./atomic-write.js";
import { writeStdout } from "./stdout.js";

export { writeStdout };

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
    throw readError(path, error);
  }
}

function readError(path: string, error: unknown): SealboxError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : failureReason(error);
  return new SealboxError(code === "ENOENT" ? "NoFileSpecified" : "CouldNotReadInputFile", `cannot read: ${reason}`, { file: path, cause: error });
}

/** A file opened to be read a slice at a time (positional reads); close it when done. */
export function openInputFile(path: string): ByteSource & { close(): void } {
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, "r");
    try {
      const stats = fstatSync(fd);
      if (stats.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
      size = stats.size;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  } catch (error) {
    throw readError(path, error);
  }
  return {
    size,
    read(into, position) {
      try {
        return readSync(fd, into, 0, into.length, position);
      } catch (error) {
        throw readError(path, error);
      }
    },
    close: () => closeSync(fd),
  };
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
    throw writeError(error, outPath);
  }
}

/** Writes several files atomically, all or none (writeFilesAtomic), with an error that names the file that failed. */
export async function writeOutputs(files: readonly FileToWrite[]): Promise<void> {
  await writeFilesAtomic(files, writeError);
}

/** How plaintext is written: mode 0600, whatever mode the file had before. */
export const PLAINTEXT_MODE = { mode: 0o600, forceMode: true } as const;

export interface PlaintextOutputOptions {
  /** Write even over a file git tracks. */
  force?: boolean;
  /** What the refusal tells the user to do instead (the command's own way to force it). */
  forceHint?: string;
}

/**
 * Refuses plaintext over a file git tracks (one `git add` from a commit) unless `force`; checked
 * before anything is written.
 */
export async function refuseGitTracked(paths: readonly string[], options: PlaintextOutputOptions = {}): Promise<void> {
  if (options.force) return;
  for (const path of paths) {
    if (await gitTracks(path)) {
      throw new SealboxError("CouldNotWriteOutputFile", `refusing to write decrypted output over a file git tracks (${options.forceHint ?? "use --force to do it anyway"})`, { file: path });
    }
  }
}

/** True when git tracks the file a write to `path` lands in (false outside a work tree or without git). */
async function gitTracks(path: string): Promise<boolean> {
  const { git } = await import("../repo/discover.js");
  let target = path;
  try {
    target = writeTarget(path);
  } catch {
    // a link that cannot be followed: the write itself fails and says why
  }
  const absolute = resolve(target);
  return (await git(["ls-files", "--error-unmatch", "--", basename(absolute)], dirname(absolute))) !== undefined;
}

/** Plaintext to `outPath` (0600, never over a file git tracks: refuseGitTracked), else to stdout. */
export async function writePlaintextOutput(data: string | Uint8Array, outPath: string | undefined, options: PlaintextOutputOptions = {}): Promise<void> {
  if (outPath !== undefined && outPath !== "-") await refuseGitTracked([outPath], options);
  await writeOutput(data, outPath, PLAINTEXT_MODE);
}

/** A failed write as the one error every command shows for it; `path` when the caller knows it. */
export function writeError(error: unknown, path?: string): SealboxError {
  return new SealboxError("CouldNotWriteOutputFile", `cannot write: ${failureReason(error)}`, { file: path, cause: error });
}

/** openAtomic with errors that name the file, for output written a slice at a time. */
export async function openOutputFile(path: string, options: AtomicWriteOptions = {}): Promise<AtomicFile> {
  const wrap = async (step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      throw writeError(error, path);
    }
  };
  const file = await openAtomic(path, options).catch((error: unknown) => {
    throw writeError(error, path);
  });
  return {
    write: (data) => wrap(() => file.write(data)),
    commit: () => wrap(() => file.commit()),
    discard: () => file.discard(),
  };
}
