// docs/exit-codes.md is the contract scripts rely on: its table must be ExitCode in src/errors.ts, row
// for row, and a code it calls reserved must be one no source file raises (and the others ones some do).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { ROOT } from "../helpers/fixtures.js";

const doc = readFileSync(join(ROOT, "docs", "exit-codes.md"), "utf8");
// | 24 | ErrorDecryptingMac | when … |
const rows = [...doc.matchAll(/^\| *(\d+) *\| *([A-Za-z]+) *\|(.*)\|$/gm)].map(([, code, name, when]) => ({ code: Number(code), name, when }));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}
const sources = sourceFiles(join(ROOT, "src"))
  .filter((f) => !f.endsWith(join("src", "errors.ts")))
  .map((f) => readFileSync(f, "utf8"))
  .join("\n");
/** Raised somewhere: new SealboxError("Name", …), a { code: "Name" } table entry, or ExitCode.Name. */
const raised = (name: string): boolean => new RegExp(`["']${name}["']|ExitCode\\.${name}\\b`).test(sources);

describe("docs/exit-codes.md", () => {
  it("lists every ExitCode with its number, and nothing else", () => {
    expect(rows.length).toBeGreaterThan(20);
    expect(Object.fromEntries(rows.map((r) => [r.name, r.code]))).toEqual(ExitCode);
  });

  it("calls reserved exactly the codes that no source file raises", () => {
    const reserved = rows.filter((r) => /\breserved\b/.test(r.when)).map((r) => r.name);
    const unused = Object.keys(ExitCode).filter((name) => !raised(name));
    expect(reserved.length).toBeGreaterThan(0);
    expect(reserved.sort()).toEqual(unused.sort());
  });
});
