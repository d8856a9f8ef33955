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
  ])("%s is read as %s (0: not set, sops then uses the number of key groups)", async (text, expected) => {
    const [rule] = await loadRules(rulesWithThreshold(text));
    expect(rule.shamirThreshold).toBe(expected);
  });

  it.each(['"2"', "-1", "2.5", "two", "[2]"])("%s is a bad rule at its file and line", async (text) => {
    const path = rulesWithThreshold(text);
    await expect(loadRules(path)).rejects.toThrow("shamir_threshold must be a whole number (unquoted), at least 1");
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
