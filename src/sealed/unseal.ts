// Recovery: what the controller's Unseal does, offline with backed-up private keys. The label comes
// from the SealedSecret's own metadata (name, namespace, scope annotations), so a renamed or moved
// SealedSecret is refused exactly as the controller refuses it. All or nothing: one bad value fails
// the whole object, and the error lists every key that failed (never a value).
import { KeyObject } from "node:crypto";
import { hybridDecrypt } from "../core/hybrid.js";
import { decodeStdBase64 } from "../core/base64.js";
import { SealboxError, argumentError, isSealboxError, withFile } from "../errors.js";
import { asSealedSecret, formatManifest, parseManifests, sealedSecretsOf, setEntry, type ManifestFormat, type SealedSecretManifest, type SecretManifest } from "./manifest.js";
import { scopeFromAnnotations, scopeLabel, type Scope } from "./scope.js";

export interface SealedIdentity {
  namespace: string;
  name: string;
  scope: Scope;
  label: Uint8Array;
}

/** The name, namespace and scope the controller would unseal this SealedSecret under. */
export function sealedIdentity(sealed: SealedSecretManifest): SealedIdentity {
  const namespace = sealed.metadata.namespace ?? "";
  const name = sealed.metadata.name ?? "";
  const scope = scopeFromAnnotations(sealed.metadata.annotations);
  return { namespace, name, scope, label: scopeLabel(scope, namespace, name) };
}

/** Every encryptedData value in plaintext, or a SealedDecryptFailed naming each key that failed. */
export function unsealValues(sealed: SealedSecretManifest, keys: readonly KeyObject[]): Map<string, Uint8Array> {
  const id = sealedIdentity(sealed);
  if (!id.namespace && id.scope !== "cluster-wide") {
    // In a cluster the namespace is where it is applied; offline it must be written down (or --namespace).
    throw new SealboxError("ConflictingParameters", `SealedSecret ${id.name} has no metadata.namespace, which its ${id.scope} label needs; give the namespace it is applied in with --namespace`);
  }
  const out = new Map<string, Uint8Array>();
  const failures: string[] = [];
  for (const [key, value] of Object.entries(sealed.spec.encryptedData)) {
    const bytes = decodeStdBase64(value);
    if (!bytes) {
      failures.push(`${key}: not valid base64`);
      continue;
    }
    try {
      out.set(key, hybridDecrypt(keys, bytes, id.label));
    } catch (error) {
      if (!isSealboxError(error)) throw error;
      failures.push(`${key}: ${error.message}`);
    }
  }
  if (failures.length) {
    for (const plain of out.values()) plain.fill(0);
    const label = new TextDecoder().decode(id.label);
    throw new SealboxError(
      "SealedDecryptFailed",
      `cannot unseal SealedSecret ${id.namespace}/${id.name} (${id.scope}, label "${label}"): ${failures.length} of ${Object.keys(sealed.spec.encryptedData).length} values failed`,
      { details: failures },
    );
  }
  return out;
}

/** The private keys a library caller passes, checked at the call (a wrong type failed deep inside the cipher). */
function checkKeys(fn: string, keys: unknown): void {
  if (!Array.isArray(keys) || !keys.every((key) => key instanceof KeyObject)) throw argumentError(`${fn}(): keys`, "an array of private KeyObjects (loadPrivateKeys(…))", keys);
}

/** The Secret the controller would create (data base64; no ownerReferences: there is no cluster UID offline). */
export function unsealSecret(sealed: SealedSecretManifest, keys: readonly KeyObject[]): SecretManifest {
  if (typeof sealed !== "object" || sealed === null || typeof sealed.spec !== "object") throw argumentError("unseal(): sealed", "a SealedSecret (asSealedSecret(…))", sealed);
  checkKeys("unseal", keys);
  const template = sealed.spec.template;
  const templated = Object.entries(template.data ?? {}).filter(([, v]) => v !== null).map(([k]) => k);
  if (templated.length) {
    throw new SealboxError("SealedDecryptFailed", `SealedSecret ${sealed.metadata.namespace}/${sealed.metadata.name} uses spec.template.data templates, which sealbox does not render`, {
      details: templated.map((k) => `template key ${k}`),
    });
  }
  const values = unsealValues(sealed, keys);
  for (const [key, v] of Object.entries(template.data ?? {})) if (v === null) values.delete(key);
  const data: Record<string, string> = {};
  for (const [key, value] of values) setEntry(data, key, Buffer.from(value).toString("base64"));
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { ...template.metadata, name: sealed.metadata.name, namespace: sealed.metadata.namespace },
    ...(template.immutable !== undefined ? { immutable: template.immutable } : {}),
    data,
    ...(template.type ? { type: template.type } : {}),
  };
}

export interface UnsealOptions {
  format: ManifestFormat;
  /** The namespace a SealedSecret without metadata.namespace is applied in (kubeseal's -n); one with another is refused. */
  namespace?: string;
}

/**
 * Every SealedSecret of a manifest text (YAML or JSON documents, a `v1 List`) opened to the Secret
 * the controller would make, written as kubeseal writes them: all or nothing, every document is
 * opened before anything is returned. `sealbox unseal` and `seal --recovery-unseal`.
 */
export function unsealManifests(text: string, sourceName: string, keys: readonly KeyObject[], options: UnsealOptions): string {
  if (typeof text !== "string") throw argumentError("unsealManifests(): text", "a string (the file's text)", text);
  checkKeys("unsealManifests", keys);
  const docs = sealedSecretsOf(parseManifests(text, sourceName));
  if (docs.length === 0) throw new SealboxError("NeedAtLeastOneDocument", "no SealedSecret in this file", { file: sourceName });
  return docs
    .map((doc) => {
      return withFile(() => {
        const sealed = asSealedSecret(doc.value, sourceName, doc.line);
        if (options.namespace && sealed.metadata.namespace && sealed.metadata.namespace !== options.namespace) {
          throw new SealboxError("ConflictingParameters", `the SealedSecret's namespace "${sealed.metadata.namespace}" differs from --namespace "${options.namespace}"`);
        }
        sealed.metadata.namespace ||= options.namespace;
        return formatManifest(unsealSecret(sealed, keys), options.format);
      }, sourceName, doc.line);
    })
    .join("");
}
