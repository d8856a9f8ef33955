// sops groups add/delete as a user runs them: real processes and files, identities from the real
// age-keygen. What a change of groups means is proven by who can decrypt afterwards.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { cliEnv, sealboxSync } from "../helpers/cli.js";
import { groupsWithAdded } from "../../src/ops/key-groups.js";
import type { OpenedFile } from "../../src/ops/sops-ops.js";
import { A, B, KEYS_A, KEYS_B, identityFile, newIdentity, tempDir } from "../repo/helpers.js";

const PLAIN = "password: hunter2\nuser: admin\n";

function setup() {
  const dir = tempDir("sealbox-groups-");
  const c = newIdentity(dir, "c");
  const file = join(dir, "s.yaml");
  writeFileSync(file, PLAIN);
  expect(sealboxSync(["encrypt", "--age", A, "-i", file], { env: cliEnv(KEYS_A) }).status).toBe(0);
  const keys = (...names: string[]) => identityFile(dir, `${names.join("")}.txt`, names.map((n) => ({ a: KEYS_A, b: KEYS_B, c: c.file })[n]!));
  const decrypt = (keyFile: string) => sealboxSync(["decrypt", file], { env: cliEnv(keyFile) });
  const groups = (...args: string[]) => sealboxSync(["groups", ...args, "--file", file], { env: cliEnv(keys("a", "b", "c")) });
  const metadata = () => YAML.parse(readFileSync(file, "utf8")).sops;
  return { dir, c, file, keys, decrypt, groups, metadata };
}

