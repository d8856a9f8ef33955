// The loops behind `seal --validate` and `reencrypt`, as a library user calls them from the built
// package: real fixture files and keys, a verify callback standing in for the controller's answer.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifests, reencryptFiles, unsealManifests, validateThrough, SealboxError } from "../../dist/index.js";
import { KEY, VECTORS, makeKeyPair, tempDir } from "./helpers.js";

const oldKey = createPrivateKey(readFileSync(KEY));

describe("validateThrough", () => {
  it("asks about every SealedSecret, List items included, and names each one refused with its line", async () => {
    const first = readFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), "utf8");
    const text = first + readFileSync(join(VECTORS, "namespace-wide.sealed.yaml"), "utf8");
    const asked: string[] = [];
    const names = await validateThrough(parseManifests(text, "two.yaml"), "two.yaml", async (s: unknown) => {
      asked.push((s as { metadata: { name: string } }).metadata.name);
      return true;
    });
    expect(names).toEqual(["prod/db-credentials", "team-a/shared-key"]);
    expect(asked).toEqual(["db-credentials", "shared-key"]);
    const refused = await validateThrough(parseManifests(text, "two.yaml"), "two.yaml", async (s: unknown) => (s as { metadata: { name: string } }).metadata.name !== "shared-key").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SealboxError);
    expect((refused as SealboxError).exitStatus).toBe(70);
    expect((refused as SealboxError).message).toContain(`SealedSecret team-a/shared-key (line ${first.split("\n").length})`);
  });
});

describe("reencryptFiles", () => {
  it("re-seals every file in memory, skips what a directory holds that is not a SealedSecret, and refuses a named file without one", async () => {
    const dir = tempDir();
    const fresh = makeKeyPair(dir, "fresh");
    const sealed = join(dir, "db.yaml");
    const notes = join(dir, "notes.yaml");
    copyFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), sealed);
    writeFileSync(notes, "{ not: [valid yaml\n");
    const options = { publicKey: createPublicKey(readFileSync(fresh.cert)), privateKeys: [oldKey], read: (f: string) => readFile(f) };
    const results = await reencryptFiles([sealed, notes], { ...options, named: new Set([dir]) });
    expect(results.map((r: { file: string; count: number }) => [r.file, r.count])).toEqual([[sealed, 1]]);
    // nothing was written: the caller writes the texts
    expect(readFileSync(sealed, "utf8")).toBe(readFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), "utf8"));
    expect(unsealManifests(results[0].text, "db.yaml", [createPrivateKey(readFileSync(fresh.key))], { format: "json" })).toContain('"password"');
    const named = await reencryptFiles([notes], { ...options, named: new Set([notes]) }).catch((e: unknown) => e);
    expect((named as SealboxError).exitStatus).toBe(2);
  });
});
