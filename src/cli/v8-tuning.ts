// Bulk commands run for seconds, not hours. V8's default tiering, made for long-lived servers, had a
// 1,000-file rotate spend ~1 s of CPU compiling with TurboFan on the same 2 cores that rotate the
// files. Optimising only functions that run eight times as long first made 1,000 files 15% faster
// and 3,000 files 9% faster, but 10,000 files ~4% slower, where the optimised code has longer to
// pay for itself (docs/performance.md, sixth round). Flags given to node by hand win.
import { setFlagsFromString } from "node:v8";

/** Node 20's V8 (11.3) default, in bytecode bytes executed before a function is considered hot. */
const DEFAULT_INTERRUPT_BUDGET = 66 * 1024;
/** Past about this many files the default tiering wins. */
const SHORT_RUN_FILES = 5000;

/** Tiers code up later, for the rest of this process and the worker threads it starts after, when a run of `files` is short. */
export function tuneForRunOf(files: number): void {
  if (files >= SHORT_RUN_FILES || givenByHand("interrupt-budget")) return;
  setFlagsFromString(`--interrupt-budget=${8 * DEFAULT_INTERRUPT_BUDGET}`);
}

// A file's garbage dies young, yet V8 doubles a young generation whenever enough bytes survive its
// scavenges, and files in flight always do: the main thread's grew to its 32 MB maximum in any long
// run, which made a 10,000-file rotate peak 1.6 times as high as a 1,000-file one. Kept at about the
// size it has when the command starts (2 MB here, 4 MB once the worker threads' start has let it
// double): 1,000 files peak at 80 instead of 89 MB, 10,000 at 103 instead of 143 MB, no slower
// (docs/performance.md, eleventh round).
const YOUNG_GENERATION_AS_IS = "--semi-space-growth-factor=1";

/**
 * Stops the young generation from growing, unless node was given the flag. Returns the flags for
 * worker threads to set again as they start: V8 resets this process-wide flag whenever a thread's
 * heap is set up.
 */
export function keepYoungGenerationAsIs(): string | undefined {
  if (givenByHand("semi-space-growth-factor")) return undefined;
  setFlagsFromString(YOUNG_GENERATION_AS_IS);
  return YOUNG_GENERATION_AS_IS;
}

/** Whether node was given the V8 flag, in either of the spellings V8 takes. */
function givenByHand(flag: string): boolean {
  const spelled = new RegExp(`^--${flag.replace(/-/g, "[-_]")}`);
  return process.execArgv.some((arg) => spelled.test(arg));
}
