// Kubernetes manifests as kubeseal reads and writes them: Secret and SealedSecret objects, parsed from
// YAML (multi-document) or JSON (one object or a stream), written with kubeseal's exact layout:
// JSON in Go struct field order with sorted maps and Go's escaping; YAML as sigs.k8s.io/yaml writes it
// (`---` first, keys in go-yaml's natural order, YAML 1.1 quoting, sequences not indented).
import type { Document as YamlDocument, Tags } from "yaml";
import { SealboxError } from "../errors.js";
import { isStdBase64 } from "../core/base64.js";
import { parseJson } from "../formats/json.js";
import { yamlProblem, yamlValueProblem } from "../formats/yaml-errors.js";
import { outside, parseFastYamlStream, type FastValues } from "../formats/yaml-fast.js";
import { yamlLibrary } from "../formats/yaml-library.js";
import { emitJsonAsGoYamlV2, formatYamlFloat, goYamlKeyCompare } from "../formats/yaml-emit.js";
import { canBePlainString, goResolve } from "../formats/yaml-resolve.js";
import { isRecord, listItems } from "./objects.js";

// through yaml-library.ts, as every use of the library: one instance, and the CLI bundle's fast copy
const YAML = yamlLibrary();

export type ManifestFormat = "yaml" | "json";

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [field: string]: unknown;
}

export interface SecretManifest {
  apiVersion: "v1";
  kind: "Secret";
  metadata: ObjectMeta;
  immutable?: boolean;
  /** base64 values */
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
}

export interface SecretTemplate {
  metadata: ObjectMeta;
  type?: string;
  immutable?: boolean;
  data?: Record<string, string | null>;
}

export interface SealedSecretManifest {
  kind: "SealedSecret";
  apiVersion: string;
  metadata: ObjectMeta;
  spec: { template: SecretTemplate; encryptedData: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

/** One document of a manifest file; `yaml` is kept so edits keep comments and layout. */
export interface ManifestDoc {
  value: unknown;
  /** 1-based line where the document starts. */
  line: number;
  yaml?: YamlDocument;
}

export interface ManifestFile {
  format: ManifestFormat;
  docs: ManifestDoc[];
}

export const SEALED_API_VERSION = "bitnami.com/v1alpha1";

/** Server-side fields kubeseal strips from the template (and last-applied annotations, which hold plaintext). */
const SERVER_FIELDS = ["selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "managedFields"];
const LAST_APPLIED = ["kubectl.kubernetes.io/last-applied-configuration", "kubecfg.ksonnet.io/last-applied-configuration"];
const META_ORDER = ["name", "generateName", "namespace", ...SERVER_FIELDS.slice(0, 7), "labels", "annotations", "ownerReferences", "finalizers", "managedFields"];

// ---------------------------------------------------------------- parsing

export function parseManifests(text: string, file: string): ManifestFile {
  return { format: isJsonText(text) ? "json" : "yaml", docs: [...manifestDocs(text, file)] };
}

/**
 * The documents of a manifest text in order, each as soon as it is parsed: sealing starts on one
 * before the next is read.
 */
export function manifestDocs(text: string, file: string): Generator<ManifestDoc> {
  return documents(text, file, false);
}

/**
 * Documents for editing (YAML 1.2: `n`, `yes`, `on` stay strings, as the author meant), or
 * `asKubeseal`, for reading only, with values as kubeseal reads them (kubesealValue).
 */
function* documents(text: string, file: string, asKubeseal: boolean): Generator<ManifestDoc> {
  refuseHuge(text, file);
  if (isJsonText(text)) {
    yield* parseJsonStream(text, file);
    return;
  }
  // one pass for every document's line (counting from the top for each was quadratic in documents)
  const lines = new YAML.LineCounter();
  // YAML.parseAllDocuments without the array: its Parser and Composer, documents as they complete.
  // logLevel error: the library's warnings go to process.emitWarning with the source line quoted
  const composer = new YAML.Composer(asKubeseal ? { logLevel: "error", ...KUBESEAL_YAML } : { logLevel: "error" });
  for (const doc of composer.compose(new YAML.Parser(lines.addNewLine).parse(text))) {
    const line = lines.linePos(doc.range?.[0] ?? 0).line;
    const error = doc.errors[0];
    if (error) {
      throw new SealboxError("CouldNotReadInputFile", `not valid YAML: ${yamlProblem(error)}`, { file, line: lines.linePos(error.pos[0]).line });
    }
    // Empty documents (a stray `---`) stay in the list so an edited file keeps them; readers skip them.
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100, mapAsMap: asKubeseal });
    } catch (error) {
      // alias bombs (yaml's "excessive alias count") and stack-deep nesting: a message, not a trace
      throw new SealboxError("CouldNotReadInputFile", `not valid YAML: ${yamlValueProblem(error)}`, { file, line });
    }
    yield { value: (asKubeseal ? kubesealValue(value, "", file, line) : value) ?? null, line, yaml: doc };
  }
}

