// The in-memory age file path (src/keys/age-file.ts) against the real age binary, age-encryption,
// and every C2SP CCTV vector: it must end each vector exactly as age-encryption's Decrypter does,
// and it must really be taken (not quietly fall back) for ordinary files.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decrypter, Encrypter, armor } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { armorDecode, armorEncode, decryptAgeFile, encryptAgeFile } from "../../src/keys/age-file.js";
import { parseIdentities, parseRecipient } from "../../src/keys/age-recipients.js";
import { CCTV_VECTORS } from "./cctv-vectors.js";

const AGE = "/usr/bin/age";
let dir: string;
let identityText: string;
let recipient: string;
let otherRecipient: string;
let otherIdentityText: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sealbox-age-file-"));
  execFileSync("age-keygen", ["-o", join(dir, "key.txt")], { stdio: "ignore" });
  execFileSync("age-keygen", ["-o", join(dir, "other.txt")], { stdio: "ignore" });
  identityText = readFileSync(join(dir, "key.txt"), "utf8");
  otherIdentityText = readFileSync(join(dir, "other.txt"), "utf8");
  recipient = execFileSync("age-keygen", ["-y", join(dir, "key.txt")]).toString().trim();
  otherRecipient = execFileSync("age-keygen", ["-y", join(dir, "other.txt")]).toString().trim();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noFallback = (): Decrypter => {
  throw new Error("fell back to age-encryption");
};

describe("in-memory age files", () => {
  it("writes files the age binary and age-encryption decrypt, for one and for two recipients", async () => {
    const dataKey = randomBytes(32);
    const file = await encryptAgeFile([parseRecipient(recipient), parseRecipient(otherRecipient)], dataKey);
    writeFileSync(join(dir, "two.age"), file);
    for (const key of ["key.txt", "other.txt"]) {
      expect(execFileSync(AGE, ["-d", "-i", join(dir, key), join(dir, "two.age")]).equals(dataKey)).toBe(true);
    }
    const d = new Decrypter();
    d.addIdentity(identityText.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!);
    expect(Buffer.from(await d.decrypt(file)).equals(dataKey)).toBe(true);
  });

  it("decrypts what the age binary and age-encryption write, without falling back", async () => {
    const dataKey = randomBytes(32);
    writeFileSync(join(dir, "key.bin"), dataKey);
    const fromBinary = execFileSync(AGE, ["-r", recipient, join(dir, "key.bin")]);
    const e = new Encrypter();
    e.addRecipient(otherRecipient);
    e.addRecipient(recipient);
    const fromLibrary = await e.encrypt(dataKey);
    const ids = parseIdentities(identityText, "key.txt");
    expect(Buffer.from(await decryptAgeFile(ids, fromBinary, noFallback)).equals(dataKey)).toBe(true);
    expect(Buffer.from(await decryptAgeFile(ids, fromLibrary, noFallback)).equals(dataKey)).toBe(true);
    // armored, as sops stores it
    const armored = execFileSync(AGE, ["-a", "-r", recipient, join(dir, "key.bin")]).toString();
    expect(Buffer.from(await decryptAgeFile(ids, armor.decode(armored), noFallback)).equals(dataKey)).toBe(true);
  });

  it("says no identity matched, refuses a changed MAC and a changed payload", async () => {
    const file = Buffer.from(await encryptAgeFile([parseRecipient(recipient)], randomBytes(32)));
    const mine = parseIdentities(identityText, "key.txt");
    await expect(decryptAgeFile(parseIdentities(otherIdentityText, "other.txt"), file, noFallback)).rejects.toThrow(/no identity matched/);
    const macAt = file.indexOf("\n--- ") + 5;
    const badMac = Buffer.from(file);
    badMac[macAt] = badMac[macAt] === 0x41 ? 0x42 : 0x41;
    await expect(decryptAgeFile(mine, badMac, noFallback)).rejects.toThrow(/invalid header HMAC/);
    const badPayload = Buffer.from(file);
    badPayload[badPayload.length - 20] ^= 1;
    await expect(decryptAgeFile(mine, badPayload, noFallback)).rejects.toThrow(/payload/);
  });

  it("writes the armor byte for byte as age-encryption does, and reads it back", async () => {
    for (const length of [0, 1, 47, 48, 49, 95, 96, 97, 200, 1000]) {
      const bytes = randomBytes(length);
      const text = armorEncode(bytes);
      expect(text).toBe(armor.encode(bytes));
      expect(Buffer.from(await armorDecode(text)).equals(bytes)).toBe(true);
      expect(Buffer.from(await armorDecode(text.trimEnd())).equals(bytes)).toBe(true);
      // not canonical (CRLF, surrounding space): age-encryption's armor.decode still reads it
      expect(Buffer.from(await armorDecode(`  ${text.replaceAll("\n", "\r\n")}  `)).equals(bytes)).toBe(true);
    }
    await expect(armorDecode(armorEncode(randomBytes(100)).replace("-----END", "x-----END"))).rejects.toThrow();
  });

  it("hands large payloads and string recipients to age-encryption", async () => {
    const big = randomBytes(70_000);
    const file = await encryptAgeFile([parseRecipient(recipient)], big);
    writeFileSync(join(dir, "big.age"), file);
    expect(execFileSync(AGE, ["-d", "-i", join(dir, "key.txt"), join(dir, "big.age")]).equals(big)).toBe(true);
    let fellBack = false;
    const d = new Decrypter();
    for (const id of parseIdentities(identityText, "key.txt")) d.addIdentity(id);
    const out = await decryptAgeFile(parseIdentities(identityText, "key.txt"), file, () => ((fellBack = true), d));
    expect(fellBack).toBe(true);
    expect(Buffer.from(out).equals(big)).toBe(true);
  });
});

