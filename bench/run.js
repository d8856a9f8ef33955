// `npm run bench`: measures sealbox against its targets and writes the table into
// docs/performance.md (between the bench markers; the prose around them is kept).
//
//   node bench/run.js                 full run (several minutes), writes docs/performance.md
//   node bench/run.js --quick         small sizes, a few seconds, prints only (a smoke test)
//   options: --only startup,bulk,binary   --runs N   --no-write   --json   --out FILE
//            --sizes 1000,10000   --seal N   --binary-mb N
// Runs against dist/ and bin/sealbox.js (built with `npm run build` first if dist/ is missing).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BUILD, ROOT, fmtMb, fmtMs, machine } from "./lib.js";
import { benchStartup } from "./startup.js";
import { benchBulk } from "./bulk.js";
import { benchBinary } from "./binary.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    runs: { type: "string" },
    sizes: { type: "string" },
    seal: { type: "string" },
    "binary-mb": { type: "string" },
    "no-write": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    out: { type: "string" },
  },
});

const quick = flags.quick;
const config = {
  startupRuns: Number(flags.runs ?? (quick ? 2 : 21)),
  runs: Number(flags.runs ?? (quick ? 1 : 5)),
  sizes: (flags.sizes ?? (quick ? "10" : "1000,10000")).split(",").map(Number),
  sealSize: Number(flags.seal ?? (quick ? 5 : 1000)),
  binaryMb: Number(flags["binary-mb"] ?? (quick ? 1 : 100)),
  binaryRuns: Number(flags.runs ?? (quick ? 1 : 3)),
};
const sections = (flags.only ?? "startup,bulk,binary").split(",");
const outFile = flags.out ?? join(ROOT, "docs", "performance.md");
const write = !flags["no-write"] && (!quick || flags.out !== undefined);
const log = (line) => process.stderr.write(line + "\n");

if (!existsSync(join(BUILD, "dist", "cli", "main.js"))) {
  log("dist/ is missing: building it (npm run build)");
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
}

// NODE_EXTRA_CA_CERTS makes every Node process parse the bundled root certificates and the named file
// as it starts (~40 ms here, before any of sealbox's code runs): set on some machines for a proxy, not
// on a default one, so the measured processes run without it (the header says when it was set).
const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS !== undefined;
delete process.env.NODE_EXTRA_CA_CERTS;

const tmp = mkdtempSync(join(tmpdir(), "sealbox-bench-"));
const rows = [];
const host = machine();
const started = new Date();
try {
  if (sections.includes("startup")) {
    log(`start-up (${config.startupRuns} rounds)`);
    rows.push(...(await benchStartup({ tmp, runs: config.startupRuns })));
  }
  if (sections.includes("bulk")) {
    log(`bulk (${config.sizes.join(", ")} files; seal ${config.sealSize})`);
    rows.push(...(await benchBulk({ tmp, runs: config.runs, sizes: config.sizes, sealSize: config.sealSize, log })));
  }
  if (sections.includes("binary")) {
    log(`binary store (${config.binaryMb} MB)`);
    rows.push(...(await benchBinary({ tmp, runs: config.binaryRuns, sizeMb: config.binaryMb, log, timeoutMs: 600_000 })));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
host.loadAfter = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
// the targets are stated for the full sizes; toy sizes say nothing about them
if (quick) for (const row of rows) delete row.ok;

function cells(row) {
  const ratio = row.ratio === undefined ? "" : row.tool ? `${(row.ratio * 100).toFixed(0)}% of age` : `${row.ratio.toFixed(2)}×`;
  const extra = [row.inMs !== undefined ? `in-process ${fmtMs(row.inMs)}` : "", row.cpuMs !== undefined ? `CPU ${fmtMs(row.cpuMs)}${row.systemMs !== undefined ? ` (kernel ${fmtMs(row.systemMs)})` : ""}` : "", row.mbps !== undefined ? `${row.mbps.toFixed(0)} MB/s` : "", row.rssRatio !== undefined ? `RSS ${row.rssRatio.toFixed(2)}× file` : "", row.note ?? ""]
    .filter(Boolean)
    .join("; ");
  const verdict = row.ok === undefined ? "" : row.ok ? "met" : "**missed**";
  return [row.name, row.ms !== undefined ? fmtMs(row.ms) : row.error ? "failed" : "", ratio, row.maxRssKb !== undefined ? fmtMb(row.maxRssKb) : "", extra, row.target ?? "", verdict];
}

function table() {
  const head = ["measurement", "median wall", "ratio", "peak RSS", "details", "target", ""];
  const lines = [];
  let section;
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      lines.push("", `**${section}**`, "", `| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`);
    }
    lines.push(`| ${cells(row).join(" | ")} |`);
  }
  return lines.join("\n");
}

const argv = process.argv.slice(2).join(" ");
const generated = `<!-- bench:begin (written by \`node bench/run.js\`; edit outside these markers) -->
Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC with \`node bench/run.js${argv ? " " + argv : ""}\`
(commit ${gitHead()}${process.env.SEALBOX_BENCH_BUILD ? `; the tree built in \`SEALBOX_BENCH_BUILD=${process.env.SEALBOX_BENCH_BUILD}\`` : ""}).

Machine: ${host.nproc} cores (\`nproc\`), ${host.cpu}, Node ${host.node}, ${host.os}${host.age ? `, age ${host.age}` : ""}.
Load average before / after the run: ${host.load} / ${host.loadAfter} (other work on the machine slows every row alike).${extraCaCerts ? "\nNODE_EXTRA_CA_CERTS was set: the measured processes ran without it (it adds ~40 ms to every Node start)." : ""}

Wall times are medians: start-up of ${config.startupRuns} interleaved rounds; bulk and seal of ${config.runs} runs
(at most 3 for 10,000 files); the binary store of ${config.binaryRuns} runs. Peak RSS is GNU time's maximum resident set size.
${table()}
<!-- bench:end -->`;

function gitHead() {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

if (flags.json) process.stdout.write(JSON.stringify({ machine: host, config, rows }, null, 2) + "\n");
else process.stdout.write(table() + "\n");

if (write) {
  const before = existsSync(outFile) ? readFileSync(outFile, "utf8") : "# Performance\n\n<!-- bench:begin -->\n<!-- bench:end -->\n";
  const at = before.indexOf("<!-- bench:begin");
  const end = before.indexOf("<!-- bench:end -->");
  const next = at >= 0 && end > at ? before.slice(0, at) + generated + before.slice(end + "<!-- bench:end -->".length) : `${before.trimEnd()}\n\n${generated}\n`;
  writeFileSync(outFile, next);
  log(`wrote ${outFile}`);
}
const missed = rows.filter((r) => r.ok === false).length;
log(`${rows.length} measurements, ${missed} target(s) missed`);