/**
 * The documents' values and lines only, for reading Secrets to seal, as kubeseal reads them: through
 * sigs.k8s.io/yaml YAMLToJSON, that is go-yaml v2 with YAML 1.1 (`yes` is true, `0123` is 83, a
 * `~` key is an error; fixtures/interop/sealed/sigs-yaml). Manifests in the plain block layout are
 * read ~6 times faster by the fast reader, with the same resolution (test/sealed/manifest-fast.test.ts).
 */
export function* manifestValues(text: string, file: string): Generator<ManifestDoc> {
  refuseHuge(text, file);
  const fast = isJsonText(text) ? undefined : parseFastYamlStream(text, KUBESEAL_VALUES);
  if (fast) yield* fast;
  else yield* kubesealDocs(text, file);
}

/** manifestValues without the fast reader. */
export function kubesealDocs(text: string, file: string): Generator<ManifestDoc> {
  return documents(text, file, true);
}

// The yaml library reading as go-yaml v2: every plain scalar resolved by v2's resolve (ints as bigint,
// so that keys tell them from floats), mappings as Maps (keys keep their type), a repeated key
// replacing the earlier one, `<<` merging.
const KUBESEAL_YAML = {
  version: "1.1" as const,
  uniqueKeys: false,
  customTags: (tags: Tags) => [{ tag: "tag:sealbox,2026:go-yaml-v2-plain", default: true, test: /(?:)/, resolve: (source: string) => goResolve(source, true).value }, ...tags],
};

const KUBESEAL_VALUES: FastValues<unknown> = {
  mapping: (entries) => Object.fromEntries(entries),
  plain: (source) => jsonNumber(goResolve(source, true).value),
  // a key kubeseal refuses or merges is the full reader's to report
  key: (source) => (source === "<<" ? outside() : (jsonKey(goResolve(source, true).value) ?? outside())),
};

/** sigs.k8s.io/yaml convertToJSONableObject: keys as JSON strings (or an error), numbers as JSON numbers. */
function kubesealValue(value: unknown, path: string, file: string, line: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => kubesealValue(item, `${path}[${i}]`, file, line));
  if (!(value instanceof Map)) return jsonNumber(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of value) {
    const key = jsonKey(k);
    if (key === undefined) {
      const shown = k === null ? "null" : typeof k === "bigint" ? "an integer past int64" : "not a scalar";
      throw new SealboxError("CouldNotReadInputFile", `a key in ${path || "the document"} is ${shown}, which kubeseal cannot read (quote it)`, { file, line });
    }
    setEntry(out, key, kubesealValue(v, path ? `${path}.${key}` : key, file, line));
  }
  return out;
}

/** A map key as convertToJSONableObject writes it; undefined for the ones it refuses (null, uint64, collections). */
function jsonKey(key: unknown): string | undefined {
  if (typeof key === "string") return key;
  if (typeof key === "boolean") return String(key);
  if (typeof key === "bigint") return key <= 2n ** 63n - 1n ? String(key) : undefined;
  if (typeof key === "number") return formatFloat32(key);
  return undefined;
}

/** strconv.FormatFloat(f, 'g', -1, 32) with go-yaml's .inf/.nan: the shortest digits that give the same float32. */
function formatFloat32(f: number): string {
  const single = Math.fround(f);
  if (!Number.isFinite(single)) return formatYamlFloat(single);
  let digits = 1;
  while (Math.fround(Number(single.toPrecision(digits))) !== single) digits++;
  return formatYamlFloat(Number(single.toPrecision(digits)));
}

function jsonNumber(value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}

/** As in the YAML codec: past this the yaml library would exhaust memory and abort the process. */
function refuseHuge(text: string, file: string): void {
  if (text.length > 16 * 1024 * 1024) throw new SealboxError("CouldNotReadInputFile", "manifest larger than 16 MiB (Kubernetes objects are at most 1.5 MiB)", { file });
}

function isJsonText(text: string): boolean {
  const trimmed = text.trimStart();
  return trimmed.startsWith("{") || trimmed.startsWith("[");
}

