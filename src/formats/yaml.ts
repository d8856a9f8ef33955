// YAML codec: parsed with the yaml library's Document API (comments kept, every document of a
// multi-document file), mapped to the tree the way sops's YAML store does it; written by
// ./yaml-emit.ts in sops's exact layout.
import { Alias, isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node, type Pair } from "yaml";
import { Branch, Comment, type Documents, type Value } from "../tree/tree.js";
import { SealboxError } from "../errors.js";
import { emitYamlDocuments } from "./yaml-emit.js";
import type { Codec } from "./types.js";

/** Upper bound on nodes copied by expanding aliases: stops "billion laughs" documents early. */
const MAX_ALIAS_EXPANSION = 100_000;

const GO_BASE0_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * go-yaml v3 reads plain numbers with Go's rules, which differ from YAML 1.2's on a few spellings:
 * underscores are dropped (1_000), a leading 0 means octal (0777 is 511), 0b is binary.
 */
function goPlainNumber(source: string): bigint | number | undefined {
  const plain = source.replace(/_/g, "");
  const int = GO_BASE0_INT.exec(plain);
  if (int) {
    const [, sign, body] = int;
    const digits = /^0[0-7]+$/.test(body) ? "0o" + body.slice(1) : body.toLowerCase();
    const value = BigInt(digits);
    return sign === "-" ? -value : value;
  }
  if (plain !== source && GO_FLOAT.test(plain)) return Number(plain);
  if (/^[-+]?0[0-9]+$/.test(plain)) return Number(plain); // "09": not octal, so Go reads a float
  return undefined;
}

function commentLines(text: string | null | undefined, inline = false): Comment[] {
  if (!text) return [];
  // The yaml library strips the leading "#"; sops keeps what followed it, leading space included.
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => new Comment(line, inline));
}

