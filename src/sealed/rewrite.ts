// Edits of existing SealedSecret files: merge new values in, re-encrypt to a new certificate, change
// scope. Only spec.encryptedData values, scope annotations and (in a merge) the template's labels and
// annotations change; the rest of the file (comments, other documents, key order) stays as it was,
// in the file's own format.
import { createPublicKey, type KeyObject } from "node:crypto";
import { SealboxError, withFile, withFileAsync } from "../errors.js";
import { isStdBase64 } from "../core/base64.js";
import { asSealedSecret, isSealedSecret, secretValues, setField, templateMetadata, type ManifestDoc, type ManifestFile, type SecretManifest } from "./manifest.js";
import { isRecord } from "./objects.js";
import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION, describeWidening, scopeFromAnnotations, scopeLabel, type Scope } from "./scope.js";
import { sealValue } from "./seal.js";
import { sealedIdentity, unsealValues } from "./unseal.js";

function sealedDocs(file: ManifestFile): ManifestDoc[] {
  return file.docs.filter((d) => isSealedSecret(d.value));
}

function writeValues(doc: ManifestDoc, values: Map<string, Uint8Array>, publicKey: KeyObject, label: Uint8Array): void {
  for (const [key, plain] of values) {
    setField(doc, ["spec", "encryptedData", key], sealValue(publicKey, plain, label));
    plain.fill(0);
  }
}

export interface MergeOptions {
  publicKey: KeyObject;
  /** --scope: must be the file's own (a merge does not change the scope: `sealbox scope` does). */
  scope?: Scope;
  allowEmptyData?: boolean;
  /** The Secret's file, for messages about the Secret (the others name the SealedSecret's file). */
  secretFile?: string;
}

/**
 * `--merge-into`: adds or replaces the Secret's values in the file's one SealedSecret, under its
 * name, namespace and scope, and merges the Secret's labels and annotations into the template, as
 * kubeseal does (not the scope annotations, nor last-applied copies, which hold plaintext).
 */
export function mergeInto(file: ManifestFile, path: string, secret: SecretManifest, options: MergeOptions): string[] {
  const docs = sealedDocs(file);
  if (docs.length !== 1) throw new SealboxError("CouldNotReadInputFile", `--merge-into needs a file with exactly one SealedSecret, found ${docs.length}`, { file: path });
  const id = sealedIdentity(asSealedSecret(docs[0].value, path, docs[0].line));
  const annotations = secret.metadata.annotations;
  const named = annotations?.[NAMESPACE_WIDE_ANNOTATION] !== undefined || annotations?.[CLUSTER_WIDE_ANNOTATION] !== undefined;
  const asked = options.scope ?? (named ? scopeFromAnnotations(annotations) : undefined);
  if (asked !== undefined && asked !== id.scope) {
    const by = options.scope !== undefined ? `--scope ${asked}` : `the Secret's annotations ask for ${asked}`;
    throw new SealboxError("ConflictingParameters", `the SealedSecret is sealed ${id.scope}, and ${by}: a merge keeps the file's scope (change it with \`sealbox scope\`)`, { file: path, line: docs[0].line });
  }
  const values = secretValues(secret);
  if (values.size === 0 && !options.allowEmptyData) throw new SealboxError("Generic", "the Secret has no data or stringData to merge; to merge its labels and annotations only, use --allow-empty-data", { file: options.secretFile });
  const template = templateMetadata(secret.metadata);
  return withFile(
    () => {
      for (const field of ["labels", "annotations"] as const) {
        for (const [key, value] of Object.entries(template[field] ?? {})) {
          if (key === NAMESPACE_WIDE_ANNOTATION || key === CLUSTER_WIDE_ANNOTATION) continue;
          if (typeof value !== "string") throw new SealboxError("CouldNotReadInputFile", `the Secret's metadata.${field}.${key} must be a string (quote it)`, { file: options.secretFile });
          setField(docs[0], ["spec", "template", "metadata", field, key], value);
        }
      }
      const keys = [...values.keys()];
      writeValues(docs[0], values, options.publicKey, id.label);
      return keys;
    },
    path,
    docs[0].line,
  );
}

export interface ReencryptOptions {
  publicKey: KeyObject;
  privateKeys: readonly KeyObject[];
}

/** Re-seals every value of every SealedSecret in the file to `publicKey`; returns how many SealedSecrets changed. */
export function reencrypt(file: ManifestFile, path: string, options: ReencryptOptions): number {
  const docs = sealedDocs(file);
  // Open everything first: a file is rewritten whole or not at all.
  const opened = docs.map((doc) => {
    const sealed = asSealedSecret(doc.value, path, doc.line);
    return { doc, label: sealedIdentity(sealed).label, values: withFile(() => unsealValues(sealed, options.privateKeys), path, doc.line) };
  });
  for (const { doc, label, values } of opened) writeValues(doc, values, options.publicKey, label);
  return docs.length;
}

/**
 * Re-seals every SealedSecret in the file through `reseal` (the controller's /v1/rotate, which takes
 * and answers a SealedSecret): only the encryptedData values are taken from its answer, so template
 * metadata, comments and the file's format stay. Returns how many SealedSecrets changed.
 */
