// `sealbox seal`: kubeseal's job. Secrets in, SealedSecrets out (or one raw value, or merged into a file).
import { InvalidArgumentError, Option, type Command } from "commander";
import type { SealingCert } from "../../sealed/cert.js";
import { addControllerOptions, controllerOptions, fetchCert, fetchControllerPem, type ControllerFlags } from "./cert.js";

interface SealFlags extends ControllerFlags {
  fetchCert?: boolean;
  validate?: boolean;
  reEncrypt?: boolean;
  recoveryUnseal?: boolean;
  recoveryPrivateKey?: string[];
  secretFile?: string;
  sealedSecretFile?: string;
  cert?: string;
  certSha256?: string;
  scope?: string;
  namespace?: string;
  name?: string;
  format?: "yaml" | "json";
  allowEmptyData?: boolean;
  output?: string;
  raw?: boolean;
  fromFile?: string;
  mergeInto?: string;
  config?: string;
}

export function registerSeal(program: Command): void {
  const command = program
    .command("seal")
    .description("seal Kubernetes Secrets into SealedSecrets for the Sealed Secrets controller (like kubeseal)")
    .argument("[file]", "Secret manifest(s): YAML documents, JSON, or a v1 List; - or nothing for stdin")
    .option("--cert <path|url>", "the controller's certificate: a file, file://, http:// or https:// URL")
    .option("--cert-sha256 <fingerprint>", "refuse any certificate whose SHA-256 fingerprint differs")
    .addOption(new Option("--scope <scope>", "label scope; default: the Secret's sealedsecrets.bitnami.com annotations, else strict").choices(["strict", "namespace-wide", "cluster-wide"]))
    .option("-n, --namespace <namespace>", "namespace for a Secret that has none and is not cluster-wide (a different one on the Secret is an error)")
    .option("--name <name>", "name for a Secret that has none; with --raw, the strict-scope name")
    .addOption(new Option("--format <format>", "output format (default: yaml for an -o file ending .yaml/.yml, else json as kubeseal)").choices(FORMATS).argParser(formatChoice))
    .option("--allow-empty-data", "seal a Secret that has no data")
    .option("-f, --secret-file <file>", "kubeseal's name for the FILE argument (with --re-encrypt and no -o, rewritten in place as by kubeseal)")
    .option("-o, --output <file>", "write here (atomically) instead of stdout")
    .option("-w, --sealed-secret-file <file>", "kubeseal's name for --output")
    .option("--raw", "seal one value (from --from-file or stdin) and print its base64, no newline")
    .option("--from-file <[key=]file>", "with --raw: the file whose bytes are sealed (kubectl's key=file names the same file)", onlyOnce("--from-file: --raw seals one value"))
    .option("--merge-into <file>", "add or replace the Secret's values in this SealedSecret file, in its own format")
    .option("--config <path>", "rules file whose sealed_secrets entry gives the cert and scope when there is no --cert (default: SOPS_CONFIG, else the nearest .sops.yaml)")
    .option("--fetch-cert", "print the controller's certificate and stop (kubeseal --fetch-cert; also sealbox cert fetch)")
    .option("--validate", "ask the controller whether it can open the SealedSecrets in FILE or stdin (kubeseal --validate)")
    .option("--re-encrypt", "have the controller re-seal the SealedSecrets in FILE or stdin to its newest key; only encryptedData changes (kubeseal --re-encrypt; offline: sealbox reencrypt)")
    .option("--recovery-unseal", "print the Secrets in FILE or stdin, opened with --recovery-private-key (kubeseal's name for sealbox unseal)")
    .option("--recovery-private-key <keys>", "with --recovery-unseal: backed-up controller keys, comma-separated or repeated", (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)]);
  addControllerOptions(command)
    .addHelpText(
      "after",
      `
Without --cert, SEALED_SECRETS_CERT or a sealed_secrets rule, and outside a repository with rules
(.sops.yaml, --config), the certificate is fetched from the controller through the current
kubeconfig context, as kubeseal does.

Examples:
  sealbox seal --cert cert.pem --format yaml secret.yaml > sealed.yaml
  echo -n hunter2 | sealbox seal --raw --cert cert.pem --namespace prod --name db
  sealbox seal --cert cert.pem --merge-into sealed.yaml new-keys.yaml
  sealbox seal secret.yaml -o clusters/prod/db.sealed.yaml   # cert and scope from .sops.yaml
  sealbox seal --validate clusters/prod/db.sealed.yaml       # can the controller open it?`,
    )
    .action(seal);
}

const FORMATS = ["yaml", "json"];

/** kubeseal lower-cases its format: `--format YAML` works there too. */
function formatChoice(value: string): "yaml" | "json" {
  const format = value.toLowerCase();
  if (!FORMATS.includes(format)) throw new InvalidArgumentError(`Allowed choices are ${FORMATS.join(", ")}.`);
  return format as "yaml" | "json";
}

