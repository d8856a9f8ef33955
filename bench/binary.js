// A large binary file through sops's binary store (`--input-type binary`), against Debian's `age`
// binary encrypting and decrypting the same bytes: throughput and peak RSS, and a byte-for-byte
// round trip check for both.
import { randomFillSync } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { BIN, ageKeyPair, measureProcess, median, which } from "./lib.js";

function randomFile(path, bytes) {
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(1 << 20);
  for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, left));
  closeSync(fd);
}

function sameBytes(a, b) {
  return readFileSync(a).equals(readFileSync(b));
}

export async function benchBinary({ tmp, runs, sizeMb, log, timeoutMs }) {
  const dir = join(tmp, "binary");
  mkdirSync(dir, { recursive: true });
  const bytes = sizeMb * 1024 * 1024;
  const plain = join(dir, "blob.bin");
  randomFile(plain, bytes);
  const { identity, recipient } = await ageKeyPair();
  const keyFile = join(dir, "keys.txt");
  writeFileSync(keyFile, identity + "\n", { mode: 0o600 });
  const env = { ...process.env, SOPS_AGE_KEY_FILE: keyFile };
  const options = { env, timeout: timeoutMs };

  const tools = [
    {
      name: "sealbox",
      encrypt: [process.execPath, [BIN, "encrypt", "--input-type", "binary", "--output-type", "binary", "--age", recipient, "-o", join(dir, "blob.sops"), plain]],
      decrypt: [process.execPath, [BIN, "decrypt", "--input-type", "binary", "--output-type", "binary", "-o", join(dir, "blob.sops.out"), join(dir, "blob.sops")]],
      out: join(dir, "blob.sops.out"),
    },
  ];
  const age = which("age");
  if (age) {
    tools.push({
      name: "age",
      encrypt: [age, ["-r", recipient, "-o", join(dir, "blob.age"), plain]],
      decrypt: [age, ["-d", "-i", keyFile, "-o", join(dir, "blob.age.out"), join(dir, "blob.age")]],
      out: join(dir, "blob.age.out"),
    });
  }

  const results = {};
  for (const tool of tools) {
    for (const op of ["encrypt", "decrypt"]) {
      const key = `${tool.name} ${op}`;
      results[key] = [];
      for (let run = 0; run < runs; run++) {
        log(`  ${key} ${sizeMb} MB, run ${run + 1}/${runs}`);
        try {
          results[key].push(await measureProcess(tool[op][0], tool[op][1], options));
        } catch (error) {
          results[key].error = String(error.message ?? error).split("\n")[0].slice(0, 200);
          break;
        }
      }
    }
    if (!results[`${tool.name} decrypt`].error) tool.roundTrip = sameBytes(plain, tool.out);
  }

  const rows = [];
  const throughput = (ms) => (ms ? bytes / (1024 * 1024) / (ms / 1000) : undefined);
  const ageMed = {};
  for (const tool of tools) {
    for (const op of ["encrypt", "decrypt"]) {
      const list = results[`${tool.name} ${op}`];
      const ms = list.length && !list.error ? median(list.map((r) => r.ms)) : undefined;
      const maxRssKb = list.length && !list.error ? Math.max(...list.map((r) => r.maxRssKb ?? 0)) || undefined : undefined;
      if (tool.name === "age") ageMed[op] = ms;
      const cpuMs = list.length && !list.error && list[0].cpuMs !== undefined ? median(list.map((r) => r.cpuMs)) : undefined;
      rows.push({ section: `Binary store, ${sizeMb} MB random bytes`, name: `${tool.name} ${op}`, tool: tool.name, op, ms, cpuMs, maxRssKb, mbps: throughput(ms), runs: list.length, error: list.error, roundTrip: tool.roundTrip });
    }
  }
  for (const row of rows.filter((r) => r.tool === "sealbox")) {
    const problems = [];
    if (row.error) problems.push(row.error);
    if (row.op === "decrypt" && row.roundTrip === false) problems.push("round trip changed the bytes");
    const ageMs = ageMed[row.op];
    const share = row.ms && ageMs ? ageMs / row.ms : undefined;
    const rssRatio = row.maxRssKb ? (row.maxRssKb * 1024) / bytes : undefined;
    Object.assign(row, {
      ratio: share,
      rssRatio,
      target: "≥ 50% of age's throughput; peak RSS ≤ 3× the file",
      ok: problems.length === 0 && share !== undefined && share >= 0.5 && rssRatio !== undefined && rssRatio <= 3,
      note: problems.join("; ") || undefined,
    });
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}
