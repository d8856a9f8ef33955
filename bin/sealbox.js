#!/usr/bin/env node
// The launcher stays tiny: everything lives in dist/cli so start-up pays only for what a command loads.
import { main } from "../dist/cli/main.js";
main(process.argv);
