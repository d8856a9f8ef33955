// A YAML writer that lays the tree out byte for byte as sops 3.13 does. sops turns its tree into
// yaml.Node values (stores/yaml/store.go appendTreeBranch/appendSequence: where comments go) and
// writes them with go-yaml v3 (go.yaml.in/yaml/v3; indent 4 unless .sops.yaml's stores: or --indent
// set another). This file follows the same two steps: nodes as sops builds them, then go-yaml's
// encoder (encode.go `node`: the event stream, with the "tail" that moves a key's foot comment) and
// its emitter state machine (emitterc.go), restricted to what sops can produce: block collections,
// empty flow collections, untagged scalars, comments.
// The same emitter in go-yaml v2 mode (gopkg.in/yaml.v2 2.4, whose emitter is v3's ancestor) writes
// JSON data as sigs.k8s.io/yaml's JSONToYAML does, for kubeseal's `-o yaml` (emitJsonAsGoYamlV2).
import { SealboxError } from "../errors.js";
import { Branch, Comment, Timestamp, type Documents, type Value } from "../tree/tree.js";
import { canBePlainString } from "./yaml-resolve.js";

/** yaml.v3's Encoder indents by 4 unless SetIndent says otherwise (sops's default YAML store). */
export const DEFAULT_YAML_INDENT = 4;
/**
 * go-yaml v3's emitter starts with best_width -1 (apic.go yaml_emitter_initialize) and sops never
 * calls SetWidth, so emit_stream_start turns it into 1<<31-1: long lines are never folded.
 */
const BEST_WIDTH = 2 ** 31 - 1;
/** go-yaml v2's Marshal leaves best_width 0, which emit_stream_start makes 80: long lines fold there. */
const V2_BEST_WIDTH = 80;

const enum Style {
  Plain,
  Single,
  Double,
  Literal,
}

// ---- yaml.Node as sops builds it ----

interface YNode {
  kind: "map" | "seq" | "scalar";
  value: string;
  style: Style;
  analysis?: Analysis;
  head: string;
  line: string;
  foot: string;
  content: YNode[];
}

const newNode = (kind: YNode["kind"], value = "", style = Style.Plain): YNode => ({ kind, value, style, head: "", line: "", foot: "", content: [] });

function joinComments(comments: string[]): string {
  return "#" + comments.join("\n#");
}

/** store.go addCommentsHead: new comments go before the node's existing head comment. */
function addHead(node: YNode, comments: string[]): void {
  if (comments.length === 0) return;
  const c = joinComments(comments);
  node.head = node.head ? c + "\n" + node.head : c;
}

function addFoot(node: YNode, comments: string[]): void {
  if (comments.length === 0) return;
  const c = joinComments(comments);
  node.foot = node.foot ? node.foot + "\n" + c : c;
}

function addLine(node: YNode, comments: string[]): void {
  if (comments.length === 0) return;
  const c = joinComments(comments);
  node.line = node.line ? node.line + "\n" + c : c;
}

/** store.go appendTreeBranch: comments before the first key head the mapping, trailing ones foot the last key. */
function mappingNode(branch: Branch): YNode {
  const mapping = newNode("map");
  let head: string[] = [];
  let inline: string[] = [];
  let beginning = true;
  for (const item of branch.items) {
    if (item.key instanceof Comment) {
      (item.key.inline ? inline : head).push(item.key.value);
      continue;
    }
    if (beginning) {
      addHead(mapping, head);
      head = [];
      beginning = false;
    }
    const key = keyNode(item.key);
    addHead(key, head);
    head = [];
    const value = treeValueToNode(item.value);
    addLine(value, inline);
    inline = [];
    mapping.content.push(key, value);
  }
  const rest = [...head, ...inline];
  if (beginning) addHead(mapping, rest);
  else addFoot(mapping.content[mapping.content.length - 2], rest);
  return mapping;
}

/** store.go appendSequence: the same, with trailing comments on the last item. */
function sequenceNode(list: Value[]): YNode {
  const sequence = newNode("seq");
  let head: string[] = [];
  let inline: string[] = [];
  let beginning = true;
  for (const element of list) {
    if (element instanceof Comment) {
      (element.inline ? inline : head).push(element.value);
      continue;
    }
    if (beginning) {
      addHead(sequence, head);
      head = [];
      beginning = false;
    }
    const node = treeValueToNode(element);
    addHead(node, head);
    head = [];
    addLine(node, inline);
    inline = [];
    sequence.content.push(node);
  }
  const rest = [...head, ...inline];
  if (beginning) addHead(sequence, rest);
  else addFoot(sequence.content[sequence.content.length - 1], rest);
  return sequence;
}

