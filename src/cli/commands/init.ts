// `sealbox init`: set up a repository: an age key (found or new), a Sealed Secrets certificate (a file
// or fetched), path rules; writes .sops.yaml and installs the git hooks. Asks on a terminal, takes
// flags anywhere, never prompts without a TTY.
import { Option, type Command } from "commander";
import type { InitOptions } from "../../init/wizard.js";
import { SCOPE_NAMES } from "../options.js";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("set up a repository for sealbox: pick or create an age key, a sealing certificate and path rules, then write .sops.yaml")
    .option("--age <recipients>", "age recipients for the SOPS rule, comma-separated (age1…, age1pq1…, ssh-ed25519 …, ssh-rsa …)")
    .option("--generate-key", "create a new age identity (0600) in the sops keys file and use its public key")
    .option("--key-file <file>", "where --generate-key writes (default: <user config dir>/sops/age/keys.txt, where sops looks)")
    .option("--kms <arns>", "AWS KMS key ARNs for the SOPS rule, comma-separated (ARN+ROLE_ARN to assume a role)")
    .option("--cert <file|url>", "the Sealed Secrets controller's certificate; adds a sealed_secrets rule")
    .option("--fetch-cert", "fetch the certificate from the controller through the Kubernetes API (as `sealbox cert fetch`)")
    .option("--cert-output <file>", "where a fetched certificate (or one from outside the repository) is stored (default: certs/sealed-secrets.pem)")
    .option("--kubeconfig <file>", "with --fetch-cert: kubeconfig file (default: KUBECONFIG, else ~/.kube/config)")
    .option("--context <name>", "with --fetch-cert: kubeconfig context (default: the current context)")
    .option("--controller-name <name>", "with --fetch-cert: the controller's Service (env SEALED_SECRETS_CONTROLLER_NAME)")
    .option("--controller-namespace <namespace>", "with --fetch-cert: the controller's namespace (env SEALED_SECRETS_CONTROLLER_NAMESPACE)")
    .addOption(new Option("--scope <scope>", "sealing scope of the sealed_secrets rule (default: strict)").choices(SCOPE_NAMES))
    .option("--sealed-path-regex <regex>", "files sealed as SealedSecrets (default: \\.sealed\\.(ya?ml|json)$)")
    .option("--path-regex <regex>", "files the SOPS rule covers (default: every file the sealed rule does not take)")
    .option("--encrypted-regex <regex>", "encrypt only values of keys matching this, e.g. '^(data|stringData)$'")
    .option("-y, --yes", "ask nothing: use the flags and defaults")
    .option("--force", "replace an existing .sops.yaml (and a stored certificate)")
    .option("--no-hooks", "do not install the git hooks")
    .option("--json", "print what was written as JSON on stdout (the new key's recipient, paths, rules)")
    .addHelpText(
      "after",
      `
On a terminal, init asks for whatever the flags leave open. Without a terminal (CI, a pipe) or with
--yes it asks nothing, and stops with a list of the flags it needs if no key or certificate is given.

Examples:
  sealbox init                                                # interactive
  sealbox init --generate-key --encrypted-regex '^(data|stringData)$' --yes
  sealbox init --age age1... --cert certs/prod.pem --scope namespace-wide --yes
  sealbox init --generate-key --yes --json | jq -r .generatedKey.recipient`,
    )
    .action(async (flags: InitOptions & { json?: boolean }) => {
      const { runInit } = await import("../../init/wizard.js");
      const { canPrompt, detail, info } = await import("../terminal.js");
      const asker = canPrompt() && !flags.yes ? await inquirerAsker() : undefined;
      const result = await runInit(flags, { cwd: process.cwd(), env: process.env, asker, say: info, detail, installHooks: await hookInstaller() });
      if (flags.json) {
        const { writeStdout } = await import("../../ops/file-io.js");
        await writeStdout(JSON.stringify(result, null, 2) + "\n");
      } else info(nextSteps(result));
    });
}

/** The Asker on a terminal: inquirer, writing to stderr so stdout stays free for data. */
async function inquirerAsker(): Promise<import("../../init/wizard.js").Asker> {
  const { default: inquirer } = await import("inquirer");
  const { SealboxError } = await import("../../errors.js");
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  const one = async <T>(question: Record<string, unknown>): Promise<T> => {
    try {
      const answers = (await prompt([{ ...question, name: "answer" }] as never)) as { answer: T };
      return answers.answer;
    } catch (error) {
      // Ctrl-C or a closed terminal: stop without writing anything.
      if (error instanceof Error && (error.name === "ExitPromptError" || error.name === "AbortPromptError")) {
        throw new SealboxError("KeyboardInterrupt", "cancelled: nothing was written");
      }
      throw error;
    }
  };
  return {
    select: (message, choices) => one({ type: "select", message, choices }),
    input: (message, options = {}) => one({ type: "input", message, default: options.default, validate: options.validate }),
    confirm: (message, defaultValue) => one({ type: "confirm", message, default: defaultValue }),
  };
}

/** `sealbox git install`, called as a function. */
async function hookInstaller(): Promise<(dir: string) => Promise<string>> {
  const { installGit } = await import("../../repo/git.js");
  return async (dir) => `installed the git hooks (sealbox git install): ${(await installGit({ cwd: dir })).actions.join("; ")}`;
}

function nextSteps(result: import("../../init/wizard.js").InitResult): string {
  const lines = ["next steps:"];
  if (result.rules.age.length || result.rules.kms.length) lines.push("  sealbox encrypt -i secrets.yaml           # values encrypted by the rule");
  if (result.rules.sealed) lines.push("  sealbox seal secret.yaml -o app.sealed.yaml   # sealed to the rule's certificate");
  if (result.generatedKey) lines.push(`  back up ${result.generatedKey.path}: without it nobody can decrypt`);
  return lines.join("\n");
}
