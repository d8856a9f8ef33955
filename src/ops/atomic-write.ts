// Crash-safe file replacement: a private temp file in the target's own directory, fsync, rename.
// A kill at any moment leaves either the old file or the new one, never a torn mix; the old
// file's mode and owner are kept (a new file gets `mode`, 0600 unless told otherwise). A symlink is
// written through, as sops does: its target is replaced, the link stays. SIGINT, SIGTERM, SIGHUP
// and SIGQUIT remove the temp file (./signal-cleanup.ts); after a kill -9 one can remain.
// The quick system calls are synchronous (a few µs each; through the thread pool they cost more
// CPU than the call itself, docs/performance.md); fsync, rename and the writes of a file made in
// slices can wait on the disk, so they run in the pool and a bulk run keeps working meanwhile.
import { accessSync, closeSync, constants, fchmodSync, fchownSync, fdatasync, fsync, linkSync, lstatSync, open, openSync, readlinkSync, realpathSync, rename, renameSync, statSync, unlinkSync, write, writeSync, type Stats } from "node:fs";
import { promisify } from "node:util";
import { basename, dirname, join, resolve } from "node:path";
import { randomIv } from "../core/random.js";
import { forgetRemoval, removeOnSignal } from "./signal-cleanup.js";

const fsyncAsync = promisify(fsync);
const openAsync = promisify(open);
const fdatasyncAsync = promisify(fdatasync);
const renameAsync = promisify(rename);
const writeAsync = promisify(write);

export interface AtomicWriteOptions {
  /** Mode for a file that does not exist yet. Existing files keep theirs unless `forceMode`. */
  mode?: number;
  /** Apply `mode` even to an existing file (decrypted output is never left world-readable). */
  forceMode?: boolean;
  /**
   * fsync the directory after the rename (default). A bulk run passes false and calls
   * syncDirectory once per directory at its end: until then a power cut can only bring back the
   * old file, which is whole.
   */
  syncDirectory?: boolean;
}

/** Output written in slices is flushed to disk every this many bytes (see openAtomic). */
const EARLY_SYNC_BYTES = 8 * 1024 * 1024;

