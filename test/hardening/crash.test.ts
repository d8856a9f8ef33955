// Crash and fault injection with real processes: kill -9 at random moments of `encrypt -i`,
// SealedSecret `reencrypt -i` and `rotate` over many files (every file must then be its old bytes or
// a complete new version that opens to the same values: never torn, never lost); a full disk (a real
// 64 KiB tmpfs, and stdout on /dev/full); a read-only file system and a read-only file; and the KMS
// stand-in throttling, failing and stalling (bounded retries and time, then a clear error).
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decrypt, encrypt } from "../../src/ops/sops-ops.js";
import { KeySources } from "../../src/keys/registry.js";
import { asSealedSecret, parseManifests } from "../../src/sealed/manifest.js";
import { sealManifests } from "../../src/sealed/seal.js";
import { unsealValues } from "../../src/sealed/unseal.js";
import { makeKeyPair } from "../sealed/helpers.js";
import { A, B, KEYS_A, ageRule, encryptedRepo, gitInit, git, identityFile, newIdentity, openFile, rules, sameContent, sourcesFor, type RepoFile } from "../repo/helpers.js";
import { startKmsServer, type KmsServer } from "../helpers/kms-server.js";
import { ROOT, SLOW, ageKey, cleanEnv, runs, sealbox, stackLines, tempDir, type AgeKey } from "./helpers.js";

const BIN = join(ROOT, "bin/sealbox.js");
const dirs: string[] = [];
const scratch = (prefix?: string): string => {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempLeftovers(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => p.includes(".sealbox-tmp-"));
}

/**
 * Runs `args` `kills` times, each SIGKILLed after a random delay in [0, 1.2 × a full run], restoring
 * the originals first; `check` then proves every file whole. Returns how many files each kill left
 * changed, so the caller can show some kills landed among the writes.
 */
async function killLoop(opts: { kills: number; args: string[]; cwd: string; env: NodeJS.ProcessEnv; restore: () => void; check: () => Promise<number> }): Promise<number[]> {
  opts.restore();
  const start = Date.now();
  const full = await sealbox(opts.args, { cwd: opts.cwd, env: opts.env, timeoutMs: 60_000 });
  expect(full.status, full.stderr).toBe(0);
  // a loaded machine can make one run slow: cap the window so the kill count, not the wait, dominates
  const duration = Math.min(Date.now() - start, 1_500);
  const changed: number[] = [];
  for (let i = 0; i < opts.kills; i++) {
    opts.restore();
    const child = spawn(process.execPath, [BIN, ...opts.args], { cwd: opts.cwd, env: opts.env, stdio: "ignore" });
    const closed = new Promise<void>((done) => child.on("close", () => done()));
    // a third of the kills land in the last part of the run, where the writes are
    const at = i % 3 === 0 ? duration * (0.6 + Math.random() * 0.5) : Math.random() * duration * 1.2;
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

describe("full disk, read-only places", () => {
  let key: AgeKey;
  const plain = "PASSWORD=hunter2hunter2\nTOKEN=abc\n";
  beforeAll(() => {
    key = ageKey(scratch());
  });

  /** A real tmpfs (we run as root in CI); skipped where mounting is not allowed. */
  function tmpfs(size: string): string | undefined {
    const dir = scratch("sealbox-tmpfs-");
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    } catch {
      return undefined;
    }
    mounted.push(dir);
    return dir;
  }
  const mounted: string[] = [];
  afterAll(() => {
    for (const d of mounted) execFileSync("umount", ["-l", d], { stdio: "pipe" });
  });

  it("a full disk (64 KiB tmpfs, filled): encrypt -i leaves the original intact, no temp file, and says ENOSPC naming the file", async (ctx) => {
    const dir = tmpfs("64k");
    if (!dir) return ctx.skip();
    const file = join(dir, "app.env");
    writeFileSync(file, plain);
    // fill what is left; tmpfs counts pages, so leave less than one
    try {
      writeFileSync(join(dir, "filler"), Buffer.alloc(128 * 1024));
    } catch {
      // ENOSPC is the point: the filler takes every free page it can
    }
    const r = await sealbox(["encrypt", "-i", "--age", key.recipient, file], { env: cleanEnv() });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^sealbox: ${file}: cannot write: ENOSPC`));
    expect(stackLines(r.stderr)).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe(plain);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it("stdout on a full device (/dev/full): decrypt fails with a clear error, exit 3, no trace", async () => {
    const dir = scratch();
    const enc = join(dir, "app.env");
    writeFileSync(enc, await encrypt(Buffer.from(plain), { filename: enc, age: [key.recipient], cwd: dir, env: {} }));
    const r = await new Promise<{ status: number | null; stderr: string }>((done) => {
      const child = spawn(`exec node ${BIN} decrypt ${enc} > /dev/full`, { shell: true, env: cleanEnv({ SOPS_AGE_KEY_FILE: key.file }) });
      let stderr = "";
      child.stderr.on("data", (c) => (stderr += c));
      child.on("close", (status) => done({ status, stderr }));
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^sealbox: .*no space left on device|ENOSPC/);
    expect(stackLines(r.stderr)).toEqual([]);
    expect(r.stderr).not.toContain("hunter2");
  });

  it("a read-only file system: encrypt -i leaves the file intact and says EROFS naming it", async (ctx) => {
    const dir = tmpfs("1m");
    if (!dir) return ctx.skip();
    const file = join(dir, "app.env");
    writeFileSync(file, plain);
    execFileSync("mount", ["-o", "remount,ro", dir], { stdio: "pipe" });
    const r = await sealbox(["encrypt", "-i", "--age", key.recipient, file], { env: cleanEnv() });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^sealbox: ${file}: cannot write: EROFS`));
    expect(readFileSync(file, "utf8")).toBe(plain);
  });

  it("a read-only file (mode 0444, run as an unprivileged user): encrypt -i refuses, the original stays", async (ctx) => {
    let nobody: { uid: number; gid: number };
    try {
      nobody = { uid: Number(execFileSync("id", ["-u", "nobody"]).toString()), gid: Number(execFileSync("id", ["-g", "nobody"]).toString()) };
    } catch {
      return ctx.skip();
    }
    if (process.getuid?.() !== 0) return ctx.skip();
    const dir = scratch();
    chmodSync(dir, 0o777);
    const file = join(dir, "app.env");
    writeFileSync(file, plain);
    chownSync(file, nobody.uid, nobody.gid);
    chmodSync(file, 0o444);
    const r = await new Promise<{ status: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [BIN, "encrypt", "-i", "--age", key.recipient, file], { env: cleanEnv(), uid: nobody.uid, gid: nobody.gid, cwd: dir });
      let stderr = "";
      child.stderr.on("data", (c) => (stderr += c));
      child.on("close", (status) => done({ status, stderr }));
    });
    expect(r.stderr).toMatch(new RegExp(`^sealbox: ${file}: .*(read-only|EACCES|permission)`));
    expect(r.status).toBe(3);
    expect(readFileSync(file, "utf8")).toBe(plain);
    expect(statSync(file).mode & 0o777).toBe(0o444);
  });
});