describe("sealbox groups", () => {
  it("add: a second group means both are needed (threshold 2), and the values stay the same", () => {
    const { file, keys, decrypt, groups, metadata } = setup();
    const r = groups("add", "--age", B, "-i");
    expect(r.stderr.toString()).toBe("");
    expect(r.status).toBe(0);
    expect(metadata().key_groups).toHaveLength(2);
    expect(metadata().shamir_threshold).toBe(2);
    expect(decrypt(keys("a")).status).toBe(128);
    expect(decrypt(keys("b")).status).toBe(128);
    const both = decrypt(keys("a", "b"));
    expect(both.status).toBe(0);
    expect(both.stdout.toString()).toBe(PLAIN);
    expect(readFileSync(file, "utf8")).not.toContain("hunter2");
  });

  it("add takes --age repeated (every one joins the group, as in sops) and -f for --file", () => {
    const { c, file, keys, decrypt, metadata } = setup();
    const r = sealboxSync(["groups", "add", "-f", file, "--age", B, "--age", c.recipient, "-i"], { env: cliEnv(keys("a")) });
    expect(r.stderr.toString()).toBe("");
    expect(metadata().key_groups[1].age.map((stanza: { recipient: string }) => stanza.recipient)).toEqual([B, c.recipient]);
    // either key of the new group holds its share
    expect(decrypt(keys("a", "c")).stdout.toString()).toBe(PLAIN);
    expect(decrypt(keys("a", "b")).stdout.toString()).toBe(PLAIN);
  });

  it("keeps the values, their MAC and lastmodified as they were, as sops does: a diff shows the keys alone", () => {
    const { file, keys, decrypt, groups, metadata } = setup();
    const values = (text: string) => text.split("\n").filter((line) => /^\w+: ENC\[/.test(line));
    const before = readFileSync(file, "utf8");
    const { lastmodified, mac } = metadata();
    expect(groups("add", "--age", B, "-i").status).toBe(0);
    expect(values(readFileSync(file, "utf8"))).toEqual(values(before));
    expect(values(before)).toHaveLength(2);
    expect(metadata().lastmodified).toBe(lastmodified);
    expect(metadata().mac).toBe(mac);
    expect(decrypt(keys("a", "b")).stdout.toString()).toBe(PLAIN);
  });

  it("add with --shamir-secret-sharing-threshold 1 is refused, as sops's split refuses it: one group is for that", () => {
    const { file, groups } = setup();
    const before = readFileSync(file, "utf8");
    const r = groups("add", "--age", B, "--shamir-secret-sharing-threshold", "1", "-i");
    expect(r.status).toBe(8);
    expect(r.stderr.toString()).toContain("put them in one group");
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("--shamir-secret-sharing-threshold 0 is sops's default, not given: both groups needed; a non-number is refused, the file untouched", () => {
    const { file, keys, decrypt, groups, metadata } = setup();
    expect(groups("add", "--age", B, "--shamir-secret-sharing-threshold", "0", "-i").status).toBe(0);
    expect(metadata().shamir_threshold).toBe(2);
    expect(decrypt(keys("a")).status).toBe(128);
    expect(decrypt(keys("a", "b")).stdout.toString()).toBe(PLAIN);
    const before = readFileSync(file, "utf8");
    for (const bad of ["two", "-1", "1.5"]) {
      const r = groups("add", "--age", B, "--shamir-secret-sharing-threshold", bad, "-i");
      expect(r.status).not.toBe(0);
      expect(r.stderr.toString()).toContain(`argument '${bad}' is invalid. a whole number is needed`);
    }
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("delete: back to one group, whose keys alone open it; the deleted group's keys no longer do", () => {
    const { c, keys, decrypt, groups, metadata } = setup();
    expect(groups("add", "--age", B, "-i").status).toBe(0);
    expect(groups("add", "--age", c.recipient, "--shamir-secret-sharing-threshold", "2", "-i").status).toBe(0);
    expect(metadata().key_groups).toHaveLength(3);
    expect(decrypt(keys("b", "c")).stdout.toString()).toBe(PLAIN);
    // three groups, threshold 2: deleting group 0 leaves two, both needed
    expect(groups("delete", "0", "-i").status).toBe(0);
    expect(decrypt(keys("a")).status).toBe(128);
    expect(decrypt(keys("b", "c")).stdout.toString()).toBe(PLAIN);
    // down to one group (which then opens the file alone) only when the threshold is lowered to 1, as in sops
    expect(groups("delete", "1", "-i").status).toBe(8);
    expect(groups("delete", "1", "--shamir-secret-sharing-threshold", "1", "-i").status).toBe(0);
    expect(metadata().key_groups).toBeUndefined();
    expect(metadata().age).toHaveLength(1);
    expect(metadata().shamir_threshold).toBeUndefined();
    expect(decrypt(keys("b")).stdout.toString()).toBe(PLAIN);
    expect(decrypt(keys("c")).status).toBe(128);
  });

  it("prints the new file without -i, leaving the file as it was", () => {
    const { file, keys, groups } = setup();
    const before = readFileSync(file, "utf8");
    const r = groups("add", "--age", B);
    expect(r.status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(before);
    const printed = YAML.parse(r.stdout.toString());
    expect(printed.sops.key_groups).toHaveLength(2);
    const decrypted = sealboxSync(["decrypt", "--input-type", "yaml"], { input: r.stdout, env: cliEnv(keys("a", "b")) });
    expect(decrypted.stdout.toString()).toBe(PLAIN);
  });

  it("refuses what would lock everyone out or weaken the split, writing nothing", () => {
    const { file, groups } = setup();
    const before = readFileSync(file, "utf8");
    const refused: [string[], number, string][] = [
      [["delete", "0", "-i"], 8, "one key group"],
      [["delete", "3", "-i"], 8, "no key group 3"],
      [["delete", "x", "-i"], 8, "whole number"],
      [["add", "-i"], 111, "--age or --kms"],
      [["add", "--age", A, "-i"], 8, "already in key group 0"],
    ];
    for (const [args, status, message] of refused) {
      const r = groups(...args);
      expect(r.status, args.join(" ")).toBe(status);
      expect(r.stderr.toString()).toContain(message);
      expect(readFileSync(file, "utf8")).toBe(before);
    }
    // two groups with threshold 2: deleting one would leave a threshold nobody can meet
    expect(groups("add", "--age", B, "-i").status).toBe(0);
    const twoGroups = readFileSync(file, "utf8");
    for (const extra of [[], ["--shamir-secret-sharing-threshold", "3"]]) {
      const impossible = groups("delete", "1", ...extra, "-i");
      expect(impossible.status).toBe(8);
      expect(impossible.stderr.toString()).toContain("lower it with --shamir-secret-sharing-threshold");
      expect(readFileSync(file, "utf8")).toBe(twoGroups);
    }
  });
  it("a file with several groups and no shamir_threshold needs them all: so does the file with a group more, as in sops", () => {
    const { c, file, keys, decrypt, groups, metadata } = setup();
    expect(groups("add", "--age", B, "-i").status).toBe(0);
    writeFileSync(file, readFileSync(file, "utf8").replace(/^ {4}shamir_threshold: 2\n/m, ""));
    expect(metadata().shamir_threshold).toBeUndefined();
    expect(groups("add", "--age", c.recipient, "-i").status).toBe(0);
    expect(metadata().shamir_threshold).toBe(3);
    expect(decrypt(keys("a", "c")).status).toBe(128);
    expect(decrypt(keys("a", "b", "c")).stdout.toString()).toBe(PLAIN);
  });
});

describe("groupsWithAdded", () => {
  const ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const opened = (stanza: Record<string, unknown>) =>
    ({ metadata: { keyGroups: [[{ type: "kms", arn: ARN, enc: "x", created_at: "2026-01-01T00:00:00Z", ...stanza }]] } }) as unknown as OpenedFile;

  it("refuses a KMS key another group holds, whatever its encryption context, role or profile: the context is in the file", () => {
    for (const spec of [
      { type: "kms" as const, arn: ARN, context: { app: "other" } },
      { type: "kms" as const, arn: ARN, role: "arn:aws:iam::111122223333:role/other" },
      { type: "kms" as const, arn: ARN, awsProfile: "other" },
    ]) {
      expect(() => groupsWithAdded(opened({ context: { app: "billing" } }), [spec])).toThrow(/already in key group 0/);
    }
    expect(groupsWithAdded(opened({}), [{ type: "kms", arn: ARN.replace("1234abcd", "9999abcd") }])).toHaveLength(2);
  });
});
