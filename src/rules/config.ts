// .sops.yaml: found the way sops finds it (--config, SOPS_CONFIG, else upward from the working
// directory), parsed with line numbers so a bad rule is reported as file:line, and matched by
// path_regex against the file's path relative to the rules file's directory. Its `stores:` says how
// sops indents the YAML and JSON it writes, whichever rule matched.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve, sep } from "node:path";
import type { Document, LineCounter, Node, YAMLMap } from "yaml";
import { isAlias, isMap, isScalar, isSeq, yamlLibrary } from "../formats/yaml-library.js";
import { SealboxError } from "../errors.js";
import { findConfigFile, mentionsStores, type RuleLookupOptions } from "./find.js";
import { yamlProblem } from "../formats/yaml-errors.js";
import { goResolve } from "../formats/yaml-resolve.js";
import { goRegExp } from "../core/go-regexp.js";
import type { AgeRecipientSpec, KmsRecipientSpec, RecipientGroup, RecipientSpec } from "../keys/types.js";
import { encryptionContextFromRule, parseKmsArns } from "../keys/kms.js";
import { parseRecipient } from "../keys/age-recipients.js";
import type { EncryptionSelectors } from "../sops/encryption-rules.js";
import { SELECTORS } from "../sops/selectors.js";
import type { EmitOptions, FormatName } from "../formats/types.js";

export { CONFIG_FILE_NAME, findConfigFile, type RuleLookupOptions } from "./find.js";

export type SealedScope = "strict" | "namespace-wide" | "cluster-wide";
export const SEALED_SCOPES: SealedScope[] = ["strict", "namespace-wide", "cluster-wide"];

export interface CreationRule {
  configPath: string;
  /** 1-based line of the rule in the rules file. */
  line: number;
  pathRegex?: string;
  recipientGroups: RecipientGroup[];
  shamirThreshold?: number;
  selectors: EncryptionSelectors;
  /** Our extension: this path is sealed as a SealedSecret, with this certificate (absolute path). */
  sealedSecrets?: { cert: string; scope?: SealedScope };
}

/** The stores whose output has an indent (sops's config.StoresConfig; dotenv and ini have none). */
export type IndentedStore = "yaml" | "json" | "json_binary";

/** `stores:` of a rules file: each store's `indent` as written there (absent: the store's default). */
export type StoreIndents = Partial<Record<IndentedStore, number>>;

const STORE_OF_FORMAT: Partial<Record<FormatName, IndentedStore>> = { yaml: "yaml", json: "json", binary: "json_binary" };

/** Why sops's store refuses this indent (stores/yaml getIndentation, stores/json reindentJSON), if it does. */
function indentProblem(store: IndentedStore, indent: number): string | undefined {
  if (store === "yaml") return indent < 0 ? "a YAML indent cannot be negative" : undefined;
  return indent < -1 ? "a JSON indent cannot be below -1 (-1 is a tab, 0 no indentation)" : undefined;
}

/** How deep `merge` may nest in a key group (an alias can make it endless). */
const MAX_MERGE_DEPTH = 32;

/**
 * A number as sops's yaml.v3 decodes it into a Go int: 010 is octal 8, 1_0 is 10, 2.0 is 2, an empty
 * value 0, and a quoted number is a string it refuses. NaN for anything else, and for a fraction
 * (yaml.v3 would cut 2.5 to 2: refused here rather than guessed at).
 */
function goInt(node: Node): number {
  // an empty value decodes to the int's zero value
  if (isScalar(node) && node.value === null) return 0;
  const read = isScalar(node) && node.type === "PLAIN" ? goResolve(String(node.source ?? node.value)) : undefined;
  const value = read?.tag === "int" || read?.tag === "float" ? Number(read.value) : NaN;
  return Number.isInteger(value) ? value : NaN;
}

