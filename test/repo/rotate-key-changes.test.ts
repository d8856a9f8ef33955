// rotate's --add-age/--rm-age (sops rotate's flags): the recipients each file gets this run, on top of
// its rule's (or, without a rule, its own, as sops rotate does), across threads too; a bad recipient
// stops the run before anything is read, and removing every recipient fails the file, writing nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, B, KEYS_A, ageRule, encryptedRepo, identityFile, newIdentity, openFile, rules, sameContent, sourcesFor, tempDir } from "./helpers.js";
import type { RunReport } from "../../src/repo/run.js";

const env = () => cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A]));

describe("rotate --add-age / --rm-age", () => {
  it("without rules, changes the file's own recipients as sops rotate -i does, with a new data key", async () => {
    const dir = tempDir();
    const files = await encryptedRepo(dir, 3, [A, B]);
    const c = newIdentity(tempDir("sealbox-keys-"), "c");
    const before = await openFile(dir, files[0].path, sourcesFor([KEYS_A]));
    const result = await sealbox(["rotate", "-i", "--json", "--add-age", c.recipient, "--rm-age", B, ...files.map((f) => f.path)], { cwd: dir, env: env() });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    expect(report.files.map((f) => f.changes)).toEqual(files.map(() => [`+ age:${c.recipient}`, `- age:${B}`]));
    for (const f of files) {
      const opened = await openFile(dir, f.path, sourcesFor([c.file]));
      expect(opened.recipients).toEqual([A, c.recipient].sort());
      expect(sameContent(f.path, opened.plain)).toEqual(sameContent(f.path, f.plain));
    }
    expect((await openFile(dir, files[0].path, sourcesFor([KEYS_A]))).dataKey).not.toBe(before.dataKey);
  });

  it("with rules, changes what the rule names, in every thread", async () => {
    const dir = tempDir();
    rules(dir, ageRule([A, B]));
    const files = await encryptedRepo(dir, 60, [A]);
    const c = newIdentity(tempDir("sealbox-keys-"), "c");
    const result = await sealbox(["rotate", "-q", "-j", "2", "--add-age", c.recipient, "--rm-age", B, "secrets"], { cwd: dir, env: env() });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    for (const f of files) expect((await openFile(dir, f.path, sourcesFor([c.file]))).recipients).toEqual([A, c.recipient].sort());
    // the rules file itself is left as it was
    expect(readFileSync(join(dir, ".sops.yaml"), "utf8")).toBe(ageRule([A, B]));
  }, 60_000);

  it("refuses a malformed recipient before reading any file, and a file nobody could open after the change", async () => {
    const dir = tempDir();
    const files = await encryptedRepo(dir, 2, [A, B]);
    const paths = files.map((f) => f.path);
    const before = paths.map((p) => readFileSync(join(dir, p)));
    const bad = await sealbox(["rotate", "--add-age", "age1notarecipient", ...paths], { cwd: dir, env: env() });
    expect(bad.status).toBe(111);
    expect(bad.stderr).toMatch(/--add-age: .*not an age recipient/);
    const empty = await sealbox(["rotate", "--rm-age", `${A},${B}`, ...paths], { cwd: dir, env: env() });
    expect(empty.status).toBe(111);
    expect(empty.stdout).toMatch(/nobody could open it/);
    expect(paths.map((p) => readFileSync(join(dir, p)))).toEqual(before);
  });
});
