// An age header stanza, shaped like age-encryption's Stanza (which Identity and Recipient objects
// exchange), so our native recipients and identities need not load age-encryption: its import alone
// costs ~60 ms of CPU at start-up (noble curves, post-quantum KEMs; docs/performance.md).
export class Stanza {
  /** The arguments after "->": the recipient type first. */
  args: string[];
  /** The raw body (base64 in the header). */
  body: Uint8Array;

  constructor(args: string[], body: Uint8Array) {
    this.args = args;
    this.body = body;
  }
}
