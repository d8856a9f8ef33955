// Shared by the repo-wide tests: throw-away git repositories of encrypted files and an independent
// check of a file (its recipients, its data key, its values).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { KeySources } from "../../src/keys/registry.js";
import { encrypt, openEncrypted } from "../../src/ops/sops-ops.js";
import { parseIdentities } from "../../src/keys/age-recipients.js";
import { ROOT, SOPS_VECTORS } from "../helpers/fixtures.js";

export { ROOT };
export const KEYS_A = join(SOPS_VECTORS, "keys.txt");
export const KEYS_B = join(SOPS_VECTORS, "keys_b.txt");

export function publicKeyOf(keyFile: string): string {
  return /# public key: (age1\S+)/.exec(readFileSync(keyFile, "utf8"))![1];
}

export const A = publicKeyOf(KEYS_A);
export const B = publicKeyOf(KEYS_B);

/** A fresh identity made by the real age-keygen. */
export function newIdentity(dir: string, name: string): { file: string; recipient: string } {
  const file = join(dir, `${name}.txt`);
  execFileSync("age-keygen", ["-o", file], { stdio: "pipe" });
  return { file, recipient: publicKeyOf(file) };
}

/** One identity file holding every key given (SOPS_AGE_KEY_FILE takes one file). */
export function identityFile(dir: string, name: string, keyFiles: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, keyFiles.map((f) => readFileSync(f, "utf8")).join("\n"), { mode: 0o600 });
  return file;
}

export function tempDir(prefix = "sealbox-repo-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function gitInit(dir: string): void {
  const run = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "pipe" });
  run("init", "-q");
  run("config", "user.email", "test@example.invalid");
  run("config", "user.name", "sealbox test");
  run("config", "commit.gpgsign", "false");
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, stdio: "pipe" }).toString("utf8");
}

export function rules(dir: string, body: string): void {
  writeFileSync(join(dir, ".sops.yaml"), body);
}

/** The rule text for `secrets/…` encrypted to the given age recipients. */
export function ageRule(recipients: string[], extra = ""): string {
  return `creation_rules:\n  - path_regex: ^secrets/.*\\.(ya?ml|json|env)$\n    age: ${recipients.join(",")}\n${extra}`;
}

/** Plaintext of file i: each file has its own values so a swapped file would show. */
export function plainFor(i: number, format: "yaml" | "json" | "env"): string {
  const password = `pw-${i}-${(i * 7919).toString(36)}`;
  if (format === "json") return JSON.stringify({ db: { user: `user${i}`, password }, port: 5400 + i }, null, 2) + "\n";
  if (format === "env") return `USER=user${i}\nPASSWORD=${password}\n`;
  return `db:\n    user: user${i}\n    password: ${password}\nport: ${5400 + i}\n`;
}

export interface RepoFile {
  path: string;
  plain: string;
}

/** Writes `count` encrypted files under secrets/ (yaml, json and dotenv mixed), encrypted in-process. */
export async function encryptedRepo(dir: string, count: number, recipients: string[]): Promise<RepoFile[]> {
  const sources = new KeySources({ age: { identities: [] } });
  const files: RepoFile[] = [];
  const formats = ["yaml", "json", "env"] as const;
  for (let i = 0; i < count; i++) {
    const format = formats[i % 3];
    const path = `secrets/team${i % 7}/app-${i}.${format}`;
    const plain = plainFor(i, format);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    const encrypted = await encrypt(Buffer.from(plain), { filename: path, age: recipients, sources });
    writeFileSync(join(dir, path), encrypted, { mode: 0o640 });
    files.push({ path, plain });
  }
  return files;
}

/** Sources that can open files with exactly these identity files (and nothing from the environment). */
export function sourcesFor(keyFiles: string[]): KeySources {
  const identities = keyFiles.flatMap((f) => parseIdentities(readFileSync(f, "utf8"), f));
  return new KeySources({ age: { identities } });
}

/** Decrypted text compared by meaning where the format's own layout differs (sops writes JSON with tabs). */
export function sameContent(path: string, decrypted: string): unknown {
  return path.endsWith(".json") ? JSON.parse(decrypted) : decrypted;
}

export interface Opened {
  recipients: string[];
  dataKey: string;
  plain: string;
  lastModified: string;
  mac: string;
}

/** Opens a file with the given sources: its sorted age recipients, data key (hex) and decrypted text. */
export async function openFile(dir: string, path: string, sources: KeySources): Promise<Opened> {
  const bytes = readFileSync(join(dir, path));
  const opened = await openEncrypted(bytes, { filename: path, sources });
  const recipients = opened.metadata.keyGroups.flat().map((s) => (s.type === "age" ? s.recipient : s.type)).sort();
  return {
    recipients,
    dataKey: Buffer.from(opened.dataKey).toString("hex"),
    plain: Buffer.from(opened.codecs.output.emitPlain(opened.docs)).toString("utf8"),
    lastModified: opened.metadata.lastModified,
    mac: opened.metadata.mac,
  };
}
