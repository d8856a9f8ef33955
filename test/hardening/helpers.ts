// Shared by the hardening suites: the real CLI as a bounded child process, throw-away age keys made
// by the real age-keygen, and the run counts (quick by default, SLOW=1 for the long runs).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { afterAll } from "vitest";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const SLOW = process.env.SLOW === "1";

/** Runs in quick mode (the normal suite) or with SLOW=1. */
export const runs = (quick: number, slow: number): number => (SLOW ? slow : quick);

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export interface CliOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the child (SIGKILL) after this long; the result says timedOut. */
  timeoutMs?: number;
  /** V8 old-space cap in MB: a runaway parse dies instead of eating the machine. */
  maxOldSpaceMb?: number;
}

/** An environment with no user keys, no kubeconfig, no AWS: only what a test passes in. */
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

/** Runs `node bin/sealbox.js ARGS` asynchronously (servers in this process keep answering). */
export function sealbox(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const start = Date.now();
  return new Promise((done, fail) => {
    const nodeArgs = [`--max-old-space-size=${options.maxOldSpaceMb ?? 512}`, join(ROOT, "bin/sealbox.js"), ...args];
    const child = spawn(process.execPath, nodeArgs, { cwd: options.cwd ?? ROOT, env: options.env ?? cleanEnv() });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 20_000);
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", fail);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      done({ status, signal, stdout, stderr, ms: Date.now() - start, timedOut });
    });
    child.stdin.on("error", () => {}); // a child that exits before reading stdin is fine
    child.stdin.end(options.input ?? "");
  });
}

export function tempDir(prefix = "sealbox-hardening-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A temp dir removed when the calling test file is done (call at module level or in tests). */
export function scratchDirs(): (prefix?: string) => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return (prefix) => {
    const d = tempDir(prefix);
    dirs.push(d);
    return d;
  };
}

/** Temp files a write left behind anywhere under `dir` (atomic writes must leave none). */
export function tempLeftovers(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => p.includes(".sealbox-tmp-"));
}

export interface AgeKey {
  file: string;
  recipient: string;
  identity: string;
}

/** A fresh X25519 identity from the real age-keygen. */
export function ageKey(dir: string, name = "key.txt"): AgeKey {
  const file = join(dir, name);
  execFileSync("age-keygen", ["-o", file], { stdio: "pipe" });
  const text = readFileSync(file, "utf8");
  return { file, recipient: /public key: (age1\w+)/.exec(text)![1], identity: /^AGE-SECRET-KEY-\w+$/m.exec(text)![0] };
}

/** Lines that look like a JavaScript stack frame. */
export function stackLines(text: string): string[] {
  return text.split("\n").filter((l) => /^\s{4}at /.test(l));
}
