// The SOPS operations as the library exposes them and the CLI calls them: bytes in, bytes out.
// Which recipients and which values: --age/--kms (SOPS_AGE_RECIPIENTS / SOPS_KMS_ARN standing in for
// each), else the creation rule that matches the file's name, as sops decides.
import { Branch, type Documents, type Value } from "../tree/tree.js";
import { SealboxError, argumentError, withFileAsync } from "../errors.js";
import { codecFor, formatForPath, formatIgnoringCase } from "../formats/index.js";
import type { Codec, EmitOptions, FormatName } from "../formats/types.js";
import { emitYamlValue } from "../formats/yaml-emit.js";
import { emitJsonValue, jsonIndentUnit } from "../formats/json.js";
import { KeySources } from "../keys/registry.js";
import { parseKmsArns } from "../keys/kms.js";
import { UNSUPPORTED_KEY_TYPES, unsupportedKeys } from "../keys/unsupported.js";
import type { KmsRecipientSpec, RecipientGroup, RecipientSpec } from "../keys/types.js";
import type { CreationRule } from "../rules/config.js";
import { checkOneSelector, type EncryptionSelectors } from "../sops/encryption-rules.js";
import { SELECTORS } from "../sops/selectors.js";
import { decryptFile, emitEncrypted, encryptWithKey, ensureDocuments, hasMetadata, loadEncrypted, METADATA_KEY, newFileKey, type EncryptedFile, type NewFileKey } from "../sops/sops-file.js";
import type { SopsMetadata } from "../sops/metadata.js";
import { getAtPath, parseTreePath } from "./tree-path.js";
import { bufferSource, toMemory, type ByteSource, type OpenSink } from "../core/byte-stream.js";

export interface FileOptions {
  /** The file's name: picks the format and the creation rule (sops's --filename-override). */
  filename?: string;
  inputType?: FormatName;
  outputType?: FormatName;
  configPath?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * sops's --indent: the indent of YAML, JSON and binary-store output, in place of the rules file's
   * `stores:` (YAML: 0 is the default 4, go-yaml keeps 2 to 9 and makes others 2; JSON: -1 a tab, 0 none).
   */
  indent?: number;
  /** Key sources to reuse across many files (identities load once); made on demand otherwise. */
  sources?: KeySources;
  /** Asked for the passphrase of a locked identity when one is needed. */
  passphrase?: (source: string) => Promise<string>;
}

export interface EncryptOptions extends FileOptions {
  age?: string[];
  kms?: KmsRecipientSpec[];
  /** --encryption-context and --aws-profile: also apply to SOPS_KMS_ARN and to a rule's string-form kms keys, as in sops. */
  encryptionContext?: Record<string, string>;
  awsProfile?: string;
  shamirThreshold?: number;
  selectors?: EncryptionSelectors;
}

export interface DecryptOptions extends FileOptions {
  /** A path such as ["data"]["password"]: print only that value. */
  extract?: string;
  ignoreMac?: boolean;
  decryptionOrder?: string[];
}

interface Codecs {
  input: Codec;
  output: Codec;
}

/**
 * go-ini reads an explicit [DEFAULT] header as a second DEFAULT section, after the implicit one it
 * always makes (empty when no key comes before the first header). sops writes both to YAML: the key
 * DEFAULT twice, which no YAML reader takes (sops's neither), so a file encrypted that way cannot be
 * decrypted. For YAML output the empty one goes; it holds no value, so the MAC is the same.
 */
function withoutShadowedDefault(docs: Documents, codecs: Codecs): Documents {
  if (codecs.input.name !== "ini" || codecs.output.name !== "yaml") return docs;
  return docs.map((doc) => {
    const [first, ...rest] = doc.items;
    const shadowed = first?.key === "DEFAULT" && first.value instanceof Branch && first.value.items.length === 0 && rest.some((item) => item.key === "DEFAULT");
    return shadowed ? new Branch(rest) : doc;
  });
}

async function codecsFor(options: FileOptions): Promise<Codecs> {
  const detected = formatForPath(options.filename ?? "");
  const input = await codecFor(options.inputType ?? detected);
  const output = options.outputType ? await codecFor(options.outputType) : input;
  return { input, output };
}

/**
 * How the output is laid out: the rules file's `stores:` (the rules file found as for the creation
 * rules, whichever rule matches), or --indent. Loaded here, not at start-up: see planEncryption.
 */
