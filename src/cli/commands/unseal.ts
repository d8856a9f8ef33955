// `sealbox unseal`: recovery of the Secrets in SealedSecrets with backed-up controller keys.
import { Option, type Command } from "commander";
import { collect } from "../options.js";

export function registerUnseal(program: Command): void {
  program
    .command("unseal")
    .description("print the Secret(s) the controller would make from a SealedSecret file, using backed-up private keys")
    .argument("<file>", "SealedSecret file (YAML or JSON, one or more documents); - for stdin")
    // no default: a default would satisfy requiredOption and hide a forgotten --private-key
    .requiredOption("--private-key <key>", "PEM key (PKCS#1/PKCS#8), key Secret YAML, or a v1 List backup; repeatable", collect)
    .addOption(new Option("--format <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .option("-n, --namespace <namespace>", "the namespace a SealedSecret without metadata.namespace is applied in")
    .option("-o, --output <file>", "write here (atomically, mode 0600) instead of stdout")
    .option("--force", "write the Secrets even over a file git tracks (refused by default)")
    .addHelpText(
      "after",
      `
Example:
  kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml > keys-backup.yaml
  sealbox unseal sealed.yaml --private-key keys-backup.yaml`,
    )
    .action((file: string, flags: UnsealFlags) => unsealFile(file, flags));
}

export interface UnsealFlags {
  privateKey: string[];
  format: "yaml" | "json";
  namespace?: string;
  output?: string;
  force?: boolean;
}

/**
 * `sealbox unseal`, and kubeseal's `--recovery-unseal` on seal (which has no --force: `forceHint`
 * says what to run instead).
 */
export async function unsealFile(file: string | undefined, flags: UnsealFlags, forceHint?: string): Promise<void> {
  const { readInput, writePlaintextOutput } = await import("../../ops/file-io.js");
  const { loadPrivateKeys } = await import("../../sealed/keys.js");
  const { unsealManifests } = await import("../../sealed/unseal.js");
  const keys = (await loadPrivateKeys(flags.privateKey)).map((k) => k.key);
  const input = await readInput(file);
  const text = unsealManifests(input.bytes.toString("utf8"), input.name, keys, { format: flags.format, namespace: flags.namespace });
  await writePlaintextOutput(text, flags.output, { force: flags.force, forceHint });
}