/** A file being written beside its target: `commit` puts it in place, `discard` removes it. */
export interface AtomicFile {
  write(data: string | Uint8Array): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

interface Temp {
  fd: number;
  path: string;
  /** The file it replaces: the path written to, symlinks followed (writeTarget). */
  target: string;
  /** The mode the file gets when it is put in place. */
  mode: number;
  open: boolean;
}

/** A new name beside `path` for a file that replaces it (`.NAME.sealbox-tmp-` and 12 hex digits). */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.sealbox-tmp-${Buffer.from(randomIv(6)).toString("hex")}`);
}

/**
 * Where a write to `path` lands, and the file there now (undefined for a new one). A symlink is
 * followed, also to a file not made yet; a regular file costs one lstat, as the stat it replaces.
 */
function lookUp(path: string): { target: string; existing?: Stats } {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { target: path };
    throw error;
  }
  if (!stats.isSymbolicLink()) return { target: path, existing: stats };
  let target: string;
  try {
    target = realpathSync.native(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return lookUp(resolve(dirname(path), readlinkSync(path)));
  }
  return { target, existing: statSync(target) };
}

/** The file a write to `path` replaces or makes: `path`, or where the symlink there leads. */
export function writeTarget(path: string): string {
  return lookUp(path).target;
}

function createTemp(path: string, options: AtomicWriteOptions): Temp {
  const { target, existing } = lookUp(path);
  // rename() would replace a file we may not write (mode 0444): refuse as an in-place write would
  if (existing) accessSync(target, constants.W_OK);
  const mode = existing && !options.forceMode ? existing.mode & 0o7777 : (options.mode ?? 0o600);
  const temp = tempPathFor(target);
  // 0600 while the temp file exists: plaintext may pass through it before the final mode is set.
  const fd = openSync(temp, "wx", 0o600);
  removeOnSignal(temp);
  const created = { fd, path: temp, target, mode, open: true };
  if (existing) {
    try {
      keepOwner(fd, existing);
    } catch (error) {
      removeTemp(created);
      throw error;
    }
  }
  return created;
}

/** Gives the temp file the owner of the file it replaces: root rewriting a user's file must not take it from them. */
function keepOwner(fd: number, existing: Stats): void {
  if (existing.uid === process.geteuid?.() && existing.gid === process.getegid?.()) return;
  try {
    fchownSync(fd, existing.uid, existing.gid);
  } catch (error) {
    // only root may give a file away: anyone else's rewrite becomes their own, as an editor's save does
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
  }
}

function removeTemp(temp: Temp): void {
  if (temp.open) {
    temp.open = false;
    closeSync(temp.fd);
  }
  removePath(temp.path);
}

function removePath(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already renamed or never created: nothing to clean up
  }
  forgetRemoval(path);
}

/** Renames the temp file over its target: it is no longer a temp file to clean up. */
async function renameInPlace(temp: Temp): Promise<void> {
  await renameAsync(temp.path, temp.target);
  forgetRemoval(temp.path);
}

/** The temp file's final mode, on disk, closed: all that is left is the rename. */
async function makeDurable(temp: Temp): Promise<void> {
  fchmodSync(temp.fd, temp.mode);
  await fsyncAsync(temp.fd);
  temp.open = false;
  closeSync(temp.fd);
}

/** makeDurable, then the rename; the temp file is removed if any step fails. */
async function putInPlace(temp: Temp, options: AtomicWriteOptions): Promise<void> {
  try {
    await makeDurable(temp);
    await renameInPlace(temp);
  } catch (error) {
    removeTemp(temp);
    throw error;
  }
  if (options.syncDirectory ?? true) await syncDirectory(dirname(temp.target));
}

/** A temp file beside `path` holding all of `data` (removed again if writing fails). */
function writeTemp(path: string, data: string | Uint8Array, options: AtomicWriteOptions): Temp {
  const temp = createTemp(path, options);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let written = 0; written < bytes.length; ) written += writeSync(temp.fd, bytes, written);
  } catch (error) {
    removeTemp(temp);
    throw error;
  }
  return temp;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await putInPlace(writeTemp(path, data, options), options);
}

export interface FileToWrite {
  path: string;
  data: string | Uint8Array;
  options?: AtomicWriteOptions;
}

/**
 * Writes several files all or none. Each is written to its temp file and made durable before any is
 * put in place; a failure there removes every temp file and leaves every file as it was. Then all
 * are renamed at once (synchronously: no signal handler runs in between). Should a rename fail, the
 * files renamed before it are put back: a new one removed, a replaced one restored from a hard link
 * to it made just before (on a file system without hard links, that one keeps its new content).
 * `failed` makes the error thrown from a failure and the file it was for (file-io.ts writeError).
 */
export async function writeFilesAtomic(files: readonly FileToWrite[], failed: (error: unknown, path: string) => unknown = (error) => error): Promise<void> {
  const temps: Temp[] = [];
  for (const { path, data, options = {} } of files) {
    try {
      const temp = writeTemp(path, data, options);
      temps.push(temp);
      await makeDurable(temp);
    } catch (error) {
      temps.forEach(removeTemp);
      throw failed(error, path);
    }
  }
  const placed: { temp: Temp; old: OldFile }[] = [];
  for (const [i, temp] of temps.entries()) {
    // nothing can fail after the last rename: its old file need not be kept
    const old = i < temps.length - 1 ? keepOld(temp.target) : { existed: true };
    try {
      renameSync(temp.path, temp.target);
    } catch (error) {
      if (old.link) removePath(old.link);
      for (const file of placed.reverse()) putBack(file.temp.target, file.old);
      temps.forEach(removeTemp);
      throw failed(error, files[i]!.path);
    }
    forgetRemoval(temp.path);
    placed.push({ temp, old });
  }
  for (const { old } of placed) if (old.link) removePath(old.link);
  const dirs = new Set(temps.filter((_, i) => files[i]!.options?.syncDirectory ?? true).map((temp) => dirname(temp.target)));
  await Promise.all([...dirs].map(syncDirectory));
}

/** What writeFilesAtomic knows of a file it replaces. */
interface OldFile {
  existed: boolean;
  /** A hard link to it under a temp name, to put it back with. */
  link?: string;
}

function keepOld(path: string): OldFile {
  const link = tempPathFor(path);
  try {
    linkSync(path, link);
  } catch (error) {
    return { existed: (error as NodeJS.ErrnoException).code !== "ENOENT" };
  }
  removeOnSignal(link);
  return { existed: true, link };
}

/** Undoes a rename of writeFilesAtomic's: the old file back, or the new one gone. */
function putBack(path: string, old: OldFile): void {
  try {
    if (old.link) renameSync(old.link, path);
    else if (!old.existed) unlinkSync(path);
  } catch {
    // best effort: the other files are still put back
  }
  if (old.link) removePath(old.link);
}

/** Opens the private temp file that becomes `path` on commit (nothing else sees it before). */
export async function openAtomic(path: string, options: AtomicWriteOptions = {}): Promise<AtomicFile> {
  const temp = createTemp(path, options);
  // A large file written in slices is flushed to disk while later slices are made, so the sync at
  // commit has little left to wait for.
  let unsynced = 0;
  let syncing: Promise<void> | undefined;
  // Linux reports a write-back error to one fsync per open file only: an early sync's failure is
  // kept and fails the commit, or the later fsync would pass and a damaged file be put in place.
  let syncError: unknown;
  const discard = async (): Promise<void> => {
    await syncing;
    removeTemp(temp);
  };
  return {
    async write(data) {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      for (let done = 0; done < bytes.length; ) done += (await writeAsync(temp.fd, bytes, done)).bytesWritten;
      unsynced += bytes.length;
      if (unsynced >= EARLY_SYNC_BYTES && !syncing) {
        unsynced = 0;
        syncing = fdatasyncAsync(temp.fd)
          .catch((error: unknown) => void (syncError ??= error))
          .finally(() => (syncing = undefined));
      }
    },
    async commit() {
      await syncing;
      if (syncError !== undefined) {
        removeTemp(temp);
        throw syncError;
      }
      await putInPlace(temp, options);
    },
    discard,
  };
}

/** Makes renames in `dir` durable; some file systems refuse to open a directory, which is harmless. */
export async function syncDirectory(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return; // best effort
  }
  try {
    await fsyncAsync(fd);
  } catch {
    // best effort
  } finally {
    closeSync(fd);
  }
}

// A bulk run replaces its files in batches: each file is written to its temp file when staged, a
// batch is made durable at once, and only then is each temp file renamed over its target. One
// syncfs(2) per batch instead of an fsync per file: 1,000 small files wrote in 0.28-0.39 s instead of
// 0.45-0.49 s (bench/write-floor.js), and a 1,000-file rotate ran ~18% faster (docs/performance.md,
// eighth round). Node has no syncfs, so coreutils'
// `sync -f` makes the call; where that cannot be trusted to report a failed write-back (not Linux,
// Linux before 5.8) or does not succeed, each temp file of the batch is fsynced instead.

/**
 * Files in a batch: each batch starts `sync`, a fork of this process, which cost rotate's threads
 * ~20 ms of CPU each time with the page faults after it.
 */
const BATCH_FILES = 512;
/**
 * A batch is put in place this long after its first file, however few it has (slow key services),
 * once the thread's event loop turns: a run that never waits on I/O places its batches at its end.
 */
const BATCH_MS = 1000;
/**
 * Renames (or fallback fsyncs) of a batch in flight at once: enough for libuv's four threads. A rename
 * waits while the replaced file's blocks are freed; a merged batch of ~9,500 files renamed all at
 * once raised a 10,000-file rotate's peak RSS from ~108 to ~120 MB.
 */
const PLACING_LANES = 8;
/** Below this many files, fsyncing each costs less than starting `sync`. */
const SYNCFS_MIN_FILES = 16;

/** Whether the kernel's syncfs(2) reports write-back errors (Linux 5.8 and later). */
async function syncfsReportsErrors(): Promise<boolean> {
  if (process.platform !== "linux") return false;
  const { release } = await import("node:os");
  const [major = 0, minor = 0] = release().split(".").map((part) => parseInt(part, 10));
  return major > 5 || (major === 5 && minor >= 8);
}

let syncfsUsable: boolean | undefined;

/** Makes everything written to the file systems holding `dirs` durable; false if that could not be done. */
async function syncFileSystems(dirs: string[]): Promise<boolean> {
  syncfsUsable ??= await syncfsReportsErrors();
  if (!syncfsUsable) return false;
  const byDevice = new Map<number, string>();
  try {
    for (const dir of dirs) {
      const { dev } = statSync(dir);
      if (!byDevice.has(dev)) byDevice.set(dev, dir);
    }
    // loaded here, not with this module: every command that writes a file loads it, and child_process is heavy
    const { execFile } = await import("node:child_process");
    await promisify(execFile)("sync", ["-f", "--", ...byDevice.values()], { windowsHide: true });
    return true;
  } catch {
    return false;
  }
}

/** fsync of a closed file, by path (Linux flushes the file, whichever descriptor asks). */
async function fsyncPath(path: string): Promise<void> {
  const fd = await openAsync(path, "r+");
  try {
    await fsyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}

interface StagedFile {
  temp: Temp;
  placed(): void;
  failed(error: unknown): void;
}

/**
 * Replaces files atomically in batches (see above). `stage` writes a file's temp file at once and
 * resolves when the file is in place; a failure removes its temp file and leaves the file as it was.
 * Directories are not synced: a caller syncs each once, after the last batch.
 */
export class BatchedReplace {
  private staged: StagedFile[] = [];
  private committing: Promise<void> = Promise.resolve();
  private batchWaiting = false;
  private timer?: NodeJS.Timeout;

  stage(path: string, data: Uint8Array): Promise<void> {
    const temp = writeTemp(path, data, {});
    try {
      fchmodSync(temp.fd, temp.mode);
      temp.open = false;
      closeSync(temp.fd);
    } catch (error) {
      removeTemp(temp);
      throw error;
    }
    return new Promise<void>((resolve, reject) => {
      this.staged.push({ temp, placed: resolve, failed: reject });
      if (this.staged.length >= BATCH_FILES) void this.commit();
      else this.timer ??= setTimeout(() => void this.commit(), BATCH_MS);
    });
  }

  /**
   * Puts every file staged so far in place; resolves when all of them have settled. A batch waiting
   * for the one before it takes every file staged by the time it starts, so batches that piled up
   * (a run that never waits on I/O reaches its event loop only at its end) share one sync.
   */
  commit(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.batchWaiting) {
      this.batchWaiting = true;
      this.committing = this.committing.then(() => {
        this.batchWaiting = false;
        const batch = this.staged;
        this.staged = [];
        return commitBatch(batch);
      });
    }
    return this.committing;
  }
}

async function commitBatch(batch: StagedFile[]): Promise<void> {
  if (!batch.length) return;
  const durable = batch.length >= SYNCFS_MIN_FILES && (await syncFileSystems([...new Set(batch.map((file) => dirname(file.temp.target)))]));
  let next = 0;
  const placeFiles = async (): Promise<void> => {
    for (let file = batch[next++]; file; file = batch[next++]) {
      try {
        if (!durable) await fsyncPath(file.temp.path);
        await renameInPlace(file.temp);
        file.placed();
      } catch (error) {
        removeTemp(file.temp);
        file.failed(error);
      }
    }
  };
  await Promise.all(Array.from({ length: PLACING_LANES }, placeFiles));
}
