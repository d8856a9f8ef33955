// The floor under a bulk rotate's writes: the same system calls for each file (read it, then a temp
// file beside it: create, write, fchmod, fsync, rename over it), in the same shape (this thread and
// one worker taking files from a shared counter, four in flight each), with no crypto or YAML.
// Not part of `npm run bench`'s table: a tool for judging how much of a run the disk work is.
//
//   node bench/write-floor.js [FILES] [THREADS] [IN_FLIGHT]
import { closeSync, fchmodSync, fsync, mkdtempSync, openSync, readFileSync, rename, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const fsyncAsync = promisify(fsync);
const renameAsync = promisify(rename);

async function writeFiles({ dir, files, counter, inFlight }) {
  const next = new Int32Array(counter);
  const one = async () => {
    for (let i = Atomics.add(next, 0, 1); i < files; i = Atomics.add(next, 0, 1)) {
      const path = join(dir, `secret-${i}.yaml`);
      const temp = join(dir, `.secret-${i}.yaml.tmp`);
      const bytes = readFileSync(path);
      const fd = openSync(temp, "wx", 0o600);
      writeSync(fd, bytes);
      fchmodSync(fd, 0o644);
      await fsyncAsync(fd);
      closeSync(fd);
      await renameAsync(temp, path);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, one));
}

if (isMainThread) {
  const [files = 1000, threads = 2, inFlight = 4] = process.argv.slice(2).map(Number);
  const dir = mkdtempSync(join(tmpdir(), "sealbox-write-floor-"));
  try {
    // files of a rotated Secret's size, each already replaced once (inodes freed, as in a real tree)
    for (let i = 0; i < files; i++) writeFileSync(join(dir, `secret-${i}.yaml`), Buffer.alloc(1800, 0x41));
    await writeFiles({ dir, files, counter: new SharedArrayBuffer(4), inFlight: 1 });
    const setup = { dir, files, counter: new SharedArrayBuffer(4), inFlight };
    const workers = Array.from({ length: threads - 1 }, () => new Worker(new URL(import.meta.url), { workerData: setup }));
    await Promise.all(workers.map((w) => new Promise((ready) => w.once("online", ready))));
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const w of workers) w.postMessage("go");
    await Promise.all([writeFiles(setup), ...workers.map((w) => new Promise((done) => w.once("exit", done)))]);
    const used = process.cpuUsage(cpu);
    console.log(`${files} files, ${threads} threads, ${inFlight} in flight each: ${(performance.now() - started).toFixed(0)} ms wall, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms (system ${(used.system / 1000).toFixed(0)} ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  parentPort.once("message", async () => {
    await writeFiles(workerData);
    process.exit(0);
  });
}
