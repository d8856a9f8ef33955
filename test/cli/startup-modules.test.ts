// What a one-file decrypt loads of Node itself: child_process (with net and dgram behind it) costs
// every start ~5 ms, and only rotate's batches (`sync -f`), git and key commands need it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SOPS = join(ROOT, "fixtures/interop/sops");
// printed on stderr as the process exits: the built-in modules it loaded
const REPORT = `process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify(process.moduleLoadList) + "\\n"))`;

function loadedBy(args: string[]): { status: number | null; stdout: string; loaded: string[] } {
  const preload = join(mkdtempSync(join(tmpdir(), "sealbox-preload-")), "report.cjs");
  writeFileSync(preload, REPORT);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SOPS_AGE_KEY_FILE: join(SOPS, "keys.txt") };
  const r = spawnSync(process.execPath, ["--require", preload, join(ROOT, "bin/sealbox.js"), ...args], { encoding: "utf8", env });
  const line = r.stderr.split("\n").find((l) => l.startsWith("LOADED "));
  return { status: r.status, stdout: r.stdout, loaded: line ? (JSON.parse(line.slice(7)) as string[]) : [] };
}

describe("built-in modules at start-up", () => {
  it("decrypting one file to stdout loads no child_process", () => {
    const r = loadedBy(["decrypt", join(SOPS, "k8s_secret.enc.yaml")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("kind: Secret");
    expect(r.loaded).toContain("NativeModule fs");
    expect(r.loaded.filter((m) => /child_process|dgram/.test(m))).toEqual([]);
  });
});
