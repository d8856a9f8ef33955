// `sealbox keygen`: a new age identity, printed or written 0600, in age-keygen's layout; with --sealing,
// a Sealed Secrets key pair made as the controller makes one, for offline use, tests, or to bring your
// own key to the controller.
import { Option, type Command } from "commander";

interface KeygenFlags {
  output?: string;
  pq?: boolean;
  sealing?: boolean;
  cert?: string;
  secret?: string;
  days?: string;
  bits?: string;
  cn?: string;
  controllerNamespace?: string;
}

/** The flags that only make sense for a sealing key pair. */
const SEALING_ONLY: [keyof KeygenFlags, string][] = [
  ["cert", "--cert"],
  ["secret", "--secret"],
  ["days", "--days"],
  ["bits", "--bits"],
  ["cn", "--cn"],
  ["controllerNamespace", "--controller-namespace"],
];

export function registerKeygen(program: Command): void {
  program
    .command("keygen")
    .description("generate an age identity (like age-keygen); its public key is the recipient to encrypt to. With --sealing, a Sealed Secrets key pair")
    .option("-o, --output <file>", "write the identity (with --sealing: the RSA private key) to this file, mode 0600, and print the public key (with --sealing: the certificate's fingerprint) on stderr")
    .option("--pq", "a post-quantum hybrid identity (age1pq1… recipient)")
    .option("--sealing", "a Sealed Secrets key pair instead: an RSA key and a self-signed certificate, as the controller makes them")
    .option("--cert <file>", "with --sealing: write the certificate (PEM) here")
    .option("--secret <file>", "with --sealing: also write the controller's key Secret (labelled active; mode 0600)")
    .option("--controller-namespace <namespace>", "with --secret: the controller's namespace, where the Secret goes (default: SEALED_SECRETS_CONTROLLER_NAMESPACE, else kube-system)")
    .option("--days <n>", "with --sealing: the certificate's lifetime in days (default 3650, as the controller's --key-ttl)")
    .addOption(new Option("--bits <n>", "with --sealing: the RSA key size (default 4096)").choices(["2048", "3072", "4096"]))
    .option("--cn <name>", "with --sealing: the certificate's common name (default sealed-secret, as the controller's --my-cn)")
    .addHelpText(
      "after",
      `
Examples:
  sealbox keygen -o ~/.config/sops/age/keys.txt
  sealbox keygen --sealing -o sealing.key --cert sealing.pem --secret sealing-key.yaml`,
    )
    .action(async (flags: KeygenFlags) => {
      if (flags.sealing) return sealingKeygen(flags);
      const { SealboxError } = await import("../../errors.js");
      const stray = SEALING_ONLY.find(([key]) => flags[key] !== undefined);
      if (stray) throw new SealboxError("ConflictingParameters", `${stray[1]} goes only with --sealing`);
      const { generateX25519Identity, generateHybridIdentity, identityToRecipient } = await import("age-encryption");
      const { writeOutput } = await import("../../ops/file-io.js");
      const { identityFileText } = await import("../../init/keys.js");
      const identity = flags.pq ? await generateHybridIdentity() : await generateX25519Identity();
      const recipient = await identityToRecipient(identity);
      const text = identityFileText(identity, recipient);
      if (flags.output) {
        await refuseExisting([flags.output], "identity");
        // sops's default key file is ~/.config/sops/age/keys.txt: made private, as init --generate-key does
        const { mkdir } = await import("node:fs/promises");
        const { dirname } = await import("node:path");
        await mkdir(dirname(flags.output), { recursive: true, mode: 0o700 });
        await writeOutput(text, flags.output, { mode: 0o600, forceMode: true });
        process.stderr.write(`Public key: ${recipient}\n`);
      } else {
        await writeOutput(text, undefined);
      }
    });
}

async function sealingKeygen(flags: KeygenFlags): Promise<void> {
  const { SealboxError } = await import("../../errors.js");
  if (flags.pq) throw new SealboxError("ConflictingParameters", "--pq is for age identities; it does not go with --sealing");
  // the private key never goes to stdout: it would end up in logs and terminals' scrollback
  if (!flags.output || flags.output === "-" || !flags.cert || flags.cert === "-") {
    throw new SealboxError("ConflictingParameters", "--sealing needs -o KEY.pem and --cert CERT.pem (files)");
  }
  if (flags.secret === "-") throw new SealboxError("ConflictingParameters", "--secret needs a file: the Secret holds the private key");
  if (flags.controllerNamespace !== undefined && !flags.secret) throw new SealboxError("ConflictingParameters", "--controller-namespace says where the key Secret goes: it goes with --secret");
  if (flags.days !== undefined && !/^[0-9]+$/.test(flags.days)) throw new SealboxError("ConflictingParameters", `--days must be a whole number of days, not "${flags.days}"`);
  const outputs = [flags.output, flags.cert, ...(flags.secret ? [flags.secret] : [])];
  // compared resolved: `-o k.pem --cert ./k.pem` would put the certificate in place of the key
  const { resolve } = await import("node:path");
  if (new Set(outputs.map((path) => resolve(path))).size !== outputs.length) throw new SealboxError("ConflictingParameters", "-o, --cert and --secret must name different files");
  // a new key beside an old certificate (or Secret) would seal to a key nobody has
  await refuseExisting(outputs, "key, certificate or Secret");

  const { generateSealingKeyPair, sealingKeySecret } = await import("../../sealed/self-signed.js");
  const { controllerDefaults } = await import("../../sealed/controller.js");
  const { parseCertificate } = await import("../../sealed/cert.js");
  const { writeOutputs } = await import("../../ops/file-io.js");
  const pair = generateSealingKeyPair({
    bits: flags.bits === undefined ? undefined : Number(flags.bits),
    days: flags.days === undefined ? undefined : Number(flags.days),
    commonName: flags.cn,
  });
  const YAML = (await import("../../formats/yaml-library.js")).yamlLibrary();
  const files: [string, string, number][] = [
    [flags.output, pair.privateKeyPem, 0o600],
    [flags.cert, pair.certificatePem, 0o644],
    ...(flags.secret ? [[flags.secret, YAML.stringify(sealingKeySecret(pair, flags.controllerNamespace ?? controllerDefaults(process.env).namespace)), 0o600] as [string, string, number]] : []),
  ];
  // All or none: a certificate that cannot be written (a missing directory, say) leaves no key
  // behind that a second run would refuse to overwrite.
  await writeOutputs(files.map(([path, data, mode]) => ({ path, data, options: { mode, forceMode: true } })));

  const cert = parseCertificate(pair.certificatePem, flags.cert);
  process.stderr.write(
    [
      `Certificate:  ${flags.cert} (RSA ${cert.modulusBits} bits, notAfter ${cert.notAfter.toISOString()})`,
      `sha256:       ${cert.sha256}`,
      `Seal with:    sealbox seal --cert ${flags.cert}`,
      `Recover with: sealbox unseal --private-key ${flags.output}`,
      flags.secret
        ? `To bring your own key to the controller: kubectl apply -f ${flags.secret}, then restart the controller so it loads the key`
        : `To bring your own key to the controller, write its key Secret too: --secret FILE`,
    ].join("\n") + "\n",
  );
}

async function refuseExisting(paths: readonly string[], what: string): Promise<void> {
  const { access } = await import("node:fs/promises");
  const { SealboxError } = await import("../../errors.js");
  for (const path of paths) {
    const exists = await access(path).then(() => true, () => false);
    if (exists) throw new SealboxError("CouldNotWriteOutputFile", `refusing to overwrite an existing ${what} file`, { file: path });
  }
}
