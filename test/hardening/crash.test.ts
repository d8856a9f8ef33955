// Crash safety with real processes: kill -9 at random moments of `encrypt -i`, SealedSecret
// `reencrypt -i` and `rotate` over many files. Every file must then be its old bytes or a complete
// new version that opens to the same values: never torn, never lost. (Full disk, read-only places
// and KMS faults are in faults.test.ts, so the two suites run side by side.)
import { mkdirSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decrypt } from "../../src/ops/sops-ops.js";
import { KeySources } from "../../src/keys/registry.js";
import { asSealedSecret, parseManifests } from "../../src/sealed/manifest.js";
import { sealManifests } from "../../src/sealed/seal.js";
import { unsealValues } from "../../src/sealed/unseal.js";
import { makeKeyPair } from "../sealed/helpers.js";
import { A, B, KEYS_A, ageRule, encryptedRepo, gitInit, git, identityFile, newIdentity, openFile, rules, sameContent, sourcesFor, type RepoFile } from "../repo/helpers.js";
import { cleanEnv, sealbox, spawnSealbox } from "../helpers/cli.js";
import { ROOT, ageKey, scratchDirs, tempLeftovers, runs, type AgeKey } from "./helpers.js";

const scratch = scratchDirs();

/**
 * Runs `args` `kills` times, each SIGKILLed after a random delay in [0, 1.2 × a full run], restoring
 * the originals first; `check` then proves every file whole. Returns how many files each kill left
 * changed, so the caller can show some kills landed among the writes.
 */
async function killLoop(opts: {
  kills: number;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The directories the files are put in place in. */
  dirs: string[];
  restore: () => void;
  check: () => Promise<number>;
}): Promise<number[]> {
  opts.restore();
  const start = Date.now();
  const full = await sealbox(opts.args, { cwd: opts.cwd, env: opts.env, timeoutMs: 60_000 });
  expect(full.status, full.stderr).toBe(0);
  // a loaded machine can make one run slow: cap the window so the kill count, not the wait, dominates
  const duration = Math.min(Date.now() - start, 1_500);
  const changed: number[] = [];
  for (let i = 0; i < opts.kills; i++) {
    opts.restore();
    // A third of the kills come within 2 ms of the first file put in place (an event naming a file,
    // not a temp file): the renames come in a burst at the end, which a kill timed by the clock can
    // miss on a loaded machine, where the killed runs are slower than the timed one.
    const watchers: FSWatcher[] = [];
    const firstPlaced = new Promise<void>((done) => {
      for (const d of opts.dirs) watchers.push(watch(d, (_event, name) => name && !String(name).includes(".sealbox-tmp-") && done()));
    });
    const child = spawnSealbox(opts.args, { cwd: opts.cwd, env: opts.env });
    const closed = new Promise<void>((done) => child.on("close", () => done()));
    if (i % 3 === 0) await Promise.race([firstPlaced, closed]);
    watchers.forEach((w) => w.close());
    const at = i % 3 === 0 ? Math.random() * 2 : Math.random() * duration * 1.2;
    await new Promise((r) => setTimeout(r, at));
    child.kill("SIGKILL");
    await closed;
    changed.push(await opts.check());
    for (const leftover of tempLeftovers(opts.cwd)) rmSync(join(opts.cwd, leftover), { force: true });
  }
  return changed;
}

