// Makes the CLI bundle's code cache (src/cli/code-cache.ts): runs the usual commands once, in this
// process, over the shipped fixtures, then saves the bytecode V8 made for each chunk beside it.
// scripts/bundle.mjs runs it in a fresh `node` without flags, as V8 accepts a cache only under the
// flags it was made with. A command that fails here fails the build, so the training cannot rot.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const require = createRequire(import.meta.url);
const bundle = resolve("dist/bundle");
const sops = "fixtures/interop/sops";
const sealed = "fixtures/interop/sealed";
const recipient = /^# public key: (\S+)$/m.exec(readFileSync(join(sops, "keys.txt"), "utf8"))[1];

const cache = require(join(bundle, "code-cache.js")).useCodeCache(bundle, { record: true });
const { main } = require(join(bundle, "sealbox.js"));
const tmp = mkdtempSync(join(tmpdir(), "sealbox-code-cache-"));
try {
  process.env.SOPS_AGE_KEY_FILE = join(sops, "keys.txt");
  const commands = [
    ["--version"],
    ["decrypt", join(sops, "k8s_secret.enc.yaml")],
    ["decrypt", join(sops, "config.enc.json")],
    ["encrypt", "--age", recipient, join(sops, "k8s_secret.plain.yaml")],
    ["seal", "--cert", join(sealed, "cert.pem"), join(sealed, "data-strict.secret.yaml"), "-o", join(tmp, "sealed.yaml")],
  ];
  for (const argv of commands) {
    await main([process.execPath, "sealbox", ...argv]);
    if (process.exitCode) throw new Error(`code cache: \`sealbox ${argv.join(" ")}\` exited with ${process.exitCode}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
cache.write();
