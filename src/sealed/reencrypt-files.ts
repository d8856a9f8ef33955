// `sealbox reencrypt` over many files: every SealedSecret re-sealed to a new certificate with the old
// private keys, all in memory, so that one file that fails leaves every file as it was (the caller
// writes the results only when this returns).
import { SealboxError, isSealboxError } from "../errors.js";
import { isSealedSecret, parseManifests, stringifyManifests, type ManifestFile } from "./manifest.js";
import { reencrypt, type ReencryptOptions } from "./rewrite.js";

export interface ReencryptFilesOptions extends ReencryptOptions {
  /** Reads one file (the CLI passes its reader, whose errors name the file). */
  read: (file: string) => Promise<Uint8Array>;
  /**
   * The files the user named. Those must hold a SealedSecret; the others (found in a directory) are
   * skipped when they are not manifests (values files, templates) or hold no SealedSecret.
   */
  named: ReadonlySet<string>;
}

export interface ReencryptedFile {
  file: string;
  /** The file's new text, in its own format (comments and layout kept). */
  text: string;
  /** How many SealedSecrets were re-sealed in it. */
  count: number;
}

/**
 * Re-seals every SealedSecret of every file; returns the files that hold one, with their new text.
 * Every file is tried: one failure is thrown as it is, several as one SealedDecryptFailed listing
 * each (`details`).
 */
export async function reencryptFiles(files: readonly string[], options: ReencryptFilesOptions): Promise<ReencryptedFile[]> {
  const results: ReencryptedFile[] = [];
  const failures: string[] = [];
  let firstError: unknown;
  for (const file of files) {
    try {
      const bytes = await options.read(file);
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
      let manifests: ManifestFile;
      try {
        manifests = parseManifests(text, file);
      } catch (error) {
        // A directory may hold YAML that is no manifest at all (values files, templates): not ours to judge.
        if (!options.named.has(file)) continue;
        throw error;
      }
      if (!manifests.docs.some((d) => isSealedSecret(d.value))) {
        if (options.named.has(file)) throw new SealboxError("NeedAtLeastOneDocument", "no SealedSecret in this file", { file });
        continue;
      }
      const count = reencrypt(manifests, file, options);
      results.push({ file, text: stringifyManifests(manifests), count });
    } catch (error) {
      firstError ??= error;
      failures.push(isSealboxError(error) ? error.describe() : String(error));
    }
  }
  if (failures.length === 1) throw firstError;
  if (failures.length > 1) throw new SealboxError("SealedDecryptFailed", `${failures.length} files could not be re-encrypted; nothing was written`, { details: failures });
  return results;
}