class RuleReader {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  lineOf(node: Node | null | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  fail(message: string, node?: Node | null): never {
    throw new SealboxError("ErrorReadingConfig", message, { file: this.file, line: this.lineOf(node) });
  }

  node(map: YAMLMap, key: string): Node | undefined {
    return (map.items.find((p) => isScalar(p.key) && p.key.value === key)?.value as Node | undefined) ?? undefined;
  }

  string(map: YAMLMap, key: string): string | undefined {
    const node = this.node(map, key);
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    if (!isScalar(node) || typeof node.value === "object") this.fail(`${key} must be a string`, node);
    return String(node.value);
  }

  bool(map: YAMLMap, key: string): boolean | undefined {
    const node = this.node(map, key);
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== "boolean") this.fail(`${key} must be true or false`, node);
    return node.value as boolean;
  }

  regex(map: YAMLMap, key: string): string | undefined {
    const pattern = this.string(map, key);
    if (pattern === undefined) return undefined;
    try {
      goRegExp(pattern);
    } catch (error) {
      this.fail(`${key} is not a valid regular expression: ${(error as Error).message}`, this.node(map, key));
    }
    return pattern;
  }

  /** A comma-separated string or a list of strings (sops accepts both for age and kms). */
  stringList(map: YAMLMap, key: string): string[] {
    const node = this.node(map, key);
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (isScalar(node)) return String(node.value).split(",").map((s) => s.trim()).filter(Boolean);
    if (isSeq(node)) {
      return node.items.map((item) => {
        if (!isScalar(item)) this.fail(`each entry of ${key} must be a string`, item as Node);
        return String(item.value).trim();
      });
    }
    return this.fail(`${key} must be a string or a list of strings`, node);
  }

  /** Each recipient is checked here so a bad one is reported at the rule's line, not at the input file. */
  ageRecipients(map: YAMLMap): AgeRecipientSpec[] {
    const node = this.node(map, "age");
    return this.stringList(map, "age").map((recipient) => {
      this.kmsParse(node ?? map, () => parseRecipient(recipient));
      return { type: "age", recipient };
    });
  }

