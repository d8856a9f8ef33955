// The one-pass binary store (src/sops/binary-file.ts) against sops's own binary vector and against
// the document path: same bytes in and out both ways, the same refusals, and it declines (leaving the
// document path to act) where it does not apply.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codecFor } from "../../src/formats/index.js";
import { KeySources } from "../../src/keys/registry.js";
import { parseIdentities } from "../../src/keys/age-recipients.js";
import { NativeX25519Identity } from "../../src/keys/age-x25519.js";
import { decryptBinary, encryptBinary } from "../../src/sops/binary-file.js";
import { bufferSource, toMemory } from "../../src/core/byte-stream.js";
import { decryptFile, emitEncrypted, encryptNew, loadEncrypted } from "../../src/sops/sops-file.js";
import { SOPS_VECTORS, sopsVector } from "../helpers/fixtures.js";

const keysText = readFileSync(join(SOPS_VECTORS, "keys.txt"), "utf8");
const identities = parseIdentities(keysText, "keys.txt");
const recipient = (identities[0] as NativeX25519Identity).recipient;
const sources = (): KeySources => new KeySources({ age: { identities } });
const groups = [[{ type: "age" as const, recipient }]];

async function documentPathEncrypt(bytes: Uint8Array): Promise<Uint8Array> {
  const codec = await codecFor("binary");
  return emitEncrypted(codec, await encryptNew(codec.parsePlain(bytes, "x.bin"), { sources: sources(), recipientGroups: groups, selectors: {}, defaultSelector: false }));
}

async function documentPathDecrypt(file: Uint8Array): Promise<Uint8Array> {
  const codec = await codecFor("binary");
  const { docs } = await decryptFile(loadEncrypted(codec, file, "x.bin"), { sources: sources() });
  return codec.emitPlain(docs);
}

async function fastEncrypt(bytes: Uint8Array, selectors = {}): Promise<Uint8Array | undefined> {
  const codec = await codecFor("binary");
  return toMemory((open) => encryptBinary(bufferSource(bytes), open, { codec, sources: sources(), recipientGroups: groups, selectors }));
}

async function fastDecrypt(file: Uint8Array, ignoreMac = false): Promise<Uint8Array | undefined> {
  const codec = await codecFor("binary");
  return toMemory((open) => decryptBinary(bufferSource(file), open, { codec, file: "x.bin", sources: sources(), ignoreMac }));
}