/** A single JSON value, or several concatenated (what `kubeseal -o json` writes for several inputs). */
function parseJsonStream(text: string, file: string): ManifestDoc[] {
  const docs: ManifestDoc[] = [];
  let start = -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth++ === 0) start = i;
    } else if (c === "}" || c === "]") {
      if (--depth === 0) docs.push(jsonDoc(text, start, i + 1, file));
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new SealboxError("CouldNotReadInputFile", "not valid JSON: text outside an object", { file, line: lineOf(text, i) });
    }
  }
  if (depth !== 0 || inString) throw new SealboxError("CouldNotReadInputFile", "not valid JSON: unexpected end of input", { file, line: lineOf(text, start) });
  return docs;
}

function jsonDoc(text: string, start: number, end: number, file: string): ManifestDoc {
  const line = lineOf(text, start);
  try {
    return { value: JSON.parse(text.slice(start, end)), line };
  } catch {
    // V8's message quotes the text around the mistake, values included: sealbox's own reader names
    // the line and the kind of mistake instead
    try {
      parseJson(Buffer.from(text.slice(start, end)), file);
    } catch (error) {
      if (error instanceof SealboxError) throw new SealboxError(error.code, error.message.replace(/^invalid JSON/, "not valid JSON"), { file, line: line - 1 + (error.line ?? 1) });
    }
    throw new SealboxError("CouldNotReadInputFile", "not valid JSON", { file, line });
  }
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The Secrets of a manifest text, read as kubeseal reads them (manifestValues); a `v1 List` of Secrets counts as its items. */
export function readSecrets(text: string, path: string): SecretManifest[] {
  const out: SecretManifest[] = [];
  for (const doc of manifestValues(text, path)) {
    if (doc.value === null) continue;
    const items = listItems(doc.value);
    (items ?? [doc.value]).forEach((item, i) => {
      try {
        out.push(asSecret(item, path, doc.line));
      } catch (error) {
        throw atFieldLine(error, text, doc.line, items ? ["items", i] : []);
      }
    });
  }
  return out;
}

// Which field of its document a refusal is about: the fast reader keeps no positions, so the field's
// line is found only once there is an error to show (atFieldLine).
const refusedFields = new WeakMap<SealboxError, (string | number)[]>();

function fieldError(message: string, field: (string | number)[], file: string, line?: number): SealboxError {
  const error = new SealboxError("CouldNotReadInputFile", message, { file, line });
  refusedFields.set(error, field);
  return error;
}

/**
 * `error` at the line of the field it refuses, if it names one: found in the document of `text` that
 * starts on `docLine`, under `within` (a List's item). Otherwise `error` as it was, at the document's line.
 */
export function atFieldLine(error: unknown, text: string, docLine: number, within: (string | number)[] = []): unknown {
  const field = error instanceof SealboxError ? refusedFields.get(error) : undefined;
  if (!field) return error;
  const lines = new YAML.LineCounter();
  const doc = YAML.parseAllDocuments(text, { lineCounter: lines }).find((d) => lines.linePos(d.range[0]).line === docLine);
  const at = (doc?.getIn([...within, ...field], true) as { range?: [number] } | undefined)?.range?.[0];
  const found = error as SealboxError;
  return at === undefined ? found : new SealboxError(found.code, found.message, { file: found.file, line: lines.linePos(at).line, details: found.details });
}

export function asSecret(value: unknown, file: string, line?: number): SecretManifest {
  // kubeseal would seal the ENC[…] texts as they stand (sops encrypts even `kind`), and the cluster would get them as the values
  if (isRecord(value) && isRecord(value.sops)) {
    throw new SealboxError("FileAlreadyEncrypted", "this Secret is SOPS-encrypted (it has a sops block): decrypt it first, e.g. sealbox decrypt FILE | sealbox seal …", { file, line });
  }
  if (!isRecord(value) || value.kind !== "Secret") {
    const kind = isRecord(value) && typeof value.kind === "string" ? value.kind : "not a Kubernetes object";
    throw new SealboxError("CouldNotReadInputFile", `expected a Secret, found ${kind}`, { file, line });
  }
  const metadata = checkedMeta(value.metadata, file, line);
  const secret: SecretManifest = { apiVersion: "v1", kind: "Secret", metadata };
  for (const field of ["data", "stringData"] as const) {
    const map = value[field];
    if (map === undefined || map === null) continue;
    if (!isRecord(map)) throw fieldError(`${field} must be a map`, [field], file, line);
    const entries = Object.entries(map).map(([key, v]) => {
      if (typeof v !== "string") throw fieldError(`${field}.${key} must be a string (quote it)`, [field, key], file, line);
      if (field === "stringData") return [key, v];
      // Go's base64 (kubectl's, kubeseal's) skips line breaks: a certificate's data is often wrapped
      const base64 = v.replace(/[\r\n]/g, "");
      if (!isStdBase64(base64)) throw fieldError(`data.${key} is not valid base64 (use stringData for plain text)`, ["data", key], file, line);
      return [key, base64];
    });
    secret[field] = Object.fromEntries(entries);
  }
  // kubeseal's decoder refuses these; dropped here, the Secret would lose its type or immutability unnoticed
  if (value.type != null) {
    if (typeof value.type !== "string") throw fieldError("type must be a string (quote it)", ["type"], file, line);
    secret.type = value.type;
  }
  if (value.immutable != null) {
    if (typeof value.immutable !== "boolean") throw fieldError("immutable must be true or false", ["immutable"], file, line);
    secret.immutable = value.immutable;
  }
  return secret;
}

/** The Secret's values as bytes: data from base64, stringData as UTF-8 and winning for a key in both, as the API server merges them. */
export function secretValues(secret: SecretManifest): Map<string, Uint8Array> {
  const values = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(secret.data ?? {})) values.set(key, Buffer.from(value, "base64"));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) values.set(key, Buffer.from(value, "utf8"));
  return values;
}

