// keepFreedHeapPages: after it, memory V8 frees in sweeps is reused instead of being faulted in
// again. Measured in fresh processes (the test runner's own heap would blur the count), each making
// 60 MB of cipher output that V8 sweeps a few MB at a time, as the binary store's loop does.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MODULE = fileURLToPath(new URL("../../dist/core/heap-pages.js", import.meta.url));

const SCRIPT = `
const { keepFreedHeapPages } = await import(${JSON.stringify(MODULE)});
const { createCipheriv, randomBytes } = await import("node:crypto");
if (process.argv[1] === "keep") keepFreedHeapPages();
globalThis.gc();
const cipher = createCipheriv("aes-256-gcm", randomBytes(32), randomBytes(12));
const step = Buffer.alloc(48 * 1024);
const round = () => {
  for (let i = 0; i < 400; i++) {
    cipher.update(step);
    if (i % 100 === 99) globalThis.gc({ type: "minor" });
  }
};
round(); // the heap reaches its working size
const before = process.resourceUsage().minorPageFault;
round();
round();
console.log(process.resourceUsage().minorPageFault - before);
`;

function pageFaults(mode: "keep" | "default"): number {
  return Number(execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", SCRIPT, mode], { encoding: "utf8" }));
}

// glibc's adaptive thresholds are what the function relies on; other C libraries have none
const glibc = !!(process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;

describe("keepFreedHeapPages", () => {
  it.runIf(glibc)("freed cipher output is reused, not faulted in again (glibc)", () => {
    const faultsByDefault = pageFaults("default");
    // the fewest of three: on a loaded machine the kernel's reclaim can fault a run's pages in again
    const faultsKept = Math.min(pageFaults("keep"), pageFaults("keep"), pageFaults("keep"));
    // without it, most of the 9,600 pages come back as new ones
    expect(faultsByDefault).toBeGreaterThan(2000);
    expect(faultsKept).toBeLessThan(faultsByDefault / 10);
  });
});
