// YAML codec: parsed with the yaml library's Document API (comments kept, every document of a
// multi-document file), mapped to the tree the way sops's YAML store does it; written by
// ./yaml-emit.ts in sops's exact layout.
import type { Alias, Document, LineCounter, Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { isAlias, isMap, isScalar, isSeq, yamlLibrary } from "./yaml-library.js";
import { Branch, Comment, type Documents, type Item, type Value } from "../tree/tree.js";
import { bytesToGoString } from "../core/go-string.js";
import { isStdBase64 } from "../core/base64.js";
import { keyText, plainScalarValue } from "./yaml-scalars.js";
import { parseFastYaml } from "./yaml-fast.js";
import { SealboxError } from "../errors.js";
import { yamlProblem } from "./yaml-errors.js";
import { DEFAULT_YAML_INDENT, emitYamlDocuments } from "./yaml-emit.js";
import type { Codec, EmitOptions } from "./types.js";

/** Upper bound on nodes copied by expanding aliases: stops "billion laughs" documents early. */
const MAX_ALIAS_EXPANSION = 100_000;

function commentLines(text: string | null | undefined, inline = false): Comment[] {
  if (!text) return [];
  // The yaml library strips the leading "#"; sops keeps what followed it, leading space included.
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => new Comment(line, inline));
}

const asItems = (comments: Comment[]): Item[] => comments.map((c) => ({ key: c, value: null }));

/** A comment line of the source: where its "#" stands and what follows it. */
interface SourceComment {
  offset: number;
  column: number;
  text: string;
}

