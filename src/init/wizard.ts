// `sealbox init`: decide the keys, the sealing certificate and the path rules of a new repository,
// from flags and (on a terminal) from answers, then write .sops.yaml. The questions go through the
// small Asker interface, so the same flow runs with inquirer on a TTY and with no prompts at all.
import { access, mkdir, readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { shownInMessage } from "../core/redact.js";
import { goRegExp } from "../core/go-regexp.js";
import { SealboxError } from "../errors.js";
import { parseAgeRecipientList } from "../keys/age-recipients.js";
import { writeFileAtomic } from "../ops/atomic-write.js";
import { CONFIG_FILE_NAME } from "../rules/config.js";
import { controllerDefaults } from "../sealed/controller.js";
import { SCOPES, type Scope } from "../sealed/scope.js";
import { describeIdentitySources } from "../keys/age-identities.js";
import { defaultKeyFile, findExistingRecipients, newAgeIdentity, saveAgeIdentity } from "./keys.js";
import { DEFAULT_SEALED_PATH_REGEX, renderRulesFile, type InitRules } from "./rules-file.js";

export interface Choice<T> {
  name: string;
  value: T;
}

/** What the wizard may ask. Implementations throw SealboxError(KeyboardInterrupt) on Ctrl-C. */
export interface Asker {
  select<T>(message: string, choices: Choice<T>[]): Promise<T>;
  input(message: string, options?: { default?: string; validate?: (value: string) => string | true }): Promise<string>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
}

export interface InitOptions {
  /** --age: recipients, comma-separated. */
  age?: string;
  /** --generate-key: a new X25519 identity in the sops keys file. */
  generateKey?: boolean;
  /** --key-file: where --generate-key writes (default: the user config dir's sops/age/keys.txt). */
  keyFile?: string;
  /** --kms: AWS KMS ARNs, comma-separated. */
  kms?: string;
  /** --cert: the sealing certificate, a file or an http(s) URL. */
  cert?: string;
  /** --fetch-cert: get it from the controller through the Kubernetes API (as `sealbox cert fetch`). */
  fetchCert?: boolean;
  /** Where a fetched (or outside-the-repo) certificate is stored, relative to the repo. */
  certOutput?: string;
  kubeconfig?: string;
  context?: string;
  controllerName?: string;
  controllerNamespace?: string;
  /** --scope for the sealed rule. */
  scope?: string;
  sealedPathRegex?: string;
  pathRegex?: string;
  encryptedRegex?: string;
  /** --yes: take defaults, ask nothing. */
  yes?: boolean;
  /** --force: replace an existing .sops.yaml. */
  force?: boolean;
  /** false for --no-hooks. */
  hooks?: boolean;
}

export interface InitContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Present only when a person can answer (stdin and stderr are terminals). */
  asker?: Asker;
  /** Installs the git hooks in `dir`; returns what it did, for the summary. */
  installHooks?: (dir: string) => Promise<string>;
  /** Progress lines for the user (stderr). */
  say: (line: string) => void;
  /** Details only --verbose shows. */
  detail?: (line: string) => void;
}

export interface InitResult {
  configPath: string;
  rules: InitRules;
  generatedKey?: { recipient: string; path: string };
  certPath?: string;
  hooks?: string;
}

export const DEFAULT_CERT_OUTPUT = join("certs", "sealed-secrets.pem");
export const KUBERNETES_ENCRYPTED_REGEX = "^(data|stringData)$";

/** The flags that answer every question, for the error a non-interactive run without them gets. */
export const ANSWER_FLAGS = [
  "--age <recipients> or --generate-key  (age keys)",
  "--kms <arns>                         (AWS KMS keys)",
  "--cert <file|url> or --fetch-cert    (Sealed Secrets certificate)",
  "--path-regex <regex>                 (files the SOPS rule covers)",
  "--encrypted-regex <regex>            (only encrypt values of matching keys)",
  "--yes                                (accept the defaults for the rest)",
];

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

function checkRegex(value: string, flag: string): string {
  try {
    goRegExp(value);
  } catch (error) {
    throw new SealboxError("ConflictingParameters", `${flag} is not a valid regular expression: ${(error as Error).message}`);
  }
  return value;
}

