// rotate across threads: a rotation is CPU work per file (YAML, age, AES-GCM; docs/performance.md),
// and one thread uses one core. This thread and its workers each build key sources from identity
// bytes read here once (no key file read or SOPS_AGE_KEY_CMD run per thread) and take the next file
// from a shared counter, so a slow file never holds the others up. Workers ask this thread for a
// locked identity's passphrase (./passphrase-relay.ts).
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";
import { parseIdentitySources, readIdentitySources, sourceFailures, type ReadIdentitySource } from "../keys/age-identities.js";
import type { AgeIdentity } from "../keys/age-recipients.js";
import type { FormatName } from "../formats/types.js";
import { KeySources } from "../keys/registry.js";
import { syncDirectory } from "../ops/atomic-write.js";
import { sweepOnSignal } from "../ops/signal-cleanup.js";
import { loadRules, loadStores, primeRules, type CreationRule, type StoreIndents } from "../rules/config.js";
import { rotateFile } from "./commands.js";
import { displayPath, type DiscoveredFile } from "./discover.js";
import { answerRequest, askOncePerSource, type AskPassphrase, type PassphraseRequest } from "./passphrase-relay.js";
import { progressBar } from "./progress.js";
import type { RekeyContext } from "./rekey.js";
import { collectResults, errorResult, processFiles, removeTempFilesSync, type FileResult, type Prepared } from "./run.js";

/** What a worker is started with (structured-cloned into it). */
export interface WorkerSetup {
  files: DiscoveredFile[];
  /** Int32Array[1]: the index of the next file to take. */
  next: SharedArrayBuffer;
  dryRun: boolean;
  cwd: string;
  configPath?: string;
  env: NodeJS.ProcessEnv;
  privateKeys?: RekeyContext["privateKeys"];
  keyChanges?: RekeyContext["keyChanges"];
  identities: ReadIdentitySource[];
  /** The rules file's rules and `stores:`, read once here (plain data), so workers need not parse YAML for them. */
  rules?: CreationRule[];
  stores?: StoreIndents;
  /** rotate --indent. */
  indent?: number;
  /** --input-type. */
  inputType?: FormatName;
  /** Whether this thread can ask for passphrases (workers then ask it: ./passphrase-relay.ts). */
  canAsk: boolean;
  /** RotateOptions.workerV8Flags. */
  v8Flags?: string;
}

/** A batch of a worker's finished files. */
export interface ResultBatch {
  results: { index: number; result: FileResult | undefined }[];
}

export type WorkerMessage = ResultBatch | PassphraseRequest;

// A worker's young generation, capped: V8 grows it to its 48 MB maximum in any run long enough (the
// bytes surviving scavenges add up), though a file's garbage is short-lived. 10,000 files peaked at
// 124 MB instead of 131 MB, as fast; 1,000 files never reach the cap (docs/performance.md).
const WORKER_YOUNG_GENERATION_MB = 8;

// Files in flight per thread: while some wait for their fsync and rename, others are worked on.
// 1,000 files on 2 cores: 1.66 s with one in flight, 1.52 s with two, 1.36 s with four, 1.38 s with eight.
const IN_FLIGHT = 4;

/**
 * A thread's view of the run: key sources from the identities (parsed, or their bytes, asking
 * `passphrase` for locked ones), rules from the setup.
 */
export function contextFor(setup: WorkerSetup, identities: AgeIdentity[] | { passphrase?: AskPassphrase }): RekeyContext {
  if (setup.configPath && setup.rules && setup.stores) primeRules(setup.configPath, setup.rules, setup.stores);
  const age = Array.isArray(identities)
    ? { env: setup.env, identities, failures: sourceFailures(setup.identities) }
    : { env: setup.env, readSources: setup.identities, passphrase: identities.passphrase, onWarning: () => {} };
  return {
    sources: new KeySources({ age }),
    configPath: setup.configPath,
    cwd: setup.cwd,
    env: setup.env,
    privateKeys: setup.privateKeys,
    keyChanges: setup.keyChanges,
    indent: setup.indent,
    inputType: setup.inputType,
  };
}

/** Rotates files taken from the shared counter until none are left, then syncs their directories. */
export async function takeFiles(setup: WorkerSetup, ctx: RekeyContext, onResult: (index: number, result: FileResult | undefined) => void): Promise<void> {
  const next = new Int32Array(setup.next);
  await processFiles(setup.files, ctx, rotateFile(ctx, setup.dryRun), IN_FLIGHT, onResult, () => Atomics.add(next, 0, 1));
}