function treeValueToNode(value: Value): YNode {
  if (value instanceof Branch) return mappingNode(value);
  if (Array.isArray(value)) return sequenceNode(value);
  return scalarNode(value);
}

/**
 * Node.Encode(v) for a scalar: go-yaml writes v as a one-value document and parses it back, so the
 * node keeps the style that first emission settled on (encode.go stringv, then select_scalar_style
 * at the document root). Numbers, booleans, null and times are plain.
 */
function scalarNode(value: Value): YNode {
  if (typeof value === "string") return stringNode(value);
  if (value === null) return newNode("scalar", "null");
  if (typeof value === "bigint") return newNode("scalar", value.toString());
  if (typeof value === "number") return newNode("scalar", formatYamlFloat(value));
  if (typeof value === "boolean") return newNode("scalar", String(value));
  if (value instanceof Timestamp) return newNode("scalar", value.text);
  if (value instanceof Uint8Array) return stringNode(Buffer.from(value).toString("base64"));
  if (value instanceof Comment) return stringNode(value.value);
  return stringNode(String(value));
}

interface ScalarStyle {
  style: Style;
  analysis: Analysis;
}

function styleOf(s: string, v2: boolean): ScalarStyle {
  // sops's own values, most of what an encrypted file holds, are plain: no need to analyse them
  if (SOPS_VALUE.test(s)) return { style: Style.Plain, analysis: simpleAnalysis(s.length) };
  const analysis = analyze(s, v2);
  let style = s.includes("\n") ? Style.Literal : canBePlainString(s, v2) ? Style.Plain : Style.Double;
  if (style === Style.Plain && !analysis.blockPlainAllowed) style = Style.Single;
  if (style === Style.Single && !analysis.singleQuotedAllowed) style = Style.Double;
  if (style === Style.Literal && !analysis.blockAllowed) style = Style.Double;
  return { style, analysis };
}

function styledNode(s: string, { style, analysis }: ScalarStyle): YNode {
  const node = newNode("scalar", s, style);
  node.analysis = analysis;
  return node;
}

function stringNode(s: string, v2 = false): YNode {
  return styledNode(s, styleOf(s, v2));
}

// Keys repeat from file to file (apiVersion, data, sops, enc…): a bulk run works out each one's style
// once. Keys only, never values: no secret is kept here.
const keyStyles = [new Map<string, ScalarStyle>(), new Map<string, ScalarStyle>()];
const KEY_STYLES_KEPT = 4096;

function keyNode(key: string, v2 = false): YNode {
  const known = keyStyles[+v2];
  let style = known.get(key);
  if (!style) {
    style = styleOf(key, v2);
    if (known.size < KEY_STYLES_KEPT) known.set(key, style);
  }
  return styledNode(key, style);
}

/** go-yaml's FormatFloat(f, 'g', -1, 64) with .inf/.nan: shortest digits, exponent below 1e-4 or from 1e6. */
export function formatYamlFloat(f: number): string {
  if (Number.isNaN(f)) return ".nan";
  if (!Number.isFinite(f)) return f > 0 ? ".inf" : "-.inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mantissa, exponentText] = Math.abs(f).toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(f);
  const digits = String(Math.abs(exponent)).padStart(2, "0");
  return `${f < 0 ? "-" : ""}${mantissa}e${exponent < 0 ? "-" : "+"}${digits}`;
}

// ---- character classes (yamlprivateh.go; Go tests UTF-8 bytes, these are the same sets as code points) ----

/** is_printable: no C0/C1 controls, no DEL, no surrogates, no BOM/U+FFFE/U+FFFF, and nothing past U+FFFF. */
function isPrintable(c: number): boolean {
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
}

const isBreak = (c: number): boolean => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

/** UTF-8 length of one code point: Go's length checks count bytes. */
const utf8Width = (c: number): number => (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
  /** UTF-8 byte length (check_simple_key's limit is 128 bytes). */
  bytes: number;
}

// Inside a block scalar ",[]:" only matter to flow context, and ":" to block context only before a
// space or at the end, so ENC[AES256_GCM,data:…] values take the fast path too.
const SIMPLE_ASCII = /^[A-Za-z0-9_./=+-][A-Za-z0-9_./=+,:[\] -]*$/;
/** An ENC[AES256_GCM,…] value as sops writes it: SIMPLE_ASCII's fast path, and never read back as another type. */
const SOPS_VALUE = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/]*={0,2},iv:[A-Za-z0-9+/]+={0,2},tag:[A-Za-z0-9+/]+={0,2},type:[a-z]+\]$/;

