// Sealing, as kubeseal's Seal / --raw and the controller's NewSealedSecret build a SealedSecret: the
// template copies the Secret's metadata (no server fields, no last-applied copies), type and immutable;
// every value is sealed under the scope's label; stringData wins over data.
import { KeyObject } from "node:crypto";
import type { Worker } from "node:worker_threads";
import { HybridBatch, hybridEncrypt } from "../core/hybrid.js";
import { startWrapHelper } from "../core/oaep-wrap.js";
import { SealboxError, argumentError, choiceError, withFile } from "../errors.js";
import {
  SEALED_API_VERSION,
  asSecret,
  atFieldLine,
  formatManifest,
  manifestValues,
  secretValues,
  setEntry,
  templateMetadata,
  type ManifestFormat,
  type SealedSecretManifest,
  type SecretManifest,
} from "./manifest.js";
import { listItems } from "./objects.js";
import { SCOPES, scopeFromAnnotations, scopeLabel, withScopeAnnotations, type Scope } from "./scope.js";

export interface SealOptions {
  publicKey: KeyObject;
  /** Overrides the Secret's scope annotations. */
  scope?: Scope;
  /** `--namespace`: used when the Secret has none and is not cluster-wide; a different one on the Secret is an error. */
  namespace?: string;
  /** `--name`: likewise for metadata.name. */
  name?: string;
  /**
   * Namespace for a Secret that names none and no --namespace, unless it is cluster-wide: the
   * kubeconfig context's ("default" when it names none); asked only then, and without one it is an error.
   */
  defaultNamespace?: string | (() => string | undefined);
  allowEmptyData?: boolean;
}

export function sealSecret(secret: SecretManifest, options: SealOptions): SealedSecretManifest {
  return sealAll([prepare(secret, options)], options.publicKey)[0];
}

/** A Secret checked and laid out as its SealedSecret, the values still to seal under `label`. */
interface Prepared {
  sealed: SealedSecretManifest;
  plain: Map<string, Uint8Array>;
  label: Uint8Array;
}

function prepare(secret: SecretManifest, options: SealOptions): Prepared {
  const metadata = { ...secret.metadata };
  metadata.name = pick("name", metadata.name, options.name);
  if (!metadata.name) throw new SealboxError("ConflictingParameters", "the Secret has no metadata.name (give one, or --name)");
  const scope = options.scope ?? scopeFromAnnotations(metadata.annotations);
  // As kubeseal: a cluster-wide Secret keeps the namespace it has, none included (kubectl apply -n
  // places it), whatever -n says; any other takes -n, else the kubeconfig context's, and without a
  // kubeconfig it must name one.
  if (scope !== "cluster-wide") metadata.namespace = pick("namespace", metadata.namespace, options.namespace);
  if (!metadata.namespace && scope !== "cluster-wide") {
    metadata.namespace = typeof options.defaultNamespace === "function" ? options.defaultNamespace() : options.defaultNamespace;
    if (!metadata.namespace) {
      throw new SealboxError("ConflictingParameters", `the Secret ${metadata.name} has no namespace, and there is no kubeconfig context to take one from: give it one, or -n (its ${scope} label depends on it)`);
    }
  }
  if (options.scope !== undefined) metadata.annotations = withScopeAnnotations(metadata.annotations, scope);

  const plain = secretValues(secret);
  if (plain.size === 0 && !options.allowEmptyData) {
    const who = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
    throw new SealboxError("Generic", `the Secret ${who} has no data or stringData; to seal it anyway use --allow-empty-data`);
  }

  const topAnnotations = withScopeAnnotations(undefined, scope);
  const sealed: SealedSecretManifest = {
    kind: "SealedSecret",
    apiVersion: SEALED_API_VERSION,
    metadata: { name: metadata.name, namespace: metadata.namespace, ...(topAnnotations ? { annotations: topAnnotations } : {}) },
    spec: {
      template: {
        metadata: templateMetadata(metadata),
        ...(secret.type ? { type: secret.type } : {}),
        ...(secret.immutable !== undefined ? { immutable: secret.immutable } : {}),
      },
      encryptedData: {},
    },
  };
  return { sealed, plain, label: scopeLabel(scope, metadata.namespace ?? "", metadata.name) };
}

/** Seals the values of all the Secrets in one batch (see HybridBatch), each under its Secret's label, as they come. */
function sealAll(secrets: Iterable<Prepared>, publicKey: KeyObject, helper?: Worker): SealedSecretManifest[] {
  const batch = new HybridBatch(publicKey, helper);
  try {
    const prepared: Prepared[] = [];
    for (const secret of secrets) {
      prepared.push(secret);
      for (const plaintext of secret.plain.values()) batch.add(plaintext, secret.label);
    }
    const sealedValues = batch.finish();
    let i = 0;
    for (const { sealed, plain } of prepared) {
      for (const key of plain.keys()) setEntry(sealed.spec.encryptedData, key, base64(sealedValues[i++]));
    }
    return prepared.map((p) => p.sealed);
  } finally {
    batch.wipe();
  }
}

