// kubeseal's --validate: can the controller open these SealedSecrets? Each is asked on its own
// through `verify` (the controller's /v1/verify, which takes one SealedSecret), after all of them
// were read, so a damaged one is named with its line rather than met as the controller's error.
import { SealboxError, withFileAsync } from "../errors.js";
import { asSealedSecret, sealedSecretsOf, type ManifestFile } from "./manifest.js";
import { sealedIdentity } from "./unseal.js";

/**
 * Asks `verify` about every SealedSecret of the file (a `v1 List` counts by its items, as `kubectl
 * get sealedsecrets -o yaml` writes them) and returns their names (`namespace/name`), in order.
 * Throws SealedDecryptFailed naming each one `verify` answers false for, NeedAtLeastOneDocument
 * when there is none; an error `verify` throws is given the file and line of the SealedSecret.
 */
export async function validateThrough(file: ManifestFile, path: string, verify: (sealedSecret: unknown) => Promise<boolean>): Promise<string[]> {
  const docs = sealedSecretsOf(file);
  if (docs.length === 0) throw new SealboxError("NeedAtLeastOneDocument", "--validate needs SealedSecrets, and there is none", { file: path });
  const names = docs.map((doc) => {
    const id = sealedIdentity(asSealedSecret(doc.value, path, doc.line));
    return id.namespace ? `${id.namespace}/${id.name}` : id.name;
  });
  const refused: string[] = [];
  for (const [i, doc] of docs.entries()) {
    if (!(await withFileAsync(() => verify(doc.value), path, doc.line))) refused.push(`${names[i]} (line ${doc.line})`);
  }
  if (refused.length) {
    throw new SealboxError("SealedDecryptFailed", `the controller cannot decrypt ${refused.length === 1 ? `SealedSecret ${refused[0]}` : `${refused.length} SealedSecrets`}: sealed to another cluster's key, moved to another name or namespace, or damaged`, {
      file: path,
      details: refused.length > 1 ? refused : undefined,
    });
  }
  return names;
}