function simpleAnalysis(bytes: number): Analysis {
  return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true, bytes };
}

/** emitterc.go yaml_emitter_analyze_scalar, in block context (sops never writes flow scalars). */
function analyze(value: string, v2: boolean): Analysis {
  if (value.length === 0) return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false, bytes: 0 };
  // fast path: printable ASCII without indicators, quotes, ": " or '#', and no edge spaces
  if (
    SIMPLE_ASCII.test(value) &&
    !value.endsWith(" ") &&
    !value.endsWith(":") &&
    !value.includes(": ") &&
    !value.startsWith("- ") &&
    value !== "-" &&
    !value.startsWith("---") &&
    !value.startsWith("...")
  ) {
    return simpleAnalysis(value.length);
  }
  let blockIndicators = value.startsWith("---") || value.startsWith("...");
  let lineBreaks = false,
    special = false,
    tabs = false,
    leadingSpace = false,
    leadingBreak = false,
    trailingSpace = false,
    trailingBreak = false,
    breakSpace = false,
    spaceBreak = false,
    previousSpace = false,
    previousBreak = false,
    precededByWhitespace = true,
    bytes = 0;
  for (let i = 0; i < value.length; ) {
    const c = value.codePointAt(i)!;
    const next = i + (c > 0xffff ? 2 : 1);
    const last = next >= value.length;
    const followedByWhitespace = last || isBlank(value.charCodeAt(next));
    bytes += utf8Width(c);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(value[0])) blockIndicators = true;
      else if ((c === 0x3f || c === 0x3a || c === 0x2d) && followedByWhitespace) blockIndicators = true; // ? : -
    } else if ((c === 0x3a && followedByWhitespace) || (c === 0x23 && precededByWhitespace)) {
      blockIndicators = true; // ": " or " #"
    }
    // v3 lets a tab into a literal block; to v2 it is a special character like any other control
    if (c === 0x09 && !v2) tabs = true;
    else if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    // is_blankz: blank, break or NUL
    precededByWhitespace = isBlank(c) || isBreak(c) || c === 0;
    i = next;
  }
  let blockPlainAllowed = true,
    singleQuotedAllowed = true,
    blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) blockPlainAllowed = singleQuotedAllowed = false;
  if (spaceBreak || tabs || special) blockPlainAllowed = singleQuotedAllowed = false;
  if (spaceBreak || special) blockAllowed = false;
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed, bytes };
}

// ---- encode.go `node`: the event stream ----

const enum Ev {
  StreamEnd,
  DocStart,
  DocEnd,
  MapStart,
  MapEnd,
  SeqStart,
  SeqEnd,
  Scalar,
}

interface Event {
  type: Ev;
  node?: YNode;
  head: string;
  line: string;
  foot: string;
  tail: string;
}

const event = (type: Ev, node?: YNode, head = "", line = "", foot = "", tail = ""): Event => ({ type, node, head, line, foot, tail });

function nodeEvents(node: YNode, tail: string, out: Event[]): void {
  if (node.kind === "scalar") {
    out.push(event(Ev.Scalar, node, node.head, node.line, node.foot, tail));
  } else if (node.kind === "seq") {
    out.push(event(Ev.SeqStart, node, node.head));
    for (const item of node.content) nodeEvents(item, "", out);
    out.push(event(Ev.SeqEnd, node, "", node.line, node.foot));
  } else {
    out.push(event(Ev.MapStart, node, node.head, "", "", tail));
    // a key's foot comment is held back until its value has been written (as the next key's tail)
    let pending = "";
    for (let i = 0; i + 1 < node.content.length; i += 2) {
      let key = node.content[i];
      const foot = key.foot;
      if (foot) key = { ...key, foot: "" };
      nodeEvents(key, pending, out);
      pending = foot;
      nodeEvents(node.content[i + 1], "", out);
    }
    out.push(event(Ev.MapEnd, node, "", node.line, node.foot, pending));
  }
}

// ---- emitterc.go: the emitter state machine ----

const enum St {
  DocStart,
  DocContent,
  DocEnd,
  FlowSeqFirst,
  FlowMapFirst,
  BlockSeqFirst,
  BlockSeqItem,
  BlockMapFirstKey,
  BlockMapKey,
  BlockMapSimpleValue,
  BlockMapValue,
  End,
}