/** A parser for an option that may be given once: the last of several would silently win. */
function onlyOnce(why: string): (value: string, previous: string | undefined) => string {
  return (value, previous) => {
    if (previous !== undefined) throw new InvalidArgumentError(`given more than once (${why})`);
    return value;
  };
}

async function seal(file: string | undefined, flags: SealFlags): Promise<void> {
  const { SealboxError } = await import("../../errors.js");
  const { readInput, writeOutput } = await import("../../ops/file-io.js");
  const { sealingTarget } = await import("../../sealed/io.js");
  const { parseScope } = await import("../../sealed/scope.js");
  const { sealRaw, sealManifests } = await import("../../sealed/seal.js");
  // kubeseal's -o is the format (in any case): `-o yaml` (or `-o=YAML`) here would quietly write a file named so
  const format = /^=?(yaml|json)$/i.exec(flags.output ?? "")?.[1];
  if (format) {
    throw new SealboxError("ConflictingParameters", `-o is the output file here (as in sops), not kubeseal's format: use --format ${format.toLowerCase()} (or -o ./${format} for a file of that name)`);
  }
  if (flags.secretFile !== undefined) {
    if (file !== undefined) throw new SealboxError("ConflictingParameters", "-f/--secret-file and the FILE argument name the same thing: give one");
    file = flags.secretFile;
  }
  if (flags.sealedSecretFile !== undefined) {
    if (flags.output !== undefined) throw new SealboxError("ConflictingParameters", "-o/--output and -w/--sealed-secret-file name the same thing: give one");
    flags.output = flags.sealedSecretFile;
  }
  // kubeseal --re-encrypt -f FILE without -w rewrites FILE (sealed-secrets #405): printing it instead
  // would leave the file as it was, and the script that ran it none the wiser
  if (flags.reEncrypt && flags.secretFile !== undefined && flags.output === undefined) flags.output = flags.secretFile;
  if (flags.mergeInto && flags.output !== undefined) throw new SealboxError("ConflictingParameters", "--merge-into rewrites that file: -o/-w do not go with it");
  if (flags.fetchCert) {
    // kubeseal would validate or re-encrypt and not print the certificate: either way one is dropped
    const other = flags.validate ? "--validate" : flags.reEncrypt ? "--re-encrypt" : flags.recoveryUnseal ? "--recovery-unseal" : flags.recoveryPrivateKey ? "--recovery-private-key" : undefined;
    if (other) throw new SealboxError("ConflictingParameters", `--fetch-cert and ${other} do not go together`);
    return fetchCert(flags);
  }
  if (flags.recoveryUnseal || flags.recoveryPrivateKey) return recoveryUnseal(file, flags);
  if (flags.validate || flags.reEncrypt) return askController(file, flags);
  const flagScope = flags.scope === undefined ? undefined : parseScope(flags.scope);
  const fromCluster = (): Promise<SealingCert> => certFromCluster(flags);
  // The rules file is matched against the file being written (else the input file).
  const rulePath = flags.mergeInto ?? (flags.output !== "-" ? flags.output : undefined) ?? (file !== "-" ? file : undefined);

  if (flags.raw) {
    if (flags.mergeInto) throw new SealboxError("ConflictingParameters", "--raw and --merge-into do not go together");
    const input = await readInput(flags.fromFile === undefined ? file : await rawValueFile(flags.fromFile));
    const { cert, ruleScope } = await sealingTarget(flags, "seal", flags.output, fromCluster);
    const scope = flagScope ?? ruleScope ?? "strict";
    // as kubeseal: without -n, the kubeconfig context's namespace (one that cannot be read fails here)
    let namespace = flags.namespace;
    if (namespace === undefined && scope !== "cluster-wide") {
      const fromContext = await kubeconfigNamespace(flags, `--raw with scope ${scope} needs a namespace (-n)`);
      namespace = typeof fromContext === "function" ? fromContext() : fromContext;
    }
    const sealed = sealRaw(input.bytes, { publicKey: cert.publicKey, scope, namespace, name: flags.name });
    await writeOutput(sealed, flags.output);
    return;
  }
  if (flags.fromFile) throw new SealboxError("ConflictingParameters", "--from-file goes with --raw; give a Secret manifest as FILE");

  const input = await readInput(file);
  const { cert, ruleScope } = await sealingTarget(flags, "seal", rulePath, fromCluster);
  if (flags.mergeInto) {
    const { mergeInto } = await import("../../sealed/rewrite.js");
    const { parseManifests, readSecrets, stringifyManifests } = await import("../../sealed/manifest.js");
    const secrets = readSecrets(input.bytes.toString("utf8"), input.name);
    if (secrets.length !== 1) throw new SealboxError("NeedAtLeastOneDocument", `--merge-into takes exactly one Secret, found ${secrets.length}`, { file: input.name });
    const target = await readInput(flags.mergeInto);
    const manifests = parseManifests(target.bytes.toString("utf8"), target.name);
    mergeInto(manifests, target.name, secrets[0], { publicKey: cert.publicKey, scope: flagScope, allowEmptyData: flags.allowEmptyData, secretFile: input.name });
    await writeOutput(stringifyManifests(manifests), flags.mergeInto);
    return;
  }
  const defaultNamespace = flags.namespace ? undefined : await kubeconfigNamespace(flags);
  const text = sealManifests(input.bytes.toString("utf8"), input.name, {
    publicKey: cert.publicKey,
    scope: flagScope ?? ruleScope,
    namespace: flags.namespace,
    name: flags.name,
    defaultNamespace,
    allowEmptyData: flags.allowEmptyData,
    format: outputFormat(flags),
  });
  await writeOutput(text, flags.output);
}

