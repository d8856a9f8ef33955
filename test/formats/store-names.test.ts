// Which store reads a file (src/formats/index.ts) when a library caller names it wrongly: a TypeError
// that says what is allowed, never "Cannot read properties of undefined" from inside encrypt.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encrypt, decrypt } from "../../src/ops/sops-ops.js";
import { formatForPath } from "../../src/formats/index.js";
import type { FormatName } from "../../src/formats/types.js";
import { SOPS_VECTORS, ageKeyEnv } from "../helpers/fixtures.js";

const RECIPIENT = /public key: (age1\w+)/.exec(readFileSync(join(SOPS_VECTORS, "keys.txt"), "utf8"))![1];
const STORES = '"yaml", "json", "dotenv", "ini", "binary"';

describe("store names given by a library caller", () => {
  it("an unknown inputType or outputType is refused, naming the stores", async () => {
    const plain = Buffer.from("a: 1\n");
    await expect(encrypt(plain, { filename: "a.yaml", age: [RECIPIENT], inputType: "toml" as FormatName })).rejects.toThrow(new TypeError(`the store (inputType, outputType) must be one of ${STORES}, got "toml"`));
    await expect(encrypt(plain, { filename: "a.yaml", age: [RECIPIENT], outputType: "YAML" as FormatName })).rejects.toThrow(`must be one of ${STORES}, got "YAML"`);
    const encrypted = readFileSync(join(SOPS_VECTORS, "nested.enc.yaml"));
    await expect(decrypt(encrypted, { filename: "nested.enc.yaml", env: ageKeyEnv(), outputType: 7 as unknown as FormatName })).rejects.toThrow(`must be one of ${STORES}, got number`);
  });

  it("a file name that is not a string is refused by name", async () => {
    expect(() => formatForPath(5 as unknown as string)).toThrow(new TypeError("the file name (filename) must be a string, got number"));
    await expect(encrypt(Buffer.from("a: 1\n"), { filename: ["a.yaml"] as unknown as string, age: [RECIPIENT] })).rejects.toThrow("encrypt(): options.filename must be a string, got an array");
    expect(formatForPath("x.YAML")).toBe("binary");
  });
});
