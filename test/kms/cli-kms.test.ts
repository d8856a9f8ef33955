// The CLI end to end with AWS KMS: `node bin/sealbox.js` in a child process, the real SDK inside it,
// and the test KMS on 127.0.0.1 reached through AWS_ENDPOINT_URL_KMS.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealbox as runCli, type CliResult } from "../helpers/cli.js";
import { startKmsServer } from "../helpers/kms-server.js";
import type { KmsServer, TestKey } from "../helpers/kms-server.js";

const PLAIN = "database:\n    user: admin\n    password: s3cr3t-kms\napi_key: abc-123\n";

let server: KmsServer;
let downUrl: string;
let dir: string;
let keyA: TestKey;
let keyB: TestKey;
let age: { identityFile: string; recipient: string };

/** Runs the CLI with only the test KMS's environment: no age identity unless `env` brings one. */
function sealbox(args: string[], env: Record<string, string> = {}, kmsUrl = server.url): Promise<CliResult> {
  return runCli(args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, "xdg"),
      ...server.env({ AWS_ENDPOINT_URL_KMS: kmsUrl }),
      ...env,
    },
  });
}

beforeAll(async () => {
  server = await startKmsServer();
  const down = await startKmsServer();
  downUrl = down.url; // nothing listens here once closed: connection refused
  await down.close();
  dir = mkdtempSync(join(tmpdir(), "sealbox-cli-kms-"));
  writeFileSync(join(dir, "secrets.yaml"), PLAIN);
  keyA = server.createKey({ region: "eu-west-1" });
  keyB = server.createKey({ region: "us-east-1" });
  execFileSync("age-keygen", ["-o", join(dir, "age.txt")], { stdio: "ignore" });
  const recipient = /public key: (age1\w+)/.exec(readFileSync(join(dir, "age.txt"), "utf8"))![1]!;
  age = { identityFile: join(dir, "age.txt"), recipient };
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sealbox encrypt/decrypt with AWS KMS", () => {
  it("encrypts to two KMS keys with an encryption context and decrypts with no age key present", async () => {
    const enc = await sealbox(["encrypt", "--kms", `${keyA.arn},${keyB.arn}`, "--encryption-context", "app:billing,env:prod", "secrets.yaml"]);
    expect(enc.stderr).toBe("");
    expect(enc.status).toBe(0);
    expect(enc.stdout).not.toContain("s3cr3t-kms");
    for (const key of [keyA, keyB]) {
      expect(enc.stdout).toContain(
        `        - arn: ${key.arn}\n          aws_profile: ""\n          context:\n            app: billing\n            env: prod\n          created_at: "`,
      );
    }
    writeFileSync(join(dir, "kms.enc.yaml"), enc.stdout);

    server.calls.length = 0;
    const dec = await sealbox(["decrypt", "kms.enc.yaml"]);
    expect(dec.stderr).toBe("");
    expect(dec.status).toBe(0);
    expect(dec.stdout).toBe(PLAIN);
    // One key was enough; each call was signed for its key's region.
    expect(server.calls.map((c) => [c.action, c.status, c.region])).toEqual([["Decrypt", 200, "eu-west-1"]]);
  });

  it("refuses a file whose stored encryption context was changed, naming both keys", async () => {
    const enc = await sealbox(["encrypt", "--kms", `${keyA.arn},${keyB.arn}`, "--encryption-context", "app:billing", "secrets.yaml"]);
    expect(enc.status).toBe(0);
    writeFileSync(join(dir, "changed.enc.yaml"), enc.stdout.replaceAll("app: billing", "app: payroll"));
    const dec = await sealbox(["decrypt", "changed.enc.yaml"]);
    expect(dec.status).toBe(128);
    expect(dec.stdout).toBe("");
    for (const key of [keyA, keyB]) expect(dec.stderr).toMatch(new RegExp(`${key.arn}: .*encryption context`));
    expect(dec.stderr).not.toContain("s3cr3t-kms");
  });

  it("with KMS down, decrypts a file that also has an age recipient from the age key", async () => {
    const enc = await sealbox(["encrypt", "--kms", keyA.arn, "--age", age.recipient, "secrets.yaml"]);
    expect(enc.status).toBe(0);
    writeFileSync(join(dir, "mixed.enc.yaml"), enc.stdout);
    // KMS first, so the down endpoint is really tried before age.
    const dec = await sealbox(["decrypt", "--decryption-order", "kms,age", "mixed.enc.yaml"], { SOPS_AGE_KEY_FILE: age.identityFile }, downUrl);
    expect(dec.stderr).toBe("");
    expect(dec.status).toBe(0);
    expect(dec.stdout).toBe(PLAIN);
    expect(dec.ms).toBeLessThan(8000);
    const viaEnv = await sealbox(["decrypt", "mixed.enc.yaml"], { SOPS_AGE_KEY_FILE: age.identityFile, SOPS_DECRYPTION_ORDER: "kms,age" }, downUrl);
    expect(viaEnv.stdout).toBe(PLAIN);

    // With KMS up, the order decides who is asked: age first by default (no KMS call), KMS when told.
    server.calls.length = 0;
    expect((await sealbox(["decrypt", "mixed.enc.yaml"], { SOPS_AGE_KEY_FILE: age.identityFile })).stdout).toBe(PLAIN);
    expect(server.calls).toEqual([]);
    expect((await sealbox(["decrypt", "mixed.enc.yaml"], { SOPS_AGE_KEY_FILE: age.identityFile, SOPS_DECRYPTION_ORDER: "kms,age" })).stdout).toBe(PLAIN);
    expect(server.calls.map((c) => c.action)).toEqual(["Decrypt"]);
  });

  it("with KMS down, fails a KMS-only file within seconds, naming the key, and writes nothing", async () => {
    const enc = await sealbox(["encrypt", "--kms", keyA.arn, "secrets.yaml"]);
    expect(enc.status).toBe(0);
    writeFileSync(join(dir, "only.enc.yaml"), enc.stdout);
    const dec = await sealbox(["decrypt", "-i", "only.enc.yaml"], {}, downUrl);
    expect(dec.status).toBe(128);
    expect(dec.stderr).toMatch(new RegExp(`${keyA.arn}: KMS decrypt failed: cannot reach the AWS KMS endpoint \\(ECONNREFUSED`));
    expect(dec.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(dec.ms).toBeLessThan(8000);
    expect(readFileSync(join(dir, "only.enc.yaml"), "utf8")).toBe(enc.stdout);

    const out = await sealbox(["decrypt", "-o", "only.dec.yaml", "only.enc.yaml"], {}, downUrl);
    expect(out.status).toBe(128);
    expect(existsSync(join(dir, "only.dec.yaml"))).toBe(false);
  });

  it("keeps context values that look like numbers or booleans exact in every format", async () => {
    const inputs: Record<string, string> = { "c.yaml": "a: 1\n", "c.json": '{\n\t"a": 1\n}\n', "c.env": "a=1\n", "c.ini": "[s]\na = 1\n" };
    for (const [name, text] of Object.entries(inputs)) {
      writeFileSync(join(dir, name), text);
      const enc = await sealbox(["encrypt", "--kms", keyA.arn, "--encryption-context", "n:0x1F,b:yes,e:1e3,t:true,z:007,s:with space", name]);
      expect(enc.status, `${name}: ${enc.stderr}`).toBe(0);
      writeFileSync(join(dir, `enc.${name}`), enc.stdout);
      const dec = await sealbox(["decrypt", `enc.${name}`]);
      expect(dec.stderr, name).toBe("");
      expect(dec.stdout.replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
    }
  });

  it("uses --aws-profile's credentials and records the profile for decrypt", async () => {
    const profile = { id: "AKIAPROFILECLI000001", secret: "profile/cli/secret/not/real/0000000000001" };
    server.addCredential(profile.id, profile.secret);
    writeFileSync(join(dir, "aws-credentials"), `[ci]\naws_access_key_id = ${profile.id}\naws_secret_access_key = ${profile.secret}\n`);
    const profileOnly = server.createKey({ region: "eu-west-1", allow: [profile.id] });
    const env = { AWS_SHARED_CREDENTIALS_FILE: join(dir, "aws-credentials") };
    const enc = await sealbox(["encrypt", "--kms", profileOnly.arn, "--aws-profile", "ci", "secrets.yaml"], env);
    expect(enc.stderr).toBe(""); // the environment's keys are set too: no SDK warning about it
    expect(enc.status).toBe(0);
    expect(enc.stdout).toContain(`- arn: ${profileOnly.arn}\n          aws_profile: ci\n`);
    writeFileSync(join(dir, "profile.enc.yaml"), enc.stdout);
    const dec = await sealbox(["decrypt", "profile.enc.yaml"], env);
    expect(dec.stderr).toBe("");
    expect(dec.stdout).toBe(PLAIN);
  });

  it("with KMS down, encrypt -i fails naming the key and leaves the plaintext file as it was", async () => {
    writeFileSync(join(dir, "inplace.yaml"), PLAIN);
    const enc = await sealbox(["encrypt", "-i", "--kms", keyA.arn, "inplace.yaml"], {}, downUrl);
    expect(enc.status).toBe(128);
    expect(enc.stderr).toContain(`${keyA.arn}: KMS encrypt failed: cannot reach the AWS KMS endpoint`);
    expect(enc.stderr).not.toContain("s3cr3t-kms");
    expect(readFileSync(join(dir, "inplace.yaml"), "utf8")).toBe(PLAIN);
  });

  it("refuses a malformed --encryption-context with sops's exit status", async () => {
    const enc = await sealbox(["encrypt", "--kms", keyA.arn, "--encryption-context", "app=billing", "secrets.yaml"]);
    expect(enc.status).toBe(6);
    expect(enc.stderr).toMatch(/invalid KMS encryption context/);
    expect(enc.stdout).toBe("");
  });

  it("takes KMS keys from SOPS_KMS_ARN", async () => {
    const enc = await sealbox(["encrypt", "secrets.yaml"], { SOPS_KMS_ARN: keyB.arn });
    expect(enc.status).toBe(0);
    expect(enc.stdout).toContain(`- arn: ${keyB.arn}`);
    writeFileSync(join(dir, "env.enc.yaml"), enc.stdout);
    const dec = await sealbox(["decrypt", "env.enc.yaml"]);
    expect(dec.stdout).toBe(PLAIN);
  });

  it("SOPS_KMS_ARN stands in for --kms only: with --age it adds its key, as sops's flag default does; SOPS_AGE_RECIPIENTS likewise beside --kms", async () => {
    const both = await sealbox(["encrypt", "--age", age.recipient, "secrets.yaml"], { SOPS_KMS_ARN: keyB.arn });
    expect(both.stderr).toBe("");
    expect(both.stdout).toContain(`- arn: ${keyB.arn}`);
    expect(both.stdout).toContain(`recipient: ${age.recipient}`);
    writeFileSync(join(dir, "both.enc.yaml"), both.stdout);
    expect((await sealbox(["decrypt", "both.enc.yaml"])).stdout).toBe(PLAIN); // through KMS, no age identity here
    expect((await sealbox(["decrypt", "both.enc.yaml"], { SOPS_AGE_KEY_FILE: age.identityFile, AWS_ENDPOINT_URL_KMS: downUrl })).stdout).toBe(PLAIN);
    const other = await sealbox(["encrypt", "--kms", keyA.arn, "secrets.yaml"], { SOPS_AGE_RECIPIENTS: age.recipient, SOPS_KMS_ARN: keyB.arn });
    expect(other.stdout).toContain(`- arn: ${keyA.arn}`);
    expect(other.stdout).not.toContain(keyB.arn); // the flag wins over its own variable
    expect(other.stdout).toContain(`recipient: ${age.recipient}`);
  });

  it("encrypts key groups from .sops.yaml (KMS objects with context, age, shamir_threshold 2); any 2 of 3 groups decrypt", async () => {
    const b = ageIdentity("b");
    const c = ageIdentity("c");
    writeFileSync(
      join(dir, ".sops.yaml"),
      `creation_rules:
  - path_regex: groups\\.yaml$
    shamir_threshold: 2
    key_groups:
      - kms:
          - arn: ${keyA.arn}
            context:
              team: payments
      - age:
          - ${b.recipient}
      - age:
          - ${c.recipient}
`,
    );
    try {
      writeFileSync(join(dir, "groups.yaml"), PLAIN);
      const enc = await sealbox(["encrypt", "groups.yaml"]);
      expect(enc.stderr).toBe("");
      expect(enc.status).toBe(0);
      expect(enc.stdout).toContain("    shamir_threshold: 2\n");
      expect(enc.stdout).toMatch(/- hc_vault: \[\]\n {10}kms:\n {12}- arn: .*\n {14}aws_profile: ""\n {14}context:\n {16}team: payments\n/);
      writeFileSync(join(dir, "groups.enc.yaml"), enc.stdout);

      const kmsAndB = await sealbox(["decrypt", "groups.enc.yaml"], { SOPS_AGE_KEY_FILE: b.file });
      expect(kmsAndB.stdout).toBe(PLAIN);
      const bAndCWithKmsDown = await sealbox(["decrypt", "groups.enc.yaml"], { SOPS_AGE_KEY_FILE: c.both }, downUrl);
      expect(bAndCWithKmsDown.stderr).toBe("");
      expect(bAndCWithKmsDown.stdout).toBe(PLAIN);
      const onlyC = await sealbox(["decrypt", "groups.enc.yaml"], { SOPS_AGE_KEY_FILE: c.file }, downUrl);
      expect(onlyC.status).toBe(128);
      expect(onlyC.stderr).toMatch(/1 of the 2 key groups/);
      expect(onlyC.stderr).toContain(keyA.arn);
    } finally {
      rmSync(join(dir, ".sops.yaml"));
    }
  });

  it("assumes the role named in a rule's ARN+ROLE form through STS", async () => {
    const role = "arn:aws:iam::111122223333:role/sealbox-ci";
    server.allowRole(role);
    const roleOnly = server.createKey({ region: "eu-west-1", allow: [role] });
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - kms: ${roleOnly.arn}+${role}\n`);
    try {
      server.calls.length = 0;
      const enc = await sealbox(["encrypt", "secrets.yaml"]);
      expect(enc.stderr).toBe("");
      expect(enc.stdout).toContain(`          role: ${role}\n`);
      writeFileSync(join(dir, "role.enc.yaml"), enc.stdout);
      expect((await sealbox(["decrypt", "role.enc.yaml"])).stdout).toBe(PLAIN);
      expect(server.calls.filter((c) => c.action === "AssumeRole").map((c) => c.status)).toEqual([200, 200]);
      expect(server.calls.filter((c) => c.service === "kms").map((c) => [c.action, c.status])).toEqual([
        ["Encrypt", 200],
        ["Decrypt", 200],
      ]);
    } finally {
      rmSync(join(dir, ".sops.yaml"));
    }
  });
});

/** A fresh age identity in its own file; `both` is a file holding it and the previous one made. */
let previousIdentity = "";
function ageIdentity(name: string): { recipient: string; file: string; both: string } {
  const file = join(dir, `age-${name}.txt`);
  execFileSync("age-keygen", ["-o", file], { stdio: "ignore" });
  const text = readFileSync(file, "utf8");
  const both = join(dir, `age-${name}-and-previous.txt`);
  writeFileSync(both, previousIdentity + text);
  previousIdentity = text;
  return { recipient: /public key: (age1\w+)/.exec(text)![1]!, file, both };
}
