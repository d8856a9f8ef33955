// Where the rules file is, found as sops finds it. Kept apart from the rules parser (config.ts, which
// brings the yaml library) so a decrypt can look for `stores:` without loading it.
import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SealboxError } from "../errors.js";

export const CONFIG_FILE_NAME = ".sops.yaml";
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
  for (let i = 0; i < MAX_PARENT_DEPTH; i++) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (isFile(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Whether a rules file's text could set output indentation at all: most never mention `stores:`. */
export function mentionsStores(text: string): boolean {
  return text.includes("stores");
}

/** mentionsStores of the file itself. */
export async function mayHaveStores(configPath: string): Promise<boolean> {
  return mentionsStores(readFileSync(configPath, "utf8"));
}