class Emitter {
  /** emitterc.go best_indent: emit_stream_start keeps 2 to 9 and makes anything else 2. */
  private readonly bestIndent: number;
  private readonly bestWidth: number;
  private out = "";
  private column = 0;
  /** Scalar characters gathered by the scalar loops, written (and counted into column) together. */
  private run = "";
  private whitespace = true;
  private indention = true;
  private footIndent = -1;
  private indent = -1;
  private readonly indents: number[] = [];
  private readonly states: St[] = [];
  private state = St.DocStart;
  private first = true;
  private flowLevel = 0;
  private mappingContext = false;
  private simpleKeyContext = false;
  private headComment = "";
  private lineComment = "";
  private footComment = "";
  private tailComment = "";
  private keyLineComment = "";
  private events: Event[] = [];
  private at = 0;

  constructor(
    indent: number,
    private readonly v2 = false,
  ) {
    this.bestIndent = indent < 2 || indent > 9 ? 2 : indent;
    this.bestWidth = v2 ? V2_BEST_WIDTH : BEST_WIDTH;
  }

  emit(events: Event[]): string {
    this.events = events;
    for (this.at = 0; this.at < events.length; this.at++) {
      const e = events[this.at];
      if (e.head) this.headComment = e.head;
      if (e.line) this.lineComment = e.line;
      if (e.foot) this.footComment = e.foot;
      if (e.tail) this.tailComment = e.tail;
      this.dispatch(e);
    }
    return this.out;
  }

  // -- low-level writers (put, put_break, write) --

  private put(s: string): void {
    this.out += s;
    this.column += s.length;
  }

