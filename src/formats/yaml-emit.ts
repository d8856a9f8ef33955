// A YAML writer that lays the tree out byte for byte as sops does (go-yaml v3, indent 4): its
// indentation rule, its choice of plain/single/double/literal style per string, its float format,
// its line folding at 80 columns, and sops's placement of comments (head, inline, foot).
import { Branch, Comment, Timestamp, type Documents, type Value } from "../tree/tree.js";

const BEST_INDENT = 4;
const BEST_WIDTH = 80;

/** go-yaml v3's increase_indent: one step inside a sequence item skips "- ", others round up to 4. */
function childIndent(indent: number, inSequenceItem: boolean): number {
  if (inSequenceItem) return indent + 2;
  return BEST_INDENT * Math.floor((indent + BEST_INDENT) / BEST_INDENT);
}

// ---- scalar style selection (go-yaml encode.go stringv + emitterc.go analyze_scalar) ----

const NULL_WORDS = new Set(["", "~", "null", "Null", "NULL"]);
const BOOL_WORDS = new Set(["true", "True", "TRUE", "false", "False", "FALSE"]);
const OLD_BOOL_WORDS = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]);
const GO_INT = /^[-+]?(0[xX](_?[0-9a-fA-F])+|0[oO](_?[0-7])+|0[bB](_?[01])+|0(_?[0-7])*|[1-9](_?[0-9])*)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOAT = /^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMPS = [
  /^\d{4}-\d{1,2}-\d{1,2}$/,
  /^\d{4}-\d{1,2}-\d{1,2}[Tt]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?$/,
];

/** Whether go-yaml would read the plain text back as something other than a string. */
function resolvesToNonString(s: string): boolean {
  return (
    NULL_WORDS.has(s) ||
    BOOL_WORDS.has(s) ||
    OLD_BOOL_WORDS.has(s) ||
    GO_INT.test(s) ||
    YAML_FLOAT.test(s) ||
    SPECIAL_FLOAT.test(s) ||
    BASE60_FLOAT.test(s) ||
    TIMESTAMPS.some((t) => t.test(s))
  );
}

function isPrintable(code: number): boolean {
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    code === 0x85 ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
    code >= 0x10000
  );
}

interface ScalarAnalysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isBlank = (c: string | undefined): boolean => c === undefined || c === " " || c === "\t" || c === "\n" || c === "\r";

function analyze(value: string): ScalarAnalysis {
  const chars = Array.from(value);
  if (chars.length === 0) return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  let blockIndicators = value.startsWith("---") || value.startsWith("...");
  let lineBreaks = false,
    special = false,
    tabs = false;
  let leadingSpace = false,
    leadingBreak = false,
    trailingSpace = false,
    trailingBreak = false;
  let breakSpace = false,
    spaceBreak = false,
    previousSpace = false,
    previousBreak = false;
  let precededByWhitespace = true;
  chars.forEach((c, i) => {
    const followedByWhitespace = isBlank(chars[i + 1]);
    const last = i === chars.length - 1;
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) blockIndicators = true;
      if ((c === "?" || c === ":") && followedByWhitespace) blockIndicators = true;
      if (c === "-" && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ":" && followedByWhitespace) blockIndicators = true;
      if (c === "#" && precededByWhitespace) blockIndicators = true;
    }
    const code = c.codePointAt(0)!;
    if (c === "\t") tabs = true;
    else if (!isPrintable(code)) special = true;
    if (c === "\n") lineBreaks = true;
    if (c === " ") {
      if (i === 0) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (c === "\n") {
      if (i === 0) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c);
  });
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
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

// ---- scalar writers ----

class Writer {
  lines: string[] = [];
  private current = "";

  get column(): number {
    return Array.from(this.current).length;
  }

  write(text: string): void {
    this.current += text;
  }

  newline(indent: number): void {
    this.lines.push(this.current);
    this.current = " ".repeat(indent);
  }

  /** Ends the current line (if any text) and starts a fresh, empty one. */
  endLine(): void {
    this.lines.push(this.current);
    this.current = "";
  }

  finish(): string {
    if (this.current !== "") this.endLine();
    return this.lines.map((l) => l + "\n").join("");
  }
}

