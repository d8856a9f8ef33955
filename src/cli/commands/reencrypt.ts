// `sealbox reencrypt`: offline re-sealing of SealedSecrets to a new certificate (kubeseal --re-encrypt
// needs a live controller and loses template metadata; this needs the old private keys instead).
import type { Command } from "commander";
import { collect } from "../options.js";

export function registerReencrypt(program: Command): void {
  program
    .command("reencrypt")
    .description("re-seal SealedSecrets to a new certificate, offline, with the old private keys")
    .argument("<paths...>", "SealedSecret files or directories (searched for *.yaml, *.yml, *.json)")
    .requiredOption("--cert <path|url>", "the new certificate")
    .option("--cert-sha256 <fingerprint>", "refuse any certificate whose SHA-256 fingerprint differs")
    // no default value: one would satisfy requiredOption and hide a forgotten --private-key
    .requiredOption("--private-key <key>", "old private key(s): PEM, key Secret YAML or v1 List backup; repeatable", collect)
    .option("-i, --in-place", "rewrite the files (atomically); needed for several files or a directory")
    .option("-o, --output <file>", "with one file: write the result here instead of stdout")
    .addHelpText(
      "after",
      `
Example:
  sealbox reencrypt -i clusters/prod --cert new-cert.pem --private-key keys-backup.yaml`,
    )
    .action(reencrypt);
}

interface ReencryptFlags {
  cert: string;
  certSha256?: string;
  privateKey: string[];
  inPlace?: boolean;
  output?: string;
}

async function reencrypt(paths: string[], flags: ReencryptFlags): Promise<void> {
  const { SealboxError } = await import("../../errors.js");
  const { readInput, writeOutput, writeOutputs } = await import("../../ops/file-io.js");
  const { certFromFlags } = await import("../../sealed/io.js");
  const { discoverFiles } = await import("../../repo/discover.js");
  const { loadPrivateKeys } = await import("../../sealed/keys.js");
  const { reencryptFiles } = await import("../../sealed/reencrypt-files.js");
  if (flags.inPlace && flags.output) throw new SealboxError("ConflictingParameters", "-i and -o do not go together");
  // Directories: the *.yaml/*.yml/*.json files git tracks or would track (src/repo/discover.ts).
  const files = (await discoverFiles(paths, { accept: (p) => /\.(ya?ml|json)$/i.test(p) })).map((f) => f.path);
  if (!flags.inPlace && (files.length !== 1 || paths.length !== 1)) {
    throw new SealboxError("ConflictingParameters", `reencrypt of ${files.length} files needs -i (in place); without it, name exactly one file`);
  }
  const cert = await certFromFlags(flags, "reencrypt");
  const privateKeys = (await loadPrivateKeys(flags.privateKey)).map((k) => k.key);
  // Everything is opened and re-sealed in memory first: one failure writes nothing at all.
  const results = await reencryptFiles(files, { publicKey: cert.publicKey, privateKeys, named: new Set(paths), read: async (file) => (await readInput(file)).bytes });
  if (!flags.inPlace) {
    await writeOutput(results[0].text, flags.output);
    return;
  }
  const { info } = await import("../terminal.js");
  // all or none: a file that cannot be written leaves the others as they were too
  await writeOutputs(results.map((r) => ({ path: r.file, data: r.text })));
  for (const r of results) info(`re-encrypted ${r.count} SealedSecret${r.count === 1 ? "" : "s"} in ${r.file}`);
}