/**
 * metadata as Kubernetes types it (a YAML `name: 123` or `enabled: true` label is refused, not guessed
 * at): name and namespace strings, labels and annotations maps of strings, finalizers a list of
 * strings. kubeseal's decoder refuses the same; copied as they were, they would make a SealedSecret
 * the controller cannot read.
 */
function checkedMeta(meta: unknown, file: string, line?: number): ObjectMeta {
  if (meta == null) return {};
  if (!isRecord(meta)) throw fieldError("metadata must be a mapping", ["metadata"], file, line);
  for (const field of ["name", "namespace"]) {
    if (meta[field] != null && typeof meta[field] !== "string") {
      throw fieldError(`metadata.${field} must be a string (quote it)`, ["metadata", field], file, line);
    }
  }
  for (const field of ["labels", "annotations"]) {
    const map = meta[field];
    if (map == null) continue;
    if (!isRecord(map)) throw fieldError(`metadata.${field} must be a mapping of names to strings`, ["metadata", field], file, line);
    for (const [key, value] of Object.entries(map)) {
      if (typeof value !== "string") throw fieldError(`metadata.${field}.${key} must be a string (quote it)`, ["metadata", field, key], file, line);
    }
  }
  const finalizers = meta.finalizers;
  if (finalizers != null && !(Array.isArray(finalizers) && finalizers.every((f) => typeof f === "string"))) {
    throw fieldError("metadata.finalizers must be a list of strings", ["metadata", "finalizers"], file, line);
  }
  return meta as ObjectMeta;
}

/**
 * The SealedSecrets of a file, a `v1 List` counting by its items as `kubectl get sealedsecrets -o yaml`
 * writes them; `listed` ones have no document of their own (an edit cannot address them by document).
 */
export function sealedSecretsOf(file: ManifestFile): { value: unknown; line: number; listed: boolean }[] {
  return file.docs
    .flatMap((doc) => listItems(doc.value)?.map((value) => ({ value, line: doc.line, listed: true })) ?? [{ value: doc.value, line: doc.line, listed: false }])
    .filter((d) => isSealedSecret(d.value));
}

export function isSealedSecret(value: unknown): value is SealedSecretManifest {
  return isRecord(value) && value.kind === "SealedSecret";
}