const validRegex = (value: string): string | true => {
  try {
    goRegExp(value);
    return true;
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
};

const isUrl = (spec: string): boolean => /^[a-z]+:\/\//i.test(spec);

/**
 * Why a certificate URL must not go into the rules file, or undefined when it may: the file is
 * committed, and a user, password, query or fragment in a URL is usually a credential (a token, a
 * signed URL). The reason never repeats the URL.
 */
function uncommittableCertUrl(spec: string): string | undefined {
  if (!isUrl(spec)) return undefined;
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    return undefined; // not a URL the certificate can be read from either: loadCertificate says so
  }
  if (!url.username && !url.password && !url.search && !url.hash) return undefined;
  return `the URL has a user, password, query or fragment (often a token or a signed URL), and ${CONFIG_FILE_NAME} is committed to Git; download the certificate and give its file (init stores it in the repository), or give a URL without credentials`;
}

function splitList(text: string | undefined): string[] {
  return (text ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** `path` as the rules file names it: relative to the repo when inside it, else undefined. */
function insideRepo(dir: string, path: string): string | undefined {
  const rel = relative(dir, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : undefined;
}

export async function runInit(options: InitOptions, ctx: InitContext): Promise<InitResult> {
  const dir = resolve(ctx.cwd);
  const configPath = join(dir, CONFIG_FILE_NAME);
  if (!options.force && (await exists(configPath))) {
    throw new SealboxError("CouldNotWriteOutputFile", "already exists; sealbox init will not replace it without --force", { file: configPath });
  }
  const ask = options.yes ? undefined : ctx.asker;
  const rules: InitRules = { age: [], kms: [] };
  const result: InitResult = { configPath, rules };

  // Everything given as a flag is checked before any question is asked or any file is written.
  rules.age = parseAgeRecipientList(options.age, "--age");
  if (options.kms) {
    const { parseKmsArns } = await import("../keys/kms.js");
    parseKmsArns(options.kms);
    rules.kms = splitList(options.kms);
  }
  if (options.cert && options.fetchCert) throw new SealboxError("ConflictingParameters", "give --cert or --fetch-cert, not both");
  if (options.cert) {
    const problem = uncommittableCertUrl(options.cert);
    if (problem) throw new SealboxError("ConflictingParameters", `--cert ${shownInMessage(options.cert, "a URL")}: ${problem}`);
  }
  if (options.pathRegex !== undefined) checkRegex(options.pathRegex, "--path-regex");
  if (options.encryptedRegex !== undefined) checkRegex(options.encryptedRegex, "--encrypted-regex");
  if (options.sealedPathRegex !== undefined) checkRegex(options.sealedPathRegex, "--sealed-path-regex");
  if (options.scope !== undefined && !(SCOPES as readonly string[]).includes(options.scope)) {
    throw new SealboxError("ConflictingParameters", `--scope must be one of ${SCOPES.join(", ")}`);
  }
  const keyFile = options.keyFile ? resolve(ctx.cwd, options.keyFile) : defaultKeyFile(ctx.env);
  if (options.generateKey && !keyFile) throw new SealboxError("ConflictingParameters", "--generate-key: no user config directory (HOME is not set); give --key-file");

  const keysGiven = rules.age.length > 0 || rules.kms.length > 0 || options.generateKey;
  const certGiven = Boolean(options.cert || options.fetchCert);
  if (!ask && !keysGiven && !certGiven) {
    throw new SealboxError("ConflictingParameters", "init needs to know which keys to use, and does not prompt without a terminal (or with --yes); give them as flags:", {
      details: ANSWER_FLAGS,
    });
  }

  // ---- age key ----
  let generate = Boolean(options.generateKey);
  if (ask && !keysGiven) {
    const found = await findExistingRecipients(ctx.env);
    ctx.detail?.(`looked for age identities in: ${describeIdentitySources(ctx.env)}`);
    for (const note of found.skipped) ctx.say(`skipped ${note}`);
    type KeyChoice = { kind: "existing"; recipient: string } | { kind: "generate" } | { kind: "enter" } | { kind: "none" };
    const choices: Choice<KeyChoice>[] = [
      ...found.recipients.map((r) => ({ name: `${shorten(r.recipient)}  (${r.source})`, value: { kind: "existing" as const, recipient: r.recipient } })),
      ...(keyFile ? [{ name: `Generate a new age key in ${keyFile}`, value: { kind: "generate" as const } }] : []),
      { name: "Enter age recipients (age1…, ssh-ed25519 …)", value: { kind: "enter" } },
      { name: "No age key (AWS KMS or Sealed Secrets only)", value: { kind: "none" } },
    ];
    const picked = await ask.select("Which age key should encrypt this repository's SOPS files?", choices);
    if (picked.kind === "existing") rules.age = [picked.recipient];
    else if (picked.kind === "generate") generate = true;
    else if (picked.kind === "enter") {
      const text = await ask.input("age recipients, comma-separated:", {
        validate: (value) => {
          try {
            return parseAgeRecipientList(value, "recipients").length ? true : "give at least one recipient";
          } catch (error) {
            return (error as Error).message;
          }
        },
      });
      rules.age = parseAgeRecipientList(text, "recipients");
    }
  }

  // ---- sealing certificate ----
  let certMode: "file" | "fetch" | "none" = options.cert ? "file" : options.fetchCert ? "fetch" : "none";
  let certSpec = options.cert;
  if (ask && !certGiven) {
    certMode = await ask.select("Do you also seal Secrets for a Sealed Secrets controller?", [
      { name: "No", value: "none" as const },
      { name: "Yes, with a certificate file or URL I have", value: "file" as const },
      { name: "Yes, fetch the controller's certificate from the cluster (sealbox cert fetch)", value: "fetch" as const },
    ]);
    if (certMode === "file") {
      const answer = await ask.input("Certificate file or URL:", { validate: (v) => (v.trim() ? (uncommittableCertUrl(v.trim()) ?? true) : "give a path or URL") });
      certSpec = answer.trim();
    }
  }
  if (certMode !== "none") {
    rules.sealed = {
      cert: "",
      scope: (options.scope as Scope | undefined) ?? (ask ? await askScope(ask) : "strict"),
      pathRegex: options.sealedPathRegex ?? (ask ? await ask.input("Which files are SealedSecrets (path_regex)?", { default: DEFAULT_SEALED_PATH_REGEX, validate: validRegex }) : DEFAULT_SEALED_PATH_REGEX),
    };
  }

  // ---- which files and values the SOPS rule covers ----
  const sopsRule = rules.age.length > 0 || rules.kms.length > 0 || generate;
  if (sopsRule) {
    rules.pathRegex = options.pathRegex ?? (ask ? await ask.input("Which files should SOPS encrypt (path_regex; empty: all others)?", { default: "", validate: (v) => (v === "" ? true : validRegex(v)) }) : undefined);
    if (options.encryptedRegex !== undefined) rules.encryptedRegex = options.encryptedRegex;
    else if (ask) {
      const which = await ask.select("Which values should be encrypted?", [
        { name: "Every value", value: "all" },
        { name: `Only data and stringData (Kubernetes Secrets: ${KUBERNETES_ENCRYPTED_REGEX})`, value: "k8s" },
        { name: "Values of keys matching a regular expression", value: "custom" },
      ]);
      if (which === "k8s") rules.encryptedRegex = KUBERNETES_ENCRYPTED_REGEX;
      if (which === "custom") rules.encryptedRegex = await ask.input("encrypted_regex:", { validate: validRegex });
    }
    if (rules.pathRegex === "") rules.pathRegex = undefined;
  }

  if (!sopsRule && !rules.sealed) throw new SealboxError("ConflictingParameters", "nothing to write: no age or KMS key and no Sealed Secrets certificate");

  // ---- the certificate itself: checked (RSA, in date) before anything is written ----
  const { loadCertificate, parseCertificate } = await import("../sealed/cert.js");
  let certBytes: string | undefined;
  if (certMode === "fetch") {
    const { fetchControllerCert } = await import("../sealed/kube.js");
    const defaults = controllerDefaults(ctx.env);
    const pem = await fetchControllerCert({
      kubeconfig: options.kubeconfig,
      context: options.context,
      controllerName: options.controllerName || defaults.name,
      controllerNamespace: options.controllerNamespace || defaults.namespace,
      timeoutMs: 30_000,
      env: ctx.env,
    });
    parseCertificate(pem, "the controller's certificate");
    certBytes = pem.toString("utf8");
  } else if (certMode === "file" && certSpec) {
    const url = isUrl(certSpec);
    await loadCertificate(url ? certSpec : resolve(ctx.cwd, certSpec));
    if (url) rules.sealed!.cert = certSpec;
    else {
      const inside = insideRepo(dir, resolve(ctx.cwd, certSpec));
      if (inside) rules.sealed!.cert = inside;
      else result.certPath = resolve(ctx.cwd, certSpec); // copied into the repo below
    }
  }
  const certOutput = options.certOutput ?? DEFAULT_CERT_OUTPUT;
  if (rules.sealed && !rules.sealed.cert) {
    const target = resolve(dir, certOutput);
    const inside = insideRepo(dir, target);
    if (!inside) throw new SealboxError("ConflictingParameters", "--cert-output must be inside the repository", { file: certOutput });
    if (!options.force && (await exists(target))) {
      throw new SealboxError("CouldNotWriteOutputFile", "a certificate is already there; sealbox init will not replace it without --force", { file: target });
    }
    rules.sealed.cert = inside;
  }

  // ---- write, once confirmed: the key, the certificate, then the rules ----
  const newKey = generate ? await newAgeIdentity() : undefined;
  if (newKey) rules.age = [...rules.age, newKey.recipient];
  const text = renderRulesFile(rules);
  if (ask && !(await confirmWrite(ask, text, configPath))) throw new SealboxError("KeyboardInterrupt", "cancelled: nothing was written");
  if (newKey) {
    const { appended } = await saveAgeIdentity(keyFile!, newKey);
    result.generatedKey = { recipient: newKey.recipient, path: keyFile! };
    ctx.say(`${appended ? "added a new age key to" : "wrote a new age key to"} ${keyFile} (mode 0600); its public key is ${newKey.recipient}`);
  }
  if (rules.sealed && (certBytes !== undefined || result.certPath)) {
    const target = resolve(dir, rules.sealed.cert);
    await mkdir(dirname(target), { recursive: true });
    if (certBytes !== undefined) await writeFileAtomic(target, certBytes, { mode: 0o644 });
    else await writeFileAtomic(target, await readFile(result.certPath!), { mode: 0o644 });
    result.certPath = target;
    ctx.say(`wrote the sealing certificate to ${rules.sealed.cert}`);
  }
  await writeFileAtomic(configPath, text, { mode: 0o644 });
  ctx.say(`wrote ${configPath}`);

  if (options.hooks !== false && ctx.installHooks) {
    // The rules are written by now: a hook that cannot be installed is reported, not fatal.
    try {
      result.hooks = await ctx.installHooks(dir);
      ctx.say(result.hooks);
    } catch (error) {
      ctx.say(`git hooks not installed: ${error instanceof SealboxError ? error.describe() : (error as Error).message}; run \`sealbox git install\` later`);
    }
  }
  return result;
}

async function askScope(ask: Asker): Promise<Scope> {
  return ask.select("Sealing scope for new SealedSecrets:", [
    { name: "strict: only this name in this namespace may unseal it (kubeseal's default)", value: "strict" as const },
    { name: "namespace-wide: any name in the namespace", value: "namespace-wide" as const },
    { name: "cluster-wide: any name, any namespace", value: "cluster-wide" as const },
  ]);
}

async function confirmWrite(ask: Asker, text: string, configPath: string): Promise<boolean> {
  return ask.confirm(`Write this to ${configPath}?\n\n${text}\n`, true);
}

function shorten(recipient: string): string {
  return recipient.length > 72 ? `${recipient.slice(0, 60)}…` : recipient;
}
