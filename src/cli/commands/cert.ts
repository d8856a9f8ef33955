// `sealbox cert fetch|verify`: the controller's sealing certificate.
import type { Command } from "commander";
import type { FetchCertOptions } from "../../sealed/kube.js";
import { writeStdoutSync } from "../../ops/stdout.js";

export function registerCert(program: Command): void {
  const cert = program
    .command("cert")
    .description("fetch or check the Sealed Secrets controller's certificate")
    .addHelpText("after", `\nExamples:\n  sealbox cert fetch -o certs/prod.pem\n  sealbox cert verify certs/prod.pem`);
  addControllerOptions(cert.command("fetch").description("fetch the controller's certificate through the Kubernetes API service proxy (like kubeseal --fetch-cert)"))
    .option("--cert-sha256 <fingerprint>", "refuse a certificate whose SHA-256 fingerprint differs")
    .option("-o, --output <file>", "write the PEM here (atomically) instead of stdout")
    .addHelpText(
      "after",
      `
Example:
  sealbox cert fetch --context prod -o certs/prod.pem`,
    )
    .action(fetchCert);
  cert
    .command("verify")
    .description("check a sealing certificate: RSA, in date; print its SHA-256 fingerprint and notAfter")
    .argument("<cert>", "certificate file or URL")
    .option("--cert-sha256 <fingerprint>", "also require this SHA-256 fingerprint")
    .option("--json", "print the facts as JSON")
    .addHelpText(
      "after",
      `
Example:
  sealbox cert verify certs/prod.pem --cert-sha256 3a:5f:...`,
    )
    .action(verifyCert);
}

/** How to reach the controller: `cert fetch`, `seal --validate/--re-encrypt`, and `seal` when nothing names a certificate. */
export function addControllerOptions(command: Command): Command {
  // sealed/controller.ts's controllerDefaults, written out: importing it would add a chunk to every
  // start (test/cli/startup-lists.test.ts keeps the two equal)
  const env = process.env;
  return command
    .option("--controller-name <name>", "the controller's Service (env SEALED_SECRETS_CONTROLLER_NAME)", env.SEALED_SECRETS_CONTROLLER_NAME || "sealed-secrets-controller")
    .option("--controller-namespace <namespace>", "the controller's namespace (env SEALED_SECRETS_CONTROLLER_NAMESPACE)", env.SEALED_SECRETS_CONTROLLER_NAMESPACE || "kube-system")
    .option("--kubeconfig <file>", "kubeconfig file (default: KUBECONFIG, else ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: the current context)")
    .option("--timeout <seconds>", "give up on the cluster (and a kubeconfig exec plugin) after this long", "30");
}

export interface ControllerFlags {
  controllerName: string;
  controllerNamespace: string;
  kubeconfig?: string;
  context?: string;
  timeout: string;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** The controller options as sealed/kube.ts takes them (--timeout checked). */
export async function controllerOptions(flags: ControllerFlags): Promise<FetchCertOptions> {
  const { SealboxError } = await import("../../errors.js");
  const seconds = Number(flags.timeout);
  // Node's timers fire at once past 2^31-1 ms (24.8 days): a longer wait would never wait at all
  if (!(seconds > 0) || seconds * 1000 > MAX_TIMER_MS) {
    throw new SealboxError("ConflictingParameters", `--timeout must be a positive number of seconds up to ${MAX_TIMER_MS / 1000}, not "${flags.timeout}"`);
  }
  return { ...flags, timeoutMs: seconds * 1000 };
}

/** The controller's certificate as it answers (PEM bytes), and what to call it in messages. */
export async function fetchControllerPem(flags: ControllerFlags): Promise<{ pem: Buffer; source: string }> {
  const { fetchControllerCert } = await import("../../sealed/kube.js");
  return { pem: await fetchControllerCert(await controllerOptions(flags)), source: `service ${flags.controllerNamespace}/${flags.controllerName}` };
}

/** Prints (or writes to --output) the controller's certificate: `cert fetch`, and `seal --fetch-cert` as kubeseal. */
export async function fetchCert(flags: ControllerFlags & { certSha256?: string; output?: string; cert?: string }): Promise<void> {
  const { checkedCertificate, readCertSource } = await import("../../sealed/cert.js");
  const { shownInMessage } = await import("../../core/redact.js");
  const { writeOutput } = await import("../../ops/file-io.js");
  // kubeseal --fetch-cert --cert URL prints that certificate: a download, checked as any other
  const { pem, source } = flags.cert
    ? { pem: Buffer.from(await readCertSource(flags.cert, 30_000)), source: shownInMessage(flags.cert) }
    : await fetchControllerPem(flags);
  // Never hand on something that is not a sealing certificate (a proxy error page, say); an expired
  // one is still the controller's current one, and cert verify says so.
  checkedCertificate(pem, source, { pinSha256: flags.certSha256, allowExpired: true });
  await writeOutput(pem.toString("utf8"), flags.output);
}

async function verifyCert(path: string, flags: { certSha256?: string; json?: boolean }): Promise<void> {
  const { SealboxError } = await import("../../errors.js");
  const { checkCertificate, loadCertificate } = await import("../../sealed/cert.js");
  const cert = await loadCertificate(path, { pinSha256: flags.certSha256, allowExpired: true });
  const check = checkCertificate(cert);
  printFacts(cert, check, flags.json);
  if (check.expired) {
    throw new SealboxError("BadCertificate", `the certificate expired on ${cert.notAfter.toISOString()}; fetch the controller's current one (sealbox cert fetch)`, { file: path });
  }
  const { warn } = await import("../terminal.js");
  for (const warning of check.warnings) warn(warning);
}

function printFacts(
  cert: { source: string; sha256: string; notBefore: Date; notAfter: Date; subject: string; modulusBits: number },
  check: { expired: boolean; ageDays: number; warnings: string[] },
  json: boolean | undefined,
): void {
  if (json) {
    const facts = { file: cert.source, sha256: cert.sha256, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString(), rsaBits: cert.modulusBits, ageDays: check.ageDays, expired: check.expired, warnings: check.warnings };
    writeStdoutSync(JSON.stringify(facts, null, 2) + "\n");
    return;
  }
  writeStdoutSync(
    [
      `file:      ${cert.source}`,
      `sha256:    ${cert.sha256}`,
      `key:       RSA ${cert.modulusBits} bits`,
      `notBefore: ${cert.notBefore.toISOString()}`,
      `notAfter:  ${cert.notAfter.toISOString()}`,
      `status:    ${check.expired ? "EXPIRED" : "valid"}`,
    ].join("\n") + "\n",
  );
}
