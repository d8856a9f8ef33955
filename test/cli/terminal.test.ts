// Terminal manners, on a real pseudo-terminal and off it: colour only on a TTY and never with
// NO_COLOR or --no-color, warnings on stderr (hidden by --quiet), safety alerts always, data on
// stdout and never coloured.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, sealbox } from "../helpers/cli.js";
import { ROOT, makeKeyPair, tempDir } from "../sealed/helpers.js";
import { HAS_SCRIPT, Pty } from "./pty.js";

const ESC = "\x1b[";
// No colour settings of the machine running the tests may leak in.
const CLEAN_ENV = { NO_COLOR: undefined, FORCE_COLOR: undefined } as unknown as NodeJS.ProcessEnv;
let oldCert: string;

beforeAll(() => {
  // more than 30 days old: `cert verify` warns that the controller has probably renewed its key
  oldCert = makeKeyPair(tempDir(), "old", { start: "20250101000000Z", end: "20350101000000Z" }).cert;
});

async function onTty(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; output: string }> {
  const pty = new Pty(args, { env: { ...CLEAN_ENV, ...env } });
  const status = await pty.exit();
  return { status, output: pty.output };
}

describe("terminal manners", () => {
  it.skipIf(!HAS_SCRIPT)("colours a warning on a terminal, but never the data", async () => {
    const { status, output } = await onTty(["cert", "verify", oldCert]);
    expect(status).toBe(0);
    const warning = output.split("\n").find((l) => l.includes("sealbox: warning:"));
    expect(warning).toContain(ESC);
    const data = output.split("\n").filter((l) => /^(file|sha256|status):/.test(l));
    expect(data).toHaveLength(3);
    for (const line of data) expect(line).not.toContain(ESC);
  });

  it.skipIf(!HAS_SCRIPT)("never colours with NO_COLOR, even on a terminal", async () => {
    const { output } = await onTty(["cert", "verify", oldCert], { NO_COLOR: "1" });
    expect(output).toContain("sealbox: warning:");
    expect(output).not.toContain(ESC);
  });

  it.skipIf(!HAS_SCRIPT)("never colours with --no-color, given before or after the command", async () => {
    for (const args of [["--no-color", "cert", "verify", oldCert], ["cert", "verify", oldCert, "--no-color"]]) {
      const { output } = await onTty(args);
      expect(output).toContain("sealbox: warning:");
      expect(output).not.toContain(ESC);
    }
  });

  it("off a terminal: no colour, the warning on stderr and the data on stdout", async () => {
    const result = await sealbox(["cert", "verify", oldCert], { env: cleanEnv(CLEAN_ENV) });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^sealbox: warning: the certificate is \d+ days old/);
    expect(result.stdout).toMatch(/^file: /);
    expect(result.stdout + result.stderr).not.toContain(ESC);
  });

  it("--quiet hides warnings but not the data", async () => {
    const result = await sealbox(["--quiet", "cert", "verify", oldCert]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^file: /);
  });

  it("--quiet never hides a safety alert (--ignore-mac)", async () => {
    const dir = join(ROOT, "fixtures/interop/sops");
    const result = await sealbox(["decrypt", "--quiet", "--ignore-mac", join(dir, "config.enc.json")], { env: cleanEnv({ SOPS_AGE_KEY_FILE: join(dir, "keys.txt") }) });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("WARNING: --ignore-mac");
    expect(JSON.parse(result.stdout)).toBeTypeOf("object");
  });

  it("the --ignore-mac alert, said before the command runs, is coloured when colour is wanted", async () => {
    const dir = join(ROOT, "fixtures/interop/sops");
    const result = await sealbox(["decrypt", "--ignore-mac", join(dir, "config.enc.json")], { env: cleanEnv({ ...CLEAN_ENV, FORCE_COLOR: "1", SOPS_AGE_KEY_FILE: join(dir, "keys.txt") }) });
    expect(result.status).toBe(0);
    const alert = result.stderr.split("\n").find((line) => line.includes("--ignore-mac: the file's integrity is NOT checked"));
    expect(alert).toContain(ESC);
    expect(result.stdout).not.toContain(ESC);
  });

  it("an error goes to stderr with nothing on stdout", async () => {
    const result = await sealbox(["cert", "verify", "/nonexistent/cert.pem"]);
    expect(result.status).toBe(71);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("/nonexistent/cert.pem");
  });
});

describe("a reader that stops early", () => {
  it("sealbox … | head stops quietly, without an EPIPE stack trace", async () => {
    const { spawnSync } = await import("node:child_process");
    // the reader closes its end before sealbox writes: the write fails with EPIPE
    // bash's PIPESTATUS: the pipeline's own status is the reader's
    const run = spawnSync("bash", ["-c", `node '${BIN}' --help | (exec 0<&-; true); exit \${PIPESTATUS[0]}`], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
  });

  it("decrypted data to a closed pipe: the same, and nothing of it on stderr", async () => {
    const { spawnSync } = await import("node:child_process");
    const dir = join(ROOT, "fixtures/interop/sops");
    const run = spawnSync("bash", ["-c", `node '${BIN}' decrypt '${join(dir, "k8s_secret.enc.yaml")}' | (exec 0<&-; true); exit \${PIPESTATUS[0]}`], {
      encoding: "utf8",
      env: cleanEnv({ SOPS_AGE_KEY_FILE: join(dir, "keys.txt") }),
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
  });
});

describe("stdout left non-blocking by another process", () => {
  it("gets every byte in order when the pipe fills (the write is refused, EAGAIN, and Node's stream takes over)", async () => {
    const { spawnSync } = await import("node:child_process");
    const { randomBytes } = await import("node:crypto");
    const { readFileSync, writeFileSync } = await import("node:fs");
    const sops = join(ROOT, "fixtures/interop/sops");
    const env = cleanEnv({ SOPS_AGE_KEY_FILE: join(sops, "keys.txt") });
    const recipient = /^# public key: (\S+)$/m.exec(readFileSync(join(sops, "keys.txt"), "utf8"))![1]!;
    const dir = tempDir();
    // 3 MB: far more than a pipe holds, so a non-blocking write must be refused partway
    const plain = randomBytes(3 * 1024 * 1024);
    writeFileSync(join(dir, "blob.bin"), plain);
    const binary = ["--input-type", "binary", "--output-type", "binary"];
    expect((await sealbox(["encrypt", ...binary, "--age", recipient, "-o", join(dir, "blob.enc"), join(dir, "blob.bin")], { env })).status).toBe(0);
    // perl (part of every Debian) sets O_NONBLOCK on the pipe, as a Node parent sharing it would, then
    // runs sealbox on it; the reader starts late, so the pipe is full when sealbox writes
    const nonBlocking = `perl -e 'use Fcntl; fcntl(STDOUT, F_SETFL, fcntl(STDOUT, F_GETFL, 0) | O_NONBLOCK) or die; exec @ARGV'`;
    const run = spawnSync("bash", ["-c", `${nonBlocking} node '${BIN}' decrypt ${binary.join(" ")} '${join(dir, "blob.enc")}' | (sleep 1; cat); exit \${PIPESTATUS[0]}`], { env, maxBuffer: 16 * 1024 * 1024 });
    expect(run.stderr.toString()).toBe("");
    expect(run.status).toBe(0);
    expect(Buffer.compare(run.stdout, plain)).toBe(0);
  });
});
