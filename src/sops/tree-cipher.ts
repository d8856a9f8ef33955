// Walks documents in sops's order, encrypting or decrypting the selected values and feeding the
// MAC (sops.go walkBranch/walkSlice + Tree.Encrypt/Decrypt). Lists share their parent's key path.
import { Branch, Comment, type Documents, type Value } from "../tree/tree.js";
import { decryptValue, encryptValue, isEmptyValue, isEncryptedValue, type PlainValue } from "../core/sops-value.js";
import { MacHasher } from "../core/mac.js";
import { SealboxError } from "../errors.js";
import { EncryptionDecider, type EncryptionSelectors } from "./encryption-rules.js";

type LeafFn = (value: PlainValue, path: string[], commentsStack: string[][]) => PlainValue | string;

function walkValue(value: Value, path: string[], stack: string[][], onLeaf: LeafFn): Value {
  if (value === null) return null; // nulls are neither encrypted nor in the MAC
  if (value instanceof Branch) return walkBranch(value, path, stack, onLeaf);
  if (Array.isArray(value)) return walkList(value, path, stack, onLeaf);
  return onLeaf(value, path, stack);
}

function walkList(list: Value[], path: string[], outer: string[][], onLeaf: LeafFn): Value[] {
  const stack = [...outer, []];
  const level = stack.length - 1;
  return list.map((item) => {
    if (item instanceof Comment) stack[level].push(item.value);
    const out = walkValue(item, path, stack, onLeaf);
    if (!(item instanceof Comment)) stack[level] = [];
    return out;
  });
}

function walkBranch(branch: Branch, path: string[], outer: string[][], onLeaf: LeafFn): Branch {
  const stack = [...outer, []];
  const level = stack.length - 1;
  const items = branch.items.map((item) => {
    if (item.key instanceof Comment) {
      stack[level].push(item.key.value);
      const out = onLeaf(item.key, path, stack);
      return { key: out instanceof Comment ? out : new Comment(String(out), item.key.inline), value: null };
    }
    const value = walkValue(item.value, [...path, item.key], stack, onLeaf);
    stack[level] = [];
    return { key: item.key, value };
  });
  return new Branch(items);
}

export interface TreeCipherResult {
  docs: Documents;
  /** The MAC over the plaintext values, uppercase hex. */
  mac: string;
}

function additionalData(path: string[]): string {
  return path.join(":") + ":";
}

/** Encrypts the selected values of every document; returns new documents and the MAC. */
export function encryptDocuments(docs: Documents, key: Uint8Array, selectors: EncryptionSelectors): TreeCipherResult {
  const decider = new EncryptionDecider(selectors);
  const mac = new MacHasher(!!selectors.macOnlyEncrypted);
  const out = docs.map((doc) =>
    walkBranch(doc, [], [], (value, path, stack) => {
      const isComment = value instanceof Comment;
      const encrypt = decider.shouldEncrypt(path, stack, isComment);
      if ((!selectors.macOnlyEncrypted || encrypt) && !isComment) mac.add(value);
      if (!encrypt) return value;
      const encrypted = encryptValue(value, key, additionalData(path));
      // sops keeps an encrypted comment's place (inline or above) when it writes the file
      return isComment ? new Comment(encrypted, value.inline) : encrypted;
    }),
  );
  return { docs: out, mac: mac.hex() };
}

/** Decrypts the selected values of every document; returns new documents and the MAC to check. */
export function decryptDocuments(docs: Documents, key: Uint8Array, selectors: EncryptionSelectors): TreeCipherResult {
  const decider = new EncryptionDecider(selectors);
  const mac = new MacHasher(!!selectors.macOnlyEncrypted);
  const out = docs.map((doc) => {
    let elsewhere: string[][] | undefined;
    return walkBranch(doc, [], [], (value, path, stack) => {
      const isComment = value instanceof Comment;
      const encrypted = decider.shouldEncrypt(path, stack, isComment);
      let plain: PlainValue = value;
      if (encrypted) {
        if (isComment) {
          try {
            plain = decryptValue(value.value, key, additionalData(path));
          } catch (error) {
            // sops assumes a comment that does not decrypt was never encrypted (older files).
            if (!isEncryptedValue(value.value) || !(error instanceof SealboxError)) plain = value;
            // The YAML layout moves some comments (one after an empty flow list `a: [] # c` reads
            // back beside `a`), so one sealed under another path of the document is genuine; one
            // that opens nowhere was tampered with: refused, or its ciphertext would pass for it.
            else plain = decryptMovedComment(value.value, key, (elsewhere ??= containerPaths(doc))) ?? refuse(error, path);
          }
        } else {
          if (typeof value !== "string") {
            throw new SealboxError("ErrorDecryptingTree", `value at ${describePath(path)} should be encrypted but is a plain ${typeof value}`);
          }
          try {
            plain = decryptValue(value, key, additionalData(path));
          } catch (error) {
            if (error instanceof SealboxError) throw new SealboxError(error.code, `${error.message} at ${describePath(path)}`);
            throw error;
          }
        }
      }
      if ((!selectors.macOnlyEncrypted || encrypted) && !(plain instanceof Comment)) mac.add(plain);
      return plain;
    });
  });
  return { docs: out, mac: mac.hex() };
}

/** The key paths of every map and list in a document (lists share their parent's path), the root first. */
function containerPaths(doc: Branch): string[][] {
  const out: string[][] = [[]];
  const visit = (value: Value, path: string[]): void => {
    if (value instanceof Branch) {
      for (const item of value.items) {
        if (item.key instanceof Comment || !(item.value instanceof Branch || Array.isArray(item.value))) continue;
        out.push([...path, item.key]);
        visit(item.value, [...path, item.key]);
      }
    } else if (Array.isArray(value)) for (const v of value) visit(v, path);
  };
  visit(doc, []);
  return out;
}

function decryptMovedComment(value: string, key: Uint8Array, paths: string[][]): PlainValue | undefined {
  for (const path of paths) {
    try {
      return decryptValue(value, key, additionalData(path));
    } catch {
      // not sealed under this path: try the next
    }
  }
  return undefined;
}

function refuse(error: SealboxError, path: string[]): never {
  throw new SealboxError(error.code, `${error.message} (a comment) at ${describePath(path)}`);
}

export interface ClearTextValue {
  /** Which document of the file (multi-document YAML). */
  doc: number;
  /** The key path (a list's items share their list's path, as in the walk). */
  path: string[];
  /** The selectors encrypt it: sops never writes such a value in clear text, and decrypting it fails. */
  encrypts: boolean;
}

/**
 * The values encrypted documents hold in clear text, each with what the selectors say about it, as
 * decryptDocuments would judge it. Left out are those sops never encrypts (nulls, empty values) and
 * comments: a comment that does not decrypt is taken for one written before sops encrypted
 * comments, so a clear one proves nothing.
 */
export function clearTextValues(docs: Documents, selectors: EncryptionSelectors): ClearTextValue[] {
  const decider = new EncryptionDecider(selectors);
  const out: ClearTextValue[] = [];
  docs.forEach((doc, i) =>
    walkBranch(doc, [], [], (value, path, stack) => {
      if (!(value instanceof Comment) && !isEmptyValue(value) && !isEncryptedValue(value)) out.push({ doc: i, path, encrypts: decider.shouldEncrypt(path, stack, false) });
      return value;
    }),
  );
  return out;
}

/** A key path as `--extract` writes it: ["a"]["b"]. Names keys only, never values. */
export function describePath(path: string[]): string {
  return path.length === 0 ? "the top level" : path.map((p) => `[${JSON.stringify(p)}]`).join("");
}
