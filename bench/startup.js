// Cold start: `sealbox --version` and decrypting one small file, against `node -e 0` (Node's floor).
// The commands run in turn within each round, so a busy machine slows all of them alike.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, DIST, ageKeyPair, measureProcess, median, secretManifest } from "./lib.js";

export async function benchStartup({ tmp, runs }) {
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
  const times = Object.fromEntries(cases.map((c) => [c.key, []]));
  const cpu = Object.fromEntries(cases.map((c) => [c.key, []]));
  for (const c of cases) await measureProcess(process.execPath, c.args, { env }); // warm the page cache
  for (let round = 0; round < runs; round++) {
    for (const c of cases) {
      const r = await measureProcess(process.execPath, c.args, { env });
      times[c.key].push(r.ms);
      if (r.cpuMs !== undefined) cpu[c.key].push(r.cpuMs);
    }
  }
  const med = Object.fromEntries(cases.map((c) => [c.key, median(times[c.key])]));
  const medCpu = Object.fromEntries(cases.map((c) => [c.key, cpu[c.key].length ? median(cpu[c.key]) : undefined]));
  const ratio = (key) => med[key] / med.node;
  // CPU time (user + system) is steadier than wall time on a busy machine; shown beside it
  const cpuNote = (key) => (medCpu[key] === undefined ? undefined : key === "node" ? "" : `CPU ${(medCpu[key] / medCpu.node).toFixed(2)}× node's`);
  const row = (key, name, extra = {}) => ({ section: "Start-up", name, ms: med[key], cpuMs: medCpu[key], runs, ...(key === "node" ? {} : { ratio: ratio(key) }), ...extra, note: [cpuNote(key), extra.note].filter(Boolean).join("; ") || undefined });
  const rows = [
    row("node", "`node -e 0`"),
    row("version", "`sealbox --version`", { target: "≤ 1.5× node", ok: ratio("version") <= 1.5 }),
    row("decrypt", "`sealbox decrypt` one small file", { target: "≤ 2× node", ok: ratio("decrypt") <= 2 }),
  ];
  return rows;
}
