// Runs a bytes→bytes transformation over the files a command names: one file to stdout or -o, or any
// number in place (-i). Every output is computed before the first write, so a failure part way
// leaves every file as it was; each write is atomic.
import { basename, dirname, resolve } from "node:path";
import { SealboxError } from "../errors.js";
import { readInput, writeOutput, STDIN_NAME, type Input } from "../ops/file-io.js";

export interface OutputFlags {
  inPlace?: boolean;
  output?: string;
}

export interface TransformOptions {
  /** Mode for new output files (and, with forceMode, for every output). */
  mode?: number;
  forceMode?: boolean;
  /** Plaintext output: refuse to write over a file git tracks (one `git add` from a commit) unless `force`. */
  refuseGitTracked?: boolean;
  force?: boolean;
}

/** True when git tracks `path` (false outside a work tree or without git). */
async function gitTracks(path: string): Promise<boolean> {
  const { git } = await import("../repo/discover.js");
  const absolute = resolve(path);
  return (await git(["ls-files", "--error-unmatch", "--", basename(absolute)], dirname(absolute))) !== undefined;
}

export async function transformFiles(
  files: string[],
  flags: OutputFlags,
  transform: (input: Input) => Promise<Uint8Array>,
  options: TransformOptions = {},
): Promise<void> {
  const names = files.length ? files : ["-"];
  if (flags.inPlace && flags.output) throw new SealboxError("ConflictingParameters", "--in-place and --output do not go together");
  if (names.length > 1 && !flags.inPlace) throw new SealboxError("ConflictingParameters", "several files need --in-place (-i)");
  if (flags.inPlace && names.includes("-")) throw new SealboxError("ConflictingParameters", "--in-place needs files, not stdin");
  if (options.refuseGitTracked && !options.force) {
    const targets = flags.inPlace ? names : flags.output && flags.output !== "-" ? [flags.output] : [];
    for (const target of targets) {
      if (await gitTracks(target)) {
        throw new SealboxError("CouldNotWriteOutputFile", "refusing to write decrypted output over a file git tracks (use --force to do it anyway)", { file: target });
      }
    }
  }
  const results: { name: string; data: Uint8Array }[] = [];
  for (const name of names) {
    const input = await readInput(name);
    try {
      results.push({ name: input.name, data: await transform(input) });
    } catch (error) {
      throw error instanceof SealboxError && input.name !== STDIN_NAME ? error.inFile(input.name) : error;
    }
  }
  for (const { name, data } of results) {
    await writeOutput(data, flags.inPlace ? name : flags.output, options);
  }
}

/** The file name a transformation should see: the real one, or undefined for stdin. */
export function nameOf(input: Input): string | undefined {
  return input.name === STDIN_NAME ? undefined : input.name;
}
