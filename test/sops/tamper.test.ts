// Tampered copies of a sops-written file are refused with sops's exit code, print nothing on
// stdout, and never leak a plaintext value into the error.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { SOPS_VECTORS, sopsVector } from "../helpers/fixtures.js";
import { cleanEnv, sealboxSync } from "../helpers/cli.js";

const ORIGINAL = sopsVector("k8s_secret.enc.yaml").toString("utf8");
const SECRETS = ["s3cr3t-P@ss", "admin", "dG9wLXNlY3JldA=="];
const withKey = cleanEnv({ SOPS_AGE_KEY_FILE: join(SOPS_VECTORS, "keys.txt") });

function firstEnc(text: string): RegExpExecArray {
  return /ENC\[AES256_GCM,data:([^,]+),iv:([^,]+),tag:([^,]+),type:(\w+)\]/.exec(text)!;
}

/** Flips one base64 character (a different valid character, so only the bytes change). */
function flipBase64(b64: string, at = 0): string {
  const c = b64[at];
  return b64.slice(0, at) + (c === "A" ? "B" : "A") + b64.slice(at + 1);
}

function decryptText(text: string, env = withKey) {
  return sealboxSync(["decrypt", "--filename-override", "tampered.yaml"], { input: text, env });
}

const m = firstEnc(ORIGINAL);
const TAMPERED: [string, string, number][] = [
  ["a flipped ciphertext byte", ORIGINAL.replace(m[0], m[0].replace(`data:${m[1]}`, `data:${flipBase64(m[1])}`)), 25],
  ["a flipped IV byte", ORIGINAL.replace(m[0], m[0].replace(`iv:${m[2]}`, `iv:${flipBase64(m[2], 3)}`)), 25],
  ["a flipped tag byte", ORIGINAL.replace(m[0], m[0].replace(`tag:${m[3]}`, `tag:${flipBase64(m[3], 2)}`)), 25],
  ["two values swapped between keys", swapFirstTwoValues(ORIGINAL), 25],
  // the MAC no longer decrypts: sops says "Cannot decrypt MAC" with MacMismatch (common.DecryptTree)
  ["a changed lastmodified", ORIGINAL.replace(/lastmodified: "([^"]+)"/, 'lastmodified: "2030-01-01T00:00:00Z"'), 51],
  ["a dropped MAC", ORIGINAL.replace(/\n {4}mac: ENC\[[^\n]+/, ""), 51],
  ["a value removed (MAC covers the set of values)", ORIGINAL.replace(/\n {4}username: ENC\[[^\n]+/, ""), 51],
  ["damaged age armor", ORIGINAL.replace(/(-----BEGIN AGE ENCRYPTED FILE-----\n\s+)(\S)/, (_, a, c) => a + (c === "Y" ? "Z" : "Y")), 128],
];

function swapFirstTwoValues(text: string): string {
  const values = [...text.matchAll(/(username|password): (ENC\[[^\n]+\])/g)];
  const [a, b] = values;
  return text.replace(a[0], `${a[1]}: ${b[2]}`).replace(b[0], `${b[1]}: ${a[2]}`);
}

describe("tampered SOPS files", () => {
  it("the untouched vector decrypts (control)", () => {
    const r = decryptText(ORIGINAL);
    expect(r.status).toBe(0);
  });

  it.each(TAMPERED)("%s is refused with sops's exit code and nothing on stdout", (_what, text, status) => {
    expect(text).not.toBe(ORIGINAL);
    const r = decryptText(text);
    expect(r.status).toBe(status);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/^sealbox: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    for (const secret of SECRETS) expect(r.stderr).not.toContain(secret);
  });

  it("a wrong key is refused with 128, naming the recipient tried", () => {
    const r = decryptText(ORIGINAL, cleanEnv({ SOPS_AGE_KEY_FILE: join(SOPS_VECTORS, "keys_b.txt") }));
    expect(r.status).toBe(128);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain("age1vpy7q3jrgraq5eupujyx7fdxjay5wmg4cc8sj7hygda0tv35wvvs8jyytl");
  });

  it("--ignore-mac decrypts a file whose MAC no longer matches, with a loud warning", () => {
    const r = sealboxSync(["decrypt", "--ignore-mac", "--filename-override", "t.yaml"], { input: TAMPERED[6][1], env: withKey });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("WARNING");
    expect(r.stdout.toString()).not.toContain("username");
  });
});

describe("comments the YAML layout moves", () => {
  // sops writes the comment of an empty flow list after it, where it reads back beside the key:
  // sealed under ["a"], found at the top level. It is genuine, so it decrypts; flipped, it is refused.
  const recipient = /age1[0-9a-z]+/.exec(sopsVector("keys.txt").toString("utf8"))![0];
  const plain = "a: [] # note\nnested:\n  l: [] # deeper\n  k: v\nb: 1\n";
  const encrypted = sealboxSync(["encrypt", "--age", recipient, "--filename-override", "c.yaml"], { input: plain, env: withKey });
  const encryptedText = encrypted.stdout.toString("utf8");

  it("decrypts a comment sealed under another path of the document", () => {
    expect(encrypted.status).toBe(0);
    const r = decryptText(encryptedText);
    expect(r.stderr.toString()).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain("# note");
    expect(r.stdout.toString()).toContain("# deeper");
  });

  it("refuses the same comment tampered with (exit 25, nothing on stdout)", () => {
    const comment = /#(ENC\[AES256_GCM,data:([^,]+),[^\]]+type:comment\])/.exec(encryptedText)!;
    const tampered = encryptedText.replace(comment[1], comment[1].replace(`data:${comment[2]}`, `data:${flipBase64(comment[2])}`));
    expect(tampered).not.toBe(encryptedText);
    const r = decryptText(tampered);
    expect(r.status).toBe(25);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr.toString()).toContain("(a comment)");
  });
});
