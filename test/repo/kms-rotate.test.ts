// rotate with AWS KMS in the rules, against the test KMS on 127.0.0.1: moving files from one KMS key
// to another costs exactly one Decrypt (old key) and one Encrypt (new key) per file, no more.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { startKmsServer, type KmsServer, type TestKey } from "../helpers/kms-server.js";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, KEYS_A, gitInit, identityFile, plainFor, tempDir } from "./helpers.js";

const COUNT = 12;

describe("rotate from one KMS key to another", () => {
  let server: KmsServer;
  let oldKey: TestKey;
  let newKey: TestKey;
  let dir: string;

  beforeAll(async () => {
    server = await startKmsServer();
    oldKey = server.createKey({ region: "eu-west-1" });
    newKey = server.createKey({ region: "eu-west-1" });
    dir = tempDir("sealbox-kms-rotate-");
    gitInit(dir);
    mkdirSync(join(dir, "secrets"));
    const rule = (arn: string) => `creation_rules:\n  - path_regex: ^secrets/\n    kms: ${arn}\n    age: ${A}\n`;
    writeFileSync(join(dir, ".sops.yaml"), rule(oldKey.arn));
    const names = Array.from({ length: COUNT }, (_, i) => `secrets/s${i}.yaml`);
    names.forEach((n, i) => writeFileSync(join(dir, n), plainFor(i, "yaml")));
    const encrypted = await sealbox(["encrypt", "-i", ...names], { cwd: dir, env: cliEnv(undefined, server.env()) });
    expect(encrypted.stderr).toBe("");
    expect(encrypted.status).toBe(0);
    writeFileSync(join(dir, ".sops.yaml"), rule(newKey.arn));
  }, 60_000);

  afterAll(async () => {
    await server.close();
  });

  it("opens each file with one Decrypt, wraps it with one Encrypt, and names only the new key", async () => {
    const before = server.calls.length;
    // No age identity: the old KMS key is the only way in.
    const result = await sealbox(["rotate", "--json", "-j", "4", "."], { cwd: dir, env: cliEnv(undefined, server.env()) });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).summary).toMatchObject({ total: COUNT, rotated: COUNT });
    const calls = server.calls.slice(before).filter((c) => c.service === "kms");
    expect(calls.filter((c) => c.action === "Decrypt" && c.status === 200)).toHaveLength(COUNT);
    expect(calls.filter((c) => c.action === "Encrypt" && c.status === 200)).toHaveLength(COUNT);
    expect(calls.filter((c) => c.status !== 200)).toEqual([]);

    for (let i = 0; i < COUNT; i++) {
      const path = `secrets/s${i}.yaml`;
      const meta = YAML.parse(readFileSync(join(dir, path), "utf8")).sops;
      expect(meta.kms.map((k: { arn: string }) => k.arn)).toEqual([newKey.arn]);
      expect(meta.age.map((k: { recipient: string }) => k.recipient)).toEqual([A]);
    }
    // the values survive: the age key alone (no KMS reachable) opens a rotated file
    const decrypted = await sealbox(["decrypt", "secrets/s3.yaml"], { cwd: dir, env: cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A])) });
    expect(decrypted.status).toBe(0);
    expect(decrypted.stdout).toBe(plainFor(3, "yaml"));
  });

  it("--rm-kms and --add-kms change the rule's keys for this run, and the file opens with the added key alone", async () => {
    const path = "secrets/s5.yaml";
    // removal matches by ARN alone, as sops's does: a role given with it does not have to match
    const result = await sealbox(["rotate", "--json", "--rm-kms", `${newKey.arn}+arn:aws:iam::111122223333:role/any`, "--add-kms", oldKey.arn, path], { cwd: dir, env: cliEnv(undefined, server.env()) });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).files[0].changes).toEqual([`+ kms:${oldKey.arn}`, `- kms:${newKey.arn}`]);
    const meta = YAML.parse(readFileSync(join(dir, path), "utf8")).sops;
    expect(meta.kms.map((k: { arn: string }) => k.arn)).toEqual([oldKey.arn]);
    expect(meta.age.map((k: { recipient: string }) => k.recipient)).toEqual([A]);
    const before = server.calls.length;
    const decrypted = await sealbox(["decrypt", "--decryption-order", "kms", path], { cwd: dir, env: cliEnv(undefined, server.env()) });
    expect(decrypted.stdout).toBe(plainFor(5, "yaml"));
    expect(server.calls.slice(before).filter((c) => c.action === "Decrypt" && c.status === 200)).toHaveLength(1);
  });
});
