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

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
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
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dirname(path));
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
