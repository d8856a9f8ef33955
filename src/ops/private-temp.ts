// A private scratch place for plaintext: a 0700 directory holding one 0600 file, removed on every
// exit path — normal return, error, SIGINT, SIGTERM, SIGHUP — so plaintext never lingers.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export async function withPrivateFile<T>(name: string, content: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "sealbox-"));
  const path = join(dir, basename(name) || "file");
  const cleanupNow = (): void => rmSync(dir, { recursive: true, force: true });
  const handlers = Object.entries(SIGNAL_EXIT).map(([signal, status]) => {
    const handler = (): void => {
      cleanupNow();
      process.exit(status);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  process.on("exit", cleanupNow);
  try {
    await writeFile(path, content, { mode: 0o600 });
    return await use(path);
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off("exit", cleanupNow);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a shell command line with inherited stdio; resolves with its exit status (128+n on a signal). */
export async function runShell(commandLine: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", commandLine, "sh", ...args], { stdio: "inherit", env });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1)));
  });
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };
