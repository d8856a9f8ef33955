// The one small interface every key source implements. Key sources know nothing of file formats:
// they wrap a data key (or a Shamir share of it) for one recipient, and unwrap it again.

/** A recipient stanza as it is stored in a document's `sops` metadata, one per master key. */
export interface AgeStanza {
  type: "age";
  recipient: string;
  /** The armored age file holding the data key. */
  enc: string;
}

export interface KmsStanza {
  type: "kms";
  arn: string;
  role?: string;
  /** The encryption context; sops stores it as a string map. */
  context?: Record<string, string>;
  created_at: string;
  /** base64 of the KMS ciphertext blob. */
  enc: string;
  aws_profile: string;
}

export type KeyStanza = AgeStanza | KmsStanza;

/** What a rule or a flag names to encrypt to (no ciphertext yet). */
export interface AgeRecipientSpec {
  type: "age";
  recipient: string;
}

export interface KmsRecipientSpec {
  type: "kms";
  arn: string;
  role?: string;
  context?: Record<string, string>;
  awsProfile?: string;
}

export type RecipientSpec = AgeRecipientSpec | KmsRecipientSpec;

/** A key group: recipients that each wrap the same data key (or the same Shamir share). */
export type RecipientGroup = RecipientSpec[];

/** One way of turning stanzas back into a data key; tried in `--decryption-order`. */
export interface KeySource<S extends KeyStanza = KeyStanza, R extends RecipientSpec = RecipientSpec> {
  readonly type: S["type"];
  /** Wraps `dataKey` for one recipient. */
  wrap(recipient: R, dataKey: Uint8Array): Promise<S>;
  /**
   * Unwraps the data key from one stanza. Throws a SealboxError (CouldNotRetrieveKey) whose message
   * says why this key failed (no matching identity, access denied, unreachable…), never a secret.
   */
  unwrap(stanza: S): Promise<Uint8Array>;
}

/** How a stanza is named in messages: the recipient or ARN. */
export function describeStanza(s: KeyStanza | RecipientSpec): string {
  return s.type === "age" ? `age ${s.recipient}` : `kms ${s.arn}${s.role ? `+${s.role}` : ""}`;
}