  /** Runs a key parser (KMS ARN, age recipient), reporting its complaint at the rule's line. */
  private kmsParse<T>(node: Node, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      return this.fail(error instanceof SealboxError ? error.message : String(error), node);
    }
  }

  /** kms as "arn[+role],…", a list of such strings, or (in key groups) objects with arn/role/context/aws_profile. */
  kmsKeys(map: YAMLMap, awsProfile?: string): KmsRecipientSpec[] {
    const node = this.node(map, "kms");
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (isScalar(node)) return this.kmsParse(node, () => parseKmsArns(String(node.value), undefined, awsProfile));
    if (!isSeq(node)) return this.fail("kms must be a string or a list", node);
    return node.items.flatMap((item) => {
      if (isScalar(item)) return this.kmsParse(item, () => parseKmsArns(String(item.value), undefined, awsProfile));
      if (!isMap(item)) return this.fail("each kms entry must be an ARN or a mapping with arn", item as Node);
      const arn = this.string(item, "arn");
      if (!arn) return this.fail("a kms entry needs an arn", item);
      const role = this.string(item, "role");
      const profile = this.string(item, "aws_profile") ?? awsProfile;
      const contextNode = this.node(item, "context");
      const context = contextNode ? this.kmsParse(contextNode, () => encryptionContextFromRule(contextNode.toJSON())) : undefined;
      const [spec] = this.kmsParse(item, () => parseKmsArns(role ? `${arn}+${role}` : arn, context, profile));
      return [spec];
    });
  }

  /** 0 means not set, as in sops: it then uses the number of key groups. */
  private shamirThreshold(map: YAMLMap): number | undefined {
    const node = this.node(map, "shamir_threshold");
    if (node === undefined) return undefined;
    const value = goInt(node);
    if (!Number.isSafeInteger(value) || value < 0) this.fail("shamir_threshold must be an unquoted whole number, 0 or more (0: not set)", node);
    return value || undefined;
  }

  /**
   * A key group's keys as sops's extractMasterKeys reads them: the groups under its `merge` first
   * (sops 3.10), then its own; a key named twice is kept once, as sops keeps it.
   */
  private groupKeys(group: YAMLMap, awsProfile: string | undefined, depth = 0): RecipientSpec[] {
    const keys: RecipientSpec[] = [];
    const merged = this.node(group, "merge");
    if (merged !== undefined && !(isScalar(merged) && merged.value === null)) {
      if (!isSeq(merged)) this.fail("merge must be a list of key groups", merged);
      if (depth >= MAX_MERGE_DEPTH) this.fail(`merge nests more than ${MAX_MERGE_DEPTH} deep`, merged);
      for (const item of merged.items) {
        if (!isMap(item)) this.fail("each merged key group must be a mapping", item as Node);
        keys.push(...this.groupKeys(item, awsProfile, depth + 1));
      }
    }
    keys.push(...this.kmsKeys(group, awsProfile), ...this.ageRecipients(group));
    const seen = new Set<string>();
    return keys.filter((key) => {
      const id = key.type === "age" ? `age/${key.recipient}` : `kms/${key.arn}`;
      return !seen.has(id) && !!seen.add(id);
    });
  }

  rule(node: Node, configPath: string): CreationRule {
    if (!isMap(node)) this.fail("each creation rule must be a mapping", node);
    const awsProfile = this.string(node, "aws_profile");
    let recipientGroups: RecipientGroup[];
    const groupsNode = this.node(node, "key_groups");
    if (groupsNode !== undefined) {
      if (!isSeq(groupsNode)) this.fail("key_groups must be a list", groupsNode);
      recipientGroups = groupsNode.items.map((group) => {
        if (!isMap(group)) this.fail("each key group must be a mapping", group as Node);
        const keys = this.groupKeys(group, awsProfile);
        if (keys.length === 0) this.fail("a key group names no age or kms keys", group);
        return keys;
      });
    } else {
      const keys: RecipientSpec[] = [...this.kmsKeys(node, awsProfile), ...this.ageRecipients(node)];
      recipientGroups = keys.length ? [keys] : [];
    }
    const shamirThreshold = this.shamirThreshold(node);
    const selectors: EncryptionSelectors = { macOnlyEncrypted: this.bool(node, "mac_only_encrypted") };
    for (const [key, name] of SELECTORS) selectors[key] = name.endsWith("_regex") ? this.regex(node, name) : this.string(node, name);
    // as sops: the comment regexes count too
    const chosen = SELECTORS.map(([, name]) => name).filter((name) => this.node(node, name) !== undefined);
    if (chosen.length > 1) this.fail(`a rule may use only one of ${chosen.join(", ")}`, node);
    let sealedSecrets: CreationRule["sealedSecrets"];
    const sealedNode = this.node(node, "sealed_secrets");
    if (sealedNode !== undefined) {
      if (!isMap(sealedNode)) this.fail("sealed_secrets must be a mapping with cert (and scope)", sealedNode);
      const cert = this.string(sealedNode, "cert");
      if (!cert) this.fail("sealed_secrets needs a cert", sealedNode);
      const scope = this.string(sealedNode, "scope");
      if (scope !== undefined && !(SEALED_SCOPES as string[]).includes(scope)) {
        this.fail(`sealed_secrets scope must be one of ${SEALED_SCOPES.join(", ")}`, this.node(sealedNode, "scope"));
      }
      const certPath = /^[a-z]+:\/\//i.test(cert) || isAbsolute(cert) ? cert : resolve(dirname(configPath), cert);
      sealedSecrets = { cert: certPath, ...(scope ? { scope: scope as SealedScope } : {}) };
    }
    const pathRegex = this.regex(node, "path_regex") ?? this.regex(node, "filename_regex");
    return { configPath, line: this.lineOf(node) ?? 1, pathRegex, recipientGroups, shamirThreshold, selectors, sealedSecrets };
  }

  /** `stores:` as sops reads it into config.StoresConfig: other stores and keys are ignored, null is unset. */
  stores(root: YAMLMap): StoreIndents {
    const set = (map: YAMLMap, key: string): Node | undefined => {
      const node = this.node(map, key);
      return isScalar(node) && node.value === null ? undefined : node;
    };
    const node = set(root, "stores");
    if (node === undefined) return {};
    if (!isMap(node)) return this.fail("stores must be a mapping of store names (yaml, json, json_binary) to settings", node);
    const indents: StoreIndents = {};
    for (const store of ["yaml", "json", "json_binary"] as const) {
      const settings = set(node, store);
      if (settings === undefined) continue;
      if (!isMap(settings)) this.fail(`stores.${store} must be a mapping (e.g. indent: 2)`, settings);
      const indentNode = set(settings, "indent");
      if (indentNode === undefined) continue;
      const indent = goInt(indentNode);
      // past 2^53 the number is no longer exact (sops's int refuses it too)
      if (!Number.isSafeInteger(indent)) this.fail(`stores.${store}.indent must be a whole number`, indentNode);
      const problem = indentProblem(store, indent);
      if (problem) this.fail(`stores.${store}.indent: ${problem}`, indentNode);
      indents[store] = indent;
    }
    return indents;
  }
}

