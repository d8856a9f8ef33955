// rotate and updatekeys over many paths: the library functions the CLI commands call.
import type { KeyObject } from "node:crypto";
import { errorResult, forEachFile, prepareRun, replaceFile, stageReplacement, summarise, syncWrittenDirectories, type FileResult, type FileWork, type RunOptions, type RunReport } from "./run.js";
import { planUpdateKeys, resealFile, rotateSops, type KeyChanges, type RekeyContext, type UpdateKeysPlan } from "./rekey.js";
import { defaultConcurrency, runPool } from "./pool.js";
import { progressBar } from "./progress.js";

export interface RotateOptions extends RunOptions {
  /** Old sealing private keys, for files under a sealed_secrets rule. */
  privateKeys?: readonly KeyObject[];
  dryRun?: boolean;
  /** Recipients to add (to the first key group) and to remove in every rotated SOPS file: sops rotate's --add-age, --rm-age, --add-kms, --rm-kms. */
  keyChanges?: KeyChanges;
  /** sops's --indent for every file written, in place of the rules file's `stores:` (see FileOptions.indent). */
  indent?: number;
  /**
   * Spread the files over `concurrency` threads (this one included) when the run is big enough to
   * pay for starting them (the CLI does). Needs the built package (dist/), and key sources the run finds itself.
   */
  threads?: boolean;
  /** Called with the number of files found, before any is worked on (the CLI tunes V8 for the run's size). */
  onFilesFound?: (count: number) => void;
  /**
   * V8 flags each worker thread sets as it starts (v8.setFlagsFromString): setting up a thread's heap
   * resets some process-wide heap flags, so a caller that changed one passes it here to keep it.
   */
  workerV8Flags?: string;
}

/** New data key per SOPS file (recipients from the rules); SealedSecret files re-sealed to their rule's certificate. */
export async function rotatePaths(options: RotateOptions): Promise<RunReport> {
  const started = Date.now();
  const prepared = await prepareRun(options);
  options.onFilesFound?.(prepared.files.length);
  prepared.ctx.keyChanges = options.keyChanges;
  prepared.ctx.indent = options.indent;
  const dryRun = !!options.dryRun;
  const threads = options.threads && !options.sources ? threadCount(options.concurrency ?? defaultConcurrency(), prepared.files.length) : 1;
  const threaded = threads > 1 ? await (await import("./threads.js")).rotateInWorkers(prepared, { threads, quiet: options.quiet, dryRun, passphrase: options.passphrase, v8Flags: options.workerV8Flags }) : undefined;
  const results = threaded ?? (await forEachFile(prepared, { concurrency: options.concurrency, quiet: options.quiet, verb: "rotating" }, rotateFile(prepared.ctx, dryRun)));
  return summarise("rotate", dryRun, results, started);
}

/** One file's rotation: the work rotate does in this thread or in a worker thread. */
export function rotateFile(ctx: RekeyContext, dryRun: boolean): FileWork {
  return async (loaded, path) => {
    const { classified } = loaded;
    if (classified.kind === "sops") {
      const result = await rotateSops(path, classified, ctx);
      if (!dryRun) await stageReplacement(loaded.absolute, result.output);
      return { path, kind: "sops", status: dryRun ? "would-rotate" : "rotated", changes: result.lines, ...(result.note ? { note: result.note } : {}) };
    }
    if (classified.kind === "sealed") {
      // Walked SealedSecrets without the old keys are skipped (named, they fail): they cannot be opened.
      if (!ctx.privateKeys?.length && !loaded.file.named) {
        return { path, kind: "SealedSecret", status: "skipped", changes: [], note: "needs --private-key to re-seal" };
      }
      const result = await resealFile(path, classified, ctx);
      if (!dryRun) await stageReplacement(loaded.absolute, result.output);
      return { path, kind: "SealedSecret", status: dryRun ? "would-rotate" : "rotated", changes: result.lines };
    }
    return undefined;
  };
}

// A worker thread costs ~0.25 s of CPU to start (Node's own modules ~66 ms, then our chunks and the
// key sources; docs/performance.md): small runs stay in this thread.
const FILES_PER_THREAD = 25;

/** How many threads (this one included) a run of `files` gets: one per core in use, 1 for small runs. */
export function threadCount(concurrency: number, files: number): number {
  return Math.max(1, Math.min(concurrency, Math.floor(files / FILES_PER_THREAD)));
}

export interface UpdateKeysRun {
  report: RunReport;
  /** Files whose recipients change, with what to do to apply. */
  pending: { result: FileResult; plan: UpdateKeysPlan; absolute: string }[];
  options: RunOptions;
  started: number;
}

/** Works out every file's recipient change without writing (or recovering any key). */
export async function planUpdateKeysPaths(options: RunOptions): Promise<UpdateKeysRun> {
  const started = Date.now();
  const prepared = await prepareRun(options);
  const pending: UpdateKeysRun["pending"] = [];
  const results = await forEachFile(prepared, { concurrency: options.concurrency, quiet: options.quiet, verb: "checking" }, async (loaded, path): Promise<FileResult | undefined> => {
    const { classified } = loaded;
    if (classified.kind === "sealed") {
      if (!loaded.file.named) return undefined;
      return { path, kind: "SealedSecret", status: "skipped", changes: [], note: "a SealedSecret has no recipient list: use rotate --private-key to re-seal it" };
    }
    if (classified.kind !== "sops") return undefined;
    const plan = await planUpdateKeys(path, classified, prepared.ctx);
    if (plan.change.same) return { path, kind: "sops", status: "unchanged", changes: [] };
    const result: FileResult = { path, kind: "sops", status: "would-update", changes: plan.lines };
    pending.push({ result, plan, absolute: loaded.absolute });
    return result;
  });
  return { report: summarise("updatekeys", true, results, started), pending, options, started };
}

/** Writes the planned changes; each result's status becomes "updated" or "failed". */
export async function applyUpdateKeys(run: UpdateKeysRun): Promise<RunReport> {
  const progress = progressBar(run.pending.length, { quiet: run.options.quiet, verb: "updating" });
  await runPool(
    run.pending,
    run.options.concurrency ?? defaultConcurrency(),
    async ({ result, plan, absolute }) => {
      try {
        await replaceFile(absolute, await plan.apply());
        result.status = "updated";
      } catch (error) {
        Object.assign(result, errorResult(result.path, error), { changes: result.changes });
      }
    },
    (index) => progress.tick(run.pending[index].result.path),
  );
  await syncWrittenDirectories();
  progress.done();
  return summarise("updatekeys", false, run.report.files, run.started);
}
