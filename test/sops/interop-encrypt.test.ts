// What sealbox encrypts has sops's exact layout and opens with the real `age` binary: for every
// .plain vector, our output equals sops's own .enc file once the random parts (ciphertexts, IVs,
// tags, age files, timestamps) are masked, and its data key comes out of `age -d`.
import { describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SOPS_VECTORS, sopsVector } from "../helpers/fixtures.js";
import { ageBinary, cleanEnv, sealboxSync } from "../helpers/cli.js";
import { codecFor, formatForPath } from "../../src/formats/index.js";
import { decryptWithKey, loadEncrypted } from "../../src/sops/sops-file.js";

const RECIPIENT = readFileSync(join(SOPS_VECTORS, "keys.txt"), "utf8").match(/public key: (\S+)/)![1];

// name, extension, extra flags (as in the vectors' README)
const CASES: [string, string, string[]][] = [
  ["k8s_secret", "yaml", ["--age", RECIPIENT]],
  ["k8s_secret_regex", "yaml", []],
  ["nested", "yaml", ["--age", RECIPIENT]],
  ["comments", "yaml", ["--age", RECIPIENT]],
  ["multidoc", "yaml", ["--age", RECIPIENT]],
  ["unencrypted_suffix", "yaml", ["--age", RECIPIENT, "--unencrypted-suffix", "_unencrypted"]],
  ["two_recipients", "yaml", []],
  ["config", "json", ["--age", RECIPIENT]],
  ["app", "env", ["--age", RECIPIENT]],
  ["settings", "ini", ["--age", RECIPIENT]],
  ["blob", "bin", ["--age", RECIPIENT]],
];

/** Masks what is random or time-dependent; everything else must match sops byte for byte. */
function mask(text: string): string {
  return text
    .replace(/ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]*,tag:[A-Za-z0-9+/=]*,type:(\w+)\]/g, "ENC[$1]")
    .replace(/-----BEGIN AGE ENCRYPTED FILE-----[\s\S]*?-----END AGE ENCRYPTED FILE-----/g, "AGE-FILE")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, "TIME");
}

/** Every armored age file in the output, unescaped and unindented. */
function ageFiles(text: string): string[] {
  const found = text.match(/-----BEGIN AGE ENCRYPTED FILE-----[\s\S]*?-----END AGE ENCRYPTED FILE-----/g) ?? [];
  return found.map((block) => block.replace(/\\n/g, "\n").split("\n").map((l) => l.trim()).join("\n") + "\n");
}

describe("encrypting the sops vectors' inputs", () => {
  it.each(CASES)("%s.plain.%s: sops's layout, and the data key opens with the real age binary", async (name, ext, flags) => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-interop-"));
    const plainName = `${name}.plain.${ext}`;
    copyFileSync(join(SOPS_VECTORS, plainName), join(dir, plainName));
    copyFileSync(join(SOPS_VECTORS, ".sops.yaml"), join(dir, ".sops.yaml"));
    const result = sealboxSync(["encrypt", ...flags, plainName], { cwd: dir, env: cleanEnv() });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const ours = result.stdout.toString("utf8");
    const theirs = sopsVector(`${name}.enc.${ext}`).toString("utf8");
    expect(mask(ours)).toBe(mask(theirs));

    // Each age stanza opens with the real age binary, to the same 32-byte data key.
    const keys = ageFiles(ours).map((armored) => {
      const keyFile = name === "two_recipients" && armored !== ageFiles(ours)[0] ? "keys_b.txt" : "keys.txt";
      writeFileSync(join(dir, "stanza.age"), armored);
      const opened = ageBinary(["-d", "-i", join(SOPS_VECTORS, keyFile), join(dir, "stanza.age")]);
      expect(opened.stderr).toBe("");
      return opened.stdout;
    });
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toEqual(keys[0]);
    expect(keys[0].length).toBe(32);

    // With that key alone (no sealbox key source), every value decrypts and the MAC verifies.
    const encName = `${name}.enc.${ext}`;
    const codec = await codecFor(formatForPath(encName));
    const docs = decryptWithKey(loadEncrypted(codec, Buffer.from(ours), encName), keys[0], false);
    const decName = `${name}.dec.${ext}`;
    const expected = sopsVector(existsSync(join(SOPS_VECTORS, decName)) ? decName : plainName);
    expect(Buffer.from(codec.emitPlain(docs)).toString()).toBe(expected.toString());
  });

  it("encrypts to the real age binary's own recipient, and our identity opens what age encrypted", () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-age-"));
    const generated = spawnAgeKeygen(join(dir, "id.txt"));
    writeFileSync(join(dir, "s.yaml"), "password: hunter2\n");
    const enc = sealboxSync(["encrypt", "--age", generated, "s.yaml"], { cwd: dir });
    expect(enc.status).toBe(0);
    const dec = sealboxSync(["decrypt", "--filename-override", "s.yaml"], { cwd: dir, input: enc.stdout, env: cleanEnv({ SOPS_AGE_KEY_FILE: join(dir, "id.txt") }) });
    expect(dec.stdout.toString()).toBe("password: hunter2\n");
  });
});

function spawnAgeKeygen(path: string): string {
  const r = spawnSync("age-keygen", ["-o", path]);
  return r.stderr.toString().match(/age1[0-9a-z]+/)![0];
}