/** --from-file as a path, else as kubectl's `key=path` (kubeseal reads only the path of it). */
async function rawValueFile(value: string): Promise<string> {
  const { existsSync } = await import("node:fs");
  const split = value.indexOf("=");
  return existsSync(value) || split < 0 ? value : value.slice(split + 1);
}

/** kubeseal's output format: --format, else yaml for an -o/-w file ending .yaml/.yml, else json. */
function outputFormat(flags: SealFlags): "yaml" | "json" {
  return flags.format ?? (/\.ya?ml$/i.test(flags.output ?? "") ? "yaml" : "json");
}

// seal's sealing flags mean nothing to the controller's own operations: refused, not ignored.
const SEALING_FLAGS: [keyof SealFlags, string][] = [
  ["cert", "--cert"],
  ["certSha256", "--cert-sha256"],
  ["scope", "--scope"],
  ["namespace", "--namespace"],
  ["name", "--name"],
  ["allowEmptyData", "--allow-empty-data"],
  ["raw", "--raw"],
  ["fromFile", "--from-file"],
  ["mergeInto", "--merge-into"],
  ["config", "--config"],
];

/** kubeseal's --recovery-unseal: `sealbox unseal`, in kubeseal's output format (json, or yaml for a -o/-w .yaml file). */
async function recoveryUnseal(file: string | undefined, flags: SealFlags): Promise<void> {
  const { SealboxError } = await import("../../errors.js");
  // kubeseal only warns that it ignores keys without --recovery-unseal: a forgotten flag here is an error
  if (!flags.recoveryUnseal) throw new SealboxError("ConflictingParameters", "--recovery-private-key goes with --recovery-unseal");
  if (!flags.recoveryPrivateKey?.length) throw new SealboxError("ConflictingParameters", "--recovery-unseal needs the controller's keys: --recovery-private-key");
  const given = SEALING_FLAGS.find(([key]) => key !== "namespace" && flags[key] !== undefined && flags[key] !== false);
  if (given || flags.validate || flags.reEncrypt) {
    throw new SealboxError("ConflictingParameters", `${given?.[1] ?? (flags.validate ? "--validate" : "--re-encrypt")} does not go with --recovery-unseal`);
  }
  const { unsealFile } = await import("./unseal.js");
  return unsealFile(file, { privateKey: flags.recoveryPrivateKey, format: outputFormat(flags), namespace: flags.namespace, output: flags.output }, "`sealbox unseal --force` does it anyway");
}

