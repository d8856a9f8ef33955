// Which files a repo-wide command works on. Files named directly are taken as they are; a directory
// is walked: inside a git work tree only the files git tracks or would track (`git ls-files -co
// --exclude-standard`, so .gitignore is honoured), elsewhere every file. Never `.git`, `node_modules`,
// a temp file a killed run left behind, or a symlink that leads outside the directory walked.
import { existsSync, lstatSync, realpathSync, statSync } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { SealboxError } from "../errors.js";

export interface DiscoveredFile {
  /** As given, or joined to the directory given: what messages show. */
  path: string;
  /** The real absolute path (symlinks resolved): where the file is read and written. */
  real: string;
  /** True when the user named the file itself (not found by walking a directory). */
  named: boolean;
}

export interface DiscoverOptions {
  cwd?: string;
  /** Keeps a file found by walking (named files are always kept); gets the absolute path. */
  accept?: (absolutePath: string) => boolean | Promise<boolean>;
}

const SKIPPED_DIRS = new Set([".git", "node_modules"]);
/** writeFileAtomic's temp files (`.name.sealbox-tmp-xxxxxxxxxxxx`). */
export const TEMP_FILE = /^\..+\.sealbox-tmp-[0-9a-f]{12}$/;

function skipped(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]/);
  return parts.some((p) => SKIPPED_DIRS.has(p)) || TEMP_FILE.test(parts[parts.length - 1]);
}

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Whether git could find a repository from `dir`: GIT_DIR is set, or there is a .git (a directory, or
 * the file of a worktree or submodule) in `dir` or above it, on the path as given or on its real path
 * (git looks from the real one: a symlink from elsewhere into a work tree is inside it). Where there
 * is none, git would only say so, and starting it costs a Node process ~15 ms of CPU (decrypt -o
 * outside a repository paid it).
 */
export function mayBeInRepository(dir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.GIT_DIR) return true;
  const given = resolve(dir);
  let real = given;
  try {
    real = realpathSync(given);
  } catch {
    // git cannot run in a directory that is not there either; the path as given is looked at
  }
  return [...new Set([given, real])].some(hasGitAbove);
}

function hasGitAbove(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, ".git"))) return true;
    if (dirname(at) === at) return false;
  }
}

/** Runs git and returns stdout, or undefined when git is missing or says no (not a work tree). */
export async function git(args: string[], cwd: string, input?: string | Buffer): Promise<Buffer | undefined> {
  // every call asks about a repository: outside one, the answer is known without running git
  if (!mayBeInRepository(cwd)) return undefined;
  // imported here: rotate's worker threads load this module but never run git
  const { spawn } = await import("node:child_process");
  return new Promise((done) => {
    let child;
    try {
      child = spawn("git", args, { cwd, stdio: ["pipe", "pipe", "ignore"] });
    } catch {
      done(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.on("error", () => done(undefined));
    child.on("close", (status) => done(status === 0 ? Buffer.concat(chunks) : undefined));
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}

/** The work tree's top directory when `dir` is inside one (and not inside .git). */
export async function gitTopLevel(dir: string): Promise<string | undefined> {
  const out = await git(["rev-parse", "--show-toplevel"], dir);
  const top = out?.toString("utf8").trim();
  return top ? top : undefined;
}

/** Files under `dir` (relative to it) that git tracks or would track; undefined outside a work tree. */
async function gitFiles(dir: string): Promise<string[] | undefined> {
  // -c: tracked, -o --exclude-standard: untracked but not ignored; paths come relative to `dir`.
  // Outside a work tree (or inside .git) git says no, as rev-parse would: one git process, not two.
  const out = await git(["-c", "core.quotepath=off", "ls-files", "-co", "--exclude-standard", "-z", "--", "."], dir);
  if (!out) return undefined;
  return [...new Set(out.toString("utf8").split("\0").filter(Boolean))];
}

/** Files under `dir` (relative to it); those the listing shows to be regular files also go into `regular`. */
async function walkFiles(dir: string, regular: Set<string>, prefix = ""): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (SKIPPED_DIRS.has(entry.name)) continue;
    if (entry.isDirectory()) out.push(...(await walkFiles(dir, regular, rel)));
    else {
      if (entry.isFile()) regular.add(rel);
      out.push(rel);
    }
  }
  return out;
}

/**
 * The real path of `rel` under `root` when it is a regular file, following a symlink only while it
 * stays inside `realRoot`; undefined otherwise. `link` says whether a symlink was followed.
 */
function fileInside(root: string, realRoot: string, rel: string): { real: string; link: boolean } | undefined {
  // synchronous: one lstat per file of the tree, ~7 µs each, where a trip through the thread pool
  // and back cost ~70 µs (10,000 files: 0.7 s before the first file was rotated)
  const full = join(root, rel);
  let info;
  try {
    info = lstatSync(full);
  } catch {
    return undefined; // tracked but deleted from the work tree
  }
  if (info.isFile()) return { real: join(realRoot, rel), link: false };
  if (!info.isSymbolicLink()) return undefined;
  try {
    const target = realpathSync(full);
    return inside(realRoot, target) && statSync(target).isFile() ? { real: target, link: true } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The files to work on, in a stable order (sorted by path, symlinks after regular files), each once:
 * a symlink whose target is also found is dropped, so no file is rewritten twice, and writes go to
 * the real path so links stay links.
 */
export async function discoverFiles(paths: readonly string[], options: DiscoverOptions = {}): Promise<DiscoveredFile[]> {
  const cwd = options.cwd ?? process.cwd();
  const out: DiscoveredFile[] = [];
  const seen = new Set<string>();
  const add = (path: string, real: string, named: boolean): void => {
    if (seen.has(real)) return;
    seen.add(real);
    out.push({ path, real, named });
  };
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      throw new SealboxError("NoFileSpecified", "no such file or directory", { file: path, cause: error });
    }
    if (!info.isDirectory()) {
      add(path, await realpath(absolute), true);
      continue;
    }
    const realRoot = await realpath(absolute);
    // a walk's listing already tells regular files apart: an lstat each cost a 10,000-file tree ~80 ms
    const regular = new Set<string>();
    const listed = (await gitFiles(absolute)) ?? (await walkFiles(absolute, regular));
    listed.sort();
    const links: { path: string; real: string }[] = [];
    for (const rel of listed) {
      if (skipped(rel)) continue;
      const found = regular.has(rel) ? { real: join(realRoot, rel), link: false } : fileInside(absolute, realRoot, rel);
      if (!found) continue;
      const full = join(absolute, rel);
      if (options.accept && !(await options.accept(full))) continue;
      const shown = isAbsolute(path) ? full : join(path, rel);
      if (found.link) links.push({ path: shown, real: found.real });
      else add(shown, found.real, false);
    }
    for (const link of links) add(link.path, link.real, false);
  }
  return out;
}

/** `path` relative to `base` with forward slashes (for reports). */
export function displayPath(path: string, base: string): string {
  const rel = relative(base, resolve(base, path));
  return (rel.startsWith("..") || isAbsolute(rel) ? resolve(base, path) : rel).split(sep).join("/");
}
