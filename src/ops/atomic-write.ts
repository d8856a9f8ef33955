// Crash-safe file replacement: a private temp file in the target's own directory, fsync, rename.
// A kill at any moment leaves either the old file or the new one, never a torn mix; the old
// file's mode is kept (a new file gets `mode`, 0600 unless told otherwise).
import { access, constants, open, rename, stat, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** Mode for a file that does not exist yet. Existing files keep theirs unless `forceMode`. */
  mode?: number;
  /** Apply `mode` even to an existing file (decrypted output is never left world-readable). */
  forceMode?: boolean;
}

/** Output written in slices is flushed to disk every this many bytes (see openAtomic). */
const EARLY_SYNC_BYTES = 32 * 1024 * 1024;

/** A file being written beside its target: `commit` puts it in place, `discard` removes it. */
export interface AtomicFile {
  write(data: string | Uint8Array): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Opens the private temp file that becomes `path` on commit (nothing else sees it before). */
export async function openAtomic(path: string, options: AtomicWriteOptions = {}): Promise<AtomicFile> {
  let mode = options.mode ?? 0o600;
  // rename() would replace a file we may not write (mode 0444): refuse as an in-place write would
  await access(path, constants.W_OK).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
  if (!options.forceMode) {
    try {
      mode = (await stat(path)).mode & 0o7777;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  const temp = join(dirname(path), `.${basename(path)}.sealbox-tmp-${randomBytes(6).toString("hex")}`);
  // 0600 while the temp file exists: plaintext may pass through it before the final mode is set.
  const handle = await open(temp, "wx", 0o600);
  // A large file written in slices is flushed to disk while later slices are made, so the sync at
  // commit has little left to wait for.
  let unsynced = 0;
  let syncing: Promise<void> | undefined;
  const discard = async (): Promise<void> => {
    await syncing?.catch(() => {});
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
  };
  return {
    async write(data) {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      // one write call per slice: writeFile would split it into 512 KB calls
      for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done)).bytesWritten;
      unsynced += bytes.length;
      if (unsynced >= EARLY_SYNC_BYTES && !syncing) {
        unsynced = 0;
        syncing = handle.datasync().finally(() => (syncing = undefined));
        syncing.catch(() => {}); // surfaces through the sync at commit
      }
    },
    async commit() {
      try {
        await syncing;
        await handle.chmod(mode);
        await handle.sync();
        await handle.close();
        await rename(temp, path);
      } catch (error) {
        await discard();
        throw error;
      }
      await syncDirectory(dirname(path));
    },
    discard,
  };
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const file = await openAtomic(path, options);
  try {
    await file.write(data);
  } catch (error) {
    await file.discard();
    throw error;
  }
  await file.commit();
}

/** Makes the rename durable; some file systems refuse to open a directory, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
