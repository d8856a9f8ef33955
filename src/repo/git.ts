// Git integration: a diff driver whose textconv shows SOPS files decrypted (when this machine has a
// key; otherwise as they are), and a pre-commit guard that refuses plaintext Secrets, unencrypted
// files a creation rule covers and values put in clear text into encrypted files. Git config stays
// local to the clone; textconv output is never cached (cachetextconv would store plaintext in git notes).
import { chmod, mkdir, readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { SealboxError } from "../errors.js";
import { writeFileAtomic } from "../ops/atomic-write.js";
import { findConfigFile, matchCreationRule } from "../rules/config.js";
import { classify } from "./classify.js";
import { git, gitTopLevel } from "./discover.js";
import type { Finding } from "../audit/audit.js";

export const DRIVER = "sealbox";
export const DEFAULT_PATTERNS = ["*.yaml", "*.yml", "*.json", "*.env", "*.ini"];
const BLOCK_START = "# >>> sealbox: decrypted diffs (sealbox git install)";
const BLOCK_END = "# <<< sealbox";
const HOOK_MARK = "sealbox pre-commit guard";

/** Single-quotes a word for sh. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** How git should run this sealbox: node and the launcher script by absolute path (works without PATH). */
export function selfCommand(): string {
  const script = process.argv[1];
  if (!script) return "sealbox";
  return `${shellQuote(process.execPath)} ${shellQuote(resolve(script))}`;
}

async function mustGit(args: string[], cwd: string, what: string): Promise<string> {
  const out = await git(args, cwd);
  if (out === undefined) throw new SealboxError("Generic", `git ${what} failed (git ${args.join(" ")})`);
  return out.toString("utf8").trim();
}

export interface InstallOptions {
  cwd?: string;
  /** The command git runs for sealbox (default: this node and script). */
  command?: string;
  patterns?: string[];
  /** Write the attributes to the committed .gitattributes instead of .git/info/attributes. */
  sharedAttributes?: boolean;
  diff?: boolean;
  hook?: boolean;
  /** Replace a pre-commit hook that is not sealbox's. */
  force?: boolean;
}

export interface InstallResult {
  top: string;
  actions: string[];
}

/** Replaces sealbox's marked block in an attributes file (or appends one): re-running install is harmless. */
export function withAttributesBlock(existing: string, patterns: string[]): string {
  const block = [BLOCK_START, ...patterns.map((p) => `${p} diff=${DRIVER}`), BLOCK_END].join("\n") + "\n";
  const start = existing.indexOf(BLOCK_START);
  const end = existing.indexOf(BLOCK_END);
  if (start >= 0 && end > start) return existing.slice(0, start) + block + existing.slice(existing.indexOf("\n", end) + 1 || existing.length);
  return existing + (existing && !existing.endsWith("\n") ? "\n" : "") + block;
}

export async function installGit(options: InstallOptions = {}): Promise<InstallResult> {
  const cwd = options.cwd ?? process.cwd();
  const top = await gitTopLevel(cwd);
  if (!top) throw new SealboxError("Generic", "not inside a git work tree (run `git init` first)");
  const command = options.command ?? selfCommand();
  const actions: string[] = [];
  if (options.diff !== false) {
    await mustGit(["config", "--local", `diff.${DRIVER}.textconv`, `${command} git textconv`], top, "config");
    await mustGit(["config", "--local", `diff.${DRIVER}.cachetextconv`, "false"], top, "config");
    actions.push(`git config diff.${DRIVER}.textconv "${command} git textconv"`);
    const gitPath = await mustGit(["rev-parse", "--git-path", "info/attributes"], top, "rev-parse");
    const attributes = options.sharedAttributes ? join(top, ".gitattributes") : isAbsolute(gitPath) ? gitPath : join(top, gitPath);
    const existing = await readFile(attributes, "utf8").catch(() => "");
    await mkdir(dirname(attributes), { recursive: true });
    await writeFileAtomic(attributes, withAttributesBlock(existing, options.patterns ?? DEFAULT_PATTERNS), { mode: 0o644 });
    actions.push(`${attributes}: ${(options.patterns ?? DEFAULT_PATTERNS).join(" ")} diff=${DRIVER}`);
  }
  if (options.hook !== false) {
    const gitPath = await mustGit(["rev-parse", "--git-path", "hooks/pre-commit"], top, "rev-parse");
    const hook = isAbsolute(gitPath) ? gitPath : join(top, gitPath);
    const existing = await readFile(hook, "utf8").catch(() => undefined);
    if (existing !== undefined && !existing.includes(HOOK_MARK) && !options.force) {
      throw new SealboxError("ConflictingParameters", "a pre-commit hook that is not sealbox's exists: add `sealbox git pre-commit` to it yourself, or replace it with --force", { file: hook });
    }
    const script = [
      "#!/bin/sh",
      `# ${HOOK_MARK}: refuses plaintext Kubernetes Secrets and unencrypted files a creation rule covers.`,
      "# Installed by `sealbox git install`; skip it once with `git commit --no-verify`.",
      `exec ${command} git pre-commit`,
      "",
    ].join("\n");
    await mkdir(dirname(hook), { recursive: true });
    await writeFileAtomic(hook, script, { mode: 0o755 });
    await chmod(hook, 0o755);
    actions.push(`${hook}: pre-commit guard`);
  }
  return { top, actions };
}

/** textconv: a SOPS file decrypted when a key is at hand; anything else (or no key) unchanged. */
export async function textconv(path: string): Promise<Uint8Array> {
  const bytes = await readFile(path);
  const c = await classify(path, bytes);
  if (c.kind !== "sops") return bytes;
  try {
    const { decrypt } = await import("../ops/sops-ops.js");
    return await decrypt(bytes, { filename: path });
  } catch {
    return bytes;
  }
}

/** The staged content of each added, copied, modified or renamed file (what the commit will hold). */
export async function stagedFiles(top: string): Promise<{ path: string; bytes: Buffer }[]> {
  const names = (await git(["-c", "core.quotepath=off", "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"], top))?.toString("utf8").split("\0").filter(Boolean) ?? [];
  if (names.length === 0) return [];
  // One `git cat-file --batch` for all of them: "<oid> <type> <size>\n<content>\n" per request.
  const out = await git(["cat-file", "--batch"], top, names.map((n) => `:${n}\n`).join(""));
  if (!out) throw new SealboxError("Generic", "git cat-file could not read the staged files");
  const files: { path: string; bytes: Buffer }[] = [];
  let at = 0;
  for (const path of names) {
    const newline = out.indexOf(10, at);
    const header = out.subarray(at, newline).toString("utf8").split(" ");
    at = newline + 1;
    if (header[1] === "missing" || header.length < 3) continue;
    const size = Number(header[2]);
    if (header[1] === "blob") files.push({ path, bytes: out.subarray(at, at + size) });
    at += size + 1;
  }
  return files;
}

/** What the guard refuses in the given files (the staged ones when none are named). */
export async function preCommitFindings(options: { cwd?: string; files?: string[]; configPath?: string } = {}): Promise<Finding[]> {
  const cwd = options.cwd ?? process.cwd();
  const top = (await gitTopLevel(cwd)) ?? cwd;
  const { leakFindings } = await import("../audit/audit.js");
  const { displayPath } = await import("./discover.js");
  const configPath = await findConfigFile({ configPath: options.configPath, cwd: top });
  const inputs = options.files?.length
    ? await Promise.all(options.files.map(async (f) => ({ path: displayPath(resolve(cwd, f), top), bytes: await readFile(resolve(cwd, f)) })))
    : await stagedFiles(top);
  const findings: Finding[] = [];
  for (const { path, bytes } of inputs) {
    const rule = configPath ? await matchCreationRule(join(top, path), configPath, top) : undefined;
    findings.push(...leakFindings(path, await classify(path, bytes), rule, top));
  }
  return findings;
}
