// `sealbox audit`: who can decrypt what, and what is wrong. Reads no key and decrypts nothing: the
// inventory comes from sops metadata, SealedSecret objects and the rules file; findings name files,
// lines, key names and recipients, never a value.
import { readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import type { Branch } from "../tree/tree.js";
import { argumentError, choiceError, SealboxError } from "../errors.js";
import { shownInMessage } from "../core/redact.js";
import { goRegExp } from "../core/go-regexp.js";
import { findConfigFile, loadRules, matchCreationRule, type CreationRule } from "../rules/config.js";
import type { StoredStanza } from "../sops/metadata.js";
import { withDefaultSelector } from "../sops/encryption-rules.js";
import { SELECTORS } from "../sops/selectors.js";
import { clearTextValues, describePath, type ClearTextValue } from "../sops/tree-cipher.js";
import { classify, type Classified, type PlainSecret } from "../repo/classify.js";
import { discoverFiles, displayPath, gitTopLevel } from "../repo/discover.js";
import { diffRecipients, recipientId } from "../repo/recipients.js";
import { runPool, defaultConcurrency } from "../repo/pool.js";
import { AUDIT_RULES, LEVEL_RANK, LEVELS, type AuditRuleName, type Level } from "./rules.js";

export interface RecipientEntry {
  type: "age" | "kms" | string;
  /** Key group index (0 unless the file uses key groups). */
  group: number;
  id: string;
  recipient?: string;
  arn?: string;
  role?: string;
  context?: Record<string, string>;
  awsProfile?: string;
}

export interface CertInfo {
  path: string;
  sha256?: string;
  notAfter?: string;
  expired?: boolean;
  daysLeft?: number;
  error?: string;
}

export interface SealedObject {
  name: string;
  namespace: string;
  scope: string;
  line: number;
  keys: string[];
}

export interface InventoryEntry {
  path: string;
  kind: "sops" | "SealedSecret";
  format: string;
  rule: { file: string; line: number } | null;
  recipients: RecipientEntry[];
  keyGroups: number;
  shamirThreshold: number | null;
  lastModified: string | null;
  sops?: { version: string; selectors: Record<string, string | boolean> };
  sealed?: { objects: SealedObject[]; cert: CertInfo | null; ruleScope: string | null };
}

export interface Finding {
  ruleId: string;
  rule: string;
  level: Level;
  path: string;
  line?: number;
  message: string;
}

export interface AuditReport {
  schema: "sealbox-audit/v1";
  tool: { name: "sealbox"; version: string };
  generatedAt: string;
  /** The directory paths are relative to (the git work tree's top, else the working directory). */
  root: string;
  config: string | null;
  files: InventoryEntry[];
  findings: Finding[];
  summary: { files: number; sops: number; sealedSecret: number; findings: Record<Level, number> };
}

export interface AuditOptions {
  paths: string[];
  cwd?: string;
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag files whose lastmodified is older than this many days. */
  maxAgeDays?: number;
  /** Warn about sealing certificates that expire within this many days (default 30). */
  certWarningDays?: number;
  now?: Date;
  concurrency?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Where a value is secret by its key name (the usual spellings in config and Secrets). */
const SECRET_NAME = /pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential/i;
const SECRET_DATA_KEYS = ["data", "stringData"];
const AUDITED_EXT = /\.(ya?ml|json|env|ini)$/i;
const MAX_BYTES = 4 * 1024 * 1024;

class Collector {
  readonly findings: Finding[] = [];
  add(name: AuditRuleName, path: string, message: string, line?: number): void {
    const rule = AUDIT_RULES[name];
    this.findings.push({ ruleId: rule.id, rule: rule.name, level: rule.level, path, ...(line ? { line } : {}), message });
  }
}

function recipientEntry(s: StoredStanza, group: number): RecipientEntry {
  if (s.type === "foreign") return { type: s.kind, group, id: recipientId(s) };
  if (s.type === "age") return { type: "age", group, id: recipientId(s), recipient: s.recipient };
  return {
    type: "kms",
    group,
    id: recipientId(s),
    arn: s.arn,
    ...(s.role ? { role: s.role } : {}),
    ...(s.context ? { context: s.context } : {}),
    ...(s.aws_profile ? { awsProfile: s.aws_profile } : {}),
  };
}

type SopsClassified = Extract<Classified, { kind: "sops" }>;

/** A clear-text value that looks secret: in a Kubernetes Secret anything under data/stringData, else by its key's name. */
function looksSecret(value: ClearTextValue, doc: Branch): boolean {
  return (doc.get("kind") === "Secret" && SECRET_DATA_KEYS.includes(value.path[0])) || SECRET_NAME.test(value.path[value.path.length - 1] ?? "");
}

/** Key paths (never values), each once: a list's items share their list's path. */
function keyPaths(values: ClearTextValue[]): string[] {
  return [...new Set(values.map((v) => describePath(v.path)))];
}

function listed(paths: string[]): string {
  return paths.length > 5 ? `${paths.slice(0, 5).join(", ")} and ${paths.length - 5} more` : paths.join(", ");
}

/** The file's clear-text values as its own settings judge them; the error when sealbox cannot use those settings (a regex JavaScript rejects, such as Go's (?i), or two selectors: sops may still read the file). */
function clearValuesOf(c: SopsClassified): ClearTextValue[] | SealboxError {
  try {
    return clearTextValues(c.file.docs, withDefaultSelector(c.file.metadata.selectors));
  } catch (error) {
    if (error instanceof SealboxError) return error;
    throw error;
  }
}

/** Values in clear text where the file's own settings encrypt them: sops never writes that, so someone added them by hand. */
function flagHandEdits(path: string, values: ClearTextValue[], out: Collector): void {
  const paths = keyPaths(values.filter((v) => v.encrypts));
  if (paths.length === 0) return;
  out.add(
    "plaintextInEncryptedFile",
    path,
    `values in clear text where this file's settings encrypt them (added by hand after encryption?): ${listed(paths)}; nothing can decrypt the file like this: delete them, then add them with sealbox edit (with --ignore-mac if they replaced encrypted values)`,
  );
}

function selectorsOf(c: SopsClassified): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  const s = c.file.metadata.selectors;
  for (const [key, name] of SELECTORS) if (s[key]) out[name] = s[key];
  if (s.macOnlyEncrypted) out.mac_only_encrypted = true;
  return out;
}

interface Context {
  root: string;
  cwd: string;
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  options: AuditOptions;
  now: Date;
  certs: Map<string, Promise<CertInfo>>;
  /** Rules that matched an audited file: their own findings are reported even for a partial audit. */
  used: Set<CreationRule>;
}

function ruleRef(rule: CreationRule | undefined, ctx: Context): { file: string; line: number } | null {
  return rule ? { file: displayPath(rule.configPath, ctx.root), line: rule.line } : null;
}

function where(rule: CreationRule, ctx: Context): string {
  return `${displayPath(rule.configPath, ctx.root)}:${rule.line}`;
}

async function certInfo(path: string, ctx: Context): Promise<CertInfo> {
  let info = ctx.certs.get(path);
  if (!info) {
    info = (async (): Promise<CertInfo> => {
      const shown = /^[a-z]+:\/\//i.test(path) ? shownInMessage(path) : displayPath(path, ctx.root);
      try {
        const { loadCertificate } = await import("../sealed/cert.js");
        const cert = await loadCertificate(path, { allowExpired: true, now: ctx.now, timeoutMs: 10_000 });
        const daysLeft = Math.floor((cert.notAfter.getTime() - ctx.now.getTime()) / DAY_MS);
        return { path: shown, sha256: cert.sha256, notAfter: cert.notAfter.toISOString(), expired: cert.notAfter < ctx.now, daysLeft };
      } catch (error) {
        return { path: shown, error: error instanceof Error ? error.message : String(error) };
      }
    })();
    ctx.certs.set(path, info);
  }
  return info;
}

/** `damage`: why an encrypted file that says `kind: Secret` no longer parses. */
function flagPlainSecrets(secrets: PlainSecret[], path: string, out: Collector, damage?: SealboxError): void {
  for (const s of secrets) {
    if (damage) {
      const why = `${damage.line ? `line ${damage.line}: ` : ""}${damage.message}`;
      out.add("plaintextSecret", path, `an encrypted Kubernetes Secret (kind: Secret) that no longer parses (${why}), so values put in it in clear text cannot be told apart: undo the hand edit and make it with sealbox edit`, s.line);
      continue;
    }
    if (s.unparsed) {
      out.add("plaintextSecret", path, "a Kubernetes Secret (kind: Secret) that is not valid YAML or JSON, so its values are in plaintext: fix it, then seal or encrypt it", s.line);
      continue;
    }
    const who = s.namespace ? `${s.namespace}/${s.name}` : s.name;
    out.add("plaintextSecret", path, `plaintext Kubernetes Secret ${who} (keys: ${s.keys.join(", ")}): seal or encrypt it`, s.line);
  }
}

/**
 * Leaks in one file: plaintext Secrets anywhere (also an encrypted one damaged so it no longer
 * parses), values put in clear text into an encrypted file by hand, and a plain file where a rule
 * with a path_regex says files are encrypted (a catch-all rule only sets defaults). The pre-commit
 * guard uses this too.
 */
export function leakFindings(path: string, c: Classified, rule: CreationRule | undefined, root: string): Finding[] {
  const out = new Collector();
  if (c.kind === "sops") {
    const values = clearValuesOf(c);
    // unusable settings leave nothing to judge by (the audit reports them)
    if (!(values instanceof SealboxError)) flagHandEdits(path, values, out);
  } else flagPlainSecrets(c.plainSecrets, path, out, c.kind === "unreadable" ? c.error : undefined);
  if (c.kind === "plain" && c.plainSecrets.length === 0 && !c.empty && rule?.pathRegex) {
    const how = rule.sealedSecrets ? "sealed (sealed_secrets)" : "encrypted";
    out.add("unencryptedFile", path, `not encrypted, but the rule at ${displayPath(rule.configPath, root)}:${rule.line} says files here are ${how}`);
  }
  return out.findings;
}

function auditSops(path: string, c: SopsClassified, rule: CreationRule | undefined, ctx: Context, out: Collector): InventoryEntry {
  const { metadata } = c.file;
  const recipients = metadata.keyGroups.flatMap((g, i) => g.map((s) => recipientEntry(s, i)));
  if (!rule) out.add("noRule", path, "no creation rule in .sops.yaml covers this encrypted file: its recipients cannot be checked");
  else if (rule.recipientGroups.length) {
    const change = diffRecipients(metadata.keyGroups, rule.recipientGroups, metadata.shamirThreshold, rule.shamirThreshold);
    const extra = change.groups.flatMap((g) => g.removed);
    const missing = change.groups.flatMap((g) => g.added);
    if (extra.length) out.add("extraRecipient", path, `encrypted to ${extra.join(", ")}, which the rule at ${where(rule, ctx)} does not name: run sealbox rotate`);
    if (missing.length) out.add("missingRecipient", path, `the rule at ${where(rule, ctx)} names ${missing.join(", ")}, which cannot decrypt this file: run sealbox updatekeys`);
    if (change.structure) out.add("keyGroupDrift", path, `${change.structure} (rule at ${where(rule, ctx)})`);
  }
  const foreign = metadata.keyGroups.flat().filter((s) => s.type === "foreign");
  if (foreign.length) out.add("unsupportedKey", path, `keys sealbox does not use: ${[...new Set(foreign.map((s) => (s.type === "foreign" ? s.kind : "")))].join(", ")}`);
  const values = clearValuesOf(c);
  if (values instanceof SealboxError) out.add("unreadable", path, `its encryption settings cannot be used: ${values.message}`);
  else {
    flagHandEdits(path, values, out);
    // the values the settings leave in clear text; those they encrypt are hand edits, reported above
    const exposed = keyPaths(values.filter((v) => !v.encrypts && looksSecret(v, c.file.docs[v.doc])));
    if (exposed.length) {
      const selectors = Object.entries(selectorsOf(c)).filter(([k]) => k !== "mac_only_encrypted").map(([k, v]) => `${k}: ${v}`).join(", ");
      out.add("exposedValue", path, `values left in clear text: ${listed(exposed)}${selectors ? ` (file settings: ${selectors})` : ""}`);
    }
  }
  if (metadata.selectors.macOnlyEncrypted) out.add("macOnlyEncrypted", path, "mac_only_encrypted: clear-text values can be changed undetected");
  const modified = Date.parse(metadata.lastModified);
  if (ctx.options.maxAgeDays !== undefined && Number.isFinite(modified)) {
    const age = Math.floor((ctx.now.getTime() - modified) / DAY_MS);
    if (age > ctx.options.maxAgeDays) out.add("stale", path, `data key last rotated ${age} days ago (${metadata.lastModified}), more than --max-age ${ctx.options.maxAgeDays}`);
  }
  return {
    path,
    kind: "sops",
    format: c.format,
    rule: ruleRef(rule, ctx),
    recipients,
    keyGroups: metadata.keyGroups.length,
    shamirThreshold: metadata.keyGroups.length > 1 ? (metadata.shamirThreshold ?? metadata.keyGroups.length) : null,
    lastModified: metadata.lastModified || null,
    sops: { version: metadata.version, selectors: selectorsOf(c) },
  };
}

async function auditSealed(path: string, c: Extract<Classified, { kind: "sealed" }>, rule: CreationRule | undefined, ctx: Context, out: Collector): Promise<InventoryEntry> {
  const { sealedIdentity } = await import("../sealed/unseal.js");
  const { asSealedSecret } = await import("../sealed/manifest.js");
  const objects: SealedObject[] = [];
  for (const doc of c.sealed) {
    try {
      const sealed = asSealedSecret(doc.value, path, doc.line);
      const id = sealedIdentity(sealed);
      objects.push({ name: id.name, namespace: id.namespace, scope: id.scope, line: doc.line, keys: Object.keys(sealed.spec.encryptedData) });
      const ruleScope = rule?.sealedSecrets?.scope;
      if (ruleScope && ruleScope !== id.scope) {
        out.add("scopeDrift", path, `SealedSecret ${id.namespace}/${id.name} is ${id.scope}, the rule at ${where(rule!, ctx)} says ${ruleScope}`, doc.line);
      }
    } catch (error) {
      out.add("unreadable", path, error instanceof Error ? error.message : String(error), doc.line);
    }
  }
  out.findings.push(...leakFindings(path, c, rule, ctx.root));
  const cert = rule?.sealedSecrets ? await certInfo(rule.sealedSecrets.cert, ctx) : null;
  if (!rule) out.add("noRule", path, "no creation rule in .sops.yaml covers this SealedSecret file: its certificate cannot be checked");
  return {
    path,
    kind: "SealedSecret",
    format: c.manifests.format,
    rule: ruleRef(rule, ctx),
    recipients: cert?.sha256 ? [{ type: "sealing-cert", group: 0, id: `cert:sha256:${cert.sha256}` }] : [],
    keyGroups: 0,
    shamirThreshold: null,
    lastModified: null,
    sealed: { objects, cert, ruleScope: rule?.sealedSecrets?.scope ?? null },
  };
}

/** Findings about the rules file itself: weak selectors and the sealing certificates it names. */
async function auditRules(rules: CreationRule[], ctx: Context, out: Collector): Promise<void> {
  for (const rule of rules) {
    const path = displayPath(rule.configPath, ctx.root);
    const { unencryptedRegex, encryptedRegex } = rule.selectors;
    const exposed = SECRET_DATA_KEYS.filter((k) => (unencryptedRegex && goRegExp(unencryptedRegex).test(k)) || (encryptedRegex && !goRegExp(encryptedRegex).test(k) && isKubernetesRule(rule)));
    if (exposed.length) {
      const by = unencryptedRegex ? `unencrypted_regex ${JSON.stringify(unencryptedRegex)}` : `encrypted_regex ${JSON.stringify(encryptedRegex)}`;
      out.add("weakRule", path, `${by} leaves ${exposed.join(" and ")} unencrypted`, rule.line);
    }
    if (rule.sealedSecrets) {
      const cert = await certInfo(rule.sealedSecrets.cert, ctx);
      const days = ctx.options.certWarningDays ?? 30;
      if (cert.error) out.add("certUnreadable", path, `sealing certificate ${cert.path}: ${cert.error}`, rule.line);
      else if (cert.expired) out.add("certExpired", path, `sealing certificate ${cert.path} (sha256 ${cert.sha256}) expired on ${cert.notAfter}`, rule.line);
      else if (cert.daysLeft !== undefined && cert.daysLeft < days) out.add("certExpiring", path, `sealing certificate ${cert.path} (sha256 ${cert.sha256}) expires on ${cert.notAfter}, in ${cert.daysLeft} days`, rule.line);
    }
  }
}

/** A rule whose path_regex looks like it is for Kubernetes manifests (where data/stringData hold the secrets). */
function isKubernetesRule(rule: CreationRule): boolean {
  return /yaml|yml|k8s|kube|secret|manifest|cluster/i.test(rule.pathRegex ?? "");
}

/** Refuses options of the wrong type here, with their name, instead of failing (or ignoring them) deep inside. */
function checkOptions(options: AuditOptions): void {
  if (typeof options !== "object" || options === null) throw argumentError("audit(): options", "an object such as { paths: [\".\"] }", options);
  const { paths, cwd, configPath, env, maxAgeDays, certWarningDays, now, concurrency } = options;
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== "string")) throw argumentError("audit(): options.paths", "an array of path strings", Array.isArray(paths) ? paths.find((p) => typeof p !== "string") : paths);
  for (const [name, value] of [["cwd", cwd], ["configPath", configPath]] as const) {
    if (value !== undefined && typeof value !== "string") throw argumentError(`audit(): options.${name}`, "a string", value);
  }
  if (env !== undefined && (typeof env !== "object" || env === null)) throw argumentError("audit(): options.env", "an object of environment variables", env);
  for (const [name, value] of [["maxAgeDays", maxAgeDays], ["certWarningDays", certWarningDays]] as const) {
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) throw argumentError(`audit(): options.${name}`, "a number of days (0 or more)", value);
  }
  if (now !== undefined && !(now instanceof Date && Number.isFinite(now.getTime()))) throw argumentError("audit(): options.now", "a valid Date", now);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) throw argumentError("audit(): options.concurrency", "a whole number above 0", concurrency);
}

