// Paths and small helpers shared by tests: the interop vectors live in fixtures/interop/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const SOPS_VECTORS = join(ROOT, "fixtures", "interop", "sops");
export const SEALED_VECTORS = join(ROOT, "fixtures", "interop", "sealed");

export function sopsVector(name: string): Buffer {
  return readFileSync(join(SOPS_VECTORS, name));
}

/** The env a decrypting child process or key source sees: only the named age key file. */
export function ageKeyEnv(keyFile = join(SOPS_VECTORS, "keys.txt")): NodeJS.ProcessEnv {
  return { SOPS_AGE_KEY_FILE: keyFile, HOME: "/nonexistent", XDG_CONFIG_HOME: "/nonexistent" };
}

/** Every YAML file under `dir` (fixtures/ holds several hundred: vectors, examples, the malformed corpus). */
export function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}
