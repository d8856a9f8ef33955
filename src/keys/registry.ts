// One key source per type per run. KMS (and its AWS SDK) is imported only when a KMS key is met.
import type { AgeStanza, AgeRecipientSpec, KeySource, KeyStanza, KmsStanza, KmsRecipientSpec, RecipientSpec } from "./types.js";
import { createAgeKeySource, type AgeKeySourceOptions } from "./age.js";

export interface KeySourceOptions {
  age?: AgeKeySourceOptions;
  kms?: { decryptTimeoutMs?: number };
}

export class KeySources {
  private age?: KeySource<AgeStanza, AgeRecipientSpec>;
  private kms?: Promise<KeySource<KmsStanza, KmsRecipientSpec>>;

  constructor(private readonly options: KeySourceOptions = {}) {}

  private ageSource(): KeySource<AgeStanza, AgeRecipientSpec> {
    return (this.age ??= createAgeKeySource(this.options.age));
  }

  private kmsSource(): Promise<KeySource<KmsStanza, KmsRecipientSpec>> {
    return (this.kms ??= import("./kms.js").then((m) => m.createKmsKeySource(this.options.kms)));
  }

  async wrap(recipient: RecipientSpec, dataKey: Uint8Array): Promise<KeyStanza> {
    if (recipient.type === "age") return this.ageSource().wrap(recipient, dataKey);
    return (await this.kmsSource()).wrap(recipient, dataKey);
  }

  async unwrap(stanza: KeyStanza): Promise<Uint8Array> {
    if (stanza.type === "age") return this.ageSource().unwrap(stanza);
    return (await this.kmsSource()).unwrap(stanza);
  }
}
