// rotate runs big trees across threads (src/repo/threads.ts): the report must be exactly the one a
// single thread gives (same order, statuses and messages, failures included), every file must open
// afterwards, and identity sources must be read once per run, not once per thread.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, KEYS_A, ROOT, ageRule, encryptedRepo, openFile, rules, sameContent, sourcesFor, tempDir, type RepoFile } from "./helpers.js";
import type { RunReport } from "../../src/repo/run.js";

const COUNT = 90;

/** The report without its timing, which differs run to run. */
function comparable(stdout: string): Omit<RunReport, "durationMs"> {
  const { durationMs: _, ...rest } = JSON.parse(stdout) as RunReport;
  return rest;
}

describe("rotate across threads", () => {
  let template: string;
  let files: RepoFile[];

  beforeAll(async () => {
    template = tempDir();
    rules(template, ageRule([A]));
    files = await encryptedRepo(template, COUNT, [A]);
    // one damaged file in the middle: its failure must be reported the same way by both paths
    const damaged = join(template, files[40].path);
    // the first ciphertext character made another one (writing "0" left it as it was when it was one: 1 run in 64 then failed)
    writeFileSync(damaged, readFileSync(damaged, "utf8").replace(/ENC\[AES256_GCM,data:([A-Za-z0-9+/])/, (_, c: string) => `ENC[AES256_GCM,data:${c === "0" ? "1" : "0"}`));
  }, 60_000);

  it("reports exactly what one thread reports, and every file opens afterwards", async () => {
    const one = tempDir();
    const many = tempDir();
    cpSync(template, one, { recursive: true });
    cpSync(template, many, { recursive: true });
    const env = cliEnv(KEYS_A);
    const single = await sealbox(["rotate", "--json", "-j", "1", "secrets"], { cwd: one, env });
    const threaded = await sealbox(["rotate", "--json", "-j", "3", "secrets"], { cwd: many, env });
    expect(threaded.status).toBe(single.status);
    expect(single.status).not.toBe(0);
    const report = comparable(threaded.stdout);
    expect(report).toEqual(comparable(single.stdout));
    expect(report.summary).toMatchObject({ total: COUNT, rotated: COUNT - 1, failed: 1 });
    expect(report.files.find((f) => f.status === "failed")?.path).toBe(files[40].path);

    const sources = sourcesFor([KEYS_A]);
    for (const [i, f] of files.entries()) {
      if (i === 40) continue;
      expect(sameContent(f.path, (await openFile(many, f.path, sources)).plain)).toEqual(sameContent(f.path, f.plain));
    }
    // the damaged file is as it was, and no temp file is left anywhere
    expect(readFileSync(join(many, files[40].path))).toEqual(readFileSync(join(template, files[40].path)));
    const leftovers = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => p.includes("sealbox-tmp"));
    expect(leftovers(many)).toEqual([]);
  }, 90_000);

  it("needs the rules only where one thread would: named plain files beside a broken .sops.yaml are skipped", async () => {
    const dir = tempDir();
    const names = Array.from({ length: 60 }, (_, i) => `plain-${i}.txt`);
    for (const name of names) writeFileSync(join(dir, name), `value ${name}\n`);
    writeFileSync(join(dir, ".sops.yaml"), "creation_rules: [\n");
    const env = cliEnv(KEYS_A);
    const single = await sealbox(["rotate", "--json", "-j", "1", ...names], { cwd: dir, env });
    const threaded = await sealbox(["rotate", "--json", "-j", "2", ...names], { cwd: dir, env });
    expect(threaded.status).toBe(0);
    expect(comparable(threaded.stdout)).toEqual(comparable(single.stdout));
    expect(comparable(threaded.stdout).summary).toMatchObject({ total: 60, skipped: 60 });
  }, 90_000);

  it("does every file in this thread when a worker thread cannot start", async () => {
    // a copy of the built package without the worker's file: the worker fails as it loads
    const pkg = tempDir();
    for (const part of ["bin", "dist", "package.json"]) cpSync(join(ROOT, part), join(pkg, part), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
    rmSync(join(pkg, "dist/bundle/rotate-worker.js"));
    const dir = tempDir();
    cpSync(template, dir, { recursive: true });
    const result = spawnSync(process.execPath, [join(pkg, "bin/sealbox.js"), "rotate", "--json", "-j", "2", "secrets"], { cwd: dir, env: cliEnv(KEYS_A), encoding: "utf8" });
    const report = comparable(result.stdout);
    expect(report.summary).toMatchObject({ total: COUNT, rotated: COUNT - 1, failed: 1 });
    expect(report.files.find((f) => f.status === "failed")?.path).toBe(files[40].path);
  }, 90_000);

  it("runs SOPS_AGE_KEY_CMD once for the whole run", async () => {
    const dir = tempDir();
    cpSync(template, dir, { recursive: true });
    const counter = join(dir, "runs.log");
    const command = join(dir, "key-cmd.sh");
    writeFileSync(command, `#!/bin/sh\necho run >> '${counter}'\ncat '${KEYS_A}'\n`);
    chmodSync(command, 0o755);
    const result = await sealbox(["rotate", "-q", "-j", "2", "secrets"], { cwd: dir, env: cliEnv(undefined, { SOPS_AGE_KEY_CMD: command }) });
    expect(result.stderr).toContain(files[40].path);
    expect(readFileSync(counter, "utf8")).toBe("run\n");
  }, 90_000);

  it("runs a failing SOPS_AGE_KEY_CMD once too, and every file reports its failure", async () => {
    const dir = tempDir();
    cpSync(template, dir, { recursive: true });
    const counter = join(dir, "runs.log");
    const command = join(dir, "key-cmd.sh");
    writeFileSync(command, `#!/bin/sh\necho run >> '${counter}'\nexit 3\n`);
    chmodSync(command, 0o755);
    const result = await sealbox(["rotate", "--json", "-j", "2", "secrets"], { cwd: dir, env: cliEnv(undefined, { SOPS_AGE_KEY_CMD: command }) });
    const report = comparable(result.stdout);
    expect(report.summary).toMatchObject({ total: COUNT, failed: COUNT });
    expect(report.files.every((f) => /SOPS_AGE_KEY_CMD/.test(f.error?.message ?? ""))).toBe(true);
    expect(readFileSync(counter, "utf8")).toBe("run\n");
    // nothing was rewritten
    for (const f of files) expect(readFileSync(join(dir, f.path))).toEqual(readFileSync(join(template, f.path)));
  }, 90_000);
});
