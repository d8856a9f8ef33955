// Finds age identities exactly where sops 3.13 looks (getsops/sops age/keysource.go
// loadIdentities): SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, the user config dir's
// sops/age/keys.txt, SOPS_AGE_SSH_PRIVATE_KEY_FILE, SOPS_AGE_SSH_PRIVATE_KEY_CMD (an ssh private key
// on a command's stdout), ~/.ssh/id_ed25519 and ~/.ssh/id_rsa. Like sops it reads every one that
// exists and combines them, so existing setups work unchanged.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { Identity, Stanza } from "age-encryption";
import { SealboxError } from "../errors.js";
import { looksLikeData, looksLikeKeyMaterial, shownInMessage } from "../core/redact.js";
import { parseIdentities, type AgeIdentity } from "./age-recipients.js";
import { LockedSshIdentity, NO_PROMPT, parseSshIdentityFile } from "./age-ssh.js";

export interface AgeIdentityOptions {
  /**
   * Asked for the passphrase of a passphrase-protected identity (an age-encrypted identity file, an
   * encrypted PEM ssh key), only when a file to decrypt needs it. The CLI passes a TTY prompt; without
   * one such identities explain that they are locked when they are the only way left.
   */
  passphrase?: (source: string) => Promise<string>;
  /** Told about sources sops would also skip with a warning (an unreadable ~/.ssh fallback key). */
  onWarning?: (message: string) => void;
  /** Defaults to process.platform; decides the user config directory. */
  platform?: NodeJS.Platform;
}

export type IdentitySourceKind = "age-text" | "age-file" | "age-command" | "ssh-file" | "ssh-command";

export interface IdentitySource {
  /** What the user would recognise: the variable name or the path. */
  name: string;
  kind: IdentitySourceKind;
  /** The file path, command line or inline text's variable; undefined when not configured. */
  value?: string;
  /** True for the ~/.ssh fallbacks, which sops reads only if present and never insists on. */
  fallback?: boolean;
}

/** The places identities may come from, in the order they are read. */
export function identitySources(env: NodeJS.ProcessEnv = process.env, options: Pick<AgeIdentityOptions, "platform"> = {}): IdentitySource[] {
  const platform = options.platform ?? process.platform;
  const home = (platform === "win32" ? env.USERPROFILE : env.HOME) || undefined;
  const configDir = userConfigDir(env, platform);
  const keysTxt = configDir ? join(configDir, "sops", "age", "keys.txt") : undefined;
  // An empty variable counts as unset (an `export X=` left behind should not break decryption).
  const set = (name: string): string | undefined => env[name] || undefined;
  return [
    { name: "SOPS_AGE_KEY", kind: "age-text", value: set("SOPS_AGE_KEY") },
    { name: "SOPS_AGE_KEY_FILE", kind: "age-file", value: set("SOPS_AGE_KEY_FILE") },
    { name: "SOPS_AGE_KEY_CMD", kind: "age-command", value: set("SOPS_AGE_KEY_CMD") },
    { name: keysTxt ?? "sops/age/keys.txt in the user config directory", kind: "age-file", value: keysTxt },
    { name: "SOPS_AGE_SSH_PRIVATE_KEY_FILE", kind: "ssh-file", value: set("SOPS_AGE_SSH_PRIVATE_KEY_FILE") },
    { name: "SOPS_AGE_SSH_PRIVATE_KEY_CMD", kind: "ssh-command", value: set("SOPS_AGE_SSH_PRIVATE_KEY_CMD") },
    { name: home ? join(home, ".ssh", "id_ed25519") : "~/.ssh/id_ed25519", kind: "ssh-file", value: home && join(home, ".ssh", "id_ed25519"), fallback: true },
    { name: home ? join(home, ".ssh", "id_rsa") : "~/.ssh/id_rsa", kind: "ssh-file", value: home && join(home, ".ssh", "id_rsa"), fallback: true },
  ];
}

/** Go's os.UserConfigDir, plus sops's XDG_CONFIG_HOME override on macOS. */
function userConfigDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (platform === "win32") return env.APPDATA || undefined;
  if (env.XDG_CONFIG_HOME) return platform === "darwin" || isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : undefined;
  if (!env.HOME) return undefined;
  return platform === "darwin" ? join(env.HOME, "Library", "Application Support") : join(env.HOME, ".config");
}

/** One line for messages: every place looked, and what was there. Never a key. */
export function describeIdentitySources(env: NodeJS.ProcessEnv = process.env, options: Pick<AgeIdentityOptions, "platform"> = {}): string {
  return identitySources(env, options)
    .map((s) => {
      if (s.value === undefined) return `${s.name} (not set)`;
      // Inline keys and key commands are shown as set, never echoed: either could hold a secret.
      if (s.kind === "age-text" || s.kind === "age-command" || s.kind === "ssh-command") return `${s.name} (set)`;
      const label = s.name === s.value ? s.name : `${s.name}=${shownInMessage(s.value)}`;
      return `${label} (${existsSync(s.value) ? "present" : "missing"})`;
    })
    .join(", ");
}

