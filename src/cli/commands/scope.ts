// `sealbox scope`: move a SealedSecret to another sealing scope (re-seal under the new label).
import { Option, type Command } from "commander";
import { SCOPE_NAMES } from "../options.js";
import { collect } from "../options.js";

export function registerScope(program: Command): void {
  program
    .command("scope")
    .description("re-seal a SealedSecret into another scope (strict, namespace-wide, cluster-wide) and update its annotations")
    .argument("<file>", "SealedSecret file")
    .addOption(new Option("--to <scope>", "the new scope").choices(SCOPE_NAMES).makeOptionMandatory())
    .option("--private-key <key>", "private key(s) that open the values; repeatable", collect, [])
    .option("--from-secret <file>", "take the values from this plaintext Secret instead (needs --cert)")
    .option("--cert <path|url>", "seal to this certificate (default with --private-key: the key pair that opened the values)")
    .option("--cert-sha256 <fingerprint>", "refuse any certificate whose SHA-256 fingerprint differs")
    .option("-i, --in-place", "rewrite the file (atomically)")
    .option("-o, --output <file>", "write the result here instead of stdout")
    .addHelpText(
      "after",
      `
Example:
  sealbox scope sealed.yaml --to namespace-wide --private-key keys-backup.yaml -i`,
    )
    .action(scope);
}

interface ScopeFlags {
  to: string;
  privateKey: string[];
  fromSecret?: string;
  cert?: string;
  certSha256?: string;
  inPlace?: boolean;
  output?: string;
}

async function scope(file: string, flags: ScopeFlags): Promise<void> {
  const { SealboxError } = await import("../../errors.js");
  const { readInput, writeOutput } = await import("../../ops/file-io.js");
  const { loadCertificate } = await import("../../sealed/cert.js");
  const { loadPrivateKeys } = await import("../../sealed/keys.js");
  const { parseManifests, readSecrets, stringifyManifests } = await import("../../sealed/manifest.js");
  const { rescope } = await import("../../sealed/rewrite.js");
  const { parseScope } = await import("../../sealed/scope.js");
  if (flags.inPlace && flags.output) throw new SealboxError("ConflictingParameters", "-i and -o do not go together");
  if (flags.fromSecret && flags.privateKey.length) throw new SealboxError("ConflictingParameters", "give --private-key or --from-secret, not both");
  const to = parseScope(flags.to);
  const cert = flags.cert ? await loadCertificate(flags.cert, { pinSha256: flags.certSha256 }) : undefined;
  const privateKeys = (await loadPrivateKeys(flags.privateKey)).map((k) => k.key);
  let fromSecret;
  if (flags.fromSecret) {
    const secretInput = await readInput(flags.fromSecret);
    const secrets = readSecrets(secretInput.bytes.toString("utf8"), secretInput.name);
    if (secrets.length !== 1) throw new SealboxError("NeedAtLeastOneDocument", `--from-secret takes exactly one Secret, found ${secrets.length}`, { file: secretInput.name });
    fromSecret = secrets[0];
  }
  const input = await readInput(file);
  const manifests = parseManifests(input.bytes.toString("utf8"), input.name);
  const widenings = rescope(manifests, input.name, { to, publicKey: cert?.publicKey, privateKeys, fromSecret });
  // Said even with --quiet: widening who may unseal a secret must never pass unnoticed.
  const { alert } = await import("../terminal.js");
  for (const line of widenings) alert(line);
  await writeOutput(stringifyManifests(manifests), flags.inPlace ? file : flags.output);
}
