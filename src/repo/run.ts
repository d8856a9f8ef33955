// A repo-wide run: find the files, work on them in a bounded pool (keys loaded once, one KeySources
// for the run), write each finished file atomically, and report per file plus a closing summary.
// Files stand alone: one that fails is reported and the others still finish; a re-run picks up
// where a killed or failed run stopped, because every file is either old or new, never half.
import { readdirSync, readFileSync, unlinkSync } from "node:fs";
import { readdir, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { SealboxError } from "../errors.js";
import { KeySources } from "../keys/registry.js";
import { BatchedReplace, syncDirectory, writeFileAtomic } from "../ops/atomic-write.js";
import { writeError, writeStdout } from "../ops/file-io.js";
import { findConfigFile, matchCreationRule } from "../rules/config.js";
import { classify, type Classified } from "./classify.js";
import { discoverFiles, displayPath, TEMP_FILE, type DiscoveredFile } from "./discover.js";
import { defaultConcurrency, runPool } from "./pool.js";
import { progressBar } from "./progress.js";
import type { RekeyContext } from "./rekey.js";
import type { FormatName } from "../formats/types.js";

export type FileStatus = "rotated" | "updated" | "unchanged" | "would-update" | "would-rotate" | "skipped" | "failed";

export interface FileResult {
  /** Relative to the working directory, forward slashes. */
  path: string;
  kind?: "sops" | "SealedSecret";
  status: FileStatus;
  /** "+ age:…", "- kms:…", "re-sealed …": what changed (or would). */
  changes: string[];
  note?: string;
  /** `line`: where in the file, when the error knows (messages never quote the text, so this is how to find it). */
  error?: { code: string; exitStatus: number; message: string; line?: number };
}

export interface RunReport {
  command: string;
  dryRun: boolean;
  files: FileResult[];
  summary: { total: number } & Partial<Record<FileStatus, number>>;
  durationMs: number;
}

export interface RunOptions {
  paths: string[];
  cwd?: string;
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Files in flight at once; default: the machine's cores. */
  concurrency?: number;
  quiet?: boolean;
  sources?: KeySources;
  privateKeys?: RekeyContext["privateKeys"];
  /** Asked for a locked identity's passphrase when a file needs that identity (the CLI asks the terminal). */
  passphrase?: (source: string) => Promise<string>;
  /** sops's --input-type: every file read with this store, not the one its name picks. */
  inputType?: FormatName;
}

export interface Prepared {
  ctx: RekeyContext;
  files: DiscoveredFile[];
}

/** Finds the rules file once and the files to work on: named ones, and walked ones a creation rule matches. */
export async function prepareRun(options: RunOptions): Promise<Prepared> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const configPath = await findConfigFile({ configPath: options.configPath, cwd, env });
  const accept = configPath
    ? async (absolute: string) => basename(absolute) !== ".sops.yaml" && (await matchCreationRule(absolute, configPath, cwd)) !== undefined
    : undefined;
  const files = await discoverFiles(options.paths, { cwd, accept });
  const sources = options.sources ?? new KeySources({ age: { env, passphrase: options.passphrase } });
  return { ctx: { sources, configPath, cwd, env, privateKeys: options.privateKeys, inputType: options.inputType }, files };
}

export interface Loaded {
  file: DiscoveredFile;
  /** The real path: read from and written to (rules match the path as named). */
  absolute: string;
  bytes: Buffer;
  classified: Classified;
}

export type FileWork = (loaded: Loaded, display: string) => Promise<FileResult | undefined>;

/**
 * A failed file's result: the error's code, exit status and message (never a value). A fault in
 * another file (the rules file) is named with its line in the message: `line` is the reported file's.
 */
export function errorResult(path: string, error: unknown): FileResult {
  const e = error instanceof SealboxError ? error : new SealboxError("Generic", error instanceof Error ? error.message : String(error));
  const elsewhere = e.file !== undefined && e.file !== path;
  const where = elsewhere ? `${e.file}${e.line ? `:${e.line}` : ""}: ` : "";
  const message = [where + e.message, ...e.details.map((d) => `  ${d}`)].join("\n");
  return { path, status: "failed", changes: [], error: { code: e.code, exitStatus: e.exitStatus, message, ...(e.line && !elsewhere ? { line: e.line } : {}) } };
}

/**
 * Reads and classifies one file, then hands it to `work`. Walked files that are plain (not encrypted)
 * are left out of the report (undefined) unless a rule with a path_regex names them; named ones are
 * reported. Never throws: a failure is the file's result.
 */