/**
 * Every identity the environment provides, as sops would find them. Missing sources are skipped;
 * a malformed one throws SealboxError(CouldNotRetrieveKey) naming the file (and line), never the key.
 * A key command that fails is left out when other sources give identities, as sops goes on without
 * it, and throws when none do. Identities that need a passphrase come last, so they are asked only
 * when nothing else matched.
 */
export async function loadAgeIdentities(env: NodeJS.ProcessEnv = process.env, options: AgeIdentityOptions = {}): Promise<AgeIdentity[]> {
  const read = await readIdentitySources(env, options);
  const identities = parseIdentitySources(read, options);
  const [failure] = sourceFailures(read);
  if (identities.length === 0 && failure !== undefined) throw new SealboxError("CouldNotRetrieveKey", failure);
  return identities;
}

/** One identity source's bytes, read (or its command run) but not parsed yet. */
export interface ReadIdentitySource {
  source: IdentitySource;
  bytes: Uint8Array;
  /** An ssh key's `.pub` beside it, when there is one. */
  publicKey?: string;
  /** Why a key command gave nothing: as sops, the other sources are still used. */
  failure?: string;
}

/**
 * The I/O half of loadAgeIdentities: reads every configured source that exists and runs the key
 * command, once. The bytes are plain data, so worker threads can parse them without reading files
 * or running SOPS_AGE_KEY_CMD again (src/repo/threads.ts).
 */
export async function readIdentitySources(env: NodeJS.ProcessEnv = process.env, options: Pick<AgeIdentityOptions, "platform"> = {}): Promise<ReadIdentitySource[]> {
  const read: ReadIdentitySource[] = [];
  for (const source of identitySources(env, options)) {
    const value = source.value;
    if (value === undefined) continue;
    if (source.kind === "age-text") read.push({ source, bytes: Buffer.from(value) });
    else if (source.kind === "age-command" || source.kind === "ssh-command") {
      try {
        read.push({ source, bytes: await runKeyCommand(value, source.name) });
      } catch (error) {
        if (!(error instanceof SealboxError)) throw error;
        read.push({ source, bytes: new Uint8Array(0), failure: error.message });
      }
    }
    else {
      const bytes = await readIfPresent(value);
      if (!bytes) continue;
      const publicKey = source.kind === "ssh-file" ? (await readIfPresent(`${value}.pub`))?.toString("utf8") : undefined;
      read.push({ source, bytes, ...(publicKey === undefined ? {} : { publicKey }) });
    }
  }
  return read;
}

/** The parsing half of loadAgeIdentities; locked identities last. */
export function parseIdentitySources(read: readonly ReadIdentitySource[], options: AgeIdentityOptions = {}): AgeIdentity[] {
  const all = read.filter((r) => r.failure === undefined).flatMap((r) => parseSource(r, options));
  return [...all.filter((id) => !isLocked(id)), ...all.filter(isLocked)];
}

/** What the key commands that failed said, to tell when no identity could open a file. */
export function sourceFailures(read: readonly ReadIdentitySource[]): string[] {
  return read.flatMap((r) => (r.failure === undefined ? [] : [r.failure]));
}

function isLocked(id: AgeIdentity): boolean {
  return id instanceof LockedSshIdentity || id instanceof LockedAgeIdentityFile;
}

function parseSource({ source, bytes, publicKey }: ReadIdentitySource, options: AgeIdentityOptions): AgeIdentity[] {
  if (source.kind !== "ssh-file" && source.kind !== "ssh-command") return parseIdentityFile(bytes, source.kind === "age-file" ? source.value! : source.name, options);
  try {
    return parseSshIdentityFile(Buffer.from(bytes).toString("utf8"), source.kind === "ssh-file" ? source.value! : source.name, { passphrase: options.passphrase, publicKey });
  } catch (error) {
    // sops skips an unreadable default key with a warning; an explicitly named one is an error.
    if (!source.fallback) throw error;
    options.onWarning?.(error instanceof SealboxError ? error.describe() : `${source.value}: ${(error as Error).message}`);
    return [];
  }
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SealboxError("CouldNotRetrieveKey", `cannot read identity file (${(error as NodeJS.ErrnoException).code ?? "error"})`, { file: path });
  }
}

/**
 * Runs a key command (the `variable` naming it) as sops does: split into words like a shell would
 * (google/shlex rules: quotes, backslashes, # comments), then executed directly, without a shell;
 * stdout is the keys.
 */
async function runKeyCommand(commandLine: string, variable: string): Promise<Buffer> {
  const argv = splitCommandLine(commandLine, variable);
  if (argv.length === 0) throw new SealboxError("CouldNotRetrieveKey", `${variable} is empty`);
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(new SealboxError("CouldNotRetrieveKey", `${variable}: cannot run ${shownInMessage(argv[0]!, "a command")} (${e.code ?? e.message})`)),
    );
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out));
      const last = Buffer.concat(err).toString("utf8").trim().split("\n").pop()?.slice(0, 200);
      const stderr = last && (looksLikeKeyMaterial(last) || last.split(/\s+/).some(looksLikeSecret)) ? "(its last line held key material or data: not shown)" : last;
      reject(new SealboxError("CouldNotRetrieveKey", `${variable} failed (${signal ?? `exit status ${code}`})${stderr ? `: ${stderr}` : ""}`));
    });
  });
}