describe("kill -9 at random moments", () => {
  let key: AgeKey;
  beforeAll(() => {
    key = ageKey(scratch());
  });

  it(`encrypt -i over 16 files: every file is its plaintext or a whole encryption of it (${runs(40, 200)} kills)`, async () => {
    const dir = scratch();
    const names = Array.from({ length: 16 }, (_, i) => `app-${i}.env`);
    const plain = names.map((_, i) => Buffer.from(`USER=user${i}\nPASSWORD=pw-${i}-${"x".repeat(i * 40)}\n#note ${i}\n`));
    const sources = new KeySources({ age: { env: { SOPS_AGE_KEY_FILE: key.file } } });
    const changed = await killLoop({
      kills: runs(40, 200),
      args: ["encrypt", "-i", "--age", key.recipient, ...names],
      cwd: dir,
      env: cleanEnv(),
      dirs: [dir],
      restore: () => names.forEach((n, i) => writeFileSync(join(dir, n), plain[i])),
      check: async () => {
        let encrypted = 0;
        for (const [i, n] of names.entries()) {
          const now = readFileSync(join(dir, n));
          if (now.equals(plain[i])) continue;
          expect(Buffer.from(await decrypt(now, { filename: n, sources })).equals(plain[i]), `${n} is neither its plaintext nor its encryption`).toBe(true);
          encrypted++;
        }
        return encrypted;
      },
    });
    expect(changed.some((n) => n > 0 && n < names.length) || changed.includes(names.length), `encrypted counts: ${changed.join(",")}`).toBe(true);
  }, 300_000);

  it(`reencrypt -i of 16 SealedSecrets: every file is its old bytes or a whole re-seal of the same values (${runs(40, 200)} kills)`, async () => {
    const dir = scratch();
    const oldPair = { cert: join(ROOT, "fixtures/interop/sealed/cert.pem"), key: join(ROOT, "fixtures/interop/sealed/key.pem") };
    const newPair = makeKeyPair(dir, "new");
    const oldKey: KeyObject = createPrivateKey(readFileSync(oldPair.key));
    const newKey: KeyObject = createPrivateKey(readFileSync(newPair.key));
    mkdirSync(join(dir, "sealed"));
    const names = Array.from({ length: 16 }, (_, i) => `sealed/s${i}.yaml`);
    const originals = names.map((n, i) => {
      const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s${i}\n  namespace: prod\nstringData:\n  password: pw-${i}\n  token: tok-${i}\n`;
      return Buffer.from(sealManifests(secret, n, { publicKey: createPublicKey(oldKey), format: "yaml" }));
    });
    const values = (text: Buffer, keys: KeyObject[]): Record<string, string> =>
      Object.fromEntries([...unsealValues(asSealedSecret(parseManifests(text.toString("utf8"), "s").docs[0].value, "s"), keys)].map(([k, v]) => [k, Buffer.from(v).toString()]));
    const expected = originals.map((o) => values(o, [oldKey]));
    const changed = await killLoop({
      kills: runs(40, 200),
      args: ["reencrypt", "-i", "sealed", "--cert", newPair.cert, "--private-key", oldPair.key],
      cwd: dir,
      env: cleanEnv(),
      dirs: [join(dir, "sealed")],
      restore: () => names.forEach((n, i) => writeFileSync(join(dir, n), originals[i])),
      check: async () => {
        let resealed = 0;
        for (const [i, n] of names.entries()) {
          const now = readFileSync(join(dir, n));
          if (now.equals(originals[i])) continue;
          expect(values(now, [newKey]), `${n} is torn`).toEqual(expected[i]);
          resealed++;
        }
        return resealed;
      },
    });
    expect(changed.some((n) => n > 0), `re-sealed counts: ${changed.join(",")}`).toBe(true);
  }, 300_000);

  it(`rotate of 12 SOPS files in a git repo: every file opens to its own values, old or new recipients (${runs(20, 100)} kills)`, async () => {
    const dir = scratch("sealbox-rotate-");
    gitInit(dir);
    rules(dir, ageRule([A, B]));
    const files: RepoFile[] = await encryptedRepo(dir, 12, [A, B]);
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "secrets");
    const originals = new Map(files.map((f) => [f.path, readFileSync(join(dir, f.path))]));
    const c = newIdentity(scratch(), "c").recipient;
    rules(dir, ageRule([A, c]));
    const env = cleanEnv({ SOPS_AGE_KEY_FILE: identityFile(scratch(), "keys.txt", [KEYS_A]) });
    const sources = sourcesFor([KEYS_A]);
    const changed = await killLoop({
      kills: runs(20, 100),
      args: ["rotate", "-q", "."],
      cwd: dir,
      env,
      dirs: [...new Set(files.map((f) => dirname(join(dir, f.path))))],
      restore: () => originals.forEach((bytes, path) => writeFileSync(join(dir, path), bytes)),
      check: async () => {
        let rotated = 0;
        for (const f of files) {
          const opened = await openFile(dir, f.path, sources);
          expect(sameContent(f.path, opened.plain), `${f.path} lost its values`).toEqual(sameContent(f.path, f.plain));
          if (opened.recipients.includes(c)) rotated++;
        }
        return rotated;
      },
    });
    expect(changed.some((n) => n > 0), `rotated counts: ${changed.join(",")}`).toBe(true);
  }, 300_000);
});
