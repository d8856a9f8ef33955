// Runs the real CLI (node bin/sealbox.js, which loads dist/bundle) as a child process, as users and
// scripts do: the one place every test that spawns sealbox goes through.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnOptions } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./fixtures.js";

export const BIN = join(ROOT, "bin/sealbox.js");

export interface CliOptions {
  /** Default: the repository root. */
  cwd?: string;
  /** The child's whole environment. Default: cleanEnv(). */
  env?: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
  /** Kill the child (SIGKILL) after this long (default 45 s); the async result says timedOut. */
  timeoutMs?: number;
  /** V8 old-space cap in MB (default 512): a runaway parse dies instead of eating the machine. */
  maxOldSpaceMb?: number;
  /** Start the child in a session of its own: no controlling terminal it could prompt on. */
  detached?: boolean;
}

const TIMEOUT_MS = 45_000;

/** A clean environment: no identities, rules, kubeconfig or AWS of the machine running the tests leak in. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: "/nonexistent",
    XDG_CONFIG_HOME: "/nonexistent",
    KUBECONFIG: "/nonexistent/kubeconfig",
    NO_COLOR: "1",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
}

/** cleanEnv with only the named age identity file (SOPS_AGE_KEY_FILE). */
export function cliEnv(keyFile: string | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cleanEnv(keyFile ? { ...extra, SOPS_AGE_KEY_FILE: keyFile } : extra);
}

function nodeArgs(args: string[], options: CliOptions): string[] {
  return [`--max-old-space-size=${options.maxOldSpaceMb ?? 512}`, BIN, ...args];
}

// spawnSync honours detached too, but its option type leaves it out.
function spawnOptions(options: CliOptions): SpawnOptions {
  return {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? cleanEnv(),
    timeout: options.timeoutMs ?? TIMEOUT_MS,
    killSignal: "SIGKILL",
    detached: options.detached,
  };
}

export interface CliSyncResult {
  status: number;
  /** Bytes: some commands write binary. */
  stdout: Buffer;
  stderr: string;
}

/** Runs `sealbox ARGS` to the end, blocking (for tests with no server in this process to answer). */
export function sealboxSync(args: string[], options: CliOptions = {}): CliSyncResult {
  const result = spawnSync(process.execPath, nodeArgs(args, options), { ...spawnOptions(options), input: options.input, maxBuffer: 256 * 1024 * 1024 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.toString("utf8") };
}

/** A live child with piped stdio, for tests that kill it or talk to it. */
export function spawnSealbox(args: string[], options: Omit<CliOptions, "input"> = {}): ChildProcessWithoutNullStreams {
  // stdio named so the type knows the streams are there (pipe is also the default)
  return spawn(process.execPath, nodeArgs(args, options), { ...spawnOptions(options), stdio: "pipe" });
}

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Runs `sealbox ARGS` to the end asynchronously (servers in this process keep answering). */
export function sealbox(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const start = Date.now();
  return new Promise((done, fail) => {
    const child = spawnSealbox(args, options);
    const output = { stdout: "", stderr: "" };
    child.stdout.on("data", (c) => (output.stdout += c));
    child.stderr.on("data", (c) => (output.stderr += c));
    child.on("error", fail);
    child.on("close", (status, signal) => {
      const ms = Date.now() - start;
      // Only spawn's own timeout sends SIGKILL to a child no one else holds.
      done({ status, signal, ...output, ms, timedOut: signal === "SIGKILL" && ms >= (options.timeoutMs ?? TIMEOUT_MS) });
    });
    child.stdin.on("error", () => {}); // a child that exits before reading stdin is fine
    child.stdin.end(options.input ?? "");
  });
}

/** The real age binary (Debian's package), for cross-checks. */
export function ageBinary(args: string[], input?: Uint8Array | string): CliSyncResult {
  const result = spawnSync("age", args, { input, timeout: 30_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.toString("utf8") };
}

/** A prompt to wait for on the terminal, and the keys typed once it shows (inTerminal). */
export interface TerminalAnswer {
  when: string;
  keys: string;
}

/**
 * Runs sealbox in a real pty (util-linux `script`), typing each answer's keys once its prompt has
 * appeared, in order; returns the exit status and everything the terminal showed.
 */
export function inTerminal(args: string[], cwd: string, env: NodeJS.ProcessEnv, answers: TerminalAnswer[]): Promise<{ status: number | null; screen: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
  return new Promise((done) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd, env: { ...env, TERM: "xterm", COLUMNS: "100" } });
    let screen = "";
    let answered = 0;
    let seen = 0;
    child.stdout.on("data", (chunk) => {
      screen += chunk;
      const next = answers[answered];
      // each prompt is looked for only in what the terminal showed after the previous answer
      if (next && screen.indexOf(next.when, seen) >= 0) {
        seen = screen.length;
        answered++;
        child.stdin.write(next.keys);
      }
    });
    child.on("close", (status) => done({ status, screen }));
  });
}