function pick(field: string, onSecret: string | undefined, flag: string | undefined): string | undefined {
  if (onSecret && flag && onSecret !== flag) {
    throw new SealboxError("ConflictingParameters", `the Secret's ${field} "${onSecret}" differs from --${field} "${flag}"`);
  }
  return onSecret || flag || undefined;
}

/** One encryptedData value: base64 of the hybrid ciphertext. */
export function sealValue(publicKey: KeyObject, plaintext: Uint8Array, label: Uint8Array): string {
  if (!(publicKey instanceof KeyObject)) throw argumentError("sealValue(): publicKey", "a KeyObject", publicKey);
  if (!(plaintext instanceof Uint8Array)) throw argumentError("sealValue(): plaintext", "bytes", plaintext);
  if (!(label instanceof Uint8Array)) throw argumentError("sealValue(): label", "bytes", label);
  return base64(hybridEncrypt(publicKey, plaintext, label));
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

export interface RawOptions {
  publicKey: KeyObject;
  scope: Scope;
  namespace?: string;
  name?: string;
}

/** A library caller's options, checked at the call: a wrong type failed deep inside OpenSSL, a wrong scope sealed under a label no controller uses. */
function checkSealOptions(fn: string, options: unknown, { scopeRequired = false } = {}): void {
  if (typeof options !== "object" || options === null) throw argumentError(`${fn}(): options`, "an object", options);
  const { publicKey, scope } = options as Partial<SealOptions>;
  if (!(publicKey instanceof KeyObject)) throw argumentError(`${fn}(): options.publicKey`, "a KeyObject (loadCertificate(…).publicKey)", publicKey);
  if ((scope !== undefined || scopeRequired) && !SCOPES.includes(scope as Scope)) throw choiceError(`${fn}(): options.scope`, SCOPES, scope);
}

/** `--raw`: one value for a SealedSecret written by hand; kubeseal's same checks on name and namespace. */
export function sealRaw(plaintext: Uint8Array, options: RawOptions): string {
  checkSealOptions("sealRaw", options, { scopeRequired: true });
  const { scope, namespace = "", name = "" } = options;
  if (scope !== "cluster-wide" && !namespace) throw new SealboxError("ConflictingParameters", `--raw with scope ${scope} needs --namespace`);
  if (scope === "strict" && !name) throw new SealboxError("ConflictingParameters", "--raw with scope strict needs --name");
  return sealValue(options.publicKey, plaintext, scopeLabel(scope, namespace, name));
}

/** Seals every Secret in a manifest text (YAML documents, a JSON stream, or a v1 List) in kubeseal's output layout. */
export function sealManifests(text: string, file: string, options: SealOptions & { format: ManifestFormat }): string {
  if (typeof text !== "string") throw argumentError("seal(): text", "a string (the manifest file's text)", text);
  if (typeof file !== "string") throw argumentError("seal(): file", "a string (the name errors give)", file);
  checkSealOptions("seal", options);
  if (options.format !== "yaml" && options.format !== "json") throw choiceError("seal(): options.format", ["yaml", "json"], options.format);
  // Many Secrets: the RSA helper thread boots, then wraps, while the text is parsed (~200 ms for 1,000).
  const helper = text.length >= HELPER_TEXT ? startWrapHelper() : undefined;
  try {
    const sealed = sealAll(secretsOf(text, file, options), options.publicKey, helper);
    if (sealed.length === 0) throw new SealboxError("NeedAtLeastOneDocument", "no Secret to seal", { file });
    return sealed.map((s) => formatManifest(s, options.format)).join("");
  } finally {
    void helper?.terminate();
  }
}

/** Manifest text from which a helper thread pays off (~100 small Secrets; see src/core/oaep-wrap.ts). */
const HELPER_TEXT = 32 * 1024;

/** The Secrets of a manifest text, prepared one document at a time as it is parsed. */
function* secretsOf(text: string, file: string, options: SealOptions): Generator<Prepared> {
  let count = 0;
  for (const doc of manifestValues(text, file)) {
    if (doc.value === null) continue;
    const items = listItems(doc.value);
    for (const [i, item] of (items ?? [doc.value]).entries()) {
      yield withFile(() => {
        // kubeseal's --name names the one Secret it seals: given to several, it would seal them all
        // under one name, and the last applied would replace the others in the cluster
        if (options.name !== undefined && ++count > 1) throw new SealboxError("ConflictingParameters", "--name names one Secret, and the input holds more: name each in its metadata.name");
        let secret: SecretManifest;
        try {
          secret = asSecret(item, file, doc.line);
        } catch (error) {
          throw atFieldLine(error, text, doc.line, items ? ["items", i] : []);
        }
        return prepare(secret, options);
      }, file, doc.line);
    }
  }
}
