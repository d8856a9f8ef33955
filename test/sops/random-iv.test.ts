// randomIv hands out slices of a pooled random buffer: no byte may be handed out twice, and a
// caller changing its copy must not change anyone else's.
import { describe, expect, it } from "vitest";
import { randomIv } from "../../src/core/random.js";

describe("randomIv", () => {
  it("never repeats across pool refills and returns independent copies", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const iv = randomIv(32);
      expect(iv.length).toBe(32);
      const hex = Buffer.from(iv).toString("hex");
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
      iv.fill(0);
    }
    expect(randomIv(12).every((b) => b === 0)).toBe(false);
  });

  it("serves lengths larger than the pool share directly", () => {
    const big = randomIv(4096);
    expect(big.length).toBe(4096);
    expect(new Set(big).size).toBeGreaterThan(200);
  });
});