export function asSealedSecret(value: unknown, file: string, line?: number): SealedSecretManifest {
  if (!isSealedSecret(value)) {
    const kind = isRecord(value) && typeof value.kind === "string" ? value.kind : "not a Kubernetes object";
    throw new SealboxError("CouldNotReadInputFile", `expected a SealedSecret, found ${kind}`, { file, line });
  }
  const metadata = checkedMeta(value.metadata, file, line);
  if (!metadata.name) throw new SealboxError("CouldNotReadInputFile", "the SealedSecret has no metadata.name", { file, line });
  // present but the wrong shape is refused: silently reading it as empty would drop every value
  if (value.spec != null && !isRecord(value.spec)) throw new SealboxError("CouldNotReadInputFile", "spec must be a mapping", { file, line });
  const spec: Record<string, unknown> = isRecord(value.spec) ? value.spec : {};
  if (spec.data !== undefined && spec.data !== null) {
    throw new SealboxError("CouldNotReadInputFile", "this SealedSecret uses the deprecated v1 `spec.data` blob, which sealbox does not read", { file, line });
  }
  if (spec.encryptedData != null && !isRecord(spec.encryptedData)) throw new SealboxError("CouldNotReadInputFile", "spec.encryptedData must be a mapping of key: sealed value", { file, line });
  const encryptedData = isRecord(spec.encryptedData) ? spec.encryptedData : {};
  for (const [key, v] of Object.entries(encryptedData)) {
    if (typeof v !== "string") throw new SealboxError("CouldNotReadInputFile", `spec.encryptedData.${key} must be a string`, { file, line });
  }
  const template: Record<string, unknown> = isRecord(spec.template) ? spec.template : {};
  return {
    ...value,
    metadata,
    spec: { ...spec, template: { ...template, metadata: isRecord(template.metadata) ? (template.metadata as ObjectMeta) : {} }, encryptedData: encryptedData as Record<string, string> },
  };
}

/** The template metadata kubeseal writes: the Secret's own metadata without server fields or last-applied copies. */
export function templateMetadata(meta: ObjectMeta): ObjectMeta {
  const out: ObjectMeta = {};
  for (const [field, value] of Object.entries(meta)) {
    if (SERVER_FIELDS.includes(field) || value === undefined || value === null) continue;
    out[field] = value;
  }
  if (out.annotations) {
    const annotations = { ...out.annotations };
    for (const key of LAST_APPLIED) delete annotations[key];
    out.annotations = annotations;
  }
  return out;
}

// ---------------------------------------------------------------- writing

/** kubeseal's `-o json` / `-o yaml` text for one object (a SealedSecret or a Secret). */
export function formatManifest(object: SealedSecretManifest | SecretManifest, format: ManifestFormat): string {
  const ordered = object.kind === "SealedSecret" ? orderSealedSecret(object) : orderSecret(object);
  return format === "json" ? goJson(ordered) : "---\n" + goYaml(ordered);
}

function orderSealedSecret(s: SealedSecretManifest): Record<string, unknown> {
  const t = s.spec.template;
  const template = compact({ metadata: orderMeta(t.metadata), type: t.type, immutable: t.immutable, data: sortMap(t.data) });
  return compact({
    kind: "SealedSecret",
    apiVersion: s.apiVersion,
    metadata: orderMeta(s.metadata),
    spec: compact({ template: Object.keys(template).length ? template : {}, encryptedData: sortMap(s.spec.encryptedData) ?? {} }, ["template", "encryptedData"]),
  });
}

function orderSecret(s: SecretManifest): Record<string, unknown> {
  return compact({
    kind: "Secret",
    apiVersion: "v1",
    metadata: orderMeta(s.metadata),
    immutable: s.immutable,
    data: sortMap(s.data),
    stringData: sortMap(s.stringData),
    type: s.type,
  });
}

function orderMeta(meta: ObjectMeta): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of META_ORDER) {
    const value = field === "labels" || field === "annotations" ? sortMap(meta[field] as Record<string, string> | undefined) : meta[field];
    if (!isEmpty(value)) out[field] = value;
  }
  return out;
}

/** Go's omitempty: drops undefined, "", empty maps and lists (keeping the fields in `keep`). */
function compact(o: Record<string, unknown>, keep: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (keep.includes(k) || !isEmpty(v)) out[k] = v;
  return out;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  return isRecord(v) && Object.keys(v).length === 0;
}

/**
 * Sets an own entry of a map read from a manifest, even one named "__proto__": plain assignment
 * would change the object's prototype instead, and the Secret would lose that key.
 */
export function setEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Go's encoding/json sorts map keys by their UTF-8 bytes. */
function sortMap<V>(map: Record<string, V> | undefined): Record<string, V> | undefined {
  if (!map) return undefined;
  const keys = Object.keys(map).map((key) => ({ key, bytes: Buffer.from(key) }));
  keys.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const out: Record<string, V> = {};
  for (const { key } of keys) setEntry(out, key, map[key]);
  return out;
}

/** encoding/json.MarshalIndent with two spaces, HTML-safe escaping, and a trailing newline. */
export function goJson(value: unknown): string {
  return (
    JSON.stringify(value, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) + "\n"
  );
}

