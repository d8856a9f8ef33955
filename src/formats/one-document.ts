// The stores that hold one document a file (JSON, dotenv). sops's write only the first of several and
// drop the rest without a word (encrypted, the MAC covers them all, so the file it writes then fails
// its MAC check): sealbox refuses instead.
import type { Branch, Documents } from "../tree/tree.js";
import { SealboxError } from "../errors.js";

export function oneDocument(docs: Documents, store: string): Branch {
  if (docs.length === 1) return docs[0];
  if (docs.length === 0) throw new SealboxError("ErrorDumpingTree", `no document to write as a ${store} file`);
  throw new SealboxError(
    "ErrorDumpingTree",
    `cannot write ${docs.length} documents as one ${store} file (sops would write only the first): use --output-type yaml, or split the documents`,
  );
}
