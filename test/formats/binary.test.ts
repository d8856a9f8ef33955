import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Branch, type Value } from "../../src/tree/tree.js";
import { binaryCodec } from "../../src/formats/binary.js";
import { bytesToGoString, goByteLength, goStringToBytes } from "../../src/core/go-string.js";
import { SealboxError } from "../../src/errors.js";
import { sopsVector } from "../helpers/fixtures.js";

describe("binary codec", () => {
  it("holds sops's binary vector (not UTF-8) under data and writes it back byte for byte", () => {
    const input = sopsVector("blob.plain.bin");
    const docs = binaryCodec.parsePlain(input, "blob.plain.bin");
    expect(docs[0].items.map((i) => i.key)).toEqual(["data"]);
    const data = docs[0].get("data") as string;
    expect(data.startsWith("binary\u0000\u0001\u0002\udcff\udcfe payload\n")).toBe(true);
    expect(Buffer.from(binaryCodec.emitPlain(docs)).equals(input)).toBe(true);
  });

  it("reads the encrypted vector as JSON and writes the same bytes (tabs, key order, final newline)", () => {
    const docs = binaryCodec.parseEncrypted(sopsVector("blob.enc.bin"), "blob.enc.bin");
    expect(docs[0].items.map((i) => i.key)).toEqual(["data", "sops"]);
    expect(docs[0].get("data")).toMatch(/^ENC\[AES256_GCM,.*type:str\]$/);
    const sops = docs[0].get("sops") as Branch;
    expect(((sops.get("age") as Value[])[0] as Branch).get("recipient")).toBe("age1vpy7q3jrgraq5eupujyx7fdxjay5wmg4cc8sj7hygda0tv35wvvs8jyytl");
    expect(Buffer.from(binaryCodec.emitEncrypted(docs)).equals(sopsVector("blob.enc.bin"))).toBe(true);
  });

  it("round-trips every byte sequence through the string value", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const docs = binaryCodec.parsePlain(bytes, "x.bin");
        expect(Buffer.from(binaryCodec.emitPlain(docs)).equals(Buffer.from(bytes))).toBe(true);
        expect(goByteLength(docs[0].get("data") as string)).toBe(bytes.length);
      }),
      { numRuns: process.env.SLOW ? 20_000 : 2_000 },
    );
  });

  it("decodes valid UTF-8 (with its BOM) to the ordinary string and escapes only the bytes that are not", () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9, 0xf0, 0x9d, 0x84, 0x9e]);
    expect(bytesToGoString(bom)).toBe("\ufeffhé𝄞");
    // Overlong, surrogate and truncated sequences are single escaped bytes.
    const bad = Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82]);
    expect(bytesToGoString(bad)).toBe("\udcc0\udcaf\udced\udca0\udc80\udce2\udc82");
    expect(Buffer.from(goStringToBytes(bytesToGoString(bad))).equals(bad)).toBe(true);
    // A real astral character whose low surrogate lies in the escape range stays UTF-8.
    expect(Buffer.from(goStringToBytes("\u{1F680}")).equals(Buffer.from("🚀"))).toBe(true);
  });

  it("decodes the valid parts exactly as UTF-8 and escapes each stray byte on its own", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.integer({ min: 0x80, max: 0xff }), fc.string({ unit: "grapheme" }), (a, stray, b) => {
        const bytes = Buffer.concat([Buffer.from(a), Buffer.from([stray]), Buffer.from("x" + b)]);
        // A stray continuation byte or a lead byte followed by "x" never forms a valid sequence.
        expect(bytesToGoString(bytes)).toBe(a + String.fromCharCode(0xdc00 + stray) + "x" + b);
      }),
    );
  });

  it("keeps an empty file empty", () => {
    const docs = binaryCodec.parsePlain(new Uint8Array(0), "empty.bin");
    expect(docs[0].get("data")).toBe("");
    expect(binaryCodec.emitPlain(docs)).toHaveLength(0);
  });

  it("refuses a document without a string data value", () => {
    expect(() => binaryCodec.emitPlain([new Branch([{ key: "other", value: "x" }])])).toThrow(SealboxError);
    expect(() => binaryCodec.emitPlain([new Branch([{ key: "data", value: 5n }])])).toThrow(SealboxError);
  });

  it("refuses an encrypted file that is not JSON, naming the file and line", () => {
    let error: unknown;
    try {
      binaryCodec.parseEncrypted(Buffer.from('{\n\t"data": "x",\n\toops\n}\n'), "blob.enc.bin");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SealboxError);
    expect((error as SealboxError).file).toBe("blob.enc.bin");
    expect((error as SealboxError).line).toBe(3);
  });
});