export async function audit(options: AuditOptions): Promise<AuditReport> {
  checkOptions(options);
  const { VERSION } = await import("../version.js");
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const now = options.now ?? new Date();
  const configPath = await findConfigFile({ configPath: options.configPath, cwd, env });
  const root = (await gitTopLevel(cwd)) ?? cwd;
  const ctx: Context = { root, cwd, configPath, env, options, now, certs: new Map(), used: new Set() };
  const out = new Collector();
  const ruleOf = (absolute: string): Promise<CreationRule | undefined> => (configPath ? matchCreationRule(absolute, configPath, cwd) : Promise.resolve(undefined));
  const paths = options.paths.length ? options.paths : ["."];
  const files = await discoverFiles(paths, {
    cwd,
    accept: async (absolute) => basename(absolute) !== ".sops.yaml" && (AUDITED_EXT.test(absolute) || Boolean((await ruleOf(absolute))?.pathRegex)),
  });
  const inventory: InventoryEntry[] = [];
  await runPool(files, options.concurrency ?? defaultConcurrency(), async (file) => {
    const named = resolve(cwd, file.path);
    const path = displayPath(named, root);
    let bytes: Buffer;
    try {
      bytes = await readFile(file.real);
    } catch (error) {
      out.add("unreadable", path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      return;
    }
    if (bytes.length > MAX_BYTES && !file.named) return;
    const rule = await ruleOf(named);
    if (rule) ctx.used.add(rule);
    const c = await classify(path, bytes);
    if (c.kind === "sops") inventory.push(auditSops(path, c, rule, ctx, out));
    else if (c.kind === "sealed") inventory.push(await auditSealed(path, c, rule, ctx, out));
    else {
      if (c.kind === "unreadable") out.add("unreadable", path, c.error.message, c.error.line);
      out.findings.push(...leakFindings(path, c, rule, root));
    }
  });
  if (configPath) {
    // The rules file's own findings: all of them when the audit covers its directory, else those of rules in use.
    const configDir = dirname(configPath);
    const whole = paths.some((p) => {
      const rel = relative(resolve(cwd, p), configDir);
      return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
    });
    const rules = await loadRules(configPath);
    await auditRules(whole ? rules : rules.filter((r) => ctx.used.has(r)), ctx, out);
  }
  inventory.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const findings = out.findings.sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || (a.line ?? 0) - (b.line ?? 0));
  const count = (level: Level) => findings.filter((f) => f.level === level).length;
  return {
    schema: "sealbox-audit/v1",
    tool: { name: "sealbox", version: VERSION },
    generatedAt: now.toISOString(),
    root,
    config: configPath ? displayPath(configPath, root) : null,
    files: inventory,
    findings,
    summary: {
      files: inventory.length,
      sops: inventory.filter((f) => f.kind === "sops").length,
      sealedSecret: inventory.filter((f) => f.kind === "SealedSecret").length,
      findings: { error: count("error"), warning: count("warning"), note: count("note") },
    },
  };
}

/** True when some finding is at `threshold` or worse ("none" never fails). */
export function reachesThreshold(report: AuditReport, threshold: Level | "none"): number {
  // a misspelt level ("erorr") would otherwise rank below every finding and never fail a CI run
  if (threshold !== "none" && !Object.hasOwn(LEVEL_RANK, threshold)) throw choiceError("reachesThreshold(): threshold", [...LEVELS, "none"], threshold);
  if (!Array.isArray(report?.findings)) throw argumentError("reachesThreshold(): report", "the report audit() returned", report);
  if (threshold === "none") return 0;
  return report.findings.filter((f) => LEVEL_RANK[f.level] >= LEVEL_RANK[threshold]).length;
}