const rulesCache = new Map<string, Promise<CreationRule[]>>();
const storesCache = new Map<string, Promise<StoreIndents>>();

function cached<T>(cache: Map<string, Promise<T>>, configPath: string, read: (configPath: string) => Promise<T>): Promise<T> {
  let value = cache.get(configPath);
  if (!value) {
    value = read(configPath);
    cache.set(configPath, value);
  }
  return value;
}

/** Reads every creation rule of a rules file (cached for the run: bulk commands read it once). */
export function loadRules(configPath: string): Promise<CreationRule[]> {
  return cached(rulesCache, configPath, readRules);
}

/** Reads a rules file's `stores:` (cached for the run). Unlike the rules, decrypting needs it too. */
export function loadStores(configPath: string): Promise<StoreIndents> {
  return cached(storesCache, configPath, readStores);
}

/** Hands a rules file's rules and stores, read elsewhere (the main thread), to this thread's caches. */
export function primeRules(configPath: string, rules: CreationRule[], stores: StoreIndents): void {
  rulesCache.set(configPath, Promise.resolve(rules));
  storesCache.set(configPath, Promise.resolve(stores));
}

/** The rules file's top-level mapping (undefined when the file is empty) and a reader naming its lines. */
function parseRulesFile(configPath: string, text: string): { root?: YAMLMap; reader: RuleReader } {
  const lines = new (yamlLibrary().LineCounter)();
  const doc = yamlLibrary().parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: "error" });
  const reader = new RuleReader(configPath, lines);
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new SealboxError("ErrorReadingConfig", `invalid YAML: ${yamlProblem(e)}`, { file: configPath, line: lines.linePos(e.pos[0]).line });
  }
  const root = withMergesApplied(doc, doc.contents as Node | null, reader);
  if (!root || (isScalar(root) && root.value === null)) return { reader };
  if (!isMap(root)) return reader.fail("the rules file must be a mapping with creation_rules", root);
  return { root, reader };
}

/**
 * The rules file as sops's YAML reader (yaml.v3) sees it: every alias replaced by the node its anchor
 * names (a rule's line is then the anchor's), and each `<<: *anchor` (or `<<: [*a, *b]`) merged
 * into its mapping: keys of its own win, then earlier merged mappings over later ones. Each node is
 * visited once, so aliases of aliases cost no more than the document.
 */
function withMergesApplied(doc: Document, root: Node | null, reader: RuleReader): Node | null {
  const done = new Set<Node>();
  const keyOf = (pair: { key: unknown }): unknown => (isScalar(pair.key) ? pair.key.value : undefined);
  // Each alias's node, found in one pass in document order (the last anchor of its name before it),
  // before any alias is replaced: Alias.resolve walks the document at every call, and once aliases
  // stand for shared nodes a billion-laughs file makes that walk exponential.
  const targets = new Map<unknown, unknown>();
  const anchors = new Map<string, unknown>();
  yamlLibrary().visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  const resolve = (node: unknown): unknown => (isAlias(node) ? targets.get(node) : node);
  const walk = (node: unknown): void => {
    if (!(isMap(node) || isSeq(node)) || done.has(node)) return;
    done.add(node);
    if (isSeq(node)) {
      node.items = node.items.map(resolve);
      node.items.forEach(walk);
      return;
    }
    // a merged mapping is walked (its own merges applied) as the value of its << pair, or as an item of its list
    const merged: unknown[] = [];
    for (const pair of node.items) {
      pair.value = resolve(pair.value);
      walk(pair.value);
      if (keyOf(pair) === "<<") merged.push(...(isSeq(pair.value) ? pair.value.items : [pair.value]));
    }
    if (!merged.length) return;
    const own = node.items.filter((pair) => keyOf(pair) !== "<<");
    for (const source of merged) {
      if (!isMap(source)) reader.fail("<< must merge a mapping, or a list of mappings", source as Node);
      for (const pair of source.items) if (isScalar(pair.key) && !own.some((mine) => keyOf(mine) === keyOf(pair))) own.push(pair);
    }
    node.items = own;
  };
  const top = resolve(root) as Node | null;
  walk(top);
  return top;
}