describe("the one-pass binary store", () => {
  it("decrypts sops 3.13.2's binary vector byte for byte", async () => {
    const out = await fastDecrypt(sopsVector("blob.enc.bin"));
    expect(out).toBeDefined();
    expect(Buffer.from(out!).equals(sopsVector("blob.plain.bin"))).toBe(true);
  });

  it("writes what the document path reads and reads what it writes, over several slices of bytes that are not UTF-8", async () => {
    const bytes = randomBytes(7 * 1024 * 1024 + 5);
    const fast = await fastEncrypt(bytes);
    expect(Buffer.from(await documentPathDecrypt(fast!)).equals(bytes)).toBe(true);
    const slow = await documentPathEncrypt(bytes.subarray(0, 100_001));
    expect(Buffer.from((await fastDecrypt(slow))!).equals(bytes.subarray(0, 100_001))).toBe(true);
  }, 60_000);

  it("lays the file out exactly as the JSON codec does", async () => {
    const bytes = Buffer.from("hello\x00\xff binary\n", "latin1");
    const fast = Buffer.from((await fastEncrypt(bytes))!).toString("utf8");
    const codec = await codecFor("binary");
    const reparsed = Buffer.from(codec.emitEncrypted(codec.parseEncrypted(Buffer.from(fast), "x.bin"))).toString("utf8");
    expect(fast).toBe(reparsed);
    expect(fast).toMatch(/^\{\n\t"data": "ENC\[AES256_GCM,data:[A-Za-z0-9+/=]+,iv:[A-Za-z0-9+/=]{44},tag:[A-Za-z0-9+/=]{24},type:str\]",\n\t"sops": \{/);
  });

  it("refuses a changed data byte and a changed MAC, opens a changed MAC only with ignoreMac, leaves bad base64 to the document path", async () => {
    const bytes = randomBytes(4096);
    const file = Buffer.from((await fastEncrypt(bytes))!);
    const dataAt = file.indexOf("data:") + 10;
    const badData = Buffer.from(file);
    badData[dataAt] = badData[dataAt] === 0x41 ? 0x42 : 0x41;
    await expect(fastDecrypt(badData)).rejects.toMatchObject({ code: "ErrorDecryptingTree" });
    // another file's MAC (same key would be needed to forge one): the stored MAC no longer matches
    const text = file.toString("utf8");
    const other = Buffer.from((await documentPathEncrypt(randomBytes(10)))).toString("utf8");
    const macLine = (t: string): string => /"mac": "[^"]+"/.exec(t)![0];
    const swapped = Buffer.from(text.replace(macLine(text), macLine(other)));
    await expect(fastDecrypt(swapped)).rejects.toMatchObject({ code: expect.stringMatching(/Mac/) });
    expect(Buffer.from((await fastDecrypt(swapped, true))!).equals(bytes)).toBe(true);
    // not base64: declined, and the document path refuses it
    const badBase64 = Buffer.from(file);
    badBase64[dataAt] = 0x2a; // "*"
    expect(await fastDecrypt(badBase64)).toBeUndefined();
    await expect(documentPathDecrypt(badBase64)).rejects.toMatchObject({ code: "ErrorDecryptingTree" });
  });

  it("declines base64 that Node's lenient decoder would accept but sops's would not, byte by byte", async () => {
    const file = Buffer.from((await fastEncrypt(randomBytes(4096)))!);
    const dataAt = file.indexOf("data:") + 10;
    const alphabet = /[A-Za-z0-9+/]/;
    for (let byte = 0; byte < 256; byte++) {
      if (alphabet.test(String.fromCharCode(byte))) continue;
      const bad = Buffer.from(file);
      bad[dataAt] = byte;
      expect(await fastDecrypt(bad), `byte ${byte}`).toBeUndefined();
    }
    // 4096 bytes end in "x==": set one of the bits past the data in "x" (as "QQ==" and "QR==" both read as "A")
    const end = file.indexOf(",iv:");
    expect(file.toString("latin1", end - 2, end)).toBe("==");
    const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const bad = Buffer.from(file);
    bad[end - 3] = digits.charCodeAt(digits.indexOf(String.fromCharCode(file[end - 3])) | 1);
    expect(await fastDecrypt(bad)).toBeUndefined();
    expect(await fastDecrypt(file)).toBeDefined();
  });

  it("hashes a large file on a second core to the same MAC, and refuses it tampered", async () => {
    const bytes = randomBytes(20 * 1024 * 1024 + 1);
    const file = Buffer.from((await fastEncrypt(bytes))!);
    expect(Buffer.from(await documentPathDecrypt(file)).equals(bytes)).toBe(true);
    expect(Buffer.from((await fastDecrypt(file))!).equals(bytes)).toBe(true);
    const text = file.toString("latin1");
    const other = Buffer.from(await documentPathEncrypt(randomBytes(10))).toString("latin1");
    const macLine = (t: string): string => /"mac": "[^"]+"/.exec(t)![0];
    await expect(fastDecrypt(Buffer.from(text.replace(macLine(text), macLine(other)), "latin1"))).rejects.toMatchObject({ code: expect.stringMatching(/Mac/) });
  }, 60_000);

  it("declines an empty file and a selector that leaves data unencrypted", async () => {
    expect(await fastEncrypt(new Uint8Array(0))).toBeUndefined();
    expect(await fastEncrypt(Buffer.from("x"), { unencryptedRegex: "^data$" })).toBeUndefined();
    expect(await fastDecrypt(await documentPathEncrypt(new Uint8Array(0)))).toBeUndefined();
  });
});
