// Shared by the hardening suites: throw-away age keys made by the real age-keygen, and the run counts
// (quick by default, SLOW=1 for the long runs).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { afterAll } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/fixtures.js";

export { ROOT };
export const SLOW = process.env.SLOW === "1";

/** Runs in quick mode (the normal suite) or with SLOW=1. */
export const runs = (quick: number, slow: number): number => (SLOW ? slow : quick);

export function tempDir(prefix = "sealbox-hardening-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A temp dir removed when the calling test file is done (call at module level or in tests). */
export function scratchDirs(): (prefix?: string) => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return (prefix) => {
    const d = tempDir(prefix);
    dirs.push(d);
    return d;
  };
}

/** Temp files a write left behind anywhere under `dir` (atomic writes must leave none). */
export function tempLeftovers(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => p.includes(".sealbox-tmp-"));
}

export interface AgeKey {
  file: string;
  recipient: string;
  identity: string;
}

/** A fresh X25519 identity from the real age-keygen. */
export function ageKey(dir: string, name = "key.txt"): AgeKey {
  const file = join(dir, name);
  execFileSync("age-keygen", ["-o", file], { stdio: "pipe" });
  const text = readFileSync(file, "utf8");
  return { file, recipient: /public key: (age1\w+)/.exec(text)![1], identity: /^AGE-SECRET-KEY-\w+$/m.exec(text)![0] };
}

/** Lines that look like a JavaScript stack frame. */
export function stackLines(text: string): string[] {
  return text.split("\n").filter((l) => /^\s{4}at /.test(l));
}