async function readRules(configPath: string): Promise<CreationRule[]> {
  const { root, reader } = parseRulesFile(configPath, await readFile(configPath, "utf8"));
  const rulesNode = root && reader.node(root, "creation_rules");
  if (rulesNode === undefined) return [];
  if (!isSeq(rulesNode)) return reader.fail("creation_rules must be a list", rulesNode);
  return rulesNode.items.map((item) => reader.rule(item as Node, configPath));
}

async function readStores(configPath: string): Promise<StoreIndents> {
  const text = await readFile(configPath, "utf8");
  // a rules file that never says "stores" configures none: not parsed for it (decrypt does not even get
  // here: find.ts mayHaveStores spares it the YAML library)
  if (!mentionsStores(text)) return {};
  const { root, reader } = parseRulesFile(configPath, text);
  return root ? reader.stores(root) : {};
}

/**
 * How sops writes a file of this format (cmd/sops outputStore): the rules file's `stores:` entry,
 * replaced for every store by --indent when given (checked here against the store it applies to).
 * The stores are read whatever the format, as sops reads them: a bad one fails every file alike.
 */
export async function emitOptionsFor(format: FormatName, configPath: string | undefined, indent?: number): Promise<EmitOptions> {
  // the CLI parses a whole number; a library caller may pass anything (2.5, NaN, "2")
  if (indent !== undefined && !Number.isSafeInteger(indent)) throw new SealboxError("ErrorDumpingTree", `--indent ${String(indent)}: a whole number is needed`);
  const stores = configPath ? await loadStores(configPath) : {};
  const store = STORE_OF_FORMAT[format];
  if (!store) return {};
  if (indent === undefined) return { indent: stores[store] };
  const problem = indentProblem(store, indent);
  if (problem) throw new SealboxError("ErrorDumpingTree", `--indent ${indent}: ${problem}`);
  return { indent };
}

/** The file's path as path_regex sees it: relative to the rules file's directory, with forward slashes. */
export function pathForRules(filePath: string, configPath: string, cwd = process.cwd()): string {
  const absolute = resolve(cwd, filePath);
  const base = dirname(configPath);
  // below the rules file's directory the path relative to it is the rest of the path (both are
  // normalised): relative() cost a bulk run's discovery ~2 µs a file
  const rel = absolute.startsWith(base + sep) ? absolute.slice(base.length + 1) : absolute;
  return sep === "/" ? rel : rel.split(sep).join("/");
}

/** The first creation rule whose path_regex matches (a rule without one matches everything). */
export async function resolveCreationRule(filePath: string, options: RuleLookupOptions = {}): Promise<CreationRule | undefined> {
  const configPath = await findConfigFile(options);
  return configPath ? matchCreationRule(filePath, configPath, options.cwd) : undefined;
}

/** resolveCreationRule for a rules file already found (bulk commands find it once, not per file). */
export async function matchCreationRule(filePath: string, configPath: string, cwd?: string): Promise<CreationRule | undefined> {
  const rules = await loadRules(configPath);
  const subject = pathForRules(filePath, configPath, cwd);
  return rules.find((rule) => !rule.pathRegex || compiled(rule.pathRegex).test(subject));
}

const regexes = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let regex = regexes.get(pattern);
  if (!regex) regexes.set(pattern, (regex = goRegExp(pattern)));
  return regex;
}
