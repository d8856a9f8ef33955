// Crash-safe file replacement: a private temp file in the target's own directory, fsync, rename.
// A kill at any moment leaves either the old file or the new one, never a torn mix; the old
// file's mode is kept (a new file gets `mode`, 0600 unless told otherwise).
// The quick system calls are synchronous (a few µs each; through the thread pool they cost more
// CPU than the call itself, docs/performance.md); fsync and rename, which can wait on the disk's
// journal, run in the pool, so a bulk run keeps working on other files meanwhile.
import { accessSync, closeSync, constants, fchmodSync, fsync, openSync, rename, statSync, unlinkSync, writeSync } from "node:fs";
import { promisify } from "node:util";
import { basename, dirname, join } from "node:path";
import { randomIv } from "../core/random.js";

const fsyncAsync = promisify(fsync);
const renameAsync = promisify(rename);

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

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  let mode = options.mode ?? 0o600;
  // rename() would replace a file we may not write (mode 0444): refuse as an in-place write would
  try {
    accessSync(path, constants.W_OK);
    if (!options.forceMode) mode = statSync(path).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const temp = join(dirname(path), `.${basename(path)}.sealbox-tmp-${Buffer.from(randomIv(6)).toString("hex")}`);
  // 0600 while the temp file exists: plaintext may pass through it before the final mode is set.
  const fd = openSync(temp, "wx", 0o600);
  let open = true;
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    fchmodSync(fd, mode);
    await fsyncAsync(fd);
    open = false;
    closeSync(fd);
    await renameAsync(temp, path);
  } catch (error) {
    if (open) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already renamed or never created: nothing to clean up
    }
    throw error;
  }
  if (options.syncDirectory ?? true) await syncDirectory(dirname(path));
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
