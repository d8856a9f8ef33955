// A signal while a write's temp file exists: the temp file is removed (it sits in the working tree,
// where `git add -A` would commit it), the target is left as it was, and the process exits
// 128+signal. Real processes running the built dist/ modules, stopped while their temp files exist.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/fixtures.js";

const temps = (dir: string): string[] => readdirSync(dir).filter((name) => name.includes("sealbox-tmp"));

const ATOMIC_WRITE = join(ROOT, "dist", "ops", "atomic-write.js");

/**
 * Runs `script` (an ES module body with the atomic-write exports in scope and `targets` the paths
 * given), which prints "ready" once its temp files exist; then sends `signal`. Resolves with how it ended.
 */
function stoppedWhileWriting(script: string, targets: string[], signal: NodeJS.Signals): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const module = `
    const { openAtomic, BatchedReplace } = await import(${JSON.stringify(ATOMIC_WRITE)});
    const targets = process.argv.slice(1);
    ${script}
    console.log("ready");
    setTimeout(() => {}, 30_000);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", module, ...targets], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  child.stdout.on("data", (c) => String(c).includes("ready") && child.kill(signal));
  return new Promise((done) => child.on("close", (status, sig) => done({ status, signal: sig, stderr })));
}

describe("a signal during an atomic write", () => {
  it.each(["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const)("%s: the temp file is removed, the target kept, exit 128+signal", async (signal) => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-signal-"));
    const target = join(dir, "config.dec.json");
    writeFileSync(target, "old");
    const r = await stoppedWhileWriting(`const file = await openAtomic(targets[0]); await file.write("new plaintext");`, [target], signal);
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 128 + constants.signals[signal], signal: null, stderr: "" });
    expect(temps(dir)).toEqual([]);
    expect(readFileSync(target, "utf8")).toBe("old");
  });

  it("SIGINT with a batch staged (rotate's writes): every staged temp file is removed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-signal-"));
    const targets = Array.from({ length: 20 }, (_, i) => join(dir, `secret-${i}.yaml`));
    for (const target of targets) writeFileSync(target, "old");
    // staged, not committed: a batch waits up to a second for more files before it is put in place
    const r = await stoppedWhileWriting(`const batch = new BatchedReplace(); for (const t of targets) batch.stage(t, Buffer.from("new"));`, targets, "SIGINT");
    expect(r.status).toBe(130);
    expect(temps(dir)).toEqual([]);
    expect(targets.map((target) => readFileSync(target, "utf8"))).toEqual(targets.map(() => "old"));
  });

  it("once the write is done, the signal handlers are gone: SIGINT ends the process as it would anyway", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-signal-"));
    const target = join(dir, "out.json");
    const r = await stoppedWhileWriting(`const file = await openAtomic(targets[0]); await file.write("x"); await file.commit();`, [target], "SIGINT");
    expect(r.signal).toBe("SIGINT");
    expect(readFileSync(target, "utf8")).toBe("x");
  });
});
