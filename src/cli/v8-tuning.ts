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
  // V8 takes either spelling of a flag
  if (files >= SHORT_RUN_FILES || process.execArgv.some((arg) => /^--interrupt[-_]budget/.test(arg))) return;
  setFlagsFromString(`--interrupt-budget=${8 * DEFAULT_INTERRUPT_BUDGET}`);
}