export async function processFile(file: DiscoveredFile, ctx: RekeyContext, work: FileWork): Promise<FileResult | undefined> {
  const display = displayPath(file.path, ctx.cwd);
  const absolute = file.real;
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    return errorResult(display, new SealboxError("CouldNotReadInputFile", `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error }));
  }
  try {
    const classified = await classify(display, bytes, ctx.inputType);
    if (classified.kind === "unreadable") return errorResult(display, classified.error);
    if (classified.kind === "plain") {
      if (file.named) return { path: display, status: "skipped", changes: [], note: "not encrypted" };
      const rule = ctx.configPath ? await matchCreationRule(resolve(ctx.cwd, file.path), ctx.configPath, ctx.cwd) : undefined;
      if (!rule?.pathRegex || classified.empty) return undefined;
      return { path: display, status: "skipped", changes: [], note: `not encrypted, though the rule at ${displayPath(rule.configPath, ctx.cwd)}:${rule.line} covers it` };
    }
    return await work({ file, absolute, bytes, classified }, display);
  } catch (error) {
    return errorResult(display, error);
  }
}

/** The report's entries in file order: files left out (undefined) dropped. */
export function collectResults(results: (FileResult | undefined)[]): FileResult[] {
  return results.filter((r): r is FileResult => r !== undefined);
}

/** processFile for every file in a pool of `concurrency` (default: the cores) in this thread. */
export async function forEachFile(prepared: Prepared, options: { concurrency?: number; quiet?: boolean; verb: string }, work: FileWork): Promise<FileResult[]> {
  const { ctx, files } = prepared;
  const progress = progressBar(files.length, { quiet: options.quiet, verb: options.verb });
  const results: (FileResult | undefined)[] = new Array(files.length);
  await processFiles(files, ctx, work, options.concurrency ?? defaultConcurrency(), (index, result) => {
    results[index] = result;
    progress.tick(files[index].path);
  });
  progress.done();
  return collectResults(results);
}

/**
 * processFile for each file claimed (see runPool), `inFlight` at a time, each result handed to
 * `onResult` as it comes (a file staged with stageReplacement once it is in place); then the
 * directories written in are synced.
 */
export async function processFiles(
  files: readonly DiscoveredFile[],
  ctx: RekeyContext,
  work: FileWork,
  inFlight: number,
  onResult: (index: number, result: FileResult | undefined) => void,
  claim?: () => number,
): Promise<void> {
  // files waiting for their batch, and a wake-up for when the last of them is placed
  let placing = 0;
  let allPlaced = (): void => {};
  await runPool(
    files,
    inFlight,
    (file) => processFile(file, ctx, work),
    (index, settled) => {
      const display = displayPath(files[index].path, ctx.cwd);
      const result = settled.ok ? settled.value : errorResult(display, settled.error);
      const placed = staged.get(files[index].real);
      if (!placed) return onResult(index, result);
      staged.delete(files[index].real);
      placing++;
      void placed.then((failure) => {
        onResult(index, failure && result?.status !== "failed" ? errorResult(display, failure) : result);
        if (--placing === 0) allPlaced();
      });
    },
    claim,
  );
  const lastPlaced = new Promise<void>((resolve) => (allPlaced = resolve));
  await replacements.commit();
  if (placing > 0) await lastPlaced;
  await syncWrittenDirectories();
}

/**
 * Replaces the file atomically (mode kept), then removes temp files a killed run left beside it.
 * The directory's own fsync waits for syncWrittenDirectories, once per directory at the run's end.
 */
export async function replaceFile(absolute: string, data: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(absolute, data, { syncDirectory: false });
  } catch (error) {
    throw writeError(error);
  }
  written.add(dirname(absolute));
  await removeLeftovers(absolute);
}

/**
 * replaceFile for processFiles' work: the new content goes to a temp file now, and the file is put
 * in place with its batch (BatchedReplace); processFiles reports the file once it is. Temp files a
 * killed run left beside it are removed first.
 */
export async function stageReplacement(absolute: string, data: Uint8Array): Promise<void> {
  await removeLeftovers(absolute);
  let placed: Promise<void>;
  try {
    placed = replacements.stage(absolute, data);
  } catch (error) {
    throw writeError(error);
  }
  written.add(dirname(absolute));
  staged.set(absolute, placed.then(() => undefined, (error: unknown) => writeError(error)));
}

async function removeLeftovers(absolute: string): Promise<void> {
  const dir = dirname(absolute);
  const prefix = `.${basename(absolute)}.sealbox-tmp-`;
  for (const name of await leftoverTemps(dir)) if (name.startsWith(prefix)) await unlink(join(dir, name)).catch(() => {});
}

/** Removes every temp file beside `files` at once (a signal handler's last act: no waiting). */
export function removeTempFilesSync(files: readonly string[]): void {
  const namesByDir = new Map<string, Set<string>>();
  for (const file of files) {
    const names = namesByDir.get(dirname(file)) ?? new Set<string>();
    namesByDir.set(dirname(file), names.add(basename(file)));
  }
  for (const [dir, names] of namesByDir) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue; // gone: nothing left in it
    }
    for (const entry of entries) {
      // `.NAME.sealbox-tmp-` and 12 hex digits (TEMP_FILE)
      if (!TEMP_FILE.test(entry) || !names.has(entry.slice(1, entry.lastIndexOf(".sealbox-tmp-")))) continue;
      try {
        unlinkSync(join(dir, entry));
      } catch {
        // renamed or removed meanwhile
      }
    }
  }
}

/** This thread's batches, and each staged file's outcome (a write failure, or undefined once in place). */
const replacements = new BatchedReplace();
const staged = new Map<string, Promise<SealboxError | undefined>>();
const written = new Set<string>();

/** Makes every rename replaceFile and the batches did durable: one directory fsync each, not one per file. */
export async function syncWrittenDirectories(): Promise<void> {
  const dirs = [...written];
  written.clear();
  await Promise.all(dirs.map(syncDirectory));
}

// Each directory is listed once per process, not after every write: listing a 10,000-file directory
// per file made rotate quadratic (docs/performance.md). A killed run's temp files predate this one.
const temps = new Map<string, Promise<string[]>>();
function leftoverTemps(dir: string): Promise<string[]> {
  let names = temps.get(dir);
  if (!names) {
    names = readdir(dir).then((all) => all.filter((name) => TEMP_FILE.test(name)), () => []);
    temps.set(dir, names);
  }
  return names;
}

export function summarise(command: string, dryRun: boolean, files: FileResult[], started: number): RunReport {
  const summary: RunReport["summary"] = { total: files.length };
  for (const f of files) summary[f.status] = (summary[f.status] ?? 0) + 1;
  return { command, dryRun, files, summary, durationMs: Date.now() - started };
}

const ORDER: FileStatus[] = ["rotated", "updated", "would-rotate", "would-update", "unchanged", "skipped", "failed"];

/** The closing line: "rotate: 300 files — 298 rotated, 1 skipped, 1 failed (2.1 s)". */
export function summaryLine(report: RunReport): string {
  const parts = ORDER.filter((s) => report.summary[s]).map((s) => `${report.summary[s]} ${s}`);
  const n = report.summary.total;
  return `${report.command}: ${n} file${n === 1 ? "" : "s"}${parts.length ? " — " + parts.join(", ") : ""} (${(report.durationMs / 1000).toFixed(1)} s)`;
}

/** The human report: one line per file that changed, was skipped or failed, then the summary. */
export function renderReport(report: RunReport): string {
  const lines: string[] = [];
  for (const f of report.files) {
    if (f.status === "unchanged") continue;
    lines.push(`${f.status.padEnd(12)} ${f.path}${f.error?.line ? `:${f.error.line}` : ""}${f.note ? `  (${f.note})` : ""}`);
    for (const c of f.changes) lines.push(`             ${c}`);
    if (f.error) lines.push(...f.error.message.split("\n").map((l) => `             ${l}`));
  }
  lines.push(summaryLine(report));
  return lines.join("\n") + "\n";
}

/** The exit status a run earns: 0, or the first failed file's. */
export function exitStatusOf(report: RunReport): number {
  return report.files.find((f) => f.status === "failed")?.error?.exitStatus ?? 0;
}

/** Prints the report: JSON on stdout with --json, else the human report unless --quiet; sets the exit status. */
export async function printRunReport(report: RunReport, options: { json?: boolean; quiet?: boolean }): Promise<void> {
  if (options.json) await writeStdout(JSON.stringify(report, null, 2) + "\n");
  else if (!options.quiet) await writeStdout(renderReport(report));
  else for (const f of report.files) if (f.error) process.stderr.write(`sealbox: ${f.path}: ${f.error.message}\n`);
  const status = exitStatusOf(report);
  if (status) process.exitCode = status;
}