  private putBreak(): void {
    this.out += "\n";
    this.column = 0;
    this.indention = true;
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    if (this.footIndent === indent) this.putBreak();
    if (this.column < indent) this.put(" ".repeat(indent - this.column));
    this.whitespace = true;
    this.footIndent = -1;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) {
      // [Go] inside a sequence item only "- " is skipped; everything else aligns to the indent step
      if (this.states[this.states.length - 1] === St.BlockSeqItem) this.indent += 2;
      else this.indent = this.bestIndent * Math.floor((this.indent + this.bestIndent) / this.bestIndent);
    }
  }

  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }

  private popState(): void {
    this.state = this.states.pop()!;
  }

  // -- comments --

  private writeComment(comment: string): void {
    let breaks = false;
    let pound = false;
    for (let i = 0; i < comment.length; ) {
      const c = comment.codePointAt(i)!;
      const w = c > 0xffff ? 2 : 1;
      if (isBreak(c)) {
        if (c === 0x0a) this.putBreak();
        else {
          this.out += comment.slice(i, i + w);
          this.column = 0;
          this.indention = true;
        }
        breaks = true;
        pound = false;
      } else {
        if (breaks) this.writeIndent();
        if (!pound) {
          if (c !== 0x23) this.put("# ");
          pound = true;
        }
        this.out += comment.slice(i, i + w);
        this.column++;
        this.indention = false;
        breaks = false;
      }
      i += w;
    }
    if (!breaks) this.putBreak();
    this.whitespace = true;
  }

  private processHeadComment(): void {
    if (this.tailComment) {
      this.writeIndent();
      this.writeComment(this.tailComment);
      this.tailComment = "";
      this.footIndent = Math.max(this.indent, 0);
    }
    if (!this.headComment) return;
    this.writeIndent();
    this.writeComment(this.headComment);
    this.headComment = "";
  }

  /** `linebreak` (block scalars only) ends the header line even without a comment (go-yaml issue 755). */
  private processLineComment(linebreak = false): void {
    if (!this.lineComment) {
      if (linebreak) this.putBreak();
      return;
    }
    if (!this.whitespace) this.put(" ");
    this.writeComment(this.lineComment);
    this.lineComment = "";
  }

  private processFootComment(): void {
    if (!this.footComment) return;
    this.writeIndent();
    this.writeComment(this.footComment);
    this.footComment = "";
    this.footIndent = Math.max(this.indent, 0);
  }

  // -- states --

  private dispatch(e: Event): void {
    switch (this.state) {
      case St.DocStart:
        return this.emitDocumentStart(e);
      case St.DocContent:
        return this.emitDocumentContent(e);
      case St.DocEnd:
        return this.emitDocumentEnd();
      case St.FlowSeqFirst:
      case St.FlowMapFirst:
        return this.emitEmptyFlow(e);
      case St.BlockSeqFirst:
        return this.emitBlockSequenceItem(e, true);
      case St.BlockSeqItem:
        return this.emitBlockSequenceItem(e, false);
      case St.BlockMapFirstKey:
        return this.emitBlockMappingKey(e, true);
      case St.BlockMapKey:
        return this.emitBlockMappingKey(e, false);
      case St.BlockMapSimpleValue:
        return this.emitBlockMappingValue(e, true);
      case St.BlockMapValue:
        return this.emitBlockMappingValue(e, false);
      case St.End:
        return;
    }
  }

  private emitDocumentStart(e: Event): void {
    if (e.type === Ev.DocStart) {
      if (!this.first) {
        // only the first document's start is implicit
        this.writeIndent();
        this.writeIndicator("---", true, false, false);
        this.writeIndent();
      }
      this.first = false;
      this.state = St.DocContent;
      return;
    }
    // STREAM-END: no "..." even after an open-ended root scalar, as go-yaml's encoder clears
    // open_ended just before it (encode.go finish): yaml.Marshal(5432) is "5432\n"
    this.state = St.End;
  }

  private emitDocumentContent(e: Event): void {
    this.states.push(St.DocEnd);
    this.processHeadComment();
    this.emitNode(e, false);
    this.processLineComment();
    this.processFootComment();
  }

  private emitDocumentEnd(): void {
    // [Go] force document foot separation
    this.footIndent = 0;
    this.processFootComment();
    this.footIndent = -1;
    this.writeIndent();
    this.state = St.DocStart;
  }

  /** emit_flow_sequence_item / emit_flow_mapping_key: sops's only flow collections are empty. */
  private emitEmptyFlow(e: Event): void {
    const mapping = this.state === St.FlowMapFirst;
    this.writeIndicator(mapping ? "{" : "[", true, true, false);
    this.increaseIndent(true, false);
    this.flowLevel++;
    if (mapping) this.processHeadComment();
    this.flowLevel--;
    this.popIndent();
    if (!mapping && this.column === 0) this.writeIndent();
    this.writeIndicator(mapping ? "}" : "]", false, false, false);
    this.processLineComment();
    this.processFootComment();
    this.popState();
    void e;
  }

  private emitBlockSequenceItem(e: Event, first: boolean): void {
    // v2 writes a mapping's sequence value unindented ("key:\n- a"); v3 only with compact_sequence_indent
    if (first) this.increaseIndent(false, this.v2 && this.mappingContext && !this.indention);
    if (e.type === Ev.SeqEnd) {
      this.popIndent();
      this.popState();
      return;
    }
    this.processHeadComment();
    this.writeIndent();
    this.writeIndicator("-", true, false, true);
    this.states.push(St.BlockSeqItem);
    this.emitNode(e, false);
    this.processLineComment();
    this.processFootComment();
  }

  private emitBlockMappingKey(e: Event, first: boolean): void {
    if (first) this.increaseIndent(false, false);
    this.processHeadComment();
    if (e.type === Ev.MapEnd) {
      this.popIndent();
      this.popState();
      return;
    }
    this.writeIndent();
    if (this.lineComment) {
      this.keyLineComment = this.lineComment;
      this.lineComment = "";
    }
    if (this.checkSimpleKey(e)) {
      this.states.push(St.BlockMapSimpleValue);
      this.emitNode(e, true, true);
      return;
    }
    this.writeIndicator("?", true, false, true);
    this.states.push(St.BlockMapValue);
    this.emitNode(e, false, true);
  }

  private emitBlockMappingValue(e: Event, simple: boolean): void {
    if (simple) this.writeIndicator(":", false, false, false);
    else {
      this.writeIndent();
      this.writeIndicator(":", true, false, true);
    }
    if (this.keyLineComment) {
      if (e.type === Ev.Scalar) {
        if (!this.lineComment) {
          this.lineComment = this.keyLineComment;
          this.keyLineComment = "";
        }
      } else if (e.type === Ev.MapStart || e.type === Ev.SeqStart) {
        // an indented block follows: the key's line comment is written now
        [this.lineComment, this.keyLineComment] = [this.keyLineComment, this.lineComment];
        this.processLineComment();
        [this.lineComment, this.keyLineComment] = [this.keyLineComment, this.lineComment];
      }
    }
    this.states.push(St.BlockMapKey);
    this.emitNode(e, false, true);
    this.processLineComment();
    this.processFootComment();
  }

  private isEmptyCollection(): boolean {
    const e = this.events[this.at];
    const next = this.events[this.at + 1];
    return (e.type === Ev.MapStart && next?.type === Ev.MapEnd) || (e.type === Ev.SeqStart && next?.type === Ev.SeqEnd);
  }

  /** check_simple_key: single-line scalars of at most 128 bytes, or empty collections. */
  private checkSimpleKey(e: Event): boolean {
    if (e.type === Ev.Scalar) {
      const a = analysisOf(e.node!);
      return !a.multiline && a.bytes <= 128;
    }
    return (e.type === Ev.MapStart || e.type === Ev.SeqStart) && this.isEmptyCollection();
  }

  private emitNode(e: Event, simpleKey: boolean, mapping = false): void {
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    if (e.type === Ev.Scalar) return this.emitScalar(e.node!);
    const empty = this.isEmptyCollection();
    if (e.type === Ev.SeqStart) this.state = empty ? St.FlowSeqFirst : St.BlockSeqFirst;
    else this.state = empty ? St.FlowMapFirst : St.BlockMapFirstKey;
  }

  private emitScalar(node: YNode): void {
    const a = analysisOf(node);
    // select_scalar_style, in block context
    let style = node.style;
    if (this.simpleKeyContext && a.multiline) style = Style.Double;
    if (style === Style.Plain && (!a.blockPlainAllowed || (node.value === "" && this.simpleKeyContext))) style = Style.Single;
    if (style === Style.Single && !a.singleQuotedAllowed) style = Style.Double;
    if (style === Style.Literal && (!a.blockAllowed || this.simpleKeyContext)) style = Style.Double;
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === Style.Plain) this.writePlain(node.value, allowBreaks);
    else if (style === Style.Single) this.writeSingleQuoted(node.value, allowBreaks);
    else if (style === Style.Double) this.writeDoubleQuoted(node.value, allowBreaks);
    else this.writeLiteral(node.value);
    this.popIndent();
    this.popState();
  }

  // -- scalar writers --

  /** Writes a run of ordinary characters: one column per code point, as go-yaml's write() counts. */
  private writeRun(s: string): void {
    this.out += s;
    this.column += PRINTABLE_ASCII.test(s) ? s.length : codePoints(s);
  }

  /** Writes the characters the scalar loops gathered since their last break or indent. */
  private flushRun(): void {
    if (this.run) this.writeRun(this.run);
    this.run = "";
  }

  private writePlain(value: string, allowBreaks: boolean): void {
    if (value.length > 0 && !this.whitespace) this.put(" ");
    if (!value.includes(" ") && !PLAIN_BREAKS.test(value)) {
      // nothing to fold or break: the common case (keys, numbers, ENC[...] values)
      if (value.length > 0) {
        this.writeRun(value);
        this.indention = false;
      }
    } else this.writeFoldable(value, allowBreaks, "plain");
    if (value.length > 0) this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuoted(value: string, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    this.writeFoldable(value, allowBreaks, "single");
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  /** The shared loop of write_plain_scalar and write_single_quoted_scalar. */
  private writeFoldable(value: string, allowBreaks: boolean, kind: "plain" | "single"): void {
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < value.length; ) {
      const c = value.codePointAt(i)!;
      const w = c > 0xffff ? 2 : 1;
      if (c === 0x20) {
        const edgeOk = kind === "plain" || (i > 0 && i < value.length - 1);
        if (allowBreaks && !spaces && edgeOk && value.charCodeAt(i + 1) !== 0x20) {
          this.flushRun();
          if (this.column > this.bestWidth) {
            this.writeIndent();
          } else this.run += " ";
        } else this.run += " ";
        spaces = true;
      } else if (isBreak(c)) {
        this.flushRun();
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(value.slice(i, i + w));
        breaks = true;
      } else {
        if (breaks) {
          this.writeIndent();
        }
        this.run += c === 0x27 && kind === "single" ? "''" : value.slice(i, i + w);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
      i += w;
    }
    this.flushRun();
  }

  /** write_break: "\n" is a line break; other break characters are copied and also end the line. */
  private writeBreak(ch: string): void {
    if (ch === "\n") this.putBreak();
    else {
      this.out += ch;
      this.column = 0;
      this.indention = true;
    }
  }

  private writeDoubleQuoted(value: string, allowBreaks: boolean): void {
    let spaces = false;
    this.writeIndicator('"', true, false, false);
    // is_bom looks at the value's first character whatever the position: a leading BOM escapes everything
    const bom = value.charCodeAt(0) === 0xfeff;
    for (let i = 0; i < value.length; ) {
      const c = value.codePointAt(i)!;
      const w = c > 0xffff ? 2 : 1;
      if (bom || !isPrintable(c) || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.run += escapeDouble(c);
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && i > 0 && i < value.length - 1) {
          this.flushRun();
          if (this.column > this.bestWidth) {
            this.writeIndent();
            if (value.charCodeAt(i + 1) === 0x20) this.put("\\");
          } else this.run += " ";
        } else this.run += " ";
        spaces = true;
      } else {
        this.run += value.slice(i, i + w);
        spaces = false;
      }
      i += w;
    }
    this.flushRun();
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(value: string): void {
    this.writeIndicator("|", true, false, false);
    // write_block_scalar_hints
    const first = value.codePointAt(0) ?? 0;
    if (first === 0x20 || isBreak(first)) this.writeIndicator(String(this.bestIndent), false, false, false);
    const lastCp = value.length ? value.codePointAt(value.length - (isLowSurrogate(value.charCodeAt(value.length - 1)) ? 2 : 1))! : 0;
    let chomp = "";
    if (value.length === 0 || !isBreak(lastCp)) chomp = "-";
    else if (value.length === 1 || isBreak(value.codePointAt(value.length - (isLowSurrogate(value.charCodeAt(value.length - 2)) ? 3 : 2))!)) chomp = "+";
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.processLineComment(true);
    this.whitespace = true;
    let breaks = true;
    for (let i = 0; i < value.length; ) {
      const c = value.codePointAt(i)!;
      const w = c > 0xffff ? 2 : 1;
      if (isBreak(c)) {
        this.flushRun();
        this.writeBreak(value.slice(i, i + w));
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.run += value.slice(i, i + w);
        this.indention = false;
        breaks = false;
      }
      i += w;
    }
    this.flushRun();
  }
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const PLAIN_BREAKS = /[\n\r\u0085\u2028\u2029]/;
const isLowSurrogate = (u: number): boolean => u >= 0xdc00 && u <= 0xdfff;

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (!(isLowSurrogate(u) && i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) n++;
  }
  return n;
}

function analysisOf(node: YNode): Analysis {
  return (node.analysis ??= analyze(node.value, false));
}

const SHORT_ESCAPES: Record<number, string> = {
  0x00: "0",
  0x07: "a",
  0x08: "b",
  0x09: "t",
  0x0a: "n",
  0x0b: "v",
  0x0c: "f",
  0x0d: "r",
  0x1b: "e",
  0x22: '"',
  0x5c: "\\",
  0x85: "N",
  0xa0: "_",
  0x2028: "L",
  0x2029: "P",
};

/** write_double_quoted_scalar's escapes: short forms, else \xXX, \uXXXX or \UXXXXXXXX in upper-case hex. */
function escapeDouble(c: number): string {
  const short = SHORT_ESCAPES[c];
  if (short) return "\\" + short;
  const hex = c.toString(16).toUpperCase();
  if (c <= 0xff) return "\\x" + hex.padStart(2, "0");
  if (c <= 0xffff) return "\\u" + hex.padStart(4, "0");
  return "\\U" + hex.padStart(8, "0");
}

// ---- entry points (store.go EmitPlainFile / EmitValue) ----

function documentEvents(root: YNode, out: Event[]): void {
  out.push(event(Ev.DocStart));
  nodeEvents(root, "", out);
  out.push(event(Ev.DocEnd));
}

/** Every document of a file, as sops's EmitPlainFile writes them with one encoder (SetIndent(indent)). */
export function emitYamlDocuments(docs: Documents, indent = DEFAULT_YAML_INDENT): string {
  const events: Event[] = [];
  for (const doc of docs) documentEvents(mappingNode(doc), events);
  events.push(event(Ev.StreamEnd));
  return new Emitter(indent).emit(events);
}

/**
 * A single value as `--extract` prints a list (store.go EmitValue: yaml.Marshal of its node, which
 * is always indented by yaml.v3's default: the stores config does not reach it; a mapping is written
 * as a whole file, by EmitPlainFile).
 */
export function emitYamlValue(value: Value): string {
  const events: Event[] = [];
  documentEvents(treeValueToNode(value), events);
  events.push(event(Ev.StreamEnd));
  return new Emitter(DEFAULT_YAML_INDENT).emit(events);
}

// ---- sigs.k8s.io/yaml JSONToYAML (go-yaml v2), as kubeseal writes `-o yaml` ----

/**
 * JSONToYAML(JSON.stringify(value)): go-yaml v2 reads the JSON (numbers as int, uint64 or float64),
 * then writes it with its mappings' keys in sorter.go's order, indent 2 and best_width 80.
 */
export function emitJsonAsGoYamlV2(value: unknown): string {
  const events: Event[] = [];
  documentEvents(jsonNode(value, ""), events);
  events.push(event(Ev.StreamEnd));
  return new Emitter(2, true).emit(events);
}

function jsonNode(value: unknown, path: string): YNode {
  if (typeof value === "string") return stringNode(foldNel(readable(value, UNREADABLE, path)), true);
  if (typeof value === "boolean") return newNode("scalar", String(value));
  if (typeof value === "number" && Number.isFinite(value)) return newNode("scalar", goNumberText(value));
  if (Array.isArray(value)) {
    const sequence = newNode("seq");
    sequence.content = value.map((item, i) => jsonNode(item, `${path}[${i}]`));
    return sequence;
  }
  if (value === null || typeof value !== "object") return newNode("scalar", "null");
  const mapping = newNode("map");
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort(goYamlKeyCompare)) {
    if (record[key] === undefined) continue; // as JSON.stringify leaves it out
    const at = path ? `${path}.${key}` : key;
    mapping.content.push(keyNode(readable(key, UNREADABLE_KEY, `a key in ${path || "the top level"}`), true), jsonNode(record[key], at));
  }
  return mapping;
}