export async function reencryptThrough(file: ManifestFile, path: string, reseal: (sealedSecret: unknown) => Promise<unknown>): Promise<number> {
  const docs = sealedDocs(file);
  // Every SealedSecret is read before the first is sent, and all are asked before anything is set:
  // a file is rewritten whole or not at all.
  const sealed = docs.map((doc) => asSealedSecret(doc.value, path, doc.line));
  const answers = [];
  for (const [i, doc] of docs.entries()) {
    const answer = await withFileAsync(() => reseal(doc.value), path, doc.line);
    const keys = Object.keys(sealed[i].spec.encryptedData);
    const spec = isSealedSecret(answer) ? answer.spec : undefined;
    const given: unknown = isRecord(spec) ? spec.encryptedData : undefined;
    // own keys only, and sealed values: what is written is what a controller could have sealed
    const same =
      isRecord(given) && keys.length === Object.keys(given).length && keys.every((k) => Object.hasOwn(given, k) && typeof given[k] === "string" && given[k] !== "" && isStdBase64(given[k]));
    if (!same) {
      const id = sealedIdentity(sealed[i]);
      throw new SealboxError("SealedDecryptFailed", `the controller's answer for SealedSecret ${id.namespace ? `${id.namespace}/` : ""}${id.name} is not that SealedSecret with the same keys and base64 values`, {
        file: path,
        line: doc.line,
      });
    }
    answers.push({ doc, keys, encryptedData: given as Record<string, string> });
  }
  for (const { doc, keys, encryptedData } of answers) {
    for (const key of keys) setField(doc, ["spec", "encryptedData", key], encryptedData[key]);
  }
  return docs.length;
}

export interface RescopeOptions {
  to: Scope;
  /** Seal to this key; default: the public half of the private key that opened the values. */
  publicKey?: KeyObject;
  privateKeys?: readonly KeyObject[];
  /** The plaintext Secret to take values from instead of unsealing. */
  fromSecret?: SecretManifest;
}

/** Re-seals into another scope and updates the scope annotations; returns one sentence per widening. */
export function rescope(file: ManifestFile, path: string, options: RescopeOptions): string[] {
  const docs = sealedDocs(file);
  if (docs.length === 0) throw new SealboxError("CouldNotReadInputFile", "no SealedSecret in this file", { file: path });
  const widenings: string[] = [];
  const plans = docs.map((doc) => {
    const sealed = asSealedSecret(doc.value, path, doc.line);
    const id = sealedIdentity(sealed);
    // sealed under a label with an empty namespace, the values would open nowhere: the controller
    // computes the label from the namespace the object is applied in
    if (options.to !== "cluster-wide" && !id.namespace) {
      throw new SealboxError("ConflictingParameters", `SealedSecret ${id.name} has no metadata.namespace, which a ${options.to} label needs: give it the namespace it is applied in first`, { file: path, line: doc.line });
    }
    const { values, publicKey } = withFile(() => openForRescope(sealed, options), path, doc.line);
    return { doc, id, values, publicKey };
  });
  for (const { doc, id, values, publicKey } of plans) {
    const widening = describeWidening(id.scope, options.to, id.namespace, id.name);
    if (widening) widenings.push(widening);
    withFile(() => {
      for (const base of [["metadata"], ["spec", "template", "metadata"]]) {
        setField(doc, [...base, "annotations", NAMESPACE_WIDE_ANNOTATION], options.to === "namespace-wide" ? "true" : undefined);
        setField(doc, [...base, "annotations", CLUSTER_WIDE_ANNOTATION], options.to === "cluster-wide" ? "true" : undefined);
      }
    }, path, doc.line);
    writeValues(doc, values, publicKey, scopeLabel(options.to, id.namespace, id.name));
  }
  return widenings;
}

function openForRescope(sealed: ReturnType<typeof asSealedSecret>, options: RescopeOptions): { values: Map<string, Uint8Array>; publicKey: KeyObject } {
  if (options.fromSecret) {
    if (!options.publicKey) throw new SealboxError("ConflictingParameters", "sealing from a plaintext Secret needs --cert");
    const values = secretValues(options.fromSecret);
    const missing = Object.keys(sealed.spec.encryptedData).filter((k) => !values.has(k));
    if (missing.length) {
      throw new SealboxError("ConflictingParameters", "the plaintext Secret lacks keys the SealedSecret has", { details: missing.map((k) => `missing ${k}`) });
    }
    return { values, publicKey: options.publicKey };
  }
  const keys = options.privateKeys ?? [];
  if (keys.length === 0) throw new SealboxError("ConflictingParameters", "changing scope needs --private-key (to open the values) or --from-secret (the plaintext Secret)");
  if (options.publicKey) return { values: unsealValues(sealed, keys), publicKey: options.publicKey };
  // No --cert: keep the key pair the values were sealed to (the controller keeps old keys).
  let lastError: unknown;
  for (const key of keys) {
    try {
      return { values: unsealValues(sealed, [key]), publicKey: createPublicKey(key) };
    } catch (error) {
      lastError = error;
    }
  }
  if (keys.length > 1) {
    unsealValues(sealed, keys); // throws the usual per-value report when the keys do not open it at all
    throw new SealboxError("ConflictingParameters", "the values were sealed to different keys; name the certificate to seal to with --cert");
  }
  throw lastError;
}
