// Cold start: `sealbox --version` and decrypting one small file, against `node -e 0` (Node's floor).
// The commands run in turn within each round, so a busy machine slows all of them alike.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, DIST, ageKeyPair, median, secretManifest, timeProcess } from "./lib.js";
import { buildBundle } from "./bundle.js";

export async function benchStartup({ tmp, runs, bundle, log = () => {} }) {
  const dir = join(tmp, "startup");
  mkdirSync(dir, { recursive: true });
  const { identity, recipient } = await ageKeyPair();
  const keyFile = join(dir, "keys.txt");
  writeFileSync(keyFile, identity + "\n", { mode: 0o600 });
  const { encrypt } = await import(join(DIST, "ops", "sops-ops.js"));
  const encFile = join(dir, "secret.enc.yaml");
  writeFileSync(encFile, await encrypt(Buffer.from(secretManifest(1)), { filename: encFile, age: [recipient], env: {} }));

  const env = { ...process.env, SOPS_AGE_KEY_FILE: keyFile };
  const cases = [
    { key: "node", label: "`node -e 0`", args: ["-e", "0"] },
    { key: "version", label: "`sealbox --version`", args: [BIN, "--version"] },
    { key: "decrypt", label: "`sealbox decrypt` one small file", args: [BIN, "decrypt", encFile] },
  ];
  // the same two commands from a single-file bundle, to see whether one would help
  const bundled = bundle ? await buildBundle(join(tmp, "bundle")) : undefined;
  if (bundle && !bundled) log("  no bundler (esbuild or rolldown) installed: bundled rows skipped");
  if (bundled) {
    cases.push(
      { key: "bundle-version", label: `\`sealbox --version\`, bundled (${bundled.tool})`, args: [bundled.bin, "--version"] },
      { key: "bundle-decrypt", label: `\`sealbox decrypt\` one small file, bundled (${bundled.tool})`, args: [bundled.bin, "decrypt", encFile] },
    );
  }
  const times = Object.fromEntries(cases.map((c) => [c.key, []]));
  for (const c of cases) await timeProcess(process.execPath, c.args, { env }); // warm the page cache
  for (let round = 0; round < runs; round++) {
    for (const c of cases) times[c.key].push(await timeProcess(process.execPath, c.args, { env }));
  }
  const med = Object.fromEntries(cases.map((c) => [c.key, median(times[c.key])]));
  const ratio = (key) => med[key] / med.node;
  const rows = [
    { section: "Start-up", name: "`node -e 0`", ms: med.node, runs },
    { section: "Start-up", name: "`sealbox --version`", ms: med.version, runs, ratio: ratio("version"), target: "≤ 1.5× node", ok: ratio("version") <= 1.5 },
    { section: "Start-up", name: "`sealbox decrypt` one small file", ms: med.decrypt, runs, ratio: ratio("decrypt"), target: "≤ 2× node", ok: ratio("decrypt") <= 2 },
  ];
  for (const c of cases.filter((c) => c.key.startsWith("bundle-"))) rows.push({ section: "Start-up", name: c.label, ms: med[c.key], runs, ratio: ratio(c.key), note: "not shipped" });
  return rows;
}
