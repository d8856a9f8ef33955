// The rules file read as sops reads it: yaml.v3 decoding shamir_threshold and a store's indent into Go ints.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRules, loadStores } from "../../src/rules/config.js";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

function rulesWithThreshold(threshold: string): string {
  const dir = mkdtempSync(join(tmpdir(), "sealbox-rules-"));
  const path = join(dir, ".sops.yaml");
  writeFileSync(path, `creation_rules:\n  - age: ${RECIPIENT}\n    shamir_threshold: ${threshold}\n`);
  return path;
}

describe("shamir_threshold", () => {
  it.each([
    ["3", 3],
    ["010", 8],
    ["0o10", 8],
    ["0x10", 16],
    ["1_0", 10],
    ["2.0", 2],
    ["0", undefined],
    ["~", undefined],
  ])("%s is read as %s (0 and empty: not set, sops then uses the number of key groups)", async (text, expected) => {
    const [rule] = await loadRules(rulesWithThreshold(text));
    expect(rule.shamirThreshold).toBe(expected);
  });

  it.each(['"2"', "-1", "2.5", "two", "[2]"])("%s is a bad rule at its file and line", async (text) => {
    const path = rulesWithThreshold(text);
    await expect(loadRules(path)).rejects.toThrow("shamir_threshold must be an unquoted whole number, 0 or more (0: not set)");
    await expect(loadRules(path)).rejects.toMatchObject({ file: path, line: 3 });
  });
});

describe("a store's indent", () => {
  it("is read as a Go int too: 010 is 8, 0x4 is 4", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-rules-"));
    const path = join(dir, ".sops.yaml");
    writeFileSync(path, `creation_rules:\n  - age: ${RECIPIENT}\nstores:\n  yaml:\n    indent: 010\n  json:\n    indent: 0x4\n`);
    expect(await loadStores(path)).toEqual({ yaml: 8, json: 4 });
  });
});

describe("key groups", () => {
  const B = "age1vpy7q3jrgraq5eupujyx7fdxjay5wmg4cc8sj7hygda0tv35wvvs8jyytl";
  const KMS = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  function rules(text: string): string {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-rules-"));
    writeFileSync(join(dir, ".sops.yaml"), text);
    return join(dir, ".sops.yaml");
  }

  it("take the keys of their merge groups first, nested too, each key once (sops's extractMasterKeys)", async () => {
    const path = rules(
      [
        "creation_rules:",
        "  - key_groups:",
        "      - merge:",
        "          - age: [" + B + "]",
        "            merge:",
        "              - kms: [{arn: " + KMS + "}]",
        "        age: [" + RECIPIENT + ", " + B + "]",
        "      - age: [" + B + "]",
        "",
      ].join("\n"),
    );
    const [rule] = await loadRules(path);
    expect(rule.recipientGroups).toEqual([
      [{ type: "kms", arn: KMS }, { type: "age", recipient: B }, { type: "age", recipient: RECIPIENT }],
      [{ type: "age", recipient: B }],
    ]);
  });

  it("a merge that is not a list of mappings is a bad rule at its line", async () => {
    const path = rules("creation_rules:\n  - key_groups:\n      - merge: " + B + "\n");
    await expect(loadRules(path)).rejects.toMatchObject({ message: "merge must be a list of key groups", line: 3 });
  });
});

describe("selectors", () => {
  it("a rule may set only one of the six, the comment regexes included (sops's configFromRule counts them all)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-rules-"));
    const path = join(dir, ".sops.yaml");
    writeFileSync(path, `creation_rules:\n  - age: ${RECIPIENT}\n    encrypted_regex: ^a$\n    encrypted_comment_regex: sops:enc\n`);
    await expect(loadRules(path)).rejects.toMatchObject({ message: "a rule may use only one of encrypted_regex, encrypted_comment_regex", file: path, line: 2 });
    const one = join(mkdtempSync(join(tmpdir(), "sealbox-rules-")), ".sops.yaml");
    writeFileSync(one, `creation_rules:\n  - age: ${RECIPIENT}\n    unencrypted_comment_regex: sops:clear\n`);
    const [rule] = await loadRules(one);
    expect(rule.selectors).toMatchObject({ unencryptedCommentRegex: "sops:clear" });
  });
});
