// The "done when": in a git repository of hundreds of encrypted files, after one recipient is
// dropped from the rules and another added, one `sealbox rotate` gives every file a new data key and
// exactly the new recipients, with every value unchanged.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, B, KEYS_A, KEYS_B, ageRule, encryptedRepo, git, gitInit, identityFile, newIdentity, openFile, rules, sameContent, sourcesFor, tempDir, type RepoFile } from "./helpers.js";
import type { RunReport } from "../../src/repo/run.js";
import type { AuditReport } from "../../src/audit/audit.js";

const COUNT = 300;

describe("repo-wide rotate after a recipient change", () => {
  let dir: string;
  let files: RepoFile[];
  let c: { file: string; recipient: string };
  const before = new Map<string, string>();

  beforeAll(async () => {
    dir = tempDir();
    gitInit(dir);
    c = newIdentity(tempDir("sealbox-keys-"), "c");
    rules(dir, ageRule([A, B]));
    files = await encryptedRepo(dir, COUNT, [A, B]);
    const sources = sourcesFor([KEYS_A]);
    for (const f of files) before.set(f.path, (await openFile(dir, f.path, sources)).dataKey);
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "secrets");
    // B leaves, C joins: one edit of the rules, then one command.
    rules(dir, ageRule([A, c.recipient]));
  }, 60_000);

  it("gives every file a new data key and exactly the rule's recipients, values unchanged", async () => {
    const started = Date.now();
    const result = await sealbox(["rotate", "--json", "."], { cwd: dir, env: cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A])) });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    expect(report.summary).toMatchObject({ total: COUNT, rotated: COUNT });
    expect(report.files.every((f) => f.status === "rotated" && f.kind === "sops")).toBe(true);
    expect(report.files[0].changes).toEqual([`+ age:${c.recipient}`, `- age:${B}`]);
    expect(Date.now() - started).toBeLessThan(30_000);

    const viaA = sourcesFor([KEYS_A]);
    const viaC = sourcesFor([c.file]);
    const viaB = sourcesFor([KEYS_B]);
    for (const f of files) {
      const opened = await openFile(dir, f.path, viaA);
      expect(opened.recipients).toEqual([A, c.recipient].sort());
      expect(sameContent(f.path, opened.plain)).toEqual(sameContent(f.path, f.plain));
      expect(opened.dataKey).not.toBe(before.get(f.path));
      // the new member can open it; the one who left cannot
      expect((await openFile(dir, f.path, viaC)).dataKey).toBe(opened.dataKey);
      await expect(openFile(dir, f.path, viaB)).rejects.toThrow(/could not retrieve the data key/);
    }
    // mode kept, nothing but the files changed, no temp files left behind
    for (const f of files.slice(0, 10)) expect(statSync(join(dir, f.path)).mode & 0o777).toBe(0o640);
    const status = git(dir, "status", "--porcelain", "--untracked-files=all").replace(/\n$/, "").split("\n");
    expect(status.filter((l) => !l.startsWith(" M secrets/"))).toEqual([" M .sops.yaml"]);
    expect(status).toHaveLength(COUNT + 1);
  });

  it("walks only what git tracks or would track, and says so for a plaintext file a rule covers", async () => {
    writeFileSync(join(dir, ".gitignore"), "secrets/ignored.yaml\n");
    writeFileSync(join(dir, "secrets/ignored.yaml"), "password: not-a-sops-file\n");
    writeFileSync(join(dir, "secrets/plain.yaml"), "password: forgot-to-encrypt\n");
    const result = await sealbox(["rotate", "--json", "--dry-run", "secrets/team0", "secrets/plain.yaml", "secrets"], { cwd: dir, env: cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A])) });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    const paths = report.files.map((f) => f.path);
    expect(paths).not.toContain("secrets/ignored.yaml");
    expect(new Set(paths).size).toBe(paths.length); // named twice (directly and by a directory): once
    expect(report.files.find((f) => f.path === "secrets/plain.yaml")).toMatchObject({ status: "skipped", note: "not encrypted" });
    expect(report.summary["would-rotate"]).toBe(COUNT);
    expect(readFileSync(join(dir, "secrets/plain.yaml"), "utf8")).toBe("password: forgot-to-encrypt\n");
    expect(result.stdout).not.toContain("forgot-to-encrypt");
  });

  it("then audit names every file's recipients and flags a committed plaintext Secret, the plain file and a stray recipient, printing no secret", async () => {
    const { encrypt } = await import("../../src/ops/sops-ops.js");
    writeFileSync(join(dir, "db-secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: committed-in-clear-77\n");
    writeFileSync(join(dir, "secrets/stray.yaml"), await encrypt(Buffer.from("password: stray-value-88\n"), { filename: "secrets/stray.yaml", age: [A, B], sources: sourcesFor([]) }));
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "rotated, plus two mistakes");
    const result = await sealbox(["audit", "--format", "json"], { cwd: dir, env: cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A])) });
    expect(result.status).toBe(80);
    const report = JSON.parse(result.stdout) as AuditReport;
    expect(report.summary).toMatchObject({ files: COUNT + 1, sops: COUNT + 1 });
    const byPath = new Map(report.files.map((f) => [f.path, f.recipients.map((r) => r.recipient).sort()]));
    for (const f of files) expect(byPath.get(f.path)).toEqual([A, c.recipient].sort());
    expect(byPath.get("secrets/stray.yaml")).toEqual([A, B].sort());
    expect(report.findings.filter((f) => f.level === "error").map((f) => `${f.ruleId} ${f.path}`)).toEqual(["SBX001 db-secret.yaml", "SBX002 secrets/plain.yaml", "SBX010 secrets/stray.yaml"]);
    const everything = result.stdout + result.stderr;
    for (const secret of ["committed-in-clear-77", "stray-value-88", "forgot-to-encrypt", ...files.slice(0, 50).map((f) => /pw-[^"\n]+/.exec(f.plain)![0])]) expect(everything).not.toContain(secret);
  });
});
