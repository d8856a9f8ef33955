// updatekeys: recipients become exactly the rule's, the data key is kept (kept stanzas byte for byte,
// values, MAC and lastmodified untouched), and it will not change anything unasked off a terminal.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import YAML from "yaml";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, B, KEYS_A, KEYS_B, ageRule, encryptedRepo, gitInit, identityFile, newIdentity, openFile, rules, sourcesFor, tempDir, type RepoFile } from "./helpers.js";
import type { RunReport } from "../../src/repo/run.js";

describe("updatekeys", () => {
  let dir: string;
  let files: RepoFile[];
  let c: { file: string; recipient: string };
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    dir = tempDir();
    gitInit(dir);
    rules(dir, ageRule([A, B]));
    files = await encryptedRepo(dir, 6, [A, B]);
    c = newIdentity(tempDir("sealbox-keys-"), "c");
    rules(dir, ageRule([A, c.recipient]));
    env = cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A]));
  });

  function stanzas(path: string): { recipient: string; enc: string }[] {
    return YAML.parse(readFileSync(join(dir, path), "utf8")).sops.age;
  }

  it("keeps the data key and A's stanza, drops B's, adds C's; values, MAC and lastmodified unchanged", async () => {
    const yamlFile = files.find((f) => f.path.endsWith(".yaml"))!.path;
    const sources = sourcesFor([KEYS_A]);
    const before = await Promise.all(files.map((f) => openFile(dir, f.path, sources)));
    const stanzaA = stanzas(yamlFile).find((s) => s.recipient === A)!.enc;

    const result = await sealbox(["updatekeys", "-y", "--json", "secrets"], { cwd: dir, env });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    expect(report.summary).toMatchObject({ total: 6, updated: 6 });
    expect(report.files[0].changes).toEqual([`+ age:${c.recipient}`, `- age:${B}`]);

    for (const [i, f] of files.entries()) {
      const after = await openFile(dir, f.path, sources);
      expect(after.recipients).toEqual([A, c.recipient].sort());
      expect(after.dataKey).toBe(before[i].dataKey);
      expect(after.plain).toBe(before[i].plain);
      expect(after.mac).toBe(before[i].mac);
      expect(after.lastModified).toBe(before[i].lastModified);
      expect((await openFile(dir, f.path, sourcesFor([c.file]))).dataKey).toBe(before[i].dataKey);
      await expect(openFile(dir, f.path, sourcesFor([KEYS_B]))).rejects.toThrow(/could not retrieve the data key/);
    }
    expect(stanzas(yamlFile).find((s) => s.recipient === A)!.enc).toBe(stanzaA);

    const again = await sealbox(["updatekeys", "-y", "secrets"], { cwd: dir, env });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/updatekeys: 6 files — 6 unchanged/);
  });

  it("needs -y or --dry-run when stdin is not a terminal, and changes nothing without them", async () => {
    const bytes = files.map((f) => readFileSync(join(dir, f.path)));
    const refused = await sealbox(["updatekeys", "secrets"], { cwd: dir, env });
    expect(refused.status).toBe(8);
    expect(refused.stderr).toMatch(/confirm with -y, or see the changes with --dry-run/);
    const dry = await sealbox(["updatekeys", "--dry-run", "secrets"], { cwd: dir, env });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`would-update ${files[0].path}`);
    expect(dry.stdout).toContain(`+ age:${c.recipient}`);
    expect(dry.stdout).toContain(`- age:${B}`);
    files.forEach((f, i) => expect(readFileSync(join(dir, f.path)).equals(bytes[i])).toBe(true));
  });

  it("off a terminal, takes sops's y/n answer from stdin: n changes nothing, other words ask again, y applies", async () => {
    const bytes = files.map((f) => readFileSync(join(dir, f.path)));
    const no = await sealbox(["updatekeys", "secrets"], { cwd: dir, env, input: "n\n" });
    expect(no.status).toBe(0);
    expect(no.stdout).toContain(`+ age:${c.recipient}`);
    expect(no.stderr).toContain("(y/n): ");
    files.forEach((f, i) => expect(readFileSync(join(dir, f.path)).equals(bytes[i])).toBe(true));
    const yes = await sealbox(["updatekeys", "secrets"], { cwd: dir, env, input: "maybe\ny\n" });
    expect(yes.status).toBe(0);
    expect(yes.stderr.match(/\(y\/n\): /g)).toHaveLength(2);
    const sources = sourcesFor([KEYS_A]);
    for (const f of files) expect((await openFile(dir, f.path, sources)).recipients).toEqual([A, c.recipient].sort());
  });

  it("fails a file it cannot open without touching it, and still updates the others", async () => {
    const onlyB = cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_B]));
    // One file B cannot open: encrypted for C only.
    const { encrypt } = await import("../../src/ops/sops-ops.js");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, files[1].path), await encrypt(Buffer.from(files[1].plain), { filename: files[1].path, age: [c.recipient], sources: sourcesFor([]) }));
    const bytes = readFileSync(join(dir, files[1].path));
    rules(dir, ageRule([B, c.recipient]));
    const result = await sealbox(["updatekeys", "-y", "secrets"], { cwd: dir, env: onlyB });
    expect(result.status).toBe(128);
    expect(result.stdout).toMatch(new RegExp(`failed +${files[1].path.replace(/\./g, "\\.")}`));
    expect(result.stdout).toMatch(/5 updated, 1 failed/);
    expect(readFileSync(join(dir, files[1].path)).equals(bytes)).toBe(true);
    for (const f of files.filter((_, i) => i !== 1)) expect((await openFile(dir, f.path, sourcesFor([c.file]))).recipients).toEqual([B, c.recipient].sort());
  });

  it("a named file failing on a broken rules file is reported with the rules file's line, not a line of its own", async () => {
    rules(dir, `creation_rules:\n  - path_regex: "(unclosed"\n    age: ${A}\n`);
    const result = await sealbox(["updatekeys", "--dry-run", "--json", files[0].path], { cwd: dir, env });
    expect(result.status).toBe(5);
    const [file] = (JSON.parse(result.stdout) as RunReport).files;
    expect(file.path).toBe(files[0].path);
    expect(file.error?.message).toMatch(new RegExp(`^${join(dir, ".sops.yaml").replace(/\./g, "\\.")}:2: path_regex is not a valid regular expression`));
    expect(file.error?.line).toBeUndefined();
  });

  it("through a symlink, rewrites the target once and keeps the link a link", async () => {
    const { lstatSync, readlinkSync, symlinkSync } = await import("node:fs");
    const target = files[0].path;
    symlinkSync(join(dir, target), join(dir, "secrets/alias.yaml"));
    const result = await sealbox(["rotate", "--json", "secrets", "secrets/alias.yaml"], { cwd: dir, env });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    expect(report.summary).toMatchObject({ total: 6, rotated: 6 });
    expect(lstatSync(join(dir, "secrets/alias.yaml")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "secrets/alias.yaml"))).toBe(join(dir, target));
    expect((await openFile(dir, target, sourcesFor([c.file]))).recipients).toEqual([A, c.recipient].sort());
  });
});