/**
 * Rotates the prepared files in `threads` threads, this one included; results in file order.
 * Undefined when the identities or the rules file cannot be read: the caller rotates in this thread,
 * which reports a failure per file that needs them (and only those), as without threads, with the
 * identity sources as read here (a failing SOPS_AGE_KEY_CMD is not run again).
 */
export async function rotateInWorkers(
  prepared: Prepared,
  options: { threads: number; quiet?: boolean; dryRun: boolean; passphrase?: AskPassphrase; v8Flags?: string },
): Promise<FileResult[] | undefined> {
  const { ctx, files } = prepared;
  const env = ctx.env ?? process.env;
  // every thread's question about one identity gets the one answer
  const ask = options.passphrase && askOncePerSource(options.passphrase);
  const reading = readIdentitySources(env);
  let identities: ReadIdentitySource[];
  let parsed: AgeIdentity[];
  let rules: CreationRule[] | undefined;
  let stores: StoreIndents | undefined;
  try {
    identities = await reading;
    // parsed here for this thread's keys and the warnings a skipped ~/.ssh key gives (the others stay quiet)
    parsed = parseIdentitySources(identities, { passphrase: ask, onWarning: (text) => process.stderr.write(`sealbox: warning: ${text}\n`) });
    rules = ctx.configPath ? await loadRules(ctx.configPath) : undefined;
    stores = ctx.configPath ? await loadStores(ctx.configPath) : undefined;
  } catch {
    // warnings, if any, were given above
    ctx.sources = new KeySources({ age: { env, readSources: reading, passphrase: ask, onWarning: () => {} } });
    return undefined;
  }
  const setup: WorkerSetup = {
    files,
    next: new SharedArrayBuffer(4),
    dryRun: options.dryRun,
    cwd: ctx.cwd,
    configPath: ctx.configPath,
    env: { ...env },
    privateKeys: ctx.privateKeys,
    keyChanges: ctx.keyChanges,
    identities,
    rules,
    stores,
    indent: ctx.indent,
    inputType: ctx.inputType,
    canAsk: !!ask,
    v8Flags: options.v8Flags,
  };
  const results: (FileResult | undefined)[] = new Array(files.length);
  const settled: boolean[] = new Array(files.length).fill(false);
  const progress = progressBar(files.length, { quiet: options.quiet, verb: "rotating" });
  const record = (index: number, result: FileResult | undefined): void => {
    results[index] = result;
    settled[index] = true;
    progress.tick(files[index].path);
  };
  const failures: string[] = [];
  const workers = Array.from({ length: options.threads - 1 }, () =>
    new Promise<void>((done) => {
      let worker: Worker;
      try {
        worker = new Worker(new URL("./rotate-worker.js", import.meta.url), { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      } catch (error) {
        // this thread still takes every file no worker takes
        failures.push((error as Error).message);
        return done();
      }
      worker.on("message", (message: WorkerMessage) => {
        if ("ask" in message) answerRequest(worker, message.ask, ask!);
        else for (const { index, result } of message.results) record(index, result);
      });
      worker.on("error", (error) => failures.push(error.message));
      worker.on("exit", () => done());
    }),
  );
  // signals reach this thread only: should one stop the run, the workers' temp files are removed from here
  const stopSweeping = sweepOnSignal(() => removeTempFilesSync(files.map((file) => file.real)));
  try {
    await Promise.all([takeFiles(setup, contextFor(setup, parsed), record), ...workers]);
  } finally {
    stopSweeping();
  }
  // A worker that stopped took files whose outcome it never reported: each may already be rotated
  // (its rename done, its directory not yet synced), so it is synced here and reported as unknown.
  const unknown = files.filter((_, i) => !settled[i]);
  await Promise.all([...new Set(unknown.map((f) => dirname(f.real)))].map(syncDirectory));
  progress.done();
  const reason = `outcome unknown, the file may already be rotated: a worker thread stopped (${failures[0] ?? "unknown error"}); run rotate again`;
  for (let i = 0; i < files.length; i++) if (!settled[i]) results[i] = errorResult(displayPath(files[i].path, ctx.cwd), new Error(reason));
  return collectResults(results);
}
