// A second, independent implementation opens what sealbox writes: the `sops-age` package (not ours,
// not sharing our code) decrypts our YAML, JSON and dotenv output to the original values. It checks
// the data-key stanza, the value cipher and the key-path additional data; it does not check MACs
// (the real age binary and the sops vectors cover the rest: interop-encrypt.test.ts).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decryptSops } from "sops-age";
import { parse as parseYaml } from "yaml";
import { SOPS_VECTORS, sopsVector } from "../helpers/fixtures.js";
import { sealboxSync } from "../helpers/cli.js";

const KEYS = readFileSync(join(SOPS_VECTORS, "keys.txt"), "utf8");
const SECRET_KEY = KEYS.match(/AGE-SECRET-KEY-\S+/)![0];
const RECIPIENT = KEYS.match(/public key: (\S+)/)![1];

const CASES: [string, "yaml" | "json" | "env"][] = [
  ["nested.plain.yaml", "yaml"],
  ["k8s_secret.plain.yaml", "yaml"],
  ["unencrypted_suffix.plain.yaml", "yaml"],
  ["config.plain.json", "json"],
  ["app.plain.env", "env"],
];

function expected(name: string, type: string): unknown {
  const text = sopsVector(name).toString();
  if (type === "env") return Object.fromEntries(text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  return type === "json" ? JSON.parse(text) : parseYaml(text);
}

describe("sealbox's output opened by an independent implementation (sops-age)", () => {
  it.each(CASES)("%s", async (name, fileType) => {
    const encrypted = sealboxSync(["encrypt", "--age", RECIPIENT, join(SOPS_VECTORS, name)]);
    expect(encrypted.status).toBe(0);
    const decrypted = await decryptSops(encrypted.stdout.toString(), { secretKey: SECRET_KEY, fileType });
    expect(decrypted).toEqual(expected(name, fileType));
  });
});