/** Every line of the text that holds only a comment, in order. */
function sourceComments(text: string): SourceComment[] {
  const found: SourceComment[] = [];
  const line = /^([ \t]*)#([^\r\n]*)/gm;
  for (let m = line.exec(text); m; m = line.exec(text)) found.push({ offset: m.index, column: m[1].length, text: m[2] });
  return found;
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
    private readonly text: string,
    private readonly comments: SourceComment[],
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
      // not named: the alias is text from the file, which may be a mistyped value
      if (!target) this.fail("an alias to an anchor that is not defined before it", node);
      if (depth > 10_000) this.fail("aliases nest too deeply", node);
      return this.resolve(target as Node, depth + 1);
    }
    return node;
  }

  /** The last node anchored with the alias's name before the alias (YAML 1.2 §7.1). */
  private anchorFor(alias: Alias): Node | undefined {
    if (!this.anchors) {
      const anchors = (this.anchors = new Map<string, Node[]>());
      yamlLibrary().visit(this.doc, {
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
    branch.items.push(...asItems(commentLines(this.doc.commentBefore)));
    const contents = this.resolve(this.doc.contents as Node | null, 0);
    if (contents && isMap(contents)) {
      const up = this.fillBranch(branch, contents, 0, false);
      branch.items.push(...asItems(up.map((c) => new Comment(c.text))));
    } else if (contents && isSeq(contents)) {
      this.fail("YAML documents that are sequences are not supported (sops refuses a top-level list)", contents);
    } else if (contents && isScalar(contents) && contents.value !== null) {
      this.fail("YAML documents that are values are not supported", contents);
    } else if (contents && isScalar(contents)) {
      // an empty document ("---" and comments): store.go keeps the null node's head and line comments
      branch.items.push(...asItems(commentLines(contents.commentBefore)), ...asItems(commentLines(contents.comment)));
    }
    branch.items.push(...asItems(commentLines(this.doc.comment)));
    return branch;
  }

  private column(offset: number): number {
    return this.lines.linePos(offset).col - 1;
  }

  /**
   * A collection's trailing comment as go-yaml attaches it. The yaml library gives the innermost
   * collection every comment line that follows it; go-yaml gives a line to the innermost block
   * whose indentation it does not undercut (a foot comment), so lines further left belong to an
   * enclosing level: those are returned as `up`, with their columns.
   */
  private trailing(node: YAMLMap | YAMLSeq, text: string | null | undefined, lastEnd: number | undefined): { own: Comment[]; up: SourceComment[] } {
    const lines = (text ?? "").split("\n").filter((l) => l !== "");
    if (lines.length === 0) return { own: [], up: [] };
    const start = node.range?.[0];
    const all = { own: lines.map((l) => new Comment(l)), up: [] };
    if (start === undefined || lastEnd === undefined) return all;
    const indent = this.column(start);
    const found = this.comments;
    let lo = 0;
    let hi = found.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (found[mid].offset < lastEnd) lo = mid + 1;
      else hi = mid;
    }
    const same = (a: string, b: string): boolean => a.trimEnd() === b.trimEnd();
    // the lines follow the collection's last item closely: a short window keeps this linear
    for (let j = lo; j + lines.length <= found.length && j < lo + 64; j++) {
      if (!lines.every((l, k) => same(found[j + k].text, l))) continue;
      const own: Comment[] = [];
      const up: SourceComment[] = [];
      for (const c of found.slice(j, j + lines.length)) (c.column >= indent ? own.push(new Comment(c.text)) : up.push(c));
      return { own, up };
    }
    return all;
  }

  /** Comment lines handed up from a nested collection: kept here when at this level's column, else passed on. */
  private settle(up: SourceComment[], indentOffset: number | undefined, into: (c: Comment) => void, rest: SourceComment[]): void {
    const indent = indentOffset === undefined ? 0 : this.column(indentOffset);
    for (const c of up) (c.column >= indent ? into(new Comment(c.text)) : rest.push(c));
  }

  /** A comment on the key's own line, before a nested collection: go-yaml makes it the key's line comment. */
  private keyLineComment(key: Node | null, value: Node | null): boolean {
    const end = key?.range?.[1];
    if (end === undefined || !value?.commentBefore) return false;
    const newline = this.text.indexOf("\n", end);
    return /^\s*:\s+#/.test(this.text.slice(end, newline < 0 ? undefined : newline));
  }

  /** Fills `branch` from a mapping; returns comment lines that belong to an enclosing level. */
  private fillBranch(branch: Branch, map: Node, depth: number, commentsHandled: boolean, skipHead = 0): SourceComment[] {
    if (!isMap(map)) return [];
    const up: SourceComment[] = [];
    if (!commentsHandled) branch.items.push(...asItems(commentLines(map.commentBefore).slice(skipHead)));
    const pairs = map.items as Pair<Node, Node>[];
    for (const pair of pairs) {
      this.count(pair.key);
      const keyNode = this.resolve(pair.key, 0);
      if (!keyNode || !isScalar(keyNode)) this.fail("only scalar mapping keys are supported", pair.key);
      const key = keyText(this.scalar(keyNode));
      branch.items.push(...asItems(commentLines(pair.key?.commentBefore)));
      const valueNode = pair.value;
      const scalarLike = !valueNode || isScalar(valueNode) || isAlias(valueNode);
      let skip = 0;
      if (scalarLike && valueNode) {
        branch.items.push(...asItems(commentLines(valueNode.commentBefore)));
        branch.items.push(...asItems(commentLines(valueNode.comment, true)));
      } else if (valueNode && this.keyLineComment(pair.key, valueNode)) {
        branch.items.push(...asItems(commentLines(valueNode.commentBefore).slice(0, 1)));
        skip = 1;
      }
      if (pair.key?.comment) branch.items.push(...asItems(commentLines(pair.key.comment, true)));
      const { value, up: nested } = this.value(valueNode, depth + 1, scalarLike, skip);
      branch.items.push({ key, value });
      this.settle(nested, map.range?.[0], (c) => branch.items.push({ key: c, value: null }), up);
    }
    if (!commentsHandled) {
      const last = pairs[pairs.length - 1];
      const tail = this.trailing(map, map.comment, last ? (last.value?.range?.[1] ?? last.key?.range?.[1]) : undefined);
      branch.items.push(...asItems(tail.own));
      up.push(...tail.up);
    }
    return up;
  }

  private value(node: Node | null | undefined, depth: number, commentsHandled: boolean, skipHead = 0): Built {
    if (node && isAlias(node)) {
      this.aliasDepth++;
      try {
        return this.valueOf(node, depth, commentsHandled, skipHead);
      } finally {
        this.aliasDepth--;
      }
    }
    return this.valueOf(node, depth, commentsHandled, skipHead);
  }

  private valueOf(node: Node | null | undefined, depth: number, commentsHandled: boolean, skipHead: number): Built {
    if (depth > 10_000) this.fail("document nests too deeply", node);
    const resolved = this.resolve(node, 0);
    if (!resolved) return { value: null, up: [] };
    this.count(resolved);
    if ((isMap(resolved) || isSeq(resolved)) && this.open.has(resolved)) this.fail("an alias refers to a collection that contains it", node);
    this.open.add(resolved);
    try {
      return this.collectionOrScalar(node, resolved, depth, commentsHandled, skipHead);
    } finally {
      this.open.delete(resolved);
    }
  }

  private collectionOrScalar(node: Node | null | undefined, resolved: Node, depth: number, commentsHandled: boolean, skipHead: number): Built {
    if (isMap(resolved)) {
      const branch = new Branch();
      const up = this.fillBranch(branch, resolved, depth, commentsHandled && resolved === node, skipHead);
      return { value: branch, up };
    }
    if (isSeq(resolved)) {
      const list: Value[] = [];
      const up: SourceComment[] = [];
      const own = resolved === node;
      if (own) list.push(...commentLines(resolved.commentBefore).slice(skipHead));
      const items = resolved.items as Node[];
      for (const item of items) {
        const itemScalar = !item || isScalar(item) || isAlias(item);
        if (item) list.push(...commentLines(item.commentBefore));
        if (item && itemScalar) list.push(...commentLines(item.comment, true));
        // store.go nodeToTreeValue: an item's head comment is the list's; its own collection does not repeat it
        const built = this.value(item, depth + 1, itemScalar, Infinity);
        list.push(built.value);
        this.settle(built.up, resolved.range?.[0], (c) => list.push(c), up);
      }
      if (own) {
        const tail = this.trailing(resolved, resolved.comment, items[items.length - 1]?.range?.[1]);
        list.push(...tail.own);
        up.push(...tail.up);
      }
      return { value: list, up };
    }
    if (isScalar(resolved)) return { value: this.scalar(resolved), up: [] };
    return this.fail("unsupported YAML node", resolved);
  }

  /**
   * A scalar's value; a `!!binary` one must be standard base64 as Go reads it (line breaks skipped):
   * the yaml library's decoder drops what it does not understand, which would lose the value.
   */
  private scalar(node: Scalar): Value {
    if (node.value instanceof Uint8Array && !isStdBase64(String(node.source ?? "").replace(/[\r\n]/g, ""))) {
      this.fail("!!binary value contains invalid base64 data", node);
    }
    return scalarValue(node);
  }
}

interface Built {
  value: Value;
  /** Trailing comment lines that belong to an enclosing collection. */
  up: SourceComment[];
}

/** What go-yaml's Decode into interface{} gives sops for a scalar (decode.go `scalar`). */
function scalarValue(node: Scalar): Value {
  if (node.type === "PLAIN" && !node.tag && typeof node.source === "string") return plainScalarValue(node.source);
  const v = node.value;
  if (v === null || v === undefined) return null;
  if (typeof v === "string" && (node.type === "QUOTE_SINGLE" || node.type === "BLOCK_LITERAL") && YAML11_BREAK.test(v)) return yaml11Breaks(node, v);
  if (typeof v === "string" || typeof v === "bigint" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isInteger(v) && /^[-+]?\d+$/.test(String(node.source ?? "")) ? BigInt(v) : v;
  // !!binary: go-yaml hands over the decoded bytes as a Go string
  if (v instanceof Uint8Array) return bytesToGoString(v);
  return String(v);
}

const YAML11_BREAK = /[\u2028\u2029]/;

/**
 * go-yaml reads U+2028/U+2029 as line breaks (YAML 1.1), and its writer puts them raw in single-quoted
 * and literal scalars followed by the next line's indentation; the yaml library (YAML 1.2) keeps that
 * indentation as content. Drop it again: all of it in a quoted scalar (folding skips leading blanks),
 * up to the block's indentation in a literal one.
 */
function yaml11Breaks(node: Scalar, value: string): string {
  if (node.type === "QUOTE_SINGLE") return value.replace(/([\u2028\u2029])[ \t]+/g, "$1");
  const source = typeof node.source === "string" ? node.source : value;
  const indent = /^( *)\S/m.exec(source)?.[1].length ?? 0;
  return value.replace(new RegExp(`([\\u2028\\u2029]) {0,${indent}}`, "g"), "$1");
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
  return parseFastYaml(text) ?? parseWithLibrary(text, file);
}

/** The full reader: every YAML construct sops reads, comments kept, errors with their line. */
export function parseWithLibrary(text: string, file: string): Documents {
  const lines = new (yamlLibrary().LineCounter)();
  const parsed = yamlLibrary().parseAllDocuments(text, { intAsBigInt: true, uniqueKeys: true, lineCounter: lines, prettyErrors: false, merge: false, strict: true, logLevel: "error" });
  const docs: Document.Parsed[] = [...parsed];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      throw new SealboxError("CouldNotReadInputFile", `invalid YAML: ${yamlProblem(error)}`, { file, line: lines.linePos(error.pos[0]).line });
    }
  }
  try {
    const comments = sourceComments(text);
    return docs.map((doc) => new TreeBuilder(doc, lines, file, text, comments).topLevel());
  } catch (error) {
    // the JS stack can run out before the depth limit on some nestings: same answer, no trace
    if (error instanceof RangeError) throw new SealboxError("CouldNotReadInputFile", "invalid YAML: the document nests too deeply", { file });
    throw error;
  }
}

function emit(docs: Documents, options: EmitOptions = {}): Uint8Array {
  // sops's YAML store takes an indent of 0 (unset) for its default
  return Buffer.from(emitYamlDocuments(docs, options.indent || DEFAULT_YAML_INDENT));
}

export const yamlCodec: Codec = {
  name: "yaml",
  parsePlain: parseYaml,
  parseEncrypted: parseYaml,
  emitPlain: emit,
  emitEncrypted: emit,
};
