#!/usr/bin/env node
// The launcher stays tiny. dist/bundle is the CLI bundled by scripts/bundle.mjs (one start-up module,
// one chunk per lazily loaded command): fewer files to resolve at start than dist/cli from tsc.
import { main } from "../dist/bundle/sealbox.js";
main(process.argv);