describe("KMS stand-in faults through the CLI", () => {
  let kms: KmsServer;
  let file: string;
  beforeAll(async () => {
    kms = await startKmsServer();
    const key = kms.createKey({ region: "eu-west-1" });
    const dir = scratch();
    file = join(dir, "kms.env");
    const saved = { ...process.env };
    Object.assign(process.env, kms.env());
    try {
      writeFileSync(file, await encrypt(Buffer.from("PASSWORD=kms-secret-value\n"), { filename: file, kms: [{ type: "kms", arn: key.arn }], cwd: dir, env: {} }));
    } finally {
      process.env = saved;
    }
  });
  afterAll(() => kms.close());
  const env = (): NodeJS.ProcessEnv => cleanEnv(kms.env());

  it("throttling past the retries: exit 128 within seconds, names the key, says throttled, 4 attempts", async () => {
    kms.throttleNext(100);
    const r = await sealbox(["decrypt", file], { env: env(), timeoutMs: 30_000 });
    kms.clearFaults();
    expect(r.status).toBe(128);
    expect(r.stderr).toMatch(/throttl/i);
    expect(r.stderr).toContain("arn:aws:kms:eu-west-1");
    expect(r.stdout).toBe("");
    expect(r.ms).toBeLessThan(15_000);
    expect(kms.calls.filter((c) => c.action === "Decrypt").length).toBeLessThanOrEqual(4);
  });

  it("two throttles then success: decrypts (bounded retries recover)", async () => {
    kms.calls.length = 0;
    kms.throttleNext(2);
    const r = await sealbox(["decrypt", file], { env: env(), timeoutMs: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("kms-secret-value");
  });

  it("500s: exit 128 with a clear error, no trace, no plaintext", async () => {
    kms.failNext(100, 500);
    const r = await sealbox(["decrypt", file], { env: env(), timeoutMs: 30_000 });
    kms.clearFaults();
    expect(r.status).toBe(128);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("sealbox:"))).toHaveLength(1);
    expect(stackLines(r.stderr)).toEqual([]);
    expect(r.stderr).not.toContain("kms-secret-value");
    expect(r.ms).toBeLessThan(15_000);
  });

  it("a stalled KMS: gives up within the 10 s budget (plus start-up), exit 128", async () => {
    kms.stallNext(Infinity);
    const r = await sealbox(["decrypt", file], { env: env(), timeoutMs: 40_000 });
    kms.clearFaults();
    expect(r.timedOut).toBe(false);
    expect(r.status).toBe(128);
    expect(r.stderr).toMatch(/no answer|timed? ?out|within/i);
    expect(r.ms).toBeLessThan(SLOW ? 20_000 : 16_000);
  }, 45_000);
});
