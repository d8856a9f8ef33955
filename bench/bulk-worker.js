// One bulk run in a fresh process, so its peak RSS is its own: encrypt, decrypt or rotate every file
// of a directory through the library (one shared KeySources, so the identity loads once), or seal
// many Secrets. Prints one JSON line: { op, files, ms, cpuMs, systemMs, maxRssKb, startRssKb } (ms and the CPU times
// are for the work itself, after start-up and imports).
//
//   node bench/bulk-worker.js encrypt|decrypt|rotate DIR N RECIPIENT IDENTITY_FILE
//   node bench/bulk-worker.js seal DIR N
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DIST, ROOT, secretManifest } from "./lib.js";

const [op, dir, nText, recipient, identityFile] = process.argv.slice(2);
const n = Number(nText);
// Enough files in flight to overlap reads and fsyncs with the CPU work, few enough to keep memory flat.
const IN_FLIGHT = 16;

const lib = (path) => import(join(DIST, path));

/** Runs `task` over 0..count-1 with a bounded number in flight; files are never all held at once. */
async function pool(count, task) {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, worker));
}

async function sopsRun() {
  const ops = await lib("ops/sops-ops.js");
  const { KeySources } = await lib("keys/registry.js");
  const { parseIdentities } = await lib("keys/age-recipients.js");
  const { writeFileAtomic } = await lib("ops/atomic-write.js");
  const sops = await lib("sops/sops-file.js");
  const sources = new KeySources({ age: { identities: parseIdentities(await readFile(identityFile, "utf8"), identityFile) } });
  const env = {};
  const plain = (i) => join(dir, "plain", `secret-${i}.yaml`);
  const enc = (i) => join(dir, "enc", `secret-${i}.yaml`);

  // sops rotate: the same recipients and selectors, a new data key, every value encrypted again.
  const rotate = async (input, filename) => {
    const opened = await ops.openEncrypted(input, { filename, sources, env });
    const recipientGroups = opened.metadata.keyGroups.map((group) =>
      group.map((s) => (s.type === "age" ? { type: "age", recipient: s.recipient } : { type: "kms", arn: s.arn, role: s.role, context: s.context })),
    );
    const file = await sops.encryptNew(opened.docs, { sources, recipientGroups, shamirThreshold: opened.metadata.shamirThreshold, selectors: opened.metadata.selectors });
    return sops.emitEncrypted(opened.codecs.output, file);
  };

  let bytes = 0;
  const started = performance.now();
  await pool(n, async (i) => {
    if (op === "encrypt") {
      const out = await ops.encrypt(await readFile(plain(i)), { filename: plain(i), age: [recipient], sources, env, cwd: dir });
      await writeFileAtomic(enc(i), out, { mode: 0o644 });
    } else if (op === "decrypt") {
      const out = await ops.decrypt(await readFile(enc(i)), { filename: enc(i), sources, env });
      bytes += out.length;
    } else if (op === "rotate") {
      await writeFileAtomic(enc(i), await rotate(await readFile(enc(i)), enc(i)));
    } else throw new Error(`unknown op ${op}`);
  });
  return { ms: performance.now() - started, bytes };
}

async function sealRun() {
  const { parseCertificate } = await lib("sealed/cert.js");
  const { sealManifests } = await lib("sealed/seal.js");
  const certFile = join(ROOT, "fixtures", "interop", "sealed", "cert.pem");
  const cert = parseCertificate(await readFile(certFile), certFile);
  const text = Array.from({ length: n }, (_, i) => secretManifest(i)).join("---\n");
  const started = performance.now();
  const sealed = sealManifests(text, "secrets.yaml", { publicKey: cert.publicKey, format: "yaml" });
  await writeFile(join(dir, "sealed.yaml"), sealed);
  return { ms: performance.now() - started, bytes: sealed.length };
}

const startRssKb = Math.round(process.memoryUsage().rss / 1024);
const cpuBefore = process.cpuUsage();
const result = op === "seal" ? await sealRun() : await sopsRun();
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(JSON.stringify({ op, files: n, ...result, cpuMs: (cpu.user + cpu.system) / 1000, systemMs: cpu.system / 1000, maxRssKb: process.resourceUsage().maxRSS, startRssKb }) + "\n");
