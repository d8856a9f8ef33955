// The hybrid cipher on its own: round trips for any bytes and label, every flipped bit refused, and
// sealbox's large, binary and unicode values open with the controller's format end to end.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { hybridDecrypt, hybridEncrypt } from "../../src/core/hybrid.js";
import { sealbox } from "../helpers/cli.js";
import { CERT, KEY, opensslOpen, tempDir } from "./helpers.js";

const privateKey = createPrivateKey(readFileSync(KEY));
const publicKey = createPublicKey(privateKey);
const RUNS = process.env.SLOW ? 200 : 25;

describe("hybrid cipher", () => {
  it("opens what it seals, for any bytes and label, and only under that label", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.string({ unit: "grapheme", maxLength: 80 }), (plain, label) => {
        const l = Buffer.from(label);
        const sealed = hybridEncrypt(publicKey, plain, l);
        expect(sealed.length).toBe(2 + 512 + plain.length + 16);
        expect(Buffer.from(sealed).readUInt16BE(0)).toBe(512);
        expect(Buffer.from(hybridDecrypt([privateKey], sealed, l))).toEqual(Buffer.from(plain));
        expect(() => hybridDecrypt([privateKey], sealed, Buffer.concat([l, Buffer.from("x")]))).toThrow(/label/);
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses every single flipped bit", () => {
    const sealed = Buffer.from(hybridEncrypt(publicKey, Buffer.from("value"), Buffer.from("ns/name")));
    fc.assert(
      fc.property(fc.nat({ max: sealed.length * 8 - 1 }), (bit) => {
        const damaged = Buffer.from(sealed);
        damaged[bit >> 3] ^= 1 << (bit & 7);
        expect(() => hybridDecrypt([privateKey], damaged, Buffer.from("ns/name"))).toThrow();
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it("uses a fresh session key every time", () => {
    const a = hybridEncrypt(publicKey, Buffer.from("same"), Buffer.alloc(0));
    const b = hybridEncrypt(publicKey, Buffer.from("same"), Buffer.alloc(0));
    expect(Buffer.from(a).subarray(514)).not.toEqual(Buffer.from(b).subarray(514));
  });

  // From src/ the helper thread's file is not built, so it cannot start and this thread wraps every
  // key; the build in dist/ starts it. Both must seal the same way, across several chunks.
  it.each([
    ["with the helper thread (dist/)", "../../dist/core/"],
    ["when the helper cannot start (src/)", "../../src/core/"],
  ])("seals a batch of values, each under its own label and key, %s", async (_, dir) => {
    const { HybridBatch } = (await import(`${dir}hybrid.js`)) as typeof import("../../src/core/hybrid.js");
    const { startWrapHelper } = (await import(`${dir}oaep-wrap.js`)) as typeof import("../../src/core/oaep-wrap.js");
    const values = Array.from({ length: 150 }, (_, i) => ({ plaintext: Buffer.from("same"), label: Buffer.from(`ns/name-${i % 20}`) }));
    const helper = startWrapHelper();
    const batch = new HybridBatch(publicKey, helper);
    let sealed: Uint8Array[];
    try {
      for (const { plaintext, label } of values) batch.add(plaintext, label);
      sealed = batch.finish();
    } finally {
      batch.wipe();
      await helper?.terminate();
    }
    expect(sealed).toHaveLength(150);
    expect(new Set(sealed.map((s) => Buffer.from(s).subarray(514).toString("hex"))).size).toBe(150);
    sealed.forEach((s, i) => {
      expect(Buffer.from(hybridDecrypt([privateKey], s, values[i].label))).toEqual(Buffer.from("same"));
      if (i % 16 === 0) expect(() => hybridDecrypt([privateKey], s, values[i + 1].label)).toThrow(/label/);
    });
  });
});

describe("large, binary and unicode values, every scope", () => {
  const big = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >> 8)) & 0xff;
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "blobs", namespace: "ünïcode-ns", labels: { "app": "ölçü" } },
    data: { "big.bin": big.toString("base64"), "nul.bin": Buffer.from([0, 0, 255]).toString("base64") },
    stringData: { "grüße.txt": "日本語 🚀 emoji\nand a newline", empty: "" },
  };

  for (const [scope, label] of [["strict", "ünïcode-ns/blobs"], ["namespace-wide", "ünïcode-ns"], ["cluster-wide", ""]] as const) {
    it(`${scope}: seals and unseals byte for byte, and openssl agrees`, async () => {
      const dir = tempDir();
      const sealedFile = join(dir, "sealed.yaml");
      const sealed = await sealbox(["seal", "--cert", CERT, "--scope", scope, "--format", "yaml", "-o", sealedFile], { input: JSON.stringify(secret) });
      expect(sealed.stderr).toBe("");
      expect(sealed.status).toBe(0);
      const doc = YAML.parse(readFileSync(sealedFile, "utf8"));
      // Buffer.equals: vitest's deep equality walks a megabyte byte by byte.
      expect(opensslOpen(doc.spec.encryptedData["big.bin"], label).equals(big)).toBe(true);
      expect(opensslOpen(doc.spec.encryptedData["grüße.txt"], label).toString()).toBe("日本語 🚀 emoji\nand a newline");
      const unsealed = await sealbox(["unseal", sealedFile, "--private-key", KEY, "--format", "json"]);
      expect(unsealed.status).toBe(0);
      const out = JSON.parse(unsealed.stdout);
      expect(out.metadata.labels).toEqual({ app: "ölçü" });
      expect(out.data).toEqual({
        "big.bin": secret.data["big.bin"],
        "nul.bin": secret.data["nul.bin"],
        "grüße.txt": Buffer.from(secret.stringData["grüße.txt"]).toString("base64"),
        empty: "",
      });
    });
  }
});
