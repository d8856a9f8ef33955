// rotate and updatekeys over many paths: the library functions the CLI commands call.
import type { KeyObject } from "node:crypto";
import { errorResult, forEachFile, prepareRun, replaceFile, summarise, type FileResult, type RunOptions, type RunReport } from "./run.js";
import { planUpdateKeys, resealFile, rotateSops, type UpdateKeysPlan } from "./rekey.js";
import { defaultConcurrency, runPool } from "./pool.js";
import { progressBar } from "./progress.js";

export interface RotateOptions extends RunOptions {
  /** Old sealing private keys, for files under a sealed_secrets rule. */
  privateKeys?: readonly KeyObject[];
  dryRun?: boolean;
}

/** New data key per SOPS file (recipients from the rules); SealedSecret files re-sealed to their rule's certificate. */
export async function rotatePaths(options: RotateOptions): Promise<RunReport> {
  const started = Date.now();
  const prepared = await prepareRun(options);
  const results = await forEachFile(prepared, { concurrency: options.concurrency, quiet: options.quiet, verb: "rotating" }, async (loaded, path): Promise<FileResult | undefined> => {
    const { classified } = loaded;
    if (classified.kind === "sops") {
      const result = await rotateSops(path, classified, prepared.ctx);
      if (!options.dryRun) await replaceFile(loaded.absolute, result.output);
      return { path, kind: "sops", status: options.dryRun ? "would-rotate" : "rotated", changes: result.lines, ...(result.note ? { note: result.note } : {}) };
    }
    if (classified.kind === "sealed") {
      // Walked SealedSecrets without the old keys are skipped (named, they fail): they cannot be opened.
      if (!prepared.ctx.privateKeys?.length && !loaded.file.named) {
        return { path, kind: "SealedSecret", status: "skipped", changes: [], note: "needs --private-key to re-seal" };
      }
      const result = await resealFile(path, classified, prepared.ctx);
      if (!options.dryRun) await replaceFile(loaded.absolute, result.output);
      return { path, kind: "SealedSecret", status: options.dryRun ? "would-rotate" : "rotated", changes: result.lines };
    }
    return undefined;
  });
  return summarise("rotate", !!options.dryRun, results, started);
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
  progress.done();
  return summarise("updatekeys", false, run.report.files, run.started);
}
