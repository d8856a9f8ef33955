// Several files written all or none (multi-file -i, keygen --sealing): every temp file is written and
// synced before the first rename, and a failure at any step leaves every file as it was.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFilesAtomic } from "../../src/ops/atomic-write.js";

const temps = (dir: string): string[] => readdirSync(dir).filter((name) => name.includes("sealbox-tmp"));

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "sealbox-files-"));
}

describe("writeFilesAtomic", () => {
  it("puts every file in place, an existing file's mode kept, a new one's as asked; no temp file left", async () => {
    const dir = scratch();
    const [old, fresh] = [join(dir, "old.yaml"), join(dir, "new.yaml")];
    writeFileSync(old, "old", { mode: 0o640 });
    await writeFilesAtomic([
      { path: old, data: "replaced" },
      { path: fresh, data: "made", options: { mode: 0o644 } },
    ]);
    expect([readFileSync(old, "utf8"), readFileSync(fresh, "utf8")]).toEqual(["replaced", "made"]);
    expect([statSync(old).mode & 0o777, statSync(fresh).mode & 0o777]).toEqual([0o640, 0o644]);
    expect(temps(dir)).toEqual([]);
  });

  it("a file that cannot be written (its directory is missing): no file changed, no temp file, the error made by `failed`", async () => {
    const dir = scratch();
    const first = join(dir, "first.yaml");
    writeFileSync(first, "old");
    const missing = join(dir, "missing", "second.yaml");
    const error = await writeFilesAtomic(
      [
        { path: first, data: "new" },
        { path: missing, data: "new" },
      ],
      (cause, path) => new Error(`${path}: ${(cause as NodeJS.ErrnoException).code}`),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`${missing}: ENOENT`);
    expect(readFileSync(first, "utf8")).toBe("old");
    expect(temps(dir)).toEqual([]);
  });

  it("a rename that fails puts back the files renamed before it: a replaced one as it was (same inode), a new one removed", async () => {
    const dir = scratch();
    const [replaced, created, blocked] = [join(dir, "replaced.yaml"), join(dir, "created.yaml"), join(dir, "blocked.yaml")];
    writeFileSync(replaced, "old", { mode: 0o600 });
    const inode = statSync(replaced).ino;
    // a directory where the last file goes: its temp file is written, its rename fails (EISDIR)
    mkdirSync(blocked);
    writeFileSync(join(blocked, "keep"), "");
    const error = await writeFilesAtomic([
      { path: replaced, data: "new" },
      { path: created, data: "new" },
      { path: blocked, data: "new" },
    ]).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toMatch(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readFileSync(replaced, "utf8")).toBe("old");
    expect(statSync(replaced).ino).toBe(inode);
    expect(readdirSync(dir).sort()).toEqual(["blocked.yaml", "replaced.yaml"]);
  });
});