/** Plain or quoted text folded at spaces past column 80, as go-yaml does for values (not keys). */
function writeFolded(w: Writer, text: string, indent: number, allowBreaks: boolean, quote: "" | "'" | '"'): void {
  const chars = Array.from(text);
  let spaces = false;
  chars.forEach((c, i) => {
    if (c === " ") {
      const edgeOk = quote === "" || (i !== 0 && i !== chars.length - 1);
      const nextIsSpace = chars[i + 1] === " ";
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && edgeOk && (quote === '"' || !nextIsSpace)) {
        w.newline(indent);
        if (quote === '"' && nextIsSpace) w.write("\\");
      } else {
        w.write(c);
      }
      spaces = true;
    } else {
      w.write(c);
      spaces = false;
    }
  });
}

const DOUBLE_ESCAPES: Record<string, string> = {
  "\0": "\\0",
  "\x07": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\x0b": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\x1b": "\\e",
  '"': '\\"',
  "\\": "\\\\",
  "\u0085": "\\N",
  "\u00a0": "\\_",
  "\u2028": "\\L",
  "\u2029": "\\P",
};

function escapeDouble(c: string): string {
  if (DOUBLE_ESCAPES[c]) return DOUBLE_ESCAPES[c];
  const code = c.codePointAt(0)!;
  if (isPrintable(code) && code !== 0xfeff) return c;
  if (code <= 0xff) return "\\x" + code.toString(16).toUpperCase().padStart(2, "0");
  if (code <= 0xffff) return "\\u" + code.toString(16).toUpperCase().padStart(4, "0");
  return "\\U" + code.toString(16).toUpperCase().padStart(8, "0");
}

function writeDoubleQuoted(w: Writer, text: string, indent: number, allowBreaks: boolean): void {
  w.write('"');
  const chars = Array.from(text);
  let spaces = false;
  chars.forEach((c, i) => {
    if (c === " ") {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i > 0 && i < chars.length - 1) {
        w.newline(indent);
        if (chars[i + 1] === " ") w.write("\\");
      } else {
        w.write(" ");
      }
      spaces = true;
    } else {
      w.write(escapeDouble(c));
      spaces = false;
    }
  });
  w.write('"');
}

function writeLiteral(w: Writer, text: string, indent: number): void {
  let hints = "";
  if (text.startsWith(" ") || text.startsWith("\n")) hints += String(BEST_INDENT);
  if (!text.endsWith("\n")) hints += "-";
  else if (text === "\n" || text.endsWith("\n\n")) hints += "+";
  w.write("|" + hints);
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  for (const line of body.split("\n")) {
    w.endLine();
    if (line !== "") w.write(" ".repeat(indent) + line);
  }
}

/** go-yaml's FormatFloat(f, 'g', -1, 64): shortest digits, exponent form below 1e-4 or from 1e6. */
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

