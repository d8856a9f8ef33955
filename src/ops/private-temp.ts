// A private scratch place for plaintext: a 0700 directory holding one 0600 file, removed on every
// exit path — normal return, error, SIGINT, SIGTERM, SIGHUP, SIGQUIT — so plaintext never lingers.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { SealboxError } from "../errors.js";
import { forgetRemoval, removeOnSignal } from "./signal-cleanup.js";

export async function withPrivateFile<T>(name: string, content: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "sealbox-"));
  const path = join(dir, basename(name) || "file");
  removeOnSignal(dir);
  try {
    await writeFile(path, content, { mode: 0o600 });
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
    forgetRemoval(dir);
  }
}

/**
 * Runs a shell command line with inherited stdio, as `user` if given (ids from userIds); resolves
 * with its exit status (128+n on a signal).
 */
export async function runShell(commandLine: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env, user?: { uid: number; gid: number }): Promise<number> {
  const { spawn } = await import("node:child_process");
  const failed = (error: NodeJS.ErrnoException): Error =>
    user && error.code === "EPERM" ? new SealboxError("Generic", "--user runs the command as another user, which needs sealbox to run as root") : error;
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn("sh", ["-c", commandLine, "sh", ...args], { stdio: "inherit", env, ...user });
    } catch (error) {
      // a uid the process may not take is refused at once, not as an event
      return reject(failed(error as NodeJS.ErrnoException));
    }
    child.on("error", (error: NodeJS.ErrnoException) => reject(failed(error)));
    child.on("exit", (code, signal) => resolve(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1)));
  });
}

/** A user's uid and gid as `id` reports them (a name from any user database, or a number). */
export async function userIds(user: string): Promise<{ uid: number; gid: number }> {
  const { execFile } = await import("node:child_process");
  const id = (flag: string): Promise<number> =>
    new Promise((resolve, reject) =>
      execFile("id", [flag, "--", user], (error, stdout) => (error ? reject(new SealboxError("Generic", `--user ${user}: no such user`)) : resolve(Number(stdout.trim())))),
    );
  return { uid: await id("-u"), gid: await id("-g") };
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };
