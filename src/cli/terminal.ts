// Terminal manners in one place: what goes to stderr (warnings, notes, progress) and whether it is
// coloured. Data goes to stdout through the commands' own writers and is never coloured: a script
// that pipes it must get the same bytes on a terminal or off it.
//
// Colour only when stderr is a TTY, never with NO_COLOR (no-color.org: set and not empty) or
// --no-color; FORCE_COLOR is chalk's own override. chalk is imported only when colour is on.

import { fstatSync } from "node:fs";

export type Verbosity = "quiet" | "normal" | "verbose";

export interface TerminalOptions {
  quiet?: boolean;
  verbose?: boolean;
  /** false for --no-color (commander's negated flag). */
  color?: boolean;
}

type Paint = (text: string) => string;
const plain: Paint = (text) => text;

/** Styles for stderr messages; identity functions unless colour is on. */
export const style = { bold: plain, dim: plain, red: plain, yellow: plain, green: plain, cyan: plain };

let verbosity: Verbosity = "normal";

/** Whether messages to stderr may be coloured, by the rules above. */
export function colorWanted(options: TerminalOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  if (options.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return stderrIsTerminal();
}

/**
 * Whether stderr is a terminal. A pipe, file or socket is not, and fstat says so cheaply; only a
 * character device is asked of process.stderr, a stream Node builds on first use, which loads net
 * and the stream classes (~5 ms of every start where stderr is never written, docs/performance.md).
 */
function stderrIsTerminal(): boolean {
  try {
    if (!fstatSync(2).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.stderr.isTTY === true;
}

/** Called once per run, before the command's action, with the global options. */
export async function configureTerminal(options: TerminalOptions): Promise<void> {
  verbosity = options.quiet ? "quiet" : options.verbose ? "verbose" : "normal";
  if (!colorWanted(options)) return;
  const { Chalk } = await import("chalk");
  const chalk = new Chalk({ level: Math.max(1, new Chalk().level) as 1 | 2 | 3 });
  Object.assign(style, { bold: chalk.bold, dim: chalk.dim, red: chalk.red, yellow: chalk.yellow, green: chalk.green, cyan: chalk.cyan });
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Something the user should know that is not an error; hidden by --quiet. */
export function warn(text: string): void {
  if (verbosity !== "quiet") say(`${style.yellow("sealbox: warning:")} ${text}`);
}

/**
 * A warning that weakens a safety guarantee (--ignore-mac, widening who may unseal a secret):
 * shown even with --quiet, because it must never pass unnoticed.
 */
export function alert(text: string): void {
  say(`${style.red(style.bold("sealbox: WARNING:"))} ${text}`);
}

/** The warning --ignore-mac earns, whichever command it is given to (main.ts says it before the command runs). */
export function warnIgnoreMac(): void {
  alert("--ignore-mac: the file's integrity is NOT checked; its contents may have been tampered with");
}

/** What was done ("wrote .sops.yaml"); hidden by --quiet. */
export function info(text: string): void {
  if (verbosity !== "quiet") say(`sealbox: ${text}`);
}

/** Detail only --verbose wants. */
export function detail(text: string): void {
  if (verbosity === "verbose") say(style.dim(`sealbox: ${text}`));
}

/** Prompts are allowed only when a person can answer: stdin and stderr both terminals. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}
