// Bundles the built CLI (dist/cli, from tsc) into dist/bundle/: one module for start-up plus one chunk
// per lazily imported command, so `sealbox --version` reads a handful of files instead of ~90.
// Measured in docs/performance.md. Heavy dependencies stay external and load only when used.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// chunk names carry content hashes: start empty so no stale chunk of an older build lingers
rmSync("dist/bundle", { recursive: true, force: true });
await build({
  // worker threads are started from their own files, next to the chunks that start them:
  // rotate's (src/repo/threads.ts) and the sealing helper (src/core/oaep-wrap.ts)
  entryPoints: { sealbox: "dist/cli/main.js", "rotate-worker": "dist/repo/rotate-worker.js", "oaep-wrap-worker": "dist/core/oaep-wrap-worker.js" },
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // yaml stays external: src/formats/yaml.ts requires it lazily and must share the instance
  external: ["@aws-sdk/*", "age-encryption", "inquirer", "@inquirer/*", "@noble/*", "@scure/*", "yaml"],
  // CommonJS dependencies bundled into ES modules still call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __sealboxRequire } from "node:module"; const require = __sealboxRequire(import.meta.url);' },
  minify: true,
  logLevel: "warning",
});
