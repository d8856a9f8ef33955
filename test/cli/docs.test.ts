// The command reference is generated from the CLI itself; this keeps docs/cli.md true to the code.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { ROOT } from "../helpers/fixtures.js";

describe("docs/cli.md", () => {
  it("matches what `sealbox --help` prints for every command (regenerate: node scripts/cli-doc.mjs)", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "cli-doc.mjs"), "--check"], { cwd: ROOT });
    expect(r.stderr.toString()).toBe("");
    expect(r.status).toBe(0);
  });

  it("every command has an example in its help", () => {
    const doc = readFileSync(join(ROOT, "docs", "cli.md"), "utf8");
    const sections = doc.split(/^## /m).slice(2);
    const withoutExample = sections.filter((s) => !/Example/.test(s) && !/Commands:/.test(s)).map((s) => s.split("\n")[0]);
    expect(withoutExample).toEqual([]);
  });
});
