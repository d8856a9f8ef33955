import { execFileSync } from "node:child_process";

// CLI tests spawn bin/sealbox.js, which runs the bundle in dist/bundle: build both once before any test.
export default function setup(): void {
  try {
    execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
  } catch {
    // tsc still emits on type errors; the type check itself is `npm run build` in .ci/run.
    console.warn("global-setup: tsc reported type errors (dist/ was still written)");
  }
  execFileSync(process.execPath, ["scripts/bundle.mjs"], { stdio: "inherit" });
}
