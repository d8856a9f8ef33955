// The floor under a bulk rotate's writes: the same writes for each file, with no crypto or YAML, in
// the same shape (this thread and one worker taking files from a shared counter). `batched` is
// rotate's own path (BatchedReplace: temp files, one syncfs a batch, renames); `per-file` is an
// atomic write with its own fsync for each file (writeFileAtomic, four in flight a thread), as rotate
// wrote before the eighth round. Not part of `npm run bench`'s table: a tool for judging how much of
// a run the disk work is. Needs `npm run build` (it uses dist/).
//
//   node bench/write-floor.js [batched|per-file] [FILES] [THREADS]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { DIST } from "./lib.js";

const IN_FLIGHT = 4;

async function writeFiles({ mode, dir, files, counter }) {
  const { BatchedReplace, writeFileAtomic } = await import(join(DIST, "ops/atomic-write.js"));
  const next = new Int32Array(counter);
  const claim = () => Atomics.add(next, 0, 1);
  const path = (i) => join(dir, `secret-${i}.yaml`);
  if (mode === "batched") {
    const writes = new BatchedReplace();
    const placed = [];
    for (let i = claim(); i < files; i = claim()) placed.push(writes.stage(path(i), readFileSync(path(i))));
    await writes.commit();
    await Promise.all(placed);
    return;
  }
  const one = async () => {
    for (let i = claim(); i < files; i = claim()) await writeFileAtomic(path(i), readFileSync(path(i)), { syncDirectory: false });
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, one));
}

if (isMainThread) {
  const mode = process.argv[2] ?? "batched";
  const [files = 1000, threads = 2] = process.argv.slice(3).map(Number);
  if (mode !== "batched" && mode !== "per-file") throw new Error("usage: node bench/write-floor.js [batched|per-file] [FILES] [THREADS]");
  const dir = mkdtempSync(join(tmpdir(), "sealbox-write-floor-"));
  try {
    // files of a rotated Secret's size, each already replaced once (inodes freed, as in a real tree)
    for (let i = 0; i < files; i++) writeFileSync(join(dir, `secret-${i}.yaml`), Buffer.alloc(1800, 0x41));
    await writeFiles({ mode: "per-file", dir, files, counter: new SharedArrayBuffer(4) });
    const setup = { mode, dir, files, counter: new SharedArrayBuffer(4) };
    const workers = Array.from({ length: threads - 1 }, () => new Worker(new URL(import.meta.url), { workerData: setup }));
    await Promise.all(workers.map((w) => new Promise((ready) => w.once("online", ready))));
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const w of workers) w.postMessage("go");
    await Promise.all([writeFiles(setup), ...workers.map((w) => new Promise((done) => w.once("exit", done)))]);
    const used = process.cpuUsage(cpu);
    console.log(`${mode}: ${files} files, ${threads} threads: ${(performance.now() - started).toFixed(0)} ms wall, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms (system ${(used.system / 1000).toFixed(0)} ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  parentPort.once("message", async () => {
    await writeFiles(workerData);
    process.exit(0);
  });
}
