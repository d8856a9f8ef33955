// The audit functions of the library (docs/api.md "Whole repositories") called with arguments of the
// wrong type: each is refused at the call with a TypeError naming the argument, instead of being
// ignored (a --max-age of "90" flagged nothing, a misspelt --fail-on level never failed) or
// misread deep inside (a paths string was walked letter by letter).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { audit, reachesThreshold, type AuditOptions, type AuditReport } from "../../src/audit/audit.js";
import { formatReport, type AuditFormat } from "../../src/audit/format.js";
import type { Level } from "../../src/audit/rules.js";
import { scratchDirs } from "../hardening/helpers.js";

const scratch = scratchDirs();

/** A directory with one plaintext Secret in it: one "error" finding. */
async function leakyReport(): Promise<{ dir: string; report: AuditReport }> {
  const dir = scratch("sealbox-audit-args-");
  writeFileSync(join(dir, "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2-in-clear\n");
  return { dir, report: await audit({ paths: ["."], cwd: dir }) };
}

describe("audit() arguments", () => {
  it("refuses a paths string instead of auditing each of its letters", async () => {
    const { dir } = await leakyReport();
    await expect(audit({ paths: "secret.yaml" as unknown as string[], cwd: dir })).rejects.toThrow(new TypeError("audit(): options.paths must be an array of path strings, got string"));
    await expect(audit(undefined as unknown as AuditOptions)).rejects.toThrow(TypeError);
    await expect(audit({ paths: [".", 5 as unknown as string], cwd: dir })).rejects.toThrow("audit(): options.paths must be an array of path strings, got number");
  });

  it("refuses day counts that are not numbers instead of checking nothing", async () => {
    const { dir } = await leakyReport();
    await expect(audit({ paths: ["."], cwd: dir, maxAgeDays: "90" as unknown as number })).rejects.toThrow("audit(): options.maxAgeDays must be a number of days (0 or more), got string");
    await expect(audit({ paths: ["."], cwd: dir, certWarningDays: -1 })).rejects.toThrow(TypeError);
    await expect(audit({ paths: ["."], cwd: dir, now: new Date("not a date") })).rejects.toThrow("audit(): options.now must be a valid Date");
  });

  it("reachesThreshold refuses a misspelt level, which would never fail the run", async () => {
    const { report } = await leakyReport();
    expect(reachesThreshold(report, "error")).toBe(1);
    expect(reachesThreshold(report, "none")).toBe(0);
    expect(() => reachesThreshold(report, "erorr" as Level)).toThrow(new TypeError('reachesThreshold(): threshold must be one of "error", "warning", "note", "none", got "erorr"'));
    expect(() => reachesThreshold(undefined as unknown as AuditReport, "error")).toThrow("reachesThreshold(): report must be the report audit() returned, got undefined");
  });

  it("formatReport refuses an unknown format instead of printing a table where JSON was asked for", async () => {
    const { report } = await leakyReport();
    expect(JSON.parse(formatReport(report, "json")).summary.findings.error).toBe(1);
    expect(() => formatReport(report, "yml" as AuditFormat)).toThrow(new TypeError('formatReport(): format must be one of "table", "json", "sarif", got "yml"'));
    expect(() => formatReport(null as unknown as AuditReport, "json")).toThrow("formatReport(): report must be the report audit() returned, got null");
  });
});