/** --validate and --re-encrypt: the SealedSecrets in the input, one by one, through the controller's API. */
async function askController(file: string | undefined, flags: SealFlags): Promise<void> {
  const { SealboxError } = await import("../../errors.js");
  const { readInput, writeOutput } = await import("../../ops/file-io.js");
  const { parseManifests, sealedSecretsOf, stringifyManifests } = await import("../../sealed/manifest.js");
  const { info } = await import("../terminal.js");
  const operation = flags.validate ? "--validate" : "--re-encrypt";
  if (flags.validate && flags.reEncrypt) throw new SealboxError("ConflictingParameters", "--validate and --re-encrypt do not go together");
  const given = SEALING_FLAGS.find(([key]) => flags[key] !== undefined && flags[key] !== false);
  if (given) throw new SealboxError("ConflictingParameters", `${given[1]} does not go with ${operation}: the controller uses its own keys`);
  if (flags.validate && (flags.output !== undefined || flags.format)) throw new SealboxError("ConflictingParameters", "--validate writes nothing: -o/-w and --format do not go with it");

  const options = await controllerOptions(flags);
  const input = await readInput(file);
  const manifests = parseManifests(input.bytes.toString("utf8"), input.name);
  const kube = await import("../../sealed/kube.js");
  if (flags.validate) {
    const { validateThrough } = await import("../../sealed/verify.js");
    const names = await validateThrough(manifests, input.name, (sealedSecret) => kube.verifyWithController(options, JSON.stringify(sealedSecret)));
    info(`the controller can decrypt ${names.length === 1 ? `SealedSecret ${names[0]}` : `all ${names.length} SealedSecrets`}`);
    return;
  }
  const docs = sealedSecretsOf(manifests);
  if (docs.length === 0) throw new SealboxError("NeedAtLeastOneDocument", `${operation} needs SealedSecrets, and there is none`, { file: input.name });
  // a List's items (kubectl get sealedsecrets -o yaml) can be asked about, not rewritten in place
  if (docs.some((d) => d.listed)) {
    throw new SealboxError("ConflictingParameters", "--re-encrypt rewrites SealedSecret documents, and these are the items of a v1 List: give them as documents (--validate reads Lists)", { file: input.name });
  }
  if (flags.format && flags.format !== manifests.format) {
    throw new SealboxError("ConflictingParameters", `${operation} keeps the input's format (${manifests.format}): --format ${flags.format} does not go with it`);
  }
  const { reencryptThrough } = await import("../../sealed/rewrite.js");
  await reencryptThrough(manifests, input.name, (sealedSecret) => kube.reencryptWithController(options, JSON.stringify(sealedSecret)));
  await writeOutput(stringifyManifests(manifests), flags.output);
}

/**
 * kubeseal's default: the controller's certificate through the kubeconfig, when nothing names one
 * and no rules file says which certificates this repository seals to.
 */
async function certFromCluster(flags: SealFlags): Promise<SealingCert> {
  const { SealboxError } = await import("../../errors.js");
  const { checkedCertificate } = await import("../../sealed/cert.js");
  const { kubeconfigPaths } = await import("../../sealed/kube.js");
  const { findConfigFile } = await import("../../rules/config.js");
  const { existsSync } = await import("node:fs");
  const needed = "seal needs the controller's certificate: --cert PATH|URL, SEALED_SECRETS_CERT or a sealed_secrets rule";
  // A repository with rules names its certificates: whatever cluster the kubeconfig points at now
  // may not be the one its files are for (stdin, say, matches no rule by path).
  const rules = await findConfigFile({ configPath: flags.config });
  if (rules) throw new SealboxError("BadCertificate", `${needed} (with rules in ${rules}, seal does not fetch one from the current cluster)`);
  if (!kubeconfigPaths(flags).some((path) => existsSync(path))) {
    throw new SealboxError("BadCertificate", `${needed}, or a kubeconfig to fetch it from the controller with (\`sealbox cert fetch > cert.pem\` saves it)`);
  }
  let fetched: Awaited<ReturnType<typeof fetchControllerPem>>;
  try {
    fetched = await fetchControllerPem(flags);
  } catch (error) {
    if (!(error instanceof SealboxError)) throw error;
    const why = "no certificate was named (--cert, SEALED_SECRETS_CERT or a sealed_secrets rule in .sops.yaml), and fetching the controller's failed";
    throw new SealboxError(error.code, `seal: ${why}: ${error.message}`, { file: error.file, line: error.line, details: error.details });
  }
  // checked like any other (pin, expiry), outside the try: a pin that does not match is not a failed fetch
  const cert = checkedCertificate(fetched.pem, fetched.source, { pinSha256: flags.certSha256 });
  // said, because the current kubeconfig context decides which cluster can unseal the output
  (await import("../terminal.js")).info(`no certificate named: sealing with the controller's, fetched from ${fetched.source} (kubeconfig ${flags.context ? `context "${flags.context}"` : "current context"})`);
  return cert;
}

/**
 * kubeseal's fallback for a Secret without a namespace: the kubeconfig context's ("default" when it
 * names none; undefined without a kubeconfig, which seal.ts refuses unless the Secret is cluster-wide).
 * A kubeconfig that cannot be read matters only if some Secret has no namespace: the error waits.
 */
async function kubeconfigNamespace(flags: ControllerFlags, missing = "a Secret has no namespace (give it one, or -n)"): Promise<string | (() => never) | undefined> {
  const { SealboxError } = await import("../../errors.js");
  const { contextNamespace } = await import("../../sealed/kube.js");
  try {
    return await contextNamespace({ kubeconfig: flags.kubeconfig, context: flags.context });
  } catch (error) {
    if (!(error instanceof SealboxError)) throw error;
    return () => {
      throw new SealboxError(error.code, `${missing}, and the kubeconfig's cannot be read: ${error.message}`, { file: error.file, line: error.line });
    };
  }
}
