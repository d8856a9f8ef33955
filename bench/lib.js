// Shared helpers for the benchmark scripts: timing child processes, medians, the machine's
// description, and the test data (small Secret manifests, an age identity).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// SEALBOX_BENCH_BUILD names another built tree (bin/ and dist/) to measure, e.g. a private build
// while others rebuild dist/ in a shared checkout, or a bundled variant.
export const BUILD = process.env.SEALBOX_BENCH_BUILD ?? ROOT;
export const BIN = join(BUILD, "bin", "sealbox.js");
export const DIST = join(BUILD, "dist");
export const TIME_BIN = "/usr/bin/time";

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function which(name) {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Runs a command under GNU time for its peak RSS and CPU time; returns { ms, maxRssKb, cpuMs, stdout }. Without
 * /usr/bin/time the RSS is undefined (the bench still runs; only the memory column is missing).
 */
export async function measureProcess(command, args, options = {}) {
  const useTime = existsSync(TIME_BIN);
  const argv = useTime ? ["-f", "__RSS__%M __CPU__%U %S", command, ...args] : args;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const { timeout, ...spawnOptions } = options;
    // its own process group, so a time limit stops the command under /usr/bin/time as well
    const child = spawn(useTime ? TIME_BIN : command, argv, { stdio: ["ignore", "pipe", "pipe"], detached: true, ...spawnOptions });
    const timer = timeout ? setTimeout(() => process.kill(-child.pid, "SIGKILL"), timeout) : undefined;
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = /__RSS__(\d+)/.exec(stderr);
      const cpu = /__CPU__([\d.]+) ([\d.]+)/.exec(stderr);
      if (signal || (timeout && ms >= timeout)) return reject(new Error(`${command} killed by ${signal} after ${(ms / 1000).toFixed(0)} s (time limit)`));
      if (code !== 0) return reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.replace(/__RSS__\d+/, "").slice(0, 800)}`));
      resolve({ ms, maxRssKb: rss ? Number(rss[1]) : undefined, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined, systemMs: cpu ? Number(cpu[2]) * 1000 : undefined, stdout });
    });
  });
}

export function machine() {
  const cpu = cpus()[0]?.model?.trim() ?? "unknown";
  const nproc = spawnSync("nproc", { encoding: "utf8" }).stdout?.trim() || String(cpus().length);
  let os = process.platform;
  try {
    os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? os;
  } catch {}
  const ageVersion = which("age") ? spawnSync("age", ["--version"], { encoding: "utf8" }).stdout.trim() : undefined;
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return { cpu, nproc, node: process.version, os, age: ageVersion, load };
}

/** A small Kubernetes Secret manifest, as a repository of them would hold. */
export function secretManifest(i) {
  return `apiVersion: v1
kind: Secret
metadata:
  name: app-${i}
  namespace: team-${i % 7}
  labels:
    app.kubernetes.io/name: app-${i}
type: Opaque
stringData:
  username: user${i}
  password: p4ss-${i}-${(i * 7919).toString(36)}
  url: postgres://db-${i}.internal:5432/app
`;
}

/** An X25519 age identity and its recipient, made with the age-encryption library. */
export async function ageKeyPair() {
  const { generateX25519Identity, identityToRecipient } = await import("age-encryption");
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

export function fmtMs(ms) {
  if (ms === undefined) return "n/a";
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

export function fmtMb(kb) {
  return kb === undefined ? "n/a" : `${(kb / 1024).toFixed(0)} MB`;
}