/** sigs.k8s.io/yaml JSONToYAML: go-yaml v2 writes the JSON with its own key order, quoting and folding. */
export function goYaml(value: Record<string, unknown>): string {
  return plainBlockMap(value, "") || emitJsonAsGoYamlV2(value);
}

// A SealedSecret is mostly maps of plain strings; building the emitter's nodes and events for it cost
// more than its RSA work, so plainBlockMap writes that case directly, byte for byte as the emitter
// would (test/sealed/manifest.test.ts compares the two). Anything else goes to the emitter.

// Plain to go-yaml v2 unless it reads back as another type: no indicator, space, colon or character
// to escape, so nothing to quote or fold.
const SIMPLE_PLAIN = /^\w[\w./+=-]*$/;

function isPlainString(s: unknown): s is string {
  return typeof s === "string" && SIMPLE_PLAIN.test(s) && canBePlainString(s, true);
}

/** The block mapping of plain strings, booleans, lists of plain strings and such mappings; "" for anything else. */
function plainBlockMap(map: Record<string, unknown>, indent: string): string {
  let out = "";
  for (const key of Object.keys(map).sort(goYamlKeyCompare)) {
    const value = map[key];
    // a key over 128 bytes is written as a "? " complex key
    if (!isPlainString(key) || key.length > 128) return "";
    if (isPlainString(value) || typeof value === "boolean") {
      out += `${indent}${key}: ${value}\n`;
    } else if (Array.isArray(value)) {
      if (!value.every(isPlainString)) return "";
      out += value.length ? `${indent}${key}:\n${value.map((item) => `${indent}- ${item}\n`).join("")}` : `${indent}${key}: []\n`;
    } else if (isRecord(value)) {
      const inner = plainBlockMap(value, indent + "  ");
      if (!inner && Object.keys(value).length) return "";
      out += inner ? `${indent}${key}:\n${inner}` : `${indent}${key}: {}\n`;
    } else {
      return "";
    }
  }
  return out;
}

/** The text of a manifest file after its documents were edited: YAML keeps comments and layout. */
export function stringifyManifests(file: ManifestFile): string {
  if (file.format === "json") return file.docs.map((d) => goJson(d.value)).join("");
  return file.docs.map((d) => d.yaml!.toString({ lineWidth: 0 })).join("");
}

/** Sets (or, with undefined, removes) one string field in a document, in its YAML node tree too. */
export function setField(doc: ManifestDoc, path: string[], value: string | undefined): void {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  if (doc.yaml) {
    const yaml = doc.yaml;
    // Missing maps are made as plain block maps (setIn would make `!!omap` under the YAML 1.1 schema);
    // an empty one (`labels:`, `labels: null`) is one too. Anything else there is refused in words:
    // the library's own error (from hasIn and deleteIn too) names no file and exits 1.
    let present = true;
    for (let i = 1; i < path.length && present; i++) {
      const prefix = path.slice(0, i);
      const node: unknown = yaml.getIn(prefix, true);
      if (node == null || (YAML.isScalar(node) && node.value == null)) {
        if (value === undefined) present = false; // nothing there to remove
        else yaml.setIn(prefix, new YAML.YAMLMap());
      } else if (!YAML.isMap(node)) throw new SealboxError("CouldNotReadInputFile", `${prefix.join(".")} must be a mapping`, { line: doc.line });
    }
    if (value !== undefined) yaml.setIn(path, value);
    else if (present) {
      if (yaml.hasIn(path)) yaml.deleteIn(path);
      const parent = yaml.getIn(parentPath);
      if (YAML.isMap(parent) && parent.items.length === 0) yaml.deleteIn(parentPath);
    }
  }
  let node = doc.value as Record<string, unknown>;
  const chain: Record<string, unknown>[] = [node];
  for (const [i, key] of parentPath.entries()) {
    if (!isRecord(node[key])) {
      if (value === undefined) return;
      // as in the YAML tree above (a JSON file has none): an empty field becomes a map, anything else is refused
      if (node[key] != null) throw new SealboxError("CouldNotReadInputFile", `${parentPath.slice(0, i + 1).join(".")} must be a mapping`, { line: doc.line });
      node[key] = {};
    }
    node = node[key] as Record<string, unknown>;
    chain.push(node);
  }
  if (value === undefined) {
    delete node[last];
    if (Object.keys(node).length === 0 && chain.length > 1) delete chain[chain.length - 2][parentPath[parentPath.length - 1]];
  } else {
    setEntry(node, last, value);
  }
}
