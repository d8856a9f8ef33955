import { execFileSync } from "node:child_process";

// CLI tests spawn bin/sealbox.js, which runs dist/: build it once before any test file starts.
export default function setup(): void {
  execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
}