class TreeBuilder {
  private expanded = 0;
  private aliasDepth = 0;
  /** Anchors by name in document order: Alias.resolve walks the whole document per alias (quadratic). */
  private anchors?: Map<string, Node[]>;
  /** Collections being expanded: an alias to one of them would recurse forever. */
  private readonly open = new Set<Node>();
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  private lineOf(node: Node | null | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  private fail(message: string, node?: Node | null): never {
    throw new SealboxError("CouldNotReadInputFile", message, { file: this.file, line: this.lineOf(node) });
  }

  /** Counts nodes copied out of aliases (nodes written in the file are bounded by its size). */
  private count(node: Node | null): void {
    if (this.aliasDepth > 0 && ++this.expanded > MAX_ALIAS_EXPANSION) this.fail("aliases expand to too many nodes (alias bomb?)", node);
  }

  private resolve(node: Node | null | undefined, depth: number): Node | null {
    if (!node) return null;
    if (isAlias(node)) {
      const target = this.anchorFor(node as Alias);
      if (!target) this.fail(`unknown alias *${(node as Alias).source}`, node);
      if (depth > 10_000) this.fail("aliases nest too deeply", node);
      return this.resolve(target as Node, depth + 1);
    }
    return node;
  }

  /** The last node anchored with the alias's name before the alias (YAML 1.2 §7.1). */
  private anchorFor(alias: Alias): Node | undefined {
    if (!this.anchors) {
      const anchors = (this.anchors = new Map<string, Node[]>());
      visit(this.doc, {
        Node(_, node) {
          if (node.anchor) anchors.set(node.anchor, [...(anchors.get(node.anchor) ?? []), node]);
        },
      });
    }
    const at = alias.range?.[0] ?? Infinity;
    let found: Node | undefined;
    for (const node of this.anchors.get(alias.source) ?? []) if ((node.range?.[0] ?? 0) < at) found = node;
    return found;
  }

  /** The document's top level: a mapping (or nothing); sops refuses lists and bare values. */
  topLevel(): Branch {
    const branch = new Branch();
    branch.items.push(...commentLines(this.doc.commentBefore).map((c) => ({ key: c, value: null })));
    const contents = this.resolve(this.doc.contents as Node | null, 0);
    if (contents && isMap(contents)) {
      this.fillBranch(branch, contents, 0, false);
    } else if (contents && isSeq(contents)) {
      this.fail("YAML documents that are sequences are not supported (sops refuses a top-level list)", contents);
    } else if (contents && isScalar(contents) && contents.value !== null) {
      this.fail("YAML documents that are values are not supported", contents);
    }
    branch.items.push(...commentLines(this.doc.comment).map((c) => ({ key: c, value: null })));
    return branch;
  }

  private fillBranch(branch: Branch, map: Node, depth: number, commentsHandled: boolean): void {
    if (!isMap(map)) return;
    if (!commentsHandled) branch.items.push(...commentLines(map.commentBefore).map((c) => ({ key: c, value: null })));
    for (const pair of map.items as Pair<Node, Node>[]) {
      this.count(pair.key);
      const keyNode = this.resolve(pair.key, 0);
      if (!keyNode || !isScalar(keyNode)) this.fail("only scalar mapping keys are supported", pair.key);
      const key = keyNode.value === null ? "null" : String(keyNode.value);
      branch.items.push(...commentLines(pair.key?.commentBefore).map((c) => ({ key: c, value: null })));
      const valueNode = pair.value;
      const scalarLike = !valueNode || isScalar(valueNode) || isAlias(valueNode);
      if (scalarLike && valueNode) {
        branch.items.push(...commentLines(valueNode.commentBefore).map((c) => ({ key: c, value: null })));
        branch.items.push(...commentLines(valueNode.comment, true).map((c) => ({ key: c, value: null })));
      }
      if (pair.key?.comment) branch.items.push(...commentLines(pair.key.comment, true).map((c) => ({ key: c, value: null })));
      branch.items.push({ key, value: this.value(valueNode, depth + 1, scalarLike) });
    }
    if (!commentsHandled) branch.items.push(...commentLines(map.comment).map((c) => ({ key: c, value: null })));
  }

  private value(node: Node | null | undefined, depth: number, commentsHandled: boolean): Value {
    if (node && isAlias(node)) {
      this.aliasDepth++;
      try {
        return this.valueOf(node, depth, commentsHandled);
      } finally {
        this.aliasDepth--;
      }
    }
    return this.valueOf(node, depth, commentsHandled);
  }

  private valueOf(node: Node | null | undefined, depth: number, commentsHandled: boolean): Value {
    if (depth > 10_000) this.fail("document nests too deeply", node);
    const resolved = this.resolve(node, 0);
    if (!resolved) return null;
    this.count(resolved);
    if ((isMap(resolved) || isSeq(resolved)) && this.open.has(resolved)) this.fail("an alias refers to a collection that contains it", node);
    this.open.add(resolved);
    try {
      return this.collectionOrScalar(node, resolved, depth, commentsHandled);
    } finally {
      this.open.delete(resolved);
    }
  }

  private collectionOrScalar(node: Node | null | undefined, resolved: Node, depth: number, commentsHandled: boolean): Value {
    if (isMap(resolved)) {
      const branch = new Branch();
      this.fillBranch(branch, resolved, depth, commentsHandled && resolved === node);
      return branch;
    }
    if (isSeq(resolved)) {
      const list: Value[] = [];
      if (resolved === node) list.push(...commentLines(resolved.commentBefore));
      for (const item of resolved.items as Node[]) {
        const itemScalar = !item || isScalar(item) || isAlias(item);
        if (item && itemScalar) {
          list.push(...commentLines(item.commentBefore));
          list.push(...commentLines(item.comment, true));
        } else if (item) {
          list.push(...commentLines(item.commentBefore));
        }
        list.push(this.value(item, depth + 1, itemScalar));
      }
      if (resolved === node) list.push(...commentLines(resolved.comment));
      return list;
    }
    if (isScalar(resolved)) {
      if (resolved.type === "PLAIN" && typeof resolved.source === "string") {
        const number = goPlainNumber(resolved.source);
        if (number !== undefined) return number;
      }
      const v = resolved.value;
      if (v === null || v === undefined) return null;
      if (typeof v === "string" || typeof v === "bigint" || typeof v === "boolean") return v;
      if (typeof v === "number") return Number.isInteger(v) && /^[-+]?\d+$/.test(String(resolved.source ?? "")) ? BigInt(v) : v;
      if (v instanceof Uint8Array) return v;
      return String(v);
    }
    return this.fail("unsupported YAML node", resolved);
  }
}

/**
 * The yaml library needs about 60 bytes of memory per input byte: a 100 MB file would take ~6 GB and
 * abort the process. Kubernetes objects are at most 1.5 MiB; large blobs belong in the binary format.
 */
export const MAX_YAML_BYTES = 16 * 1024 * 1024;

function parseYaml(input: Uint8Array, file: string): Documents {
  if (input.length > MAX_YAML_BYTES) {
    const mib = (input.length / 1024 / 1024).toFixed(1);
    throw new SealboxError("CouldNotReadInputFile", `YAML input of ${mib} MiB is larger than the 16 MiB sealbox reads as YAML (use --input-type binary for large data)`, { file });
  }
  let text = Buffer.from(input).toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { intAsBigInt: true, uniqueKeys: true, lineCounter: lines, prettyErrors: false, merge: false, strict: true });
  const docs: Document.Parsed[] = [...parsed];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const reason = error.code === "DUPLICATE_KEY" ? "duplicate mapping key" : error.message.split("\n")[0];
      throw new SealboxError("CouldNotReadInputFile", `invalid YAML: ${reason}`, { file, line: lines.linePos(error.pos[0]).line });
    }
  }
  try {
    return docs.map((doc) => new TreeBuilder(doc, lines, file).topLevel());
  } catch (error) {
    // the JS stack can run out before the depth limit on some nestings: same answer, no trace
    if (error instanceof RangeError) throw new SealboxError("CouldNotReadInputFile", "invalid YAML: the document nests too deeply", { file });
    throw error;
  }
}

function emit(docs: Documents): Uint8Array {
  return Buffer.from(emitYamlDocuments(docs));
}

export const yamlCodec: Codec = {
  name: "yaml",
  parsePlain: parseYaml,
  parseEncrypted: parseYaml,
  emitPlain: emit,
  emitEncrypted: emit,
};
