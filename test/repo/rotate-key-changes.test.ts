// rotate's --add-age/--rm-age (sops rotate's flags): the recipients each file gets this run, on top of
// its rule's (or, without a rule, its own, as sops rotate does), across threads too; a bad recipient
// stops the run before anything is read, and removing every recipient fails the file, writing nothing.
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, B, KEYS_A, ROOT, ageRule, encryptedRepo, identityFile, newIdentity, openFile, rules, sameContent, sourcesFor, tempDir } from "./helpers.js";
import type { RunReport } from "../../src/repo/run.js";
import { applyKeyChanges } from "../../src/repo/rekey.js";
import type { RecipientGroup } from "../../src/keys/types.js";

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

  it("never echoes a secret key pasted where a recipient belongs", async () => {
    const identity = readFileSync(KEYS_A, "utf8").match(/AGE-SECRET-KEY-1[0-9A-Z]+/)![0];
    const result = await sealbox(["rotate", "--add-age", identity, "x.yaml"], { cwd: tempDir(), env: env() });
    expect(result.status).toBe(111);
    expect(result.stderr).toContain("a secret key, not shown");
    expect(result.stderr + result.stdout).not.toContain(identity.slice(16, 26));
  });

  it("refuses what would weaken a Shamir split: a key added beside another group's, a group emptied", async () => {
    const groups = join(ROOT, "fixtures/interop/sops/key_groups");
    const dir = tempDir();
    const file = join(dir, "kg.yaml");
    copyFileSync(join(groups, "key_groups.enc.yaml"), file);
    const before = readFileSync(file);
    const env12 = cliEnv(join(groups, "keys_12.txt"));
    const inGroup1 = "age17ek4lhhceszt2xf05c8g7zyws3jxjl40r9jupkmj60khksgndd9su3rtqm";
    const inGroup2 = "age1r60u0enqwh6e9wff0eyq242l47wuj6lg4vm4x47kpa64e4h6vy2staax3g";
    const added = await sealbox(["rotate", "--json", "--add-age", inGroup1, file], { env: env12 });
    expect(added.status).toBe(8);
    expect(added.stdout).toContain("is already in key group 1");
    const emptied = await sealbox(["rotate", "--json", "--rm-age", inGroup2, file], { env: env12 });
    expect(emptied.status).toBe(8);
    expect(emptied.stdout).toContain("empties key group 2");
    expect(readFileSync(file)).toEqual(before);
    // a change that keeps every group is made
    const c = newIdentity(tempDir("sealbox-keys-"), "c");
    expect((await sealbox(["rotate", "--add-age", c.recipient, file], { env: env12 })).status).toBe(0);
    expect(readFileSync(file, "utf8")).toContain(c.recipient);
  });

  it("refuses a KMS key another group holds under another role or context, as groups add does", () => {
    const arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const groups: RecipientGroup[] = [[{ type: "age", recipient: A }], [{ type: "kms", arn, context: { app: "billing" } }]];
    for (const spec of [
      { type: "kms" as const, arn, role: "arn:aws:iam::111122223333:role/other" },
      { type: "kms" as const, arn, context: { app: "other" } },
    ]) {
      expect(() => applyKeyChanges(groups, { add: [spec], remove: [] })).toThrow(/already in key group 1/);
    }
    const other = { type: "kms" as const, arn: arn.replace("1234abcd", "9999abcd") };
    expect(applyKeyChanges(groups, { add: [other], remove: [] })).toEqual([[{ type: "age", recipient: A }, other], groups[1]]);
  });
});
