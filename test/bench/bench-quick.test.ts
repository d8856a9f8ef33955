// `npm run bench -- --quick` as a smoke test: every section runs against the built CLI, the binary
// store round-trips through sealbox and age, and nothing is written to docs/ (targets are not
// asserted here: they need the full sizes and a quiet machine).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/fixtures.js";

interface Row {
  section: string;
  name: string;
  ms?: number;
  error?: string;
  roundTrip?: boolean;
  tool?: string;
}

describe("the benchmark suite", () => {
  it("runs every section in quick mode and reports each measurement", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "bench", "run.js"), "--quick", "--json"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const { rows, machine } = JSON.parse(run.stdout) as { rows: Row[]; machine: { nproc: string; node: string } };
    expect(machine.node).toBe(process.version);
    const names = rows.map((r) => r.name);
    for (const expected of ["`node -e 0`", "`sealbox --version`", "`sealbox decrypt` one small file", "encrypt 10 files (library)", "decrypt 10 files (library)", "`sealbox rotate` 10 files", "sealbox encrypt", "sealbox decrypt"]) {
      expect(names).toContain(expected);
    }
    expect(rows.filter((r) => r.error)).toEqual([]);
    for (const row of rows.filter((r) => r.ms !== undefined)) expect(row.ms).toBeGreaterThan(0);
    expect(rows.find((r) => r.tool === "sealbox" && r.name === "sealbox decrypt")?.roundTrip).toBe(true);
  }, 120_000);
});
