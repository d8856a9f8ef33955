// Builds a single-entry bundle of bin/sealbox.js (lazy command imports become chunks) in a scratch
// tree, so start-up can be measured with and without one. Uses esbuild if it is installed, else
// rolldown (installed with vitest); returns undefined when neither is. The product does not ship it.
import { copyFileSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { BIN, DIST, ROOT } from "./lib.js";

export async function buildBundle(outDir) {
  const outBin = join(outDir, "bin");
  mkdirSync(outBin, { recursive: true });
  let tool;
  try {
    const esbuild = await import("esbuild");
    await esbuild.build({ entryPoints: [BIN], bundle: true, splitting: true, format: "esm", platform: "node", target: "node20", outdir: outBin, logLevel: "silent" });
    tool = `esbuild ${esbuild.version}`;
  } catch {
    try {
      const { build, VERSION } = await import("rolldown");
      await build({ input: BIN, platform: "node", logLevel: "silent", output: { dir: outBin, format: "esm" } });
      tool = `rolldown ${VERSION}`;
    } catch {
      return undefined;
    }
  }
  // the bundle's ES modules need package.json's "type"; dist/ serves the bench's own library calls
  copyFileSync(join(ROOT, "package.json"), join(outDir, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(outDir, "node_modules"));
  symlinkSync(DIST, join(outDir, "dist"));
  return { bin: join(outBin, "sealbox.js"), tool };
}
