// Flags shared by the SOPS commands, under sops's own names, and their translation to library options.
import { InvalidArgumentError, Option, type Command } from "commander";
import type { DecryptOptions, EncryptOptions, FileOptions } from "../ops/sops-ops.js";
import type { EncryptionSelectors } from "../sops/encryption-rules.js";
import { FORMAT_NAMES } from "../formats/index.js";
import { UNSUPPORTED_KEY_TYPES, unsupportedKeys } from "../keys/unsupported.js";
import { parseGoIntFlag } from "../formats/yaml-resolve.js";

export interface FileFlags {
  inputType?: string;
  outputType?: string;
  filenameOverride?: string;
  config?: string;
  /** Only on the commands that write YAML or JSON (indentOption). */
  indent?: number;
}

/** The selector flags carry the same names as the selectors they set (--encrypted-regex → encryptedRegex). */
export interface EncryptFlags extends FileFlags, EncryptionSelectors {
  age?: string;
  kms?: string;
  awsProfile?: string;
  encryptionContext?: string;
  shamirSecretSharingThreshold?: number;
}

// The selectors of src/sops/selectors.ts and mac_only_encrypted, written out: importing the table
// would add a chunk to every start (test/cli/startup-lists.test.ts keeps the copy equal).
export const SELECTOR_FLAGS = [
  "encryptedSuffix",
  "unencryptedSuffix",
  "encryptedRegex",
  "unencryptedRegex",
  "encryptedCommentRegex",
  "unencryptedCommentRegex",
  "macOnlyEncrypted",
] as const satisfies readonly (keyof EncryptionSelectors)[];

export interface DecryptFlags extends FileFlags {
  extract?: string;
  ignoreMac?: boolean;
  decryptionOrder?: string;
}

/** How a file is read: for every command that reads one. */
export function addInputFlags(command: Command): Command {
  return addFormatFlags(command, false);
}

/** How a file is read and written: for every command that writes one. */
export function addFileFlags(command: Command): Command {
  return addFormatFlags(command, true);
}

function addFormatFlags(command: Command, writes: boolean): Command {
  command.addOption(new Option("--input-type <type>", "the input's format (default: from the file extension)").choices(FORMAT_NAMES));
  if (writes) command.addOption(new Option("--output-type <type>", "the output's format (default: the input's)").choices(FORMAT_NAMES));
  return command
    .option("--filename-override <name>", "treat the input as this file name (format and creation rule), e.g. for stdin")
    .option("--config <path>", "the rules file (default: SOPS_CONFIG, else the nearest .sops.yaml upward)")
    // sops's key service flags: using local keys is sops's default and sealbox's only way
    .addOption(new Option("--enable-local-keyservice", "sops's default: keys are used here, in this process").hideHelp())
    .addOption(new Option("--keyservice <address>", "sops's remote key service").hideHelp().argParser(noKeyService));
}

function noKeyService(): never {
  throw new InvalidArgumentError("sealbox does not use sops key services: it uses the keys on this machine (SOPS_AGE_KEY_FILE and the other age variables, AWS credentials for KMS)");
}

/** sops's --input-type, for the commands that read many files and write each in its own format. */
export function inputTypeOption(): Option {
  return new Option("--input-type <type>", "read every file with this store (default: from each file's name)").choices(FORMAT_NAMES);
}

/** sops's --indent: whole numbers only; which store takes which value is checked against the output's format. */
function parseIndent(text: string): number {
  return goIntFlag(text, "a whole number is needed");
}

/** sops's --shamir-secret-sharing-threshold: a whole number, where 0 (sops's default) means not given. */
function parseShamirThreshold(text: string): number {
  const threshold = goIntFlag(text, "a whole number is needed (0: not given)");
  if (threshold < 0) throw new InvalidArgumentError("a whole number is needed (0: not given)");
  return threshold;
}