function writeString(w: Writer, s: string, indent: number, isKey: boolean): void {
  const a = analyze(s);
  const plainWanted = !resolvesToNonString(s);
  let style: "plain" | "single" | "double" | "literal";
  if (s.includes("\n")) style = "literal";
  else style = plainWanted ? "plain" : "double";
  if (style === "plain" && !a.blockPlainAllowed) style = "single";
  if (style === "single" && !a.singleQuotedAllowed) style = "double";
  if (style === "literal" && (!a.blockAllowed || isKey)) style = "double";
  const allowBreaks = !isKey;
  if (style === "plain") writeFolded(w, s, indent, allowBreaks, "");
  else if (style === "single") {
    w.write("'");
    writeFolded(w, s.replace(/'/g, "''"), indent, allowBreaks, "'");
    w.write("'");
  } else if (style === "double") writeDoubleQuoted(w, s, indent, allowBreaks);
  else writeLiteral(w, s, indent);
}

function writeScalar(w: Writer, value: Value, indent: number, isKey = false): void {
  if (value === null) w.write("null");
  else if (typeof value === "string") writeString(w, value, indent, isKey);
  else if (typeof value === "bigint") w.write(value.toString());
  else if (typeof value === "number") w.write(formatYamlFloat(value));
  else if (typeof value === "boolean") w.write(String(value));
  else if (value instanceof Timestamp) w.write(value.text);
  else if (value instanceof Uint8Array) writeString(w, Buffer.from(value).toString("base64"), indent, isKey);
  else if (value instanceof Comment) writeString(w, value.value, indent, isKey);
}

// ---- collections and comments (sops stores/yaml appendTreeBranch / appendSequence) ----

function writeComments(w: Writer, comments: string[], indent: number): void {
  for (const c of comments) {
    w.write(" ".repeat(indent) + "#" + c);
    w.endLine();
  }
}

function isEmptyCollection(v: Value): boolean {
  return (v instanceof Branch && v.items.every((i) => i.key instanceof Comment)) || (Array.isArray(v) && v.every((e) => e instanceof Comment));
}

/**
 * Writes `value` after a key's ":" or a sequence's "- " (the cursor is on that line).
 * `indent` is where the parent key or dash stands; `inSequenceItem` tells which indent rule applies.
 */
function writeValue(w: Writer, value: Value, indent: number, inSequenceItem: boolean, lineComments: string[]): void {
  const scalarIndent = childIndent(indent, inSequenceItem);
  const lineComment = lineComments.length ? " #" + lineComments.join("\n#") : "";
  if (value instanceof Branch && !isEmptyCollection(value)) {
    if (inSequenceItem) writeMapping(w, value, indent + 2, true);
    else {
      w.write(lineComment);
      w.endLine();
      writeMapping(w, value, scalarIndent, false);
    }
    return;
  }
  if (Array.isArray(value) && !isEmptyCollection(value)) {
    if (inSequenceItem) writeSequence(w, value, indent + 2, true);
    else {
      w.write(lineComment);
      w.endLine();
      writeSequence(w, value, scalarIndent, false);
    }
    return;
  }
  if (!inSequenceItem) w.write(" ");
  if (value instanceof Branch) w.write("{}");
  else if (Array.isArray(value)) w.write("[]");
  else writeScalar(w, value, scalarIndent);
  w.write(lineComment);
  w.endLine();
}

/** A block mapping whose keys stand at `indent`; `continuesLine` when the first key follows "- ". */
function writeMapping(w: Writer, branch: Branch, indent: number, continuesLine: boolean): void {
  let head: string[] = [];
  let inline: string[] = [];
  let first = true;
  for (const item of branch.items) {
    if (item.key instanceof Comment) {
      (item.key.inline ? inline : head).push(item.key.value);
      continue;
    }
    if (first && continuesLine) {
      if (head.length) {
        // a comment before the first key of a list item goes above the dash in go-yaml; keep it readable
        w.endLine();
        writeComments(w, head, indent);
        w.write(" ".repeat(indent));
      }
    } else {
      writeComments(w, head, indent);
      w.write(" ".repeat(indent));
    }
    head = [];
    first = false;
    writeScalar(w, item.key, indent, true);
    w.write(":");
    writeValue(w, item.value, indent, false, inline);
    inline = [];
  }
  writeComments(w, [...head, ...inline], indent);
}

function writeSequence(w: Writer, list: Value[], indent: number, continuesLine: boolean): void {
  let head: string[] = [];
  let inline: string[] = [];
  let first = true;
  for (const element of list) {
    if (element instanceof Comment) {
      (element.inline ? inline : head).push(element.value);
      continue;
    }
    if (!(first && continuesLine)) {
      writeComments(w, head, indent);
      w.write(" ".repeat(indent));
    }
    head = [];
    first = false;
    w.write("- ");
    writeValue(w, element, indent, true, inline);
    inline = [];
  }
  writeComments(w, [...head, ...inline], indent);
}

/** One document: a block mapping at column 0, or `{}` when it holds no keys. */
function emitDocument(branch: Branch): string {
  const w = new Writer();
  if (isEmptyCollection(branch)) {
    writeComments(w, branch.items.map((i) => (i.key as Comment).value), 0);
    w.write("{}");
    w.endLine();
    return w.finish();
  }
  writeMapping(w, branch, 0, false);
  return w.finish();
}

export function emitYamlDocuments(docs: Documents): string {
  return docs.map(emitDocument).join("---\n");
}

/** A single value as `--extract` prints a non-scalar: the YAML of that subtree. */
export function emitYamlValue(value: Value): string {
  if (value instanceof Branch) return emitDocument(value);
  const w = new Writer();
  if (Array.isArray(value) && !isEmptyCollection(value)) writeSequence(w, value, 0, false);
  else {
    writeScalar(w, value, 0);
    w.endLine();
  }
  return w.finish();
}
