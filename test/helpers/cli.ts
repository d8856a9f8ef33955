// Runs the real CLI (node bin/sealbox.js) as a child process, as users and scripts do.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./fixtures.js";

export interface CliResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
  timeoutMs?: number;
}

/** A clean environment: no identities or rules from the machine running the tests leak in. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: "/nonexistent", XDG_CONFIG_HOME: "/nonexistent", NO_COLOR: "1", ...extra };
}

export function sealbox(args: string[], options: CliOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "sealbox.js"), ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? cleanEnv(),
    input: options.input,
    timeout: options.timeoutMs ?? 30_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.toString("utf8") };
}

/** The real age binary (Debian's package), for cross-checks. */
export function ageBinary(args: string[], input?: Uint8Array | string): { status: number; stdout: Buffer; stderr: string } {
  const result = spawnSync("age", args, { input, timeout: 30_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.toString("utf8") };
}
