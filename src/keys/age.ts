// The age key source: each recipient gets its own armored age file holding the 32-byte data key,
// exactly as sops stores it. Identities are found the way sops finds them (./age-identities.ts)
// and loaded once per process, so bulk runs pay for discovery one time.
import type { Decrypter } from "age-encryption";
import { SealboxError } from "../errors.js";
import type { AgeRecipientSpec, AgeStanza, KeySource } from "./types.js";
import { parseRecipient, type AgeIdentity } from "./age-recipients.js";
import { describeIdentitySources, parseIdentitySources, readIdentitySources, sourceFailures, type ReadIdentitySource } from "./age-identities.js";
import { armorDecode, armorEncode, decryptAgeFile, encryptAgeFile } from "./age-file.js";

export interface AgeKeySourceOptions {
  /** Identities to use instead of discovering them from the environment (library callers, tests). */
  identities?: AgeIdentity[];
  /** With `identities`: what failing key commands said while they were found (see sourceFailures). */
  failures?: string[];
  /**
   * Identity sources already read (by another thread, or about to be): parsed when first needed, not
   * read again. A rejected read fails each file that needs an identity, with its error.
   */
  readSources?: ReadIdentitySource[] | Promise<ReadIdentitySource[]>;
  /** Told about identity sources skipped as sops would skip them; default: a warning on stderr. */
  onWarning?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Asked for a locked identity's passphrase, only when a file needs that identity (the CLI asks the terminal). */
  passphrase?: (source: string) => Promise<string>;
}

export function createAgeKeySource(options: AgeKeySourceOptions = {}): KeySource<AgeStanza, AgeRecipientSpec> {
  const env = options.env ?? process.env;
  let loaded: Promise<AgeIdentity[]> | undefined;
  let decrypter: Promise<Decrypter> | undefined;
  // key commands that failed: said when no identity opens a file, as sops says them
  let failures: string[] = options.failures ?? [];
  const withFailures = (message: string): string => [message, ...failures].join("; ");

  const getIdentities = (): Promise<AgeIdentity[]> =>
    (loaded ??= (async () => {
      if (options.identities) return options.identities;
      const onWarning = options.onWarning ?? ((text: string) => process.stderr.write(`sealbox: warning: ${text}\n`));
      const read = await (options.readSources ?? readIdentitySources(env));
      failures = sourceFailures(read);
      return parseIdentitySources(read, { passphrase: options.passphrase, onWarning });
    })());
  // age-encryption itself only for files the in-memory path hands over (./age-file.ts)
  const getDecrypter = (): Promise<Decrypter> =>
    (decrypter ??= (async () => {
      const { Decrypter } = await import("age-encryption");
      const d = new Decrypter();
      for (const identity of await getIdentities()) d.addIdentity(identity);
      return d;
    })());

  return {
    type: "age",
    async wrap(recipient, dataKey) {
      const file = await encryptAgeFile([parseRecipient(recipient.recipient)], dataKey);
      return { type: "age", recipient: recipient.recipient, enc: armorEncode(file) };
    },
    async unwrap(stanza) {
      const identities = await getIdentities();
      if (identities.length === 0) {
        throw new SealboxError("CouldNotRetrieveKey", withFailures(`age ${stanza.recipient}: no age identity found (looked in ${describeIdentitySources(env)})`));
      }
      let file: Uint8Array;
      try {
        file = await armorDecode(stanza.enc);
      } catch {
        throw new SealboxError("CouldNotRetrieveKey", `age ${stanza.recipient}: the stored age file is damaged (bad armor)`);
      }
      try {
        return await decryptAgeFile(identities, file, getDecrypter);
      } catch (error) {
        // a locked identity's own message (passphrase needed or wrong) says more than ours would
        if (error instanceof SealboxError) throw error;
        const reason = error instanceof Error && /no identity matched/i.test(error.message) ? "no identity matched this recipient" : "the stored age file is damaged or was not made for this identity";
        throw new SealboxError("CouldNotRetrieveKey", withFailures(`age ${stanza.recipient}: ${reason}`));
      }
    },
  };
}