async function emitOptions(format: FormatName, options: FileOptions): Promise<EmitOptions> {
  const { findConfigFile, mayHaveStores } = await import("../rules/find.js");
  const configPath = await findConfigFile({ configPath: options.configPath, cwd: options.cwd, env: options.env });
  // the rules parser brings the yaml library: a decrypt loads it only when there is something to read
  if (options.indent === undefined && !(configPath && (await mayHaveStores(configPath)))) return {};
  const { emitOptionsFor } = await import("../rules/config.js");
  return emitOptionsFor(format, configPath, options.indent);
}

function sourcesFor(options: FileOptions): KeySources {
  return options.sources ?? new KeySources({ age: { env: options.env, passphrase: options.passphrase } });
}

/** A library caller's bytes and options, checked where they come in: a wrong type failed deep inside, naming nothing. */
function checkArguments(fn: string, input: unknown, options: unknown): void {
  if (!(input instanceof Uint8Array)) throw argumentError(`${fn}(): input`, "bytes (a Uint8Array or Buffer)", input);
  if (typeof options !== "object" || options === null) throw argumentError(`${fn}(): options`, "an object", options);
  const { filename, age, kms } = options as EncryptOptions;
  if (filename !== undefined && typeof filename !== "string") throw argumentError(`${fn}(): options.filename`, "a string", filename);
  if (age !== undefined && !(Array.isArray(age) && age.every((r) => typeof r === "string"))) throw argumentError(`${fn}(): options.age`, "an array of recipient strings", age);
  if (kms !== undefined && !Array.isArray(kms)) throw argumentError(`${fn}(): options.kms`, "an array", kms);
}

function fileLabel(options: FileOptions): string {
  return options.filename ?? "<stdin>";
}

