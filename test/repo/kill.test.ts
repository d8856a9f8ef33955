// Crash safety, tested by killing real runs: `node bin/sealbox.js rotate` is SIGKILLed at a random
// moment; every file must then decrypt to its original values with either the old or the new
// recipients (never torn, never lost), and a re-run must finish the job.
import { readdirSync, readFileSync, watch, writeFileSync, type FSWatcher } from "node:fs";
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