/** A number as sops's Go flag parsing reads it (010 is 8, 0x10 is 16), else commander's usage error. */
function goIntFlag(text: string, needed: string): number {
  const value = parseGoIntFlag(text);
  if (value === undefined || value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(needed);
  return Number(value);
}

/** The option; its value is a number, and 0 is to be read as not given (see shamirThreshold). */
export function shamirThresholdOption(description: string): Option {
  return new Option("--shamir-secret-sharing-threshold <n>", description).argParser(parseShamirThreshold);
}

/** The threshold the option asks for: undefined when not given or 0, as in sops. */
export function shamirThreshold(flags: { shamirSecretSharingThreshold?: number }): number | undefined {
  return flags.shamirSecretSharingThreshold || undefined;
}

/** --indent (sops's global flag), for the commands that write YAML or JSON documents. */
export function indentOption(): Option {
  return new Option("--indent <n>", "indent YAML/JSON output by n spaces, in place of .sops.yaml's stores: (YAML 2-9; JSON 0 none, -1 a tab)").argParser(parseIndent);
}

export function addEncryptFlags(command: Command): Command {
  addFileFlags(command)
    .option("-a, --age <recipients>", "age recipients, comma-separated (also SOPS_AGE_RECIPIENTS)")
    .option("-k, --kms <arns>", "AWS KMS key ARNs, comma-separated, ARN+ROLE_ARN to assume a role (also SOPS_KMS_ARN)")
    .option("--aws-profile <profile>", "the AWS profile for the KMS keys")
    .option("--encryption-context <pairs>", "KMS encryption context, key:value,key2:value2")
    .addOption(shamirThresholdOption("how many key groups are needed to decrypt"))
    .option("--unencrypted-suffix <suffix>", "leave values of keys ending with this in clear (default _unencrypted)")
    .option("--encrypted-suffix <suffix>", "encrypt only values of keys ending with this")
    .option("--unencrypted-regex <regex>", "leave values of keys matching this in clear")
    .option("--encrypted-regex <regex>", "encrypt only values of keys matching this")
    .option("--unencrypted-comment-regex <regex>", "leave values under comments matching this in clear")
    .option("--encrypted-comment-regex <regex>", "encrypt only values under comments matching this")
    .option("--mac-only-encrypted", "compute the MAC over encrypted values only");
  return addUnsupportedKeyFlags(command, [""]);
}

/**
 * sops's flags for key types sealbox lacks (`--pgp`, or with prefixes `--add-pgp`, `--rm-pgp`, …):
 * refused with that reason, not as unknown flags.
 */
export function addUnsupportedKeyFlags(command: Command, prefixes: string[]): Command {
  for (const key of UNSUPPORTED_KEY_TYPES) {
    for (const prefix of key.flag ? prefixes : []) {
      const flag = `--${prefix}${key.flag!.slice(2)}`;
      command.addOption(
        new Option(`${flag} <keys>`).hideHelp().argParser(() => {
          throw unsupportedKeys(key, flag);
        }),
      );
    }
  }
  return command;
}

export function addDecryptFlags(command: Command): Command {
  return addOpenFlags(addFileFlags(command).option("--extract <path>", "print only this value, e.g. '[\"data\"][\"password\"]'"));
}

/** How an encrypted file is opened: for every command that decrypts one. */
export function addOpenFlags(command: Command): Command {
  return command
    .option("--ignore-mac", "decrypt even if the MAC does not match (dangerous: says so loudly)")
    .option("--decryption-order <types>", "key types to try first, comma-separated (also SOPS_DECRYPTION_ORDER; default age,kms)");
}

/** Asks the terminal for a locked identity's passphrase (the prompt's module loads only then). */
export async function terminalPassphrase(source: string): Promise<string> {
  return (await import("./passphrase.js")).promptPassphrase(source);
}

function fileOptions(flags: FileFlags, filename: string | undefined): FileOptions {
  return {
    passphrase: terminalPassphrase,
    filename: flags.filenameOverride ?? filename,
    inputType: flags.inputType as FileOptions["inputType"],
    outputType: flags.outputType as FileOptions["outputType"],
    configPath: flags.config,
    indent: flags.indent,
  };
}

export async function encryptOptions(flags: EncryptFlags, filename: string | undefined): Promise<EncryptOptions> {
  const options: EncryptOptions = {
    ...fileOptions(flags, filename),
    age: flags.age?.split(",").map((s) => s.trim()).filter(Boolean),
    shamirThreshold: shamirThreshold(flags),
    selectors: Object.fromEntries(SELECTOR_FLAGS.map((name) => [name, flags[name]])) as EncryptionSelectors,
  };
  const { parseKmsArns, parseEncryptionContext } = await import("../keys/kms.js");
  options.encryptionContext = flags.encryptionContext ? parseEncryptionContext(flags.encryptionContext) : undefined;
  options.awsProfile = flags.awsProfile;
  if (flags.kms) options.kms = parseKmsArns(flags.kms, options.encryptionContext, flags.awsProfile);
  return options;
}

export function decryptOptions(flags: DecryptFlags, filename: string | undefined): DecryptOptions {
  const order = flags.decryptionOrder ?? process.env.SOPS_DECRYPTION_ORDER;
  return {
    ...fileOptions(flags, filename),
    extract: flags.extract,
    ignoreMac: flags.ignoreMac,
    decryptionOrder: order ? order.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
  };
}