/**
 * A word of a key command's error output that may be a secret: data as redact.ts sees it, or any
 * long run of base64 or hex characters (a key line, `/` and all; stderr words are no paths to show).
 */
function looksLikeSecret(word: string): boolean {
  return looksLikeData(word) || /^[A-Za-z0-9+/_=-]{32,}$/.test(word);
}

/** Shell-like word splitting (google/shlex, which sops uses); no expansion of any kind. */
export function splitCommandLine(line: string, variable = "SOPS_AGE_KEY_CMD"): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "#" && word === undefined) {
      break;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\") {
      if (++i >= line.length) throw new SealboxError("CouldNotRetrieveKey", `${variable}: ends with an escape character`);
      word = (word ?? "") + line[i];
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote) throw new SealboxError("CouldNotRetrieveKey", `${variable}: unclosed quote`);
  if (word !== undefined) words.push(word);
  return words;
}

// ---- passphrase-protected identity files ----

const AGE_BINARY = "age-encryption.org/v1\n";
const AGE_ARMOR = "-----BEGIN AGE ENCRYPTED FILE-----";

/**
 * Identities from an identity file's bytes: plain text (one identity a line), or an age-encrypted
 * (binary or armored) identity file as `age -p` makes, which unlocks with a passphrase when needed.
 */
export function parseIdentityFile(bytes: Uint8Array, source: string, options: Pick<AgeIdentityOptions, "passphrase"> = {}): AgeIdentity[] {
  const head = Buffer.from(bytes.subarray(0, 64)).toString("latin1").trimStart();
  if (head.startsWith(AGE_BINARY) || head.startsWith(AGE_ARMOR)) return [new LockedAgeIdentityFile(bytes, source, options.passphrase)];
  return parseIdentities(Buffer.from(bytes).toString("utf8"), source);
}

/** Decrypts a passphrase-protected identity file and parses the identities inside. */
export async function decryptIdentityFile(bytes: Uint8Array, passphrase: string, source: string): Promise<AgeIdentity[]> {
  const { Decrypter, armor } = await import("age-encryption");
  const text = Buffer.from(bytes).toString("latin1");
  let file: Uint8Array;
  try {
    file = text.trimStart().startsWith(AGE_ARMOR) ? armor.decode(text) : bytes;
  } catch {
    throw new SealboxError("CouldNotRetrieveKey", "passphrase-protected identity file is damaged (bad armor)", { file: source });
  }
  const d = new Decrypter();
  d.addPassphrase(passphrase);
  let plaintext: string;
  try {
    plaintext = await d.decrypt(file, "text");
  } catch (error) {
    const wrong = error instanceof Error && /no identity matched/i.test(error.message);
    throw new SealboxError("CouldNotRetrieveKey", wrong ? "incorrect passphrase for the identity file" : "passphrase-protected identity file is damaged or not passphrase-encrypted", { file: source });
  }
  return parseIdentities(plaintext, source);
}

/**
 * An age-encrypted identity file (sops's EncryptedIdentity). Locked until a file needs it; then asks
 * for the passphrase once and delegates to the identities inside. Unlike age and sops, it does not
 * ask for a file whose stanzas no identity inside could open (ssh keys' stanzas, say).
 */
// What the identities an identity file holds can open: X25519, and post-quantum (refused inside a
// locked file, with its own message).
const IDENTITY_FILE_STANZAS = new Set(["X25519", "mlkem768x25519"]);

export class LockedAgeIdentityFile implements Identity {
  private inner?: Promise<Identity[]>;

  constructor(
    private readonly bytes: Uint8Array,
    readonly source: string,
    private readonly passphrase?: (source: string) => Promise<string>,
  ) {}

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    if (!stanzas.some((s) => IDENTITY_FILE_STANZAS.has(s.args[0]!))) return null;
    const ask = this.passphrase;
    if (!ask) {
      throw new SealboxError("CouldNotRetrieveKey", `the identity file is passphrase-protected and ${NO_PROMPT}`, { file: this.source });
    }
    this.inner ??= (async () => {
      const ids = await decryptIdentityFile(this.bytes, await ask(this.source), this.source);
      if (ids.some((id) => typeof id === "string")) {
        throw new SealboxError("CouldNotRetrieveKey", "post-quantum identities inside a passphrase-protected identity file are not supported yet", { file: this.source });
      }
      return ids as Identity[];
    })();
    for (const id of await this.inner) {
      const fileKey = await id.unwrapFileKey(stanzas);
      if (fileKey) return fileKey;
    }
    return null;
  }
}
