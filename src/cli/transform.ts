// Runs a bytes→bytes transformation over the files a command names: one file to stdout or -o, or any
// number of files and directories in place (-i; a directory is walked git-aware for the files a
// creation rule matches). Every output is computed before the first write, and -i writes them all
// or none (writeOutputs), so a failure part way leaves every file as it was.
import { basename } from "node:path";
import { SealboxError } from "../errors.js";
import { toMemory, type ByteSource, type OpenSink } from "../core/byte-stream.js";
import type { AtomicFile, AtomicWriteOptions } from "../ops/atomic-write.js";
import { openInputFile, openOutputFile, readInput, refuseGitTracked, writeOutput, writeOutputs, writeStdout, PLAINTEXT_MODE, STDIN_NAME, type Input } from "../ops/file-io.js";

export interface OutputFlags {
  inPlace?: boolean;
  output?: string;
}

export interface TransformOptions {
  /** Mode for new output files. */
  mode?: number;
  /** The output is plaintext: written 0600, and over a file git tracks only with `force` (PLAINTEXT_MODE, refuseGitTracked). */
  plaintext?: boolean;
  force?: boolean;
  /** The rules file named by --config, for choosing files in a walked directory. */
  configPath?: string;
  /** Leaves out a file found by walking a directory (e.g. encrypt skips files already encrypted). */
  skipWalked?: (input: Input) => Promise<boolean>;
  /**
   * The transformation reading one file a slice at a time and writing as it goes (a large binary
   * file need never be whole in memory); false where it does not apply, and the whole-file path runs.
   */
  stream?: (source: ByteSource, name: string, open: OpenSink) => Promise<boolean>;
}

interface Target {
  name: string;
  /** Named on the command line (kept whatever it holds) rather than found in a directory. */
  named: boolean;
}

/** Names as given, with each directory replaced by the files in it that a creation rule matches. */
async function expandDirectories(names: string[], configPath: string | undefined): Promise<Target[]> {
  const { stat } = await import("node:fs/promises");
  const isDirectory = async (name: string): Promise<boolean> => name !== "-" && (await stat(name).then((s) => s.isDirectory(), () => false));
  if (!(await Promise.all(names.map(isDirectory))).some(Boolean)) return names.map((name) => ({ name, named: true }));
  const { discoverFiles } = await import("../repo/discover.js");
  const { findConfigFile, resolveCreationRule } = await import("../rules/config.js");
  const rules = await findConfigFile({ configPath });
  const accept = async (absolute: string): Promise<boolean> =>
    !!rules && basename(absolute) !== ".sops.yaml" && (await resolveCreationRule(absolute, { configPath: rules })) !== undefined;
  const found = await discoverFiles(names, { accept });
  return found.map((f) => ({ name: f.path, named: f.named }));
}

export async function transformFiles(
  files: string[],
  flags: OutputFlags,
  transform: (input: Input) => Promise<Uint8Array>,
  options: TransformOptions = {},
): Promise<void> {
  const targets = await expandDirectories(files.length ? files : ["-"], options.configPath);
  const names = targets.map((t) => t.name);
  if (flags.inPlace && flags.output) throw new SealboxError("ConflictingParameters", "--in-place and --output do not go together");
  if ((names.length > 1 || targets.some((t) => !t.named)) && !flags.inPlace) {
    throw new SealboxError("ConflictingParameters", "several files or a directory need --in-place (-i)");
  }
  if (flags.inPlace && names.includes("-")) throw new SealboxError("ConflictingParameters", "--in-place needs files, not stdin");
  if (options.plaintext) await refuseGitTracked(flags.inPlace ? names : flags.output && flags.output !== "-" ? [flags.output] : [], options);
  const writeOptions = options.plaintext ? PLAINTEXT_MODE : { mode: options.mode };
  if (options.stream && targets.length === 1 && names[0] !== "-") {
    if (await streamFile(names[0], flags.inPlace ? names[0] : flags.output, options.stream, writeOptions)) return;
  }
  const results: { name: string; data: Uint8Array }[] = [];
  for (const { name, named } of targets) {
    const input = await readInput(name);
    if (!named && options.skipWalked && (await options.skipWalked(input))) continue;
    try {
      results.push({ name: input.name, data: await transform(input) });
    } catch (error) {
      throw error instanceof SealboxError && input.name !== STDIN_NAME ? error.inFile(input.name) : error;
    }
  }
  if (flags.inPlace) await writeOutputs(results.map(({ name, data }) => ({ path: name, data, options: writeOptions })));
  else for (const { data } of results) await writeOutput(data, flags.output, writeOptions); // one: several need -i
}

/**
 * One file through `stream`: to a file, which replaces its target only if it all went well; or to
 * stdout, all at once when it is done (plaintext is never shown before its MAC checks out).
 */
async function streamFile(name: string, outPath: string | undefined, stream: NonNullable<TransformOptions["stream"]>, options: AtomicWriteOptions): Promise<boolean> {
  const source = openInputFile(name);
  let output: AtomicFile | undefined;
  try {
    if (outPath === undefined || outPath === "-") {
      const bytes = await toMemory((open) => stream(source, name, open));
      if (bytes) await writeStdout(bytes);
      return bytes !== undefined;
    }
    const done = await stream(source, name, async () => (output = await openOutputFile(outPath, options)));
    if (done) await output?.commit();
    else await output?.discard();
    return done;
  } catch (error) {
    await output?.discard();
    throw error instanceof SealboxError ? error.inFile(name) : error;
  } finally {
    source.close();
  }
}

/** The file name a transformation should see: the real one, or undefined for stdin. */
export function nameOf(input: Input): string | undefined {
  return input.name === STDIN_NAME ? undefined : input.name;
}

/**
 * Whether a file found by walking a directory is a SOPS file (encrypt -i DIR skips those, decrypt -i
 * DIR takes only those). sops's binary store reads only its own JSON envelope, so a plain file it
 * takes (a .txt, a .pem) cannot be read as one: that file is plain, not broken.
 */
export async function walkedFileEncrypted(input: Input): Promise<boolean> {
  const [{ fileStatus }, { formatForPath }] = await Promise.all([import("../ops/sops-ops.js"), import("../formats/index.js")]);
  try {
    return (await fileStatus(input.bytes, { filename: input.name })).encrypted;
  } catch (error) {
    if (formatForPath(input.name) === "binary") return false;
    throw error;
  }
}
