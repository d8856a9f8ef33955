// A private scratch place for plaintext: a 0700 directory (0710 for a command run as another user)
// holding one 0600 file, removed on every exit path — normal return, error, SIGINT, SIGTERM,
// SIGHUP, SIGQUIT — so plaintext never lingers.
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { SealboxError } from "../errors.js";
import { forgetRemoval, removeOnSignal } from "./signal-cleanup.js";

/** A user's ids, as userIds finds them. */
export interface UserIds {
  uid: number;
  gid: number;
}

/**
 * Runs `use` with the path of a private file holding `content`. With `owner`, the file is theirs
 * (for a command run as that user) and nobody else's: see handOver.
 */
export async function withPrivateFile<T>(name: string, content: Uint8Array, use: (path: string) => Promise<T>, owner?: UserIds): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "sealbox-"));
  const path = join(dir, basename(name) || "file");
  removeOnSignal(dir);
  try {
    await writeFile(path, content, { mode: 0o600 });
    if (owner) await handOver(dir, path, owner);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
    forgetRemoval(dir);
  }
}

/**
 * Gives the written file to `owner` (still 0600) and lets only root and `owner`'s group through
 * the directory (0710). The directory stays ours: removing it as root must not walk a tree another
 * user could change, and the file was written before they could put a name of theirs in its place.
 */
async function handOver(dir: string, path: string, owner: UserIds): Promise<void> {
  try {
    await chown(path, owner.uid, owner.gid);
    await chown(dir, -1, owner.gid);
    await chmod(dir, 0o710);
  } catch (error) {
    throw asUser(error as NodeJS.ErrnoException, owner);
  }
}

/** How runShell runs a command line. */
export interface ShellOptions {
  /** $1, $2, … of the command line. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Run as this user (ids from userIds). */
  user?: UserIds;
  /** Resolve with 0 once the command has started, and let sealbox exit without waiting for it. */
  background?: boolean;
}

/**
 * Runs a shell command line with inherited stdio (/dev/null in the background); resolves with its
 * exit status (128+n on a signal), or with 0 as soon as it has started in the background.
 */
export async function runShell(commandLine: string, { args = [], env = process.env, user, background = false }: ShellOptions = {}): Promise<number> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      // a background command gets /dev/null, as sops gives it: inherited pipes would hold a
      // caller's $(sealbox …) open until the command ends
      child = spawn("sh", ["-c", commandLine, "sh", ...args], { stdio: background ? "ignore" : "inherit", env, ...user });
    } catch (error) {
      // a uid the process may not take is refused at once, not as an event
      return reject(asUser(error as NodeJS.ErrnoException, user));
    }
    child.on("error", (error: NodeJS.ErrnoException) => reject(asUser(error, user)));
    if (background) {
      child.on("spawn", () => {
        child.unref();
        resolve(0);
      });
    } else {
      child.on("exit", (code, signal) => resolve(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1)));
    }
  });
}

/**
 * `env` as a command run as `user` is given it: for another user, without the variables sealbox
 * reads its own identities from (SOPS_AGE_KEY and the like), which would hand root's key to every
 * file to a user given one file's values.
 */
export async function inheritedEnv(env: NodeJS.ProcessEnv, user: UserIds | undefined): Promise<NodeJS.ProcessEnv> {
  if (!user) return env;
  const { identitySources } = await import("../keys/age-identities.js");
  const kept = { ...env };
  for (const { name } of identitySources({})) if (name.startsWith("SOPS_")) delete kept[name];
  return kept;
}

/** `error`, or for a --user that only root may take (EPERM), the reason. */
function asUser(error: NodeJS.ErrnoException, user: UserIds | undefined): Error {
  return user && error.code === "EPERM" ? new SealboxError("Generic", "--user runs the command as another user, which needs sealbox to run as root") : error;
}

/** A user's uid and gid as `id` reports them (a name from any user database, or a number); none for no --user. */
export async function userIds(user: string | undefined): Promise<UserIds | undefined> {
  if (user === undefined) return undefined;
  const { execFile } = await import("node:child_process");
  const id = (flag: string): Promise<number> =>
    new Promise((resolve, reject) =>
      execFile("id", [flag, "--", user], (error, stdout) => (error ? reject(new SealboxError("Generic", `--user ${user}: no such user`)) : resolve(Number(stdout.trim())))),
    );
  return { uid: await id("-u"), gid: await id("-g") };
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };
