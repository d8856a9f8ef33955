import { createDecipheriv, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { armor, Decrypter } from "age-encryption";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { combineShares, splitSecret } from "../../src/core/shamir.js";
import { SealboxError } from "../../src/errors.js";

const RUNS = process.env.SLOW ? 2000 : 150;
const VECTORS = new URL("../../fixtures/interop/sops/key_groups/", import.meta.url);

/** Picks `k` distinct shares, in the order given by `order` (a permutation seed). */
function pick(shares: Uint8Array[], order: number[], k: number): Uint8Array[] {
  return order.slice(0, k).map((i) => shares[i]!);
}

const splitCase = fc
  .record({
    secret: fc.uint8Array({ minLength: 1, maxLength: 48 }),
    parts: fc.integer({ min: 2, max: 12 }),
  })
  .chain(({ secret, parts }) =>
    fc.record({
      secret: fc.constant(secret),
      parts: fc.constant(parts),
      threshold: fc.integer({ min: 2, max: parts }),
      order: fc.shuffledSubarray([...Array(parts).keys()], { minLength: parts, maxLength: parts }),
    }),
  );

describe("Shamir key-group shares", () => {
  it("rebuilds the secret from any threshold-sized subset of the shares, in any order", () => {
    fc.assert(
      fc.property(splitCase, ({ secret, parts, threshold, order }) => {
        const shares = splitSecret(secret, parts, threshold);
        expect(shares).toHaveLength(parts);
        for (const s of shares) expect(s).toHaveLength(secret.length + 1);
        expect(combineShares(pick(shares, order, threshold))).toEqual(secret);
        // More shares than needed still rebuild it.
        expect(combineShares(pick(shares, order, parts))).toEqual(secret);
      }),
      { numRuns: RUNS },
    );
  });

  it("gives a wrong secret from fewer shares than the threshold", () => {
    const secret = randomBytes(32);
    for (let attempt = 0; attempt < 20; attempt++) {
      const shares = splitSecret(secret, 5, 3);
      expect(Buffer.from(combineShares([shares[0]!, shares[3]!]))).not.toEqual(secret);
    }
  });

  it("puts a distinct non-zero x coordinate as each share's last byte", () => {
    const shares = splitSecret(randomBytes(32), 255, 2);
    const xs = new Set(shares.map((s) => s[32]));
    expect(xs.size).toBe(255);
    expect(xs.has(0)).toBe(false);
  });

  it("refuses a single share, duplicate shares and shares of different lengths", () => {
    const shares = splitSecret(randomBytes(32), 3, 2);
    expect(() => combineShares([shares[0]!])).toThrow(SealboxError);
    expect(() => combineShares([shares[0]!, shares[0]!])).toThrow(/duplicate/);
    expect(() => combineShares([shares[0]!, shares[1]!.subarray(1)])).toThrow(/same length/);
  });

  it("refuses the splits sops refuses", () => {
    const secret = randomBytes(32);
    expect(() => splitSecret(secret, 2, 3)).toThrow(/less than the threshold/);
    expect(() => splitSecret(secret, 3, 1)).toThrow(/at least 2/);
    expect(() => splitSecret(secret, 256, 2)).toThrow(/exceed 255/);
    expect(() => splitSecret(new Uint8Array(0), 3, 2)).toThrow(/empty/);
  });
});

describe("the sops 3.13.2 key-groups vector (3 age groups, threshold 2)", () => {
  const doc = parse(readFileSync(new URL("key_groups.enc.yaml", VECTORS), "utf8")) as {
    api_key: string;
    database: { password: string };
    sops: { shamir_threshold: number; key_groups: { age: { enc: string }[] }[] };
  };
  const identities = readFileSync(new URL("keys_12.txt", VECTORS), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("AGE-SECRET-KEY-"));

  /** Each group's share, or null where keys_12.txt holds no identity for the group. */
  async function groupShares(): Promise<(Uint8Array | null)[]> {
    const decrypter = new Decrypter();
    for (const id of identities) decrypter.addIdentity(id);
    return Promise.all(
      doc.sops.key_groups.map((g) => decrypter.decrypt(armor.decode(g.age[0]!.enc)).catch(() => null)),
    );
  }

  /** sops's value cipher: AES-256-GCM, 32-byte IV, the key path joined by ":" plus ":" as AAD. */
  function openValue(dataKey: Uint8Array, value: string, path: string): string {
    const field = (name: string) => Buffer.from(new RegExp(`${name}:([^,\\]]*)`).exec(value)![1]!, "base64");
    const decipher = createDecipheriv("aes-256-gcm", dataKey, field("iv"));
    decipher.setAAD(Buffer.from(`${path}:`));
    decipher.setAuthTag(field("tag"));
    return Buffer.concat([decipher.update(field("data")), decipher.final()]).toString("utf8");
  }

  it("rebuilds the data key from groups 1 and 2 and opens the values sops wrote", async () => {
    expect(doc.sops.shamir_threshold).toBe(2);
    const [one, two, three] = await groupShares();
    expect(three).toBeNull(); // keys_12.txt deliberately lacks group 3's identity
    for (const pair of [
      [one!, two!],
      [two!, one!],
    ]) {
      const dataKey = combineShares(pair);
      expect(dataKey).toHaveLength(32);
      expect(openValue(dataKey, doc.api_key, "api_key")).toBe("abc-123");
      expect(openValue(dataKey, doc.database.password, "database:password")).toBe("s3cr3t-shamir");
    }
  });

  it("cannot rebuild the data key from one group's share", async () => {
    const [one] = await groupShares();
    expect(() => combineShares([one!])).toThrow(/fewer than two shares/);
    // Paired with a share that is not from this split, the key is wrong and GCM refuses the value.
    const stranger = splitSecret(randomBytes(32), 2, 2)[0]!;
    if (stranger[32] === one![32]) stranger[32] ^= 1;
    const wrongKey = combineShares([one!, stranger]);
    expect(() => openValue(wrongKey, doc.api_key, "api_key")).toThrow();
  });
});
