// docs/architecture.md names the modules where things live: each one it names must exist, so a
// renamed or removed module cannot stay on the page.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/fixtures.js";

const doc = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}
const srcFiles = files("src");

describe("docs/architecture.md", () => {
  it("names only modules and directories that exist", () => {
    // paths from the repository root (src/…, bin/…, scripts/…, dist/… as built) and src/ subdirectories
    const rooted = [...new Set(doc.match(/\b(?:src|bin|scripts|test)\/[\w./-]*[\w/]/g))];
    const bare = [...new Set(doc.match(/(?<![\w/.-])[\w-]+\.ts\b/g))];
    expect(rooted.length + bare.length).toBeGreaterThan(60);
    expect(rooted.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
    // a bare file name is one of src/'s files; written with its directory (rules/config.ts), that path
    expect(bare.filter((name) => !srcFiles.some((f) => f.endsWith(`/${name}`)))).toEqual([]);
    const withDir = [...new Set(doc.match(/(?<![\w/.-])(?:[a-z-]+\/)+[\w-]+\.ts\b/g))].filter((p) => !/^(src|bin|scripts|test)\//.test(p));
    expect(withDir.filter((path) => !existsSync(join(ROOT, "src", path)))).toEqual([]);
  });

  it("places every area of src/: each directory and each top-level file", () => {
    const top = readdirSync(join(ROOT, "src"), { withFileTypes: true }).map((e) => `src/${e.name}${e.isDirectory() ? "/" : ""}`);
    expect(top.filter((path) => !doc.includes(path))).toEqual([]);
  });
});
