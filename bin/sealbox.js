#!/usr/bin/env node
// The launcher stays tiny. dist/bundle is the CLI bundled by scripts/bundle.mjs (one start-up module,
// one chunk per lazily loaded command), all CommonJS like this file (bin/package.json): Node's ES
// module loader would cost every start ~7 ms more. Each chunk is compiled with its V8 code cache,
// and a chunk's require of another goes straight to the file beside it (src/cli/code-cache.ts).
"use strict";
const bundle = require("node:path").join(__dirname, "../dist/bundle");
require("../dist/bundle/code-cache.js").useCodeCache(bundle);
require("../dist/bundle/sealbox.js").main(process.argv);
