// Output written a slice at a time: the atomic temp file (private while it exists, renamed only on
// commit, gone on discard), one write in flight, and sources that end early.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferSource, readFully, toMemory, WriteBehind, type ByteSink } from "../../src/core/byte-stream.js";
import { openAtomic } from "../../src/ops/atomic-write.js";

const temps = (dir: string): string[] => readdirSync(dir).filter((name) => name.includes("sealbox-tmp"));

describe("openAtomic", () => {
  it("keeps the temp file 0600 until commit, then renames it over the target with the mode asked for", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-atomic-"));
    const target = join(dir, "out.bin");
    const bytes = randomBytes(40 * 1024 * 1024); // past the early datasync threshold
    const file = await openAtomic(target, { mode: 0o644 });
    for (let at = 0; at < bytes.length; at += 3 * 1024 * 1024) await file.write(bytes.subarray(at, at + 3 * 1024 * 1024));
    expect(temps(dir)).toHaveLength(1);
    expect(statSync(join(dir, temps(dir)[0])).mode & 0o777).toBe(0o600);
    await file.commit();
    expect(temps(dir)).toEqual([]);
    expect(readFileSync(target).equals(bytes)).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });

  it("discard leaves the target as it was and no temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-atomic-"));
    const target = join(dir, "out.bin");
    writeFileSync(target, "old");
    const file = await openAtomic(target);
    await file.write(Buffer.from("new plaintext"));
    await file.discard();
    expect(readFileSync(target, "utf8")).toBe("old");
    expect(temps(dir)).toEqual([]);
  });
});

describe("byte streams", () => {
  it("WriteBehind reports a failed write at the next write or flush, not as an unhandled rejection", async () => {
    let calls = 0;
    const failing: ByteSink = { write: async () => (calls++ === 1 ? Promise.reject(new Error("disk full")) : undefined) };
    const sink = new WriteBehind(failing);
    await sink.write(Buffer.from("a"));
    await sink.write(Buffer.from("b")); // starts the failing write
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(sink.write(Buffer.from("c"))).rejects.toThrow("disk full");
  });

  it("toMemory grows past the size announced, and gives undefined when the transformation declines", async () => {
    const out = await toMemory(async (open) => {
      const sink = await open(2);
      await sink.write(Buffer.from("hello "));
      await sink.write(Buffer.from("world"));
      return true;
    });
    expect(out?.toString()).toBe("hello world");
    expect(await toMemory(async () => false)).toBeUndefined();
  });

  it("a source that ends before its size is a read error", () => {
    const short = { ...bufferSource(Buffer.from("abc")), size: 10 };
    expect(() => readFully(short, Buffer.alloc(10), 0)).toThrow(expect.objectContaining({ code: "CouldNotReadInputFile" }));
  });
});
