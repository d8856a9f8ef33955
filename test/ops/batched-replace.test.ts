// Files replaced in batches (rotate's writes): each staged to a temp file, made durable with one
// `sync -f` per batch (or an fsync per file where that fails), then renamed over its target. The
// `sync` run is the real coreutils one, found through a PATH entry that logs how it was called.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BatchedReplace } from "../../src/ops/atomic-write.js";

const temps = (dir: string): string[] => readdirSync(dir).filter((name) => name.includes("sealbox-tmp"));

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
});

/** Puts a `sync` first on PATH that appends its arguments to the returned log, then runs `then`. */
function syncOnPath(then: string): string {
  const bin = mkdtempSync(join(tmpdir(), "sealbox-bin-"));
  const log = join(bin, "calls.log");
  writeFileSync(join(bin, "sync"), `#!/bin/sh\necho "$*" >> '${log}'\n${then}\n`);
  chmodSync(join(bin, "sync"), 0o755);
  process.env.PATH = `${bin}:${originalPath}`;
  return log;
}

function calls(log: string): string[] {
  try {
    return readFileSync(log, "utf8").trim().split("\n");
  } catch {
    return [];
  }
}

function filesIn(dir: string, count: number, mode = 0o644): string[] {
  return Array.from({ length: count }, (_, i) => {
    const path = join(dir, `secret-${i}.yaml`);
    writeFileSync(path, `old ${i}\n`, { mode });
    chmodSync(path, mode);
    return path;
  });
}

/** Stages `content` for every path, commits, and waits until every file is in place. */
async function replaceAll(paths: string[], content: string): Promise<void> {
  const writes = new BatchedReplace();
  const placed = paths.map((path) => writes.stage(path, Buffer.from(content)));
  await writes.commit();
  await Promise.all(placed);
}

describe("BatchedReplace", () => {
  it("puts a batch in place after one `sync -f` of its directory, each file's mode kept, no temp file left", async () => {
    const log = syncOnPath('exec /usr/bin/sync "$@"');
    const dir = mkdtempSync(join(tmpdir(), "sealbox-batch-"));
    const paths = filesIn(dir, 40, 0o640);
    const writes = new BatchedReplace();
    const placed = paths.map((path, i) => writes.stage(path, Buffer.from(`new ${i}\n`)));
    // staged, not yet in place: the targets are untouched and the temp files private
    expect(readFileSync(paths[7], "utf8")).toBe("old 7\n");
    expect(temps(dir)).toHaveLength(40);
    expect(statSync(join(dir, temps(dir)[0])).mode & 0o777).toBe(0o640);
    await writes.commit();
    await Promise.all(placed);
    expect(paths.map((path) => readFileSync(path, "utf8"))).toEqual(paths.map((_, i) => `new ${i}\n`));
    expect(paths.every((path) => (statSync(path).mode & 0o777) === 0o640)).toBe(true);
    expect(temps(dir)).toEqual([]);
    expect(calls(log)).toEqual([`-f -- ${dir}`]);
  });

  it("batches that pile up while one is being put in place share one `sync -f` (a run that never waits on I/O)", async () => {
    const log = syncOnPath('exec /usr/bin/sync "$@"');
    const dir = mkdtempSync(join(tmpdir(), "sealbox-batch-"));
    const paths = filesIn(dir, 1700);
    const writes = new BatchedReplace();
    const stage = (from: number, to: number): Promise<void>[] => paths.slice(from, to).map((path, i) => writes.stage(path, Buffer.from(`new ${from + i}\n`)));
    // the first 512 files make a batch, which starts at once; the next 1,088 fill two more batches
    // while it waits for its `sync`, and the last 100 come after the loop turns
    const placed = stage(0, 512);
    await Promise.resolve();
    placed.push(...stage(512, 1600));
    await new Promise((resolve) => setImmediate(resolve));
    placed.push(...stage(1600, 1700));
    await writes.commit();
    await Promise.all(placed);
    expect(paths.map((path) => readFileSync(path, "utf8"))).toEqual(paths.map((_, i) => `new ${i}\n`));
    expect(temps(dir)).toEqual([]);
    expect(calls(log).length).toBeLessThanOrEqual(3);
  });

  it("a few files are fsynced one by one instead (no process started)", async () => {
    const log = syncOnPath('exec /usr/bin/sync "$@"');
    const dir = mkdtempSync(join(tmpdir(), "sealbox-batch-"));
    const paths = filesIn(dir, 3);
    await replaceAll(paths, "new\n");
    expect(paths.map((path) => readFileSync(path, "utf8"))).toEqual(["new\n", "new\n", "new\n"]);
    expect(calls(log)).toEqual([]);
  });

  it("when `sync` fails, each file is fsynced and still put in place", async () => {
    const log = syncOnPath("exit 1");
    const dir = mkdtempSync(join(tmpdir(), "sealbox-batch-"));
    const paths = filesIn(dir, 20);
    await replaceAll(paths, "new\n");
    expect(paths.every((path) => readFileSync(path, "utf8") === "new\n")).toBe(true);
    expect(temps(dir)).toEqual([]);
    expect(calls(log)).toHaveLength(1);
  });

  it("a file that cannot be put in place fails alone: its promise rejects, the others are replaced", async () => {
    syncOnPath('exec /usr/bin/sync "$@"');
    const root = mkdtempSync(join(tmpdir(), "sealbox-batch-"));
    const kept = join(root, "kept");
    const gone = join(root, "gone");
    mkdirSync(kept);
    mkdirSync(gone);
    const paths = filesIn(kept, 20);
    const [lost] = filesIn(gone, 1);
    const writes = new BatchedReplace();
    const placed = paths.map((path) => writes.stage(path, Buffer.from("new\n")));
    const failed = writes.stage(lost, Buffer.from("new\n")).catch((error: NodeJS.ErrnoException) => error.code);
    rmSync(gone, { recursive: true });
    await writes.commit();
    await Promise.all(placed);
    expect(await failed).toBe("ENOENT");
    expect(paths.every((path) => readFileSync(path, "utf8") === "new\n")).toBe(true);
    expect(temps(kept)).toEqual([]);
  });

  it("a batch is put in place within about a second of its first file, without a commit call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-batch-"));
    const [path] = filesIn(dir, 1);
    const started = Date.now();
    await new BatchedReplace().stage(path, Buffer.from("new\n"));
    expect(readFileSync(path, "utf8")).toBe("new\n");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a file that cannot be staged throws at once and stays as it was", () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-batch-"));
    const writes = new BatchedReplace();
    expect(() => writes.stage(join(dir, "missing-dir", "x.yaml"), Buffer.from("new\n"))).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
