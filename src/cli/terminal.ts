// Terminal manners in one place: what goes to stderr (warnings, notes, progress) and whether it is
// coloured. Data goes to stdout through the commands' own writers and is never coloured: a script
// that pipes it must get the same bytes on a terminal or off it.
//
// Colour only when stderr is a TTY, never with NO_COLOR (no-color.org: set and not empty) or
// --no-color; FORCE_COLOR is chalk's own override. chalk is imported only when colour is on.

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

/** Whether messages to `stream` may be coloured, by the rules above. */
export function colorWanted(options: TerminalOptions, stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  if (options.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return stream.isTTY === true;
}

/** Called once per run, before the command's action, with the global options. */
export async function configureTerminal(options: TerminalOptions): Promise<void> {
  verbosity = options.quiet ? "quiet" : options.verbose ? "verbose" : "normal";
  if (!colorWanted(options)) return;
  const { Chalk } = await import("chalk");
  const chalk = new Chalk({ level: Math.max(1, new Chalk().level) as 1 | 2 | 3 });
  Object.assign(style, { bold: chalk.bold, dim: chalk.dim, red: chalk.red, yellow: chalk.yellow, green: chalk.green, cyan: chalk.cyan });
}

export function currentVerbosity(): Verbosity {
  return verbosity;
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

/**
 * `sealbox … | head` closes stdout early: stop quietly (status 0 like most Unix tools would
 * report via SIGPIPE) instead of crashing with an EPIPE stack trace.
 */
export function quietOnBrokenPipe(): void {
  // Other write errors reach the write's own callback, and from there the one error report.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
  });
}