function splitList(text: string | undefined): string[] {
  return (text ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** Recipients and selectors for a new file: flags (each with its variable as default), else the matching rule. */
export async function planEncryption(options: EncryptOptions): Promise<{ groups: RecipientGroup[]; threshold?: number; selectors: EncryptionSelectors; rule?: CreationRule }> {
  const env = options.env ?? process.env;
  // a rules file named by --config or SOPS_CONFIG must exist; none found upward is fine.
  // Loaded here, not at start-up: it brings the yaml library, which decrypting never needs.
  const { findConfigFile, resolveCreationRule } = await import("../rules/config.js");
  const rule: CreationRule | undefined = await resolveCreationRule(options.filename ?? "", { configPath: options.configPath, cwd: options.cwd, env });
  const unsupported = UNSUPPORTED_KEY_TYPES.find((key) => env[key.variable]);
  if (unsupported) throw unsupportedKeys(unsupported, unsupported.variable, options.filename);
  // before the recipients, as sops checks them
  const selectors = mergeSelectors(options.selectors, rule);
  // each variable stands in for its own flag only, as sops's --kms and --age read them (EnvVar):
  // --age with SOPS_KMS_ARN set encrypts to both
  const envKms = splitList(env.SOPS_KMS_ARN);
  const kms = options.kms ?? (envKms.length ? parseKmsArns(envKms.join(","), options.encryptionContext, options.awsProfile) : []);
  const age = options.age ?? splitList(env.SOPS_AGE_RECIPIENTS);
  const flagged: RecipientSpec[] = [...kms, ...age.map((recipient) => ({ type: "age" as const, recipient }))];
  const withContext = (spec: RecipientSpec): RecipientSpec =>
    spec.type === "kms" && !spec.context && options.encryptionContext ? { ...spec, context: options.encryptionContext } : spec;
  const groups = flagged.length ? [flagged] : (rule?.recipientGroups ?? []).map((group) => group.map(withContext));
  if (groups.length === 0) {
    const rulesFile = rule ? rule.configPath : await findConfigFile({ configPath: options.configPath, cwd: options.cwd, env });
    const where = rule
      ? `the creation rule at ${rule.configPath}:${rule.line} names no keys`
      : rulesFile
        ? `no creation rule in ${rulesFile} matches this file`
        : "no .sops.yaml here or in any directory above, and no --config";
    throw new SealboxError("NoEncryptionKeyFound", `no recipients to encrypt to: ${where}; use --age or --kms`, { file: options.filename });
  }
  return { groups, threshold: options.shamirThreshold ?? rule?.shamirThreshold, selectors, rule };
}

/**
 * The selectors a new file gets, as sops's getEncryptConfig picks them: each flag replaces the rule's
 * setting of the same name only, `mac_only_encrypted` is on if either turns it on, and two different
 * selectors in the result (a flag's and the rule's) are refused, as two flags are.
 */
function mergeSelectors(flags: EncryptionSelectors = {}, rule: CreationRule | undefined): EncryptionSelectors {
  checkOneSelector(flags); // a library caller's, type by type
  const fromRule = rule?.selectors ?? {};
  const merged: EncryptionSelectors = {};
  for (const [key] of SELECTORS) {
    const value = flags[key] || fromRule[key];
    if (value) merged[key] = value;
  }
  if (flags.macOnlyEncrypted || fromRule.macOnlyEncrypted) merged.macOnlyEncrypted = true;
  checkOneSelector(merged);
  return merged;
}

/**
 * encrypt() for a binary file in and out (sops's binary store), read and written a slice at a time;
 * false where it does not apply (another format, an empty file, data left unencrypted).
 */
export async function encryptStream(source: ByteSource, open: OpenSink, options: EncryptOptions = {}): Promise<boolean> {
  const { input: inCodec, output } = await codecsFor(options);
  if (inCodec.name !== "binary" || output.name !== "binary") return false;
  const plan = await planEncryption(options);
  const layout = await emitOptions(output.name, options);
  const { encryptBinary } = await import("../sops/binary-file.js");
  return encryptBinary(source, open, { codec: output, emitOptions: layout, sources: sourcesFor(options), recipientGroups: plan.groups, shamirThreshold: plan.threshold, selectors: plan.selectors });
}

/**
 * Encrypts a plaintext file; refuses one that already carries sops metadata. `key` is one made
 * beforehand by newKeyFor (edit makes it before the editor opens); without it, a fresh one is made
 * for the recipients the options and rules name.
 */
export async function encrypt(input: Uint8Array, options: EncryptOptions = {}, key?: NewFileKey): Promise<Uint8Array> {
  checkArguments("encrypt", input, options);
  const fast = key ? undefined : await toMemory((open) => encryptStream(bufferSource(input), open, options));
  if (fast) return fast;
  const codecs = await codecsFor(options);
  const { input: inCodec, output } = codecs;
  const file = fileLabel(options);
  const docs = withoutShadowedDefault(inCodec.parsePlain(input, file), codecs);
  // dotenv keeps sops_* lines as plain items; only its encrypted reading shows them as metadata
  const probe = inCodec.name === "dotenv" ? inCodec.parseEncrypted(input, file) : docs;
  if (hasMetadata(probe)) throw new SealboxError("FileAlreadyEncrypted", "the file is already encrypted", { file });
  // before a data key is made and wrapped (a KMS call), as sops checks it
  ensureDocuments(docs);
  const { dataKey, metadata } = key ?? (await newKeyFor(options));
  const layout = await emitOptions(output.name, options);
  return emitEncrypted(output, encryptWithKey(docs, metadata, dataKey), layout);
}

/**
 * A new file's data key, made and wrapped for its recipients before its plaintext exists: edit does
 * it before the editor opens, as sops does, so a recipient or KMS key that fails, fails before
 * anything is typed.
 */
export async function newKeyFor(options: EncryptOptions): Promise<NewFileKey> {
  const { input: inCodec } = await codecsFor(options);
  const plan = await planEncryption(options);
  return newFileKey({ sources: sourcesFor(options), recipientGroups: plan.groups, shamirThreshold: plan.threshold, selectors: plan.selectors, defaultSelector: inCodec.name !== "binary" });
}

export interface OpenedFile {
  docs: Documents;
  metadata: SopsMetadata;
  dataKey: Uint8Array;
  codecs: Codecs;
  /** How the output codec writes (the rules file's `stores:` or --indent), for sealOpened and the plaintext. */
  emitOptions: EmitOptions;
  /** The file as it was read, values still encrypted: for changes to the keys alone. */
  encrypted: EncryptedFile;
}

/** Decrypts a file and keeps what is needed to encrypt it again with the same data key. */
export async function openEncrypted(input: Uint8Array, options: DecryptOptions = {}): Promise<OpenedFile> {
  checkArguments("openEncrypted", input, options);
  const codecs = await codecsFor(options);
  const file = fileLabel(options);
  let loaded: EncryptedFile;
  try {
    loaded = loadEncrypted(codecs.input, input, file);
  } catch (error) {
    throw withCaseHint(error, options);
  }
  const layout = await emitOptions(codecs.output.name, options);
  const { docs, metadata, dataKey } = await withFileAsync(() => decryptFile(loaded, { sources: sourcesFor(options), ignoreMac: options.ignoreMac, decryptionOrder: options.decryptionOrder }), file);
  return { docs: withoutShadowedDefault(docs, codecs), metadata, dataKey, codecs, emitOptions: layout, encrypted: loaded };
}

/** Writes opened documents back, encrypted with the file's own data key and recipients. */
export function sealOpened(opened: OpenedFile, docs: Documents = opened.docs): Uint8Array {
  return emitEncrypted(opened.codecs.output, encryptWithKey(docs, opened.metadata, opened.dataKey), opened.emitOptions);
}

/**
 * How --extract prints a value: scalars raw, subtrees in the output format. A mapping is a whole file
 * to sops (EmitPlainFile, indented as configured); a list goes through EmitValue, which the JSON store
 * indents as configured and the YAML store writes with yaml.Marshal, at go-yaml's default of 4.
 */
function emitExtracted(value: Value, codec: Codec, options: EmitOptions): Uint8Array {
  if (value instanceof Branch) return codec.emitPlain([value], options);
  // sops's JSON EmitValue is json.Indent alone: no newline after the list (its EmitPlainFile adds one)
  if (Array.isArray(value)) return Buffer.from(codec.name === "json" ? emitJsonValue(value, jsonIndentUnit(options)) : emitYamlValue(value));
  // only a string is printed raw (decrypt.go extract); the YAML store's EmitValue is yaml.Marshal,
  // which ends a number, boolean, null or time with a newline
  if (codec.name === "yaml" && typeof value !== "string") return Buffer.from(emitYamlValue(value));
  if (value === null) return Buffer.from("null");
  if (value instanceof Uint8Array) return value;
  return Buffer.from(typeof value === "object" ? ("text" in value ? value.text : value.value) : String(value));
}

/**
 * decrypt() for a binary-store file to binary, read and written a slice at a time; false where it does
 * not apply. The output is written before the tag and MAC are checked: discard it when this throws.
 */
export async function decryptStream(source: ByteSource, open: OpenSink, options: DecryptOptions = {}): Promise<boolean> {
  const codecs = await codecsFor(options);
  if (options.extract || codecs.input.name !== "binary" || codecs.output.name !== "binary") return false;
  const { decryptBinary } = await import("../sops/binary-file.js");
  const file = fileLabel(options);
  try {
    return await decryptBinary(source, open, { codec: codecs.input, file, sources: sourcesFor(options), ignoreMac: options.ignoreMac, decryptionOrder: options.decryptionOrder });
  } catch (error) {
    throw withCaseHint(error instanceof SealboxError ? error.inFile(file) : error, options);
  }
}

export async function decrypt(input: Uint8Array, options: DecryptOptions = {}): Promise<Uint8Array> {
  checkArguments("decrypt", input, options);
  const fast = await toMemory((open) => decryptStream(bufferSource(input), open, options));
  if (fast) return fast;
  const path = options.extract ? parseTreePath(options.extract) : undefined;
  const opened = await openEncrypted(input, options);
  if (path) return emitExtracted(getAtPath(opened.docs[0] ?? new Branch(), path), opened.codecs.output, opened.emitOptions);
  return opened.codecs.output.emitPlain(opened.docs, opened.emitOptions);
}

/**
 * A read error of a file whose ending differs from a known one only in case (X.YAML), with the way
 * out: such a name picks the binary store, as in sops, where sealbox once read it as YAML.
 */
function withCaseHint(error: unknown, options: FileOptions): unknown {
  const format = !options.inputType && options.filename ? formatIgnoringCase(options.filename) : undefined;
  if (!format || !(error instanceof SealboxError) || error.code !== "CouldNotReadInputFile") return error;
  const hint = `${options.filename} is read with the binary store, as sops reads it (a name's ending is case-sensitive): if it is ${format}, give --input-type ${format}`;
  return new SealboxError(error.code, error.message, { file: error.file, line: error.line, details: [...error.details, hint], cause: error });
}

/**
 * sops filestatus (its cfs): encrypted when the file carries sops metadata with a version and a
 * MAC. A file its store cannot read is an error, as in sops: a plain binary file too, which sops's
 * binary store reads as JSON.
 */
export async function fileStatus(input: Uint8Array, options: FileOptions = {}): Promise<{ encrypted: boolean }> {
  checkArguments("fileStatus", input, options);
  const { input: codec } = await codecsFor(options);
  const docs = codec.parseEncrypted(input, fileLabel(options));
  const metadata = docs[0]?.get(METADATA_KEY);
  const present = (key: string): boolean => metadata instanceof Branch && typeof metadata.get(key) === "string" && metadata.get(key) !== "";
  return { encrypted: present("version") && present("mac") };
}
