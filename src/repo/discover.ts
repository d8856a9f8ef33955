// Which files a repo-wide command works on. Files named directly are taken as they are; a directory
// is walked: inside a git work tree only the files git tracks or would track (`git ls-files -co
// --exclude-standard`, so .gitignore is honoured), elsewhere every file. Never `.git`, `node_modules`,
// a temp file a killed run left behind, or a symlink that leads outside the directory walked.
import { spawn } from "node:child_process";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { SealboxError } from "../errors.js";

export interface DiscoveredFile {
  /** As given, or joined to the directory given: what messages show. */
  path: string;
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

/** Runs git and returns stdout, or undefined when git is missing or says no (not a work tree). */
export function git(args: string[], cwd: string, input?: string | Buffer): Promise<Buffer | undefined> {
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
  if (!(await gitTopLevel(dir))) return undefined;
  // -c: tracked, -o --exclude-standard: untracked but not ignored; paths come relative to `dir`.
  const out = await git(["-c", "core.quotepath=off", "ls-files", "-co", "--exclude-standard", "-z", "--", "."], dir);
  if (!out) return undefined;
  return [...new Set(out.toString("utf8").split("\0").filter(Boolean))];
}

async function walkFiles(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (SKIPPED_DIRS.has(entry.name)) continue;
    if (entry.isDirectory()) out.push(...(await walkFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** True when `rel` under `root` is a regular file, following symlinks only while they stay inside `realRoot`. */
async function isFileInside(root: string, realRoot: string, rel: string): Promise<boolean> {
  const full = join(root, rel);
  let info;
  try {
    info = await lstat(full);
  } catch {
    return false; // tracked but deleted from the work tree
  }
  if (info.isSymbolicLink()) {
    try {
      const target = await realpath(full);
      return inside(realRoot, target) && (await stat(target)).isFile();
    } catch {
      return false;
    }
  }
  return info.isFile();
}

/** The files to work on, in a stable order (directory order sorted by path), without duplicates. */
export async function discoverFiles(paths: readonly string[], options: DiscoverOptions = {}): Promise<DiscoveredFile[]> {
  const cwd = options.cwd ?? process.cwd();
  const out: DiscoveredFile[] = [];
  const seen = new Set<string>();
  const add = (path: string, named: boolean): void => {
    const key = resolve(cwd, path);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, named });
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
      add(path, true);
      continue;
    }
    const realRoot = await realpath(absolute);
    const listed = (await gitFiles(absolute)) ?? (await walkFiles(absolute));
    listed.sort();
    for (const rel of listed) {
      if (skipped(rel) || !(await isFileInside(absolute, realRoot, rel))) continue;
      const full = join(absolute, rel);
      if (options.accept && !(await options.accept(full))) continue;
      add(isAbsolute(path) ? full : join(path, rel), false);
    }
  }
  return out;
}

/** `path` relative to `base` with forward slashes (for reports). */
export function displayPath(path: string, base: string): string {
  const rel = relative(base, resolve(base, path));
  return (rel.startsWith("..") || isAbsolute(rel) ? resolve(base, path) : rel).split(sep).join("/");
}
