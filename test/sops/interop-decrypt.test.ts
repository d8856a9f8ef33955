// Files written by the real sops 3.13.2 decrypt to exactly what sops itself prints.
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { codecFor, formatForPath } from "../../src/formats/index.js";
import { decryptFile, loadEncrypted } from "../../src/sops/sops-file.js";
import { KeySources } from "../../src/keys/registry.js";
import { SOPS_VECTORS, ageKeyEnv, sopsVector } from "../helpers/fixtures.js";

const CASES = [
  ["k8s_secret", "yaml"],
  ["k8s_secret_regex", "yaml"],
  ["nested", "yaml"],
  ["comments", "yaml"],
  ["multidoc", "yaml"],
  ["unencrypted_suffix", "yaml"],
  ["two_recipients", "yaml"],
  ["config", "json"],
  ["app", "env"],
  ["settings", "ini"],
  ["blob", "bin"],
] as const;

function expectedPlain(name: string, ext: string): Buffer {
  const dec = `${name}.dec.${ext}`;
  return sopsVector(existsSync(join(SOPS_VECTORS, dec)) ? dec : `${name}.plain.${ext}`);
}

describe("decrypting files written by sops 3.13.2", () => {
  it.each(CASES)("%s.enc.%s decrypts byte for byte to what sops prints", async (name, ext) => {
    const file = `${name}.enc.${ext}`;
    const codec = await codecFor(formatForPath(file));
    const loaded = loadEncrypted(codec, sopsVector(file), file);
    const { docs } = await decryptFile(loaded, { sources: new KeySources({ age: { env: ageKeyEnv() } }) });
    expect(Buffer.from(codec.emitPlain(docs)).toString("utf8")).toBe(expectedPlain(name, ext).toString("utf8"));
  });

  it("two_recipients also decrypts with the second recipient's key alone", async () => {
    const codec = await codecFor("yaml");
    const loaded = loadEncrypted(codec, sopsVector("two_recipients.enc.yaml"), "two_recipients.enc.yaml");
    const { docs } = await decryptFile(loaded, { sources: new KeySources({ age: { env: ageKeyEnv(join(SOPS_VECTORS, "keys_b.txt")) } }) });
    expect(Buffer.from(codec.emitPlain(docs)).toString()).toBe(sopsVector("two_recipients.plain.yaml").toString());
  });
});
