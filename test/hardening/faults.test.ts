// Fault injection with real processes: a full disk (a real 64 KiB tmpfs, and stdout on /dev/full),
// a read-only file system and a read-only file (the original intact, a clear error), and the KMS
// stand-in throttling, failing and stalling (bounded retries and time, then a clear error).
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, chownSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encrypt } from "../../src/ops/sops-ops.js";
import { startKmsServer, type KmsServer } from "../helpers/kms-server.js";
import { BIN, cleanEnv, sealbox } from "../helpers/cli.js";
import { SEALED_VECTORS } from "../helpers/fixtures.js";
import { SLOW, ageKey, scratchDirs, tempLeftovers, stackLines, type AgeKey } from "./helpers.js";

const scratch = scratchDirs();

/** The `nobody` user, for runs that root's privileges would spoil (a read-only file is writable to root); undefined when not root. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return { uid: Number(execFileSync("id", ["-u", "nobody"]).toString()), gid: Number(execFileSync("id", ["-g", "nobody"]).toString()) };
  } catch {
    return undefined;
  }
}

/** Runs sealbox as `user` in `cwd`. */
function sealboxAs(user: { uid: number; gid: number }, args: string[], cwd: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(), uid: user.uid, gid: user.gid, cwd });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (status) => done({ status, stderr }));
  });
}

/** A scratch directory anyone may write in, holding `files` (name, content) owned by `user`, the last one read-only (0444); their paths. */
function ownedFiles(user: { uid: number; gid: number }, files: [string, string | Buffer][]): { dir: string; paths: string[] } {
  const dir = scratch();
  chmodSync(dir, 0o777);
  const paths = files.map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    chownSync(path, user.uid, user.gid);
    return path;
  });
  chmodSync(paths.at(-1)!, 0o444);
  return { dir, paths };
}
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
    const nobody = unprivilegedUser();
    if (!nobody) return ctx.skip();
    const { dir, paths: [file] } = ownedFiles(nobody, [["app.env", plain]]);
    const r = await sealboxAs(nobody, ["encrypt", "-i", "--age", key.recipient, file], dir);
    expect(r.stderr).toMatch(new RegExp(`^sealbox: ${file}: .*(read-only|EACCES|permission)`));
    expect(r.status).toBe(3);
    expect(readFileSync(file, "utf8")).toBe(plain);
    expect(statSync(file).mode & 0o777).toBe(0o444);
  });
});

describe("a multi-file -i run that fails on a later file leaves the earlier ones as they were", () => {
  let key: AgeKey;
  const plainA = "PASSWORD=first-file-secret\n";
  const plainB = `PASSWORD=second-file-secret\nPADDING=${"x".repeat(40 * 1024)}\n`;
  beforeAll(() => {
    key = ageKey(scratch());
  });
  const mounted: string[] = [];
  afterAll(() => {
    for (const d of mounted) execFileSync("umount", ["-l", d], { stdio: "pipe" });
  });

  it("decrypt -i a b on a disk with room for a's plaintext but not b's: exit 3 naming b, both still encrypted, no temp file", async (ctx) => {
    const dir = scratch("sealbox-tmpfs-");
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=200k", "tmpfs", dir], { stdio: "pipe" });
    } catch {
      return ctx.skip();
    }
    mounted.push(dir);
    const [a, b] = [join(dir, "a.env"), join(dir, "b.env")];
    const encryptedA = await encrypt(Buffer.from(plainA), { filename: a, age: [key.recipient], cwd: dir, env: {} });
    const encryptedB = await encrypt(Buffer.from(plainB), { filename: b, age: [key.recipient], cwd: dir, env: {} });
    writeFileSync(a, encryptedA);
    writeFileSync(b, encryptedB);
    // fill the disk, then free two pages: a's plaintext (one page) fits, b's (eleven) does not
    const filler = join(dir, "filler");
    try {
      writeFileSync(filler, Buffer.alloc(256 * 1024));
    } catch {
      // ENOSPC is the point: the filler takes every free page it can
    }
    truncateSync(filler, statSync(filler).size - 8192);
    const r = await sealbox(["decrypt", "-i", a, b], { env: cleanEnv({ SOPS_AGE_KEY_FILE: key.file }) });
    expect(r.stderr).toMatch(new RegExp(`^sealbox: ${b}: cannot write: ENOSPC`));
    expect(r.status).toBe(3);
    expect(readFileSync(a).equals(Buffer.from(encryptedA))).toBe(true);
    expect(readFileSync(b).equals(Buffer.from(encryptedB))).toBe(true);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it("encrypt -i a b with b read-only (mode 0444, run as an unprivileged user): exit 3 naming b, a still plaintext", async (ctx) => {
    const nobody = unprivilegedUser();
    if (!nobody) return ctx.skip();
    const { dir, paths: [a, b] } = ownedFiles(nobody, [["a.env", plainA], ["b.env", plainB]]);
    const r = await sealboxAs(nobody, ["encrypt", "-i", "--age", key.recipient, a, b], dir);
    expect(r.stderr).toMatch(new RegExp(`^sealbox: ${b}: cannot write: EACCES`));
    expect(r.status).toBe(3);
    expect(readFileSync(a, "utf8")).toBe(plainA);
    expect(readFileSync(b, "utf8")).toBe(plainB);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it("reencrypt -i a b with b read-only (mode 0444, run as an unprivileged user): exit 3 naming b, a as it was", async (ctx) => {
    const nobody = unprivilegedUser();
    if (!nobody) return ctx.skip();
    const sealed = readFileSync(join(SEALED_VECTORS, "data-strict.sealed.yaml"));
    const { dir, paths: [a, b] } = ownedFiles(nobody, [["a.yaml", sealed], ["b.yaml", sealed]]);
    const args = ["reencrypt", "-i", "--cert", join(SEALED_VECTORS, "cert.pem"), "--private-key", join(SEALED_VECTORS, "key.pem"), a, b];
    const r = await sealboxAs(nobody, args, dir);
    expect(r.stderr).toBe(`sealbox: ${b}: cannot write: EACCES\n`);
    expect(r.status).toBe(3);
    expect(readFileSync(a).equals(sealed)).toBe(true);
    expect(tempLeftovers(dir)).toEqual([]);
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
