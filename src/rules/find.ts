// Where the rules file is, found as sops finds it. Kept apart from the rules parser (config.ts, which
// brings the yaml library) so a decrypt can look for `stores:` without loading it.
import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SealboxError } from "../errors.js";

export const CONFIG_FILE_NAME = ".sops.yaml";
/** The name sops warns about: a rules file it does not read (sops 3.10, config.LookupConfigFile). */
const ALTERNATE_NAME = ".sops.yml";
const MAX_PARENT_DEPTH = 100;

export interface RuleLookupOptions {
  configPath?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

// Synchronous: a stat or a read of a small file takes a few µs, a trip through libuv's thread pool
// ~70 µs, and a library caller decrypting many files looks for the rules file once per file (three
// levels up cost a 1,000-file decrypt ~15%, docs/performance.md).
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** --config, then SOPS_CONFIG, then the nearest .sops.yaml from the working directory upward. */
export async function findConfigFile(options: RuleLookupOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const named = options.configPath ?? env.SOPS_CONFIG;
  if (named) {
    const path = resolve(cwd, named);
    if (!isFile(path)) throw new SealboxError("ConfigFileNotFound", "rules file not found", { file: named });
    return path;
  }
  let dir = resolve(cwd);
  let alternate: string | undefined;
  let found: string | undefined;
  for (let i = 0; i < MAX_PARENT_DEPTH && !found; i++) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (isFile(candidate)) found = candidate;
    else if (!alternate && isFile(join(dir, ALTERNATE_NAME))) alternate = join(dir, ALTERNATE_NAME);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (alternate) warnIgnored(alternate, found);
  return found;
}

const warned = new Set<string>();

/** Says once per run, as sops does, that a `.sops.yml` was passed over: its rules would silently not apply. */
function warnIgnored(alternate: string, used: string | undefined): void {
  if (warned.has(alternate)) return;
  warned.add(alternate);
  process.stderr.write(`sealbox: warning: ignoring ${alternate}: the rules file must be called ${CONFIG_FILE_NAME}${used ? `; using ${used}` : ""}\n`);
}

/** Whether a rules file's text could set output indentation at all: most never mention `stores:`. */
export function mentionsStores(text: string): boolean {
  return text.includes("stores");
}

/** mentionsStores of the file itself. */
export async function mayHaveStores(configPath: string): Promise<boolean> {
  return mentionsStores(readFileSync(configPath, "utf8"));
}
