// Bulk work: encrypt and decrypt N small Secret manifests in one process through the library (one
// shared KeySources), `sealbox rotate` over the same N files as a user runs it, and sealing N Secrets.
// Each run is a fresh process; the wall time is the whole process (what a user waits for),
// "in-process" and "CPU" leave out Node's start-up and the imports.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, ageKeyPair, measureProcess, median, secretManifest } from "./lib.js";

const WORKER = join(ROOT, "bench", "bulk-worker.js");

/** `sealbox rotate enc` over the directory, as a user runs it (recipients from its .sops.yaml). */
async function runRotateCli(dir, keyFile, nodeArgs = []) {
  const env = { ...process.env, SOPS_AGE_KEY_FILE: keyFile };
  delete env.SOPS_AGE_KEY;
  const { ms, maxRssKb, cpuMs, systemMs } = await measureProcess(process.execPath, [...nodeArgs, BIN, "rotate", "--quiet", "enc"], { cwd: dir, env });
  return { wallMs: ms, maxRssKb, cpuMs, systemMs };
}

// Peak RSS also holds garbage the heap has not returned; a run under a small old-space limit shows
// whether live memory grows with the number of files (it would fail with "heap out of memory").
const OLD_SPACE_MB = 48;

async function runWorker(args) {
  const { ms, maxRssKb, stdout } = await measureProcess(process.execPath, [WORKER, ...args]);
  const result = JSON.parse(stdout.trim().split("\n").pop());
  return { wallMs: ms, inMs: result.ms, cpuMs: result.cpuMs, systemMs: result.systemMs, maxRssKb: maxRssKb ?? result.maxRssKb };
}

function summarise(section, name, results, extra = {}) {
  return {
    section,
    name,
    ms: median(results.map((r) => r.wallMs)),
    inMs: results[0].inMs === undefined ? undefined : median(results.map((r) => r.inMs)),
    cpuMs: results[0].cpuMs === undefined ? undefined : median(results.map((r) => r.cpuMs)),
    systemMs: results[0].systemMs === undefined ? undefined : median(results.map((r) => r.systemMs)),
    maxRssKb: Math.max(...results.map((r) => r.maxRssKb)),
    runs: results.length,
    ...extra,
  };
}

const TARGETS = {
  "rotate-1000": 800,
  "rotate-10000": 8000,
  "seal-1000": 500,
};

function withTarget(row, key) {
  const limit = TARGETS[key];
  if (limit === undefined) return row;
  return { ...row, target: `≤ ${limit >= 1000 ? `${limit / 1000} s` : `${limit} ms`}`, ok: row.ms <= limit };
}

export async function benchBulk({ tmp, runs, sizes, sealSize, log }) {
  const rows = [];
  const { identity, recipient } = await ageKeyPair();
  const rotateRss = {};
  for (const n of sizes) {
    const dir = join(tmp, `bulk-${n}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "plain"), { recursive: true });
    mkdirSync(join(dir, "enc"), { recursive: true });
    const keyFile = join(dir, "keys.txt");
    writeFileSync(keyFile, identity + "\n", { mode: 0o600 });
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${recipient}\n`);
    for (let i = 0; i < n; i++) writeFileSync(join(dir, "plain", `secret-${i}.yaml`), secretManifest(i));
    const results = { encrypt: [], decrypt: [], rotate: [] };
    const nRuns = n >= 10000 ? Math.max(1, Math.min(runs, 3)) : runs;
    for (let run = 0; run < nRuns; run++) {
      for (const op of ["encrypt", "decrypt", "rotate"]) {
        log(`  ${op} ${n} files, run ${run + 1}/${nRuns}`);
        results[op].push(op === "rotate" ? await runRotateCli(dir, keyFile) : await runWorker([op, dir, String(n), recipient, keyFile]));
      }
    }
    const count = n.toLocaleString("en-US");
    const names = { encrypt: `encrypt ${count} files (library)`, decrypt: `decrypt ${count} files (library)`, rotate: `\`sealbox rotate\` ${count} files` };
    for (const op of ["encrypt", "decrypt", "rotate"]) {
      rows.push(withTarget(summarise("Bulk (one process)", names[op], results[op], { files: n }), `${op}-${n}`));
    }
    rotateRss[n] = rows.at(-1).maxRssKb;
    if (n === Math.max(...sizes) && n >= 1000) {
      log(`  rotate ${n} files with --max-old-space-size=${OLD_SPACE_MB}`);
      let bounded;
      try {
        bounded = await runRotateCli(dir, keyFile, [`--max-old-space-size=${OLD_SPACE_MB}`]);
      } catch (error) {
        bounded = { error: String(error.message).split("\n")[0].slice(0, 160) };
      }
      rows.push({
        section: "Bulk (one process)",
        name: `\`sealbox rotate\` ${count} files, old space limited to ${OLD_SPACE_MB} MB`,
        ms: bounded.wallMs,
        maxRssKb: bounded.maxRssKb,
        target: "completes (live memory flat)",
        ok: !bounded.error,
        note: bounded.error,
        error: bounded.error,
      });
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
  if (small !== large) {
    const ratio = rotateRss[large] / rotateRss[small];
    rows.push({
      section: "Bulk (one process)",
      name: `peak RSS, rotate ${large.toLocaleString("en-US")} vs ${small.toLocaleString("en-US")} files`,
      maxRssKb: rotateRss[large],
      ratio,
      target: "flat (≤ 1.25×)",
      ok: ratio <= 1.25,
    });
  }

  if (sealSize === 0) return rows; // --seal 0: bulk SOPS work only
  const dir = join(tmp, "seal");
  mkdirSync(dir, { recursive: true });
  const sealResults = [];
  for (let run = 0; run < runs; run++) {
    log(`  seal ${sealSize} Secrets, run ${run + 1}/${runs}`);
    sealResults.push(await runWorker(["seal", dir, String(sealSize)]));
  }
  const sealRow = summarise("Bulk (one process)", `seal ${sealSize.toLocaleString("en-US")} Secrets (3 values each, RSA-4096)`, sealResults);
  // the target is for the sealing work itself; the process wall time is shown beside it
  rows.push({ ...sealRow, target: sealSize === 1000 ? "≤ 500 ms in-process" : undefined, ok: sealSize === 1000 ? sealRow.inMs <= 500 : undefined });
  return rows;
}
