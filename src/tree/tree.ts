// The ordered, typed document tree every format codec maps to and from (sops's TreeBranch model).
// Scalars carry their type in their JS type so the value cipher can tag them exactly as sops does:
//   string → str, bigint → int, number → float, boolean → bool, Uint8Array → bytes,
//   Timestamp → time, Comment → comment, null → skipped (never encrypted, not in the MAC).

/**
 * A comment line (without the leading `#`). In a branch it is an item's key; in a list, an element.
 * `inline` marks a YAML comment that stood on the same line as the value after it (sops keeps it
 * there when encrypting; a decrypted comment always comes back on a line of its own, as in sops).
 */
export class Comment {
  constructor(
    readonly value: string,
    readonly inline = false,
  ) {}
}

/** An RFC 3339 time value, kept as the text it was written with. */
export class Timestamp {
  constructor(readonly text: string) {}
}

export type Scalar = string | bigint | number | boolean | Uint8Array | Timestamp | null;

export type Value = Branch | ListValue | Scalar | Comment;

export type ListValue = Value[];

export interface Item {
  key: string | Comment;
  /** null when the key is a Comment. */
  value: Value;
}

/** An ordered mapping. A class so that it can be told apart from a list at run time. */
export class Branch {
  constructor(public items: Item[] = []) {}

  get(key: string): Value | undefined {
    for (const item of this.items) if (item.key === key) return item.value;
    return undefined;
  }

  has(key: string): boolean {
    return this.items.some((item) => item.key === key);
  }

  /** Replaces the value of `key`, or appends the item when the key is new. */
  set(key: string, value: Value): void {
    const item = this.items.find((i) => i.key === key);
    if (item) item.value = value;
    else this.items.push({ key, value });
  }

  delete(key: string): boolean {
    const index = this.items.findIndex((i) => i.key === key);
    if (index < 0) return false;
    this.items.splice(index, 1);
    return true;
  }
}

/** A document as codecs hand it over: one Branch per document (several only for multi-document YAML). */
export type Documents = Branch[];

/** A path into the tree as `--extract` and `set` take it: string keys and list indexes. */
export type TreePath = (string | number)[];