/** A JSON number as go-yaml v2 reads JSON.stringify's text of it: an int64 or uint64 if it is one, else a float64. */
function goNumberText(n: number): string {
  return Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 64 ? String(n) : formatYamlFloat(n);
}

// What go-yaml v2's reader refuses in the JSON kubeseal hands it (readerc.go: DEL, C1 controls but NEL,
// U+FFFE/U+FFFF; encoding/json escapes every other control), and NEL in a key, where it breaks the
// flow mapping's line: JSONToYAML fails on these, and kubeseal with it.
const UNREADABLE = /[\x7f-\x84\x86-\x9f\ufffe\uffff]/;
const UNREADABLE_KEY = /[\x7f-\x9f\ufffe\uffff]/;

/**
 * encoding/json leaves U+0085 (NEL) raw, and go-yaml reads it in the JSON's double-quoted string as a
 * line break, folded as YAML folds them: spaces around the breaks dropped, one break a space, n breaks n-1 newlines.
 */
function foldNel(s: string): string {
  return s.includes("\u0085") ? s.replace(/ *\u0085[ \u0085]*/g, (run) => {
    const breaks = run.split("\u0085").length - 1;
    return breaks === 1 ? " " : "\n".repeat(breaks - 1);
  }) : s;
}

function readable(s: string, refused: RegExp, where: string): string {
  const found = refused.exec(s);
  if (found) {
    const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new SealboxError("ErrorDumpingTree", `${where} holds U+${code}, which kubeseal's YAML output cannot hold (sigs.k8s.io/yaml refuses it): write JSON instead`);
  }
  return s;
}

