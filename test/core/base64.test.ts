// The strict base64 checks against the plain definition they replace (one anchored regex), on the
// edge cases and on random strings over the alphabet, '=' and a few characters outside it.
import { describe, expect, it } from "vitest";
import { decodeStdBase64, isBase64Run, isStdBase64 } from "../../src/core/base64.js";

const DEFINITION = /^[A-Za-z0-9+/]*={0,2}$/;
const EDGES = ["", "=", "==", "===", "A=", "A==", "A===", "A=B", "AB=C=", "AB==", "ABC=", "ABCD", "AB\n", "AB-_", "Zm9v", "Zm9v\r\n", "é", "AB==\u0000"];

function randomText(): string {
  const chars = "ABZabz09+/==-_ \n.é";
  const length = Math.floor(Math.random() * 9);
  return Array.from({ length }, () => chars[Math.floor(Math.random() * chars.length)]).join("");
}

describe("strict base64", () => {
  it("isBase64Run and isStdBase64 agree with the anchored definition", () => {
    for (const text of [...EDGES, ...Array.from({ length: 20_000 }, randomText)]) {
      expect(isBase64Run(text), JSON.stringify(text)).toBe(DEFINITION.test(text));
      expect(isStdBase64(text), JSON.stringify(text)).toBe(text.length % 4 === 0 && DEFINITION.test(text));
    }
  });

  it("decodes only padded standard base64", () => {
    expect(decodeStdBase64("Zm9vYg==")?.toString()).toBe("foob");
    expect(decodeStdBase64("Zm9vYg")).toBeUndefined();
    expect(decodeStdBase64("Zm9v-g==")).toBeUndefined();
    expect(decodeStdBase64("Zm=vYg==")).toBeUndefined();
  });
});
