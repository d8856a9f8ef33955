// hkdfSha256 is two HMACs instead of node:crypto's hkdfSync (for speed): it must give the same bytes
// for every input age uses — empty salt or ikm, long salts, any info label.
import { hkdfSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hkdfSha256 } from "../../src/keys/age-x25519.js";

describe("hkdfSha256", () => {
  it("equals hkdfSync for 32-byte outputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 40 }), (ikm, salt, info) => {
        expect(Buffer.from(hkdfSha256(ikm, salt, info))).toEqual(Buffer.from(hkdfSync("sha256", ikm, salt, info, 32)));
      }),
      { numRuns: 500 },
    );
  });

  it("matches RFC 5869 test case 3 (empty salt and info)", () => {
    const ikm = Buffer.alloc(22, 0x0b);
    const okm = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d";
    expect(Buffer.from(hkdfSha256(ikm, new Uint8Array(0), "")).toString("hex")).toBe(okm);
  });
});
