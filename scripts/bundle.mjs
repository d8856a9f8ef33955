// Bundles the built CLI (dist/cli, from tsc) into dist/bundle/: one module for start-up plus one chunk
// per lazily imported command, so `sealbox --version` reads a handful of files instead of ~90.
// Measured in docs/performance.md. Heavy dependencies stay external and load only when used.
//
// The files are CommonJS. esbuild splits only ES modules, so the chunks are made as ES modules and
// each is then turned into CommonJS: Node 20's ES module loader costs ~7 ms to start and ~0.5 ms a
// module to resolve and link, where require() costs a fraction (one-file decrypt 160 -> 147 ms).
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, sep } from "node:path";
import { build, transformSync } from "esbuild";

// commander requires node:child_process as it loads, for executable subcommands sealbox never has:
// ~6 ms of every start (child_process brings net, dgram and the stream classes). Its copy is a
// proxy that loads the real module on first use.
const lazyChildProcessForCommander = {
  name: "lazy-child-process-for-commander",
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${sep}node_modules${sep}commander${sep}`) ? { path: "child_process", namespace: "lazy" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: 'module.exports = new Proxy({}, { get: (_, key) => require("node:child_process")[key] });',
      loader: "js",
    }));
  },
};

// The yaml library as one CommonJS file beside the chunks: a require loads it in ~11 ms, the package's
// ~70 files took ~35 ms. src/formats/yaml-library.ts requires it (__SEALBOX_YAML__); an import of
// `yaml` anywhere in the bundle is pointed at the same file, so there is only ever one instance.
const YAML_COPY = "./yaml.cjs";
const yamlCopy = {
  name: "yaml-copy",
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, () => ({ path: YAML_COPY, external: true }));
  },
};

// chunk names carry content hashes: start empty so no stale chunk of an older build lingers
rmSync("dist/bundle", { recursive: true, force: true });
await build({
  entryPoints: ["node_modules/yaml/dist/index.js"],
  outfile: `dist/bundle/${YAML_COPY}`,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: true,
  logLevel: "warning",
});
const { outputFiles } = await build({
  // worker threads are started from their own files, next to the chunks that start them:
  // rotate's (src/repo/threads.ts) and the sealing helper (src/core/oaep-wrap.ts)
  entryPoints: {
    sealbox: "dist/cli/main.js",
    "rotate-worker": "dist/repo/rotate-worker.js",
    "oaep-wrap-worker": "dist/core/oaep-wrap-worker.js",
    // installed by bin/sealbox.js before the CLI loads
    "code-cache": "dist/cli/code-cache.js",
  },
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["@aws-sdk/*", "age-encryption", "inquirer", "@inquirer/*", "@noble/*"],
  define: { __SEALBOX_YAML__: JSON.stringify(YAML_COPY) },
  plugins: [lazyChildProcessForCommander, yamlCopy],
  minify: true,
  write: false,
  logLevel: "warning",
});

// import() of another chunk or of a Node built-in becomes a require, so the ES module loader is never
// started for them. The ES module packages (age-encryption, inquirer, the AWS SDK) are imported through
// one small file that Node compiles itself: a chunk compiled with its code cache (src/cli/code-cache.ts)
// cannot import() in Node 20 without an experimental flag or warning. esbuild prints these specifiers
// exactly this way.
const INTERNAL_IMPORT = /(?<![\w$.])import\("(\.\/[\w.-]+\.js|node:[\w/]+)"\)/g;
const PACKAGE_IMPORT = /(?<![\w$.])import\(("[\w@][\w@/.-]*")\)/g;
const IMPORT_ESM = "import-esm.js";

function asCommonJs(code, path) {
  const withRequires = code
    .replace(INTERNAL_IMPORT, 'Promise.resolve().then(()=>require("$1"))')
    .replace(PACKAGE_IMPORT, `require("./${IMPORT_ESM}")($1)`);
  if (/\bimport\s*\(/.test(withRequires)) throw new Error(`${path}: an import() the bundle cannot convert`);
  const usesMeta = withRequires.includes("import.meta");
  return transformSync(withRequires, {
    format: "cjs",
    loader: "js",
    platform: "node",
    target: "node20",
    minify: true,
    // import.meta.url locates the worker files and yaml.cjs beside the chunk
    define: usesMeta ? { "import.meta.url": "__sealboxUrl" } : {},
    // strict, as the ES module it was
    banner: '"use strict";' + (usesMeta ? 'var __sealboxUrl=require("node:url").pathToFileURL(__filename).href;' : ""),
    logLevel: "warning",
  }).code;
}

for (const file of outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.path.endsWith(".js") ? asCommonJs(file.text, file.path) : file.contents);
}
writeFileSync(`dist/bundle/${IMPORT_ESM}`, '"use strict";module.exports=(specifier)=>import(specifier);\n');
// bin/sealbox.js and these files are CommonJS though the package is "type": "module"
writeFileSync("dist/bundle/package.json", '{ "type": "commonjs" }\n');

// the V8 code cache beside each chunk (src/cli/code-cache.ts): made without NODE_OPTIONS' flags, and
// without the keys and settings of whoever builds
const trainingEnv = { PATH: process.env.PATH, HOME: "/nonexistent", XDG_CONFIG_HOME: "/nonexistent", NO_COLOR: "1", ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}) };
const training = spawnSync(process.execPath, ["scripts/code-cache.mjs"], { stdio: ["ignore", "ignore", "inherit"], env: trainingEnv });
if (training.status !== 0) throw new Error("scripts/code-cache.mjs failed");