// X25519 vectors only (the path takes identity objects); armored ones are decoded first as sops does.
const x25519Vectors = CCTV_VECTORS.filter((v) => v.passphrases.length === 0 && v.identities.length > 0 && v.identities.every((l) => l.startsWith("AGE-SECRET-KEY-1")));

type Ending = { ok: true; sha256: string } | { ok: false };

async function ending(run: () => Promise<Uint8Array>): Promise<Ending> {
  try {
    return { ok: true, sha256: createHash("sha256").update(await run()).digest("hex") };
  } catch {
    return { ok: false };
  }
}

describe("CCTV vectors through the in-memory path", () => {
  let fastPathTaken = 0;

  it("has X25519 vectors to check", () => {
    expect(x25519Vectors.length).toBeGreaterThan(60);
  });

  it.each(x25519Vectors.map((v) => [v.name, v] as const))("%s ends as age-encryption ends it", async (_name, v) => {
    let file = v.body;
    if (v.armored) {
      const text = Buffer.from(v.body).toString("utf8");
      const theirs = await ending(async () => armor.decode(text));
      expect(await ending(() => armorDecode(text))).toEqual(theirs);
      if (!theirs.ok) return; // armor failures never reach the age file path
      file = armor.decode(text);
    }
    const identities = parseIdentities(v.identities.join("\n"), v.name);
    const reference = new Decrypter();
    for (const id of identities) reference.addIdentity(id);
    let fellBack = false;
    const ours = await ending(() =>
      decryptAgeFile(identities, file, () => {
        fellBack = true;
        return reference;
      }),
    );
    if (!fellBack) fastPathTaken++;
    const theirs = await ending(() => reference.decrypt(file));
    expect(ours).toEqual(theirs);
    if (v.expect === "success") expect(ours).toEqual({ ok: true, sha256: v.payload });
    else expect(ours.ok).toBe(false);
  });

  it("took the in-memory path for a good share of them (not a quiet fallback every time)", () => {
    expect(fastPathTaken).toBeGreaterThan(20);
  });
});