/** go-yaml v2 keyList.Less (sorter.go; v3's differs after a digit): non-letters before letters, digit runs compared as numbers. */
export function goYamlKeyCompare(a: string, b: string): number {
  const less = (x: string, y: string): boolean => {
    const ar = [...x];
    const br = [...y];
    for (let i = 0; i < ar.length && i < br.length; i++) {
      if (ar[i] === br[i]) continue;
      const al = isLetter(ar[i]);
      const bl = isLetter(br[i]);
      if (al && bl) return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
      if (al || bl) return bl;
      let an = 0;
      let bn = 0;
      if (ar[i] === "0" || br[i] === "0") {
        for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
          if (ar[j] !== "0") {
            an = 1;
            bn = 1;
            break;
          }
        }
      }
      let ai = i;
      let bi = i;
      for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + (ar[ai].charCodeAt(0) - 48);
      for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + (br[bi].charCodeAt(0) - 48);
      if (an !== bn) return an < bn;
      if (ai !== bi) return ai < bi;
      return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
    }
    return ar.length < br.length;
  };
  return less(a, b) ? -1 : less(b, a) ? 1 : 0;
}

// (ASCII answered without a regex: keys are nearly always ASCII, and sorting calls these most)
function isLetter(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 128 ? (code | 32) >= 97 && (code | 32) <= 122 : /^\p{L}$/u.test(c);
}

function isDigit(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 128 ? code >= 48 && code <= 57 : /^\p{Nd}$/u.test(c);
}

