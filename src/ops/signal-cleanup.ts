// Temp files and directories removed if the process is stopped by SIGINT, SIGTERM, SIGHUP or
// SIGQUIT (or exits some other way) while they exist: a write's temp file sits in the working tree,
// where `git add -A` would commit it and its name escapes ignore patterns like `*.dec.json`; edit's
// directory holds plaintext. The process then exits 128+signal, as the signal would have ended it.
// The handlers are installed only while something is tracked: a bulk run tracks hundreds of temp
// files at once, so tracking is a Set and costs nothing more.
import { rmSync } from "node:fs";
import { constants } from "node:os";

const SIGNALS = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM"] as const;
/** What the terminal sends the whole foreground process group on Ctrl-C and Ctrl-\. */
const INTERRUPTS: readonly NodeJS.Signals[] = ["SIGINT", "SIGQUIT"];

const tracked = new Set<string>();
/** Clean-ups of files this thread did not make (see sweepOnSignal). */
const sweeps = new Set<() => void>();
/** An editor is running: the interrupts are its to handle (leaveInterruptsTo). */
let interruptsLeft = false;
let listening = false;

function onSignal(signal: NodeJS.Signals): void {
  if (interruptsLeft && INTERRUPTS.includes(signal)) return;
  process.exit(128 + constants.signals[signal]); // cleanUp runs on "exit"
}

function cleanUp(): void {
  for (const path of tracked) rmSync(path, { recursive: true, force: true });
  tracked.clear();
  for (const sweep of sweeps) sweep();
  sweeps.clear();
}

/** Installs the handlers while there is something to clean up, and removes them once there is not. */
function listenIfNeeded(): void {
  const wanted = tracked.size > 0 || sweeps.size > 0 || interruptsLeft;
  if (wanted === listening) return;
  listening = wanted;
  const method = wanted ? "on" : "off";
  for (const signal of SIGNALS) process[method](signal, onSignal);
  process[method]("exit", cleanUp);
}

/** Removes `path` (a file, or a directory and all in it) should the process be stopped before forgetRemoval. */
export function removeOnSignal(path: string): void {
  tracked.add(path);
  listenIfNeeded();
}

/** `path` is gone or in its final place: nothing to remove for it any more. */
export function forgetRemoval(path: string): void {
  tracked.delete(path);
  listenIfNeeded();
}

/**
 * Runs `sweep` should the process be stopped before the returned function is called: for temp files
 * of worker threads, which signals do not reach (the process exit ends them where they stand).
 */
export function sweepOnSignal(sweep: () => void): () => void {
  sweeps.add(sweep);
  listenIfNeeded();
  return () => {
    sweeps.delete(sweep);
    listenIfNeeded();
  };
}

/**
 * Runs an editor (`run` resolves with its exit status, 128+n for a signal) with SIGINT and SIGQUIT
 * left to it, as git does: Ctrl-C inside the editor reaches the whole process group, and only the
 * editor knows whether it means to stop. If the editor dies of one, this process stops as that
 * signal would have stopped it: what is tracked is removed, exit 128+signal.
 */
export async function leaveInterruptsTo(run: () => Promise<number>): Promise<number> {
  interruptsLeft = true;
  listenIfNeeded();
  let status: number;
  try {
    status = await run();
  } finally {
    interruptsLeft = false;
    listenIfNeeded();
  }
  const interrupt = INTERRUPTS.find((signal) => status === 128 + constants.signals[signal]);
  if (interrupt) onSignal(interrupt);
  return status;
}
