// Crash safety, tested by killing real runs: `node bin/sealbox.js rotate` is SIGKILLed at a random
// moment; every file must then decrypt to its original values with either the old or the new
// recipients (never torn, never lost), and a re-run must finish the job. A SIGINT leaves no temp
// file, not even a worker thread's.
import { chmodSync, existsSync, readdirSync, readFileSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, sealbox, spawnSealbox } from "../helpers/cli.js";
import { A, B, KEYS_A, ageRule, encryptedRepo, git, gitInit, identityFile, newIdentity, openFile, rules, sameContent, sourcesFor, tempDir, type RepoFile } from "./helpers.js";

const COUNT = 60;
const KILLS = process.env.SLOW ? 50 : 10;

function tempFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => p.includes(".sealbox-tmp-"));
}

describe("kill -9 during rotate", () => {
  let dir: string;
  let files: RepoFile[];
  let originals: Map<string, Buffer>;
  let c: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = tempDir();
    gitInit(dir);
    rules(dir, ageRule([A, B]));
    files = await encryptedRepo(dir, COUNT, [A, B]);
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "secrets");
    originals = new Map(files.map((f) => [f.path, readFileSync(join(dir, f.path))]));
    c = newIdentity(tempDir("sealbox-keys-"), "c").recipient;
    rules(dir, ageRule([A, c]));
    env = cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A]));
  }, 60_000);

  /** Every file opens with A's key to its own values; returns how many already have the new recipients. */
  async function checkAll(): Promise<number> {
    const sources = sourcesFor([KEYS_A]);
    let rotated = 0;
    for (const f of files) {
      const opened = await openFile(dir, f.path, sources);
      expect(sameContent(f.path, opened.plain)).toEqual(sameContent(f.path, f.plain));
      const isNew = opened.recipients.join() === [A, c].sort().join();
      expect(isNew || opened.recipients.join() === [A, B].sort().join()).toBe(true);
      if (isNew) rotated++;
    }
    return rotated;
  }

  function restore(): void {
    for (const [path, bytes] of originals) writeFileSync(join(dir, path), bytes);
  }

  // One retry: once in ~6 full-suite runs on a shared machine the first, unkilled rotate stalled past
  // its 45 s limit (never reproduced alone: 60 runs in a loop finished in ~1 s each). The assertions
  // are unchanged; the stderr check above says why if it ever fails for real.
  it(`leaves every file old or new after ${KILLS} kills at random moments, and a re-run completes`, { retry: 1 }, async () => {
    // How long a whole run takes here, so the kills spread over start-up, reading and writing.
    const started = Date.now();
    const full = await sealbox(["rotate", "-q", "-j", "2", "."], { cwd: dir, env });
    // stderr beside the status, so a failure here says why the run did not finish
    expect({ status: full.status, stderr: full.stderr }).toEqual({ status: 0, stderr: "" });
    const duration = Date.now() - started;
    expect(await checkAll()).toBe(COUNT);

    const outcomes: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      restore();
      // Odd kills at any moment of the run (start-up, reading, writing temp files, putting them in
      // place); even ones within 2 ms of the first file put in place (an event naming a file, not a
      // temp file), so some surely land among the renames of a batch.
      const watchers: FSWatcher[] = [];
      const firstPlaced = new Promise<void>((done) => {
        for (const d of new Set(files.map((f) => dirname(join(dir, f.path))))) {
          watchers.push(watch(d, (_event, name) => name && !String(name).includes(".sealbox-tmp-") && done()));
        }
      });
      const child = spawnSealbox(["rotate", "-q", "-j", "2", "."], { cwd: dir, env });
      const exited = new Promise<void>((done) => child.on("close", () => done()));
      if (i % 2 === 0) await Promise.race([firstPlaced, exited]);
      watchers.forEach((w) => w.close());
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * (i % 2 === 0 ? 2 : duration))));
      child.kill("SIGKILL");
      await exited;
      outcomes.push(await checkAll());
    }
    // At least one kill landed part way through the writes (some files new, some old).
    expect(outcomes.some((n) => n > 0 && n < COUNT), `rotated counts after each kill: ${outcomes.join(", ")}`).toBe(true);

    // The last kill's state is left as it is: a re-run finishes and tidies any temp file left behind.
    const rerun = await sealbox(["rotate", "--json", "."], { cwd: dir, env });
    expect(rerun.status).toBe(0);
    expect(JSON.parse(rerun.stdout).summary).toMatchObject({ total: COUNT, rotated: COUNT });
    expect(await checkAll()).toBe(COUNT);
    expect(tempFiles(dir)).toEqual([]);
  });
});

describe("SIGINT during rotate", () => {
  it("removes every staged temp file, the worker thread's too, and leaves every file as it was (exit 130)", async () => {
    const dir = tempDir();
    gitInit(dir);
    rules(dir, ageRule([A, B]));
    // enough files that the worker thread takes its share while this one is busy
    const files = await encryptedRepo(dir, 300, [A, B]);
    const originals = files.map((f) => readFileSync(join(dir, f.path)));
    // A `sync` that does not return holds each thread's batch (16 files or more are made durable by
    // `sync -f`, one batch at a time): once both threads are in it, their files are temp files.
    const bin = tempDir("sealbox-bin-");
    const log = join(bin, "sync.pids");
    writeFileSync(join(bin, "sync"), `#!/bin/sh\necho $$ >> '${log}'\nexec sleep 30\n`);
    chmodSync(join(bin, "sync"), 0o755);
    const syncing = (): string[] => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
    const env = cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A]), { PATH: `${bin}:${process.env.PATH}` });
    const child = spawnSealbox(["rotate", "-q", "-j", "2", "."], { cwd: dir, env });
    const exited = new Promise<number | null>((done) => child.on("close", (status) => done(status)));
    for (let i = 0; i < 300 && syncing().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(syncing()).toHaveLength(2);
    expect(tempFiles(dir).length).toBeGreaterThan(0);
    child.kill("SIGINT");
    const status = await exited;
    for (const pid of syncing()) process.kill(Number(pid), "SIGKILL");
    expect(status).toBe(130);
    expect(tempFiles(dir)).toEqual([]);
    expect(files.map((f) => readFileSync(join(dir, f.path)))).toEqual(originals);
  });
});
