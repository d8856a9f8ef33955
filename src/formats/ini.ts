// INI as sops's stores/ini reads and writes it through go-ini (gopkg.in/ini.v1 v1.67.0, loaded with
// AllowNonUniqueSections). Each section is a top-level item holding a Branch; keys before the first
// header sit in an implicit first section DEFAULT (present even when empty, as in sops). Comments
// that precede a key are stored after it (sops attaches a comment item to the key before it), a
// section's own comment is its branch's first item. Every value is a string. On output go-ini pads
// keys to the longest one in their section, quotes values that need it, and puts a blank line
// between sections. Encrypted files end with a `[sops]` section of flattened metadata.
import { Branch, Comment, Timestamp, type Documents, type Value } from "../tree/tree.js";
import { SealboxError } from "../errors.js";
import type { Codec } from "./types.js";
import { bytesToGoString, goByteLength, goStringToBytes } from "../core/go-string.js";
import { flattenMetadata, unflattenMetadata } from "./flatten.js";

const DEFAULT_SECTION = "DEFAULT";
const DELIMITERS = "=:";

/** Go's unicode.IsSpace (JS's \s differs: it includes U+FEFF and leaves out U+0085). */
const SPACES = new Set("\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000");

function isSpace(c: string): boolean {
  return SPACES.has(c);
}

function trimLeft(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  return s.slice(i);
}

/** Go's strings.TrimSpace. */
function trimSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isSpace(s[end - 1])) end--;
  return trimLeft(s.slice(0, end));
}

function indexOfAny(s: string, chars: string): number {
  for (let i = 0; i < s.length; i++) if (chars.includes(s[i])) return i;
  return -1;
}

interface IniKey {
  name: string;
  value: string;
  comment: string;
  /** The first value given: go-ini's KeysHash, which sops reads the [sops] section through, keeps it. */
  readonly firstValue: string;
  /** Where the key was first given (its first value's line), for messages about the [sops] section. */
  readonly line?: number;
}

class IniSection {
  comment = "";
  readonly keys: IniKey[] = [];
  constructor(readonly name: string) {}

  /** go-ini Section.NewKey: a repeated name keeps its place and takes the new value. */
  newKey(name: string, value: string, line?: number): IniKey {
    const existing = this.keys.find((k) => k.name === name);
    if (existing) {
      existing.value = value;
      return existing;
    }
    const key = { name, value, comment: "", firstValue: value, line };
    this.keys.push(key);
    return key;
  }
}

/** go-ini's line-based parser with its default options (and non-unique sections, as sops loads it). */
class IniParser {
  private readonly lines: string[];
  private next = 0;
  private comment = "";
  eof = false;

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.lines = text.split("\n");
  }

  /** The 1-based number of the line read last. */
  get lineNumber(): number {
    return this.next;
  }

  fail(message: string, line = this.lineNumber): never {
    throw new SealboxError("CouldNotReadInputFile", message, { file: this.file, line });
  }

  /** bufio ReadBytes('\n'): the next line with its newline; the last one (possibly empty) sets eof. */
  private readLine(): string {
    if (this.next >= this.lines.length) {
      this.eof = true;
      return "";
    }
    const index = this.next++;
    if (index === this.lines.length - 1) {
      this.eof = true;
      return this.lines[index];
    }
    return this.lines[index] + "\n";
  }

  parse(): IniSection[] {
    let section = new IniSection(DEFAULT_SECTION);
    const sections = [section];
    let autoIncrement = 1;
    while (!this.eof) {
      const line = trimLeft(this.readLine());
      const lineNo = this.lineNumber;
      if (line === "") continue;
      if (line[0] === "#" || line[0] === ";") {
        this.comment += line;
        continue;
      }
      if (line[0] === "[") {
        const close = line.lastIndexOf("]");
        if (close < 0) this.fail("unclosed section header: missing ']'");
        const name = line.slice(1, close);
        if (name === "") this.fail("empty section name");
        section = new IniSection(name);
        sections.push(section);
        const rest = line.slice(close + 1);
        const at = indexOfAny(rest, "#;");
        if (at >= 0) this.comment += rest.slice(at);
        section.comment = trimSpace(this.comment);
        this.comment = "";
        autoIncrement = 1;
        continue;
      }
      const { name: keyName, offset } = this.readKeyName(line);
      let name = keyName;
      if (name === "-") name = `#${autoIncrement++}`;
      const value = this.readValue(line.slice(offset), lineNo);
      if (name === "") this.fail("empty key name", lineNo);
      const key = section.newKey(name, value, lineNo);
      key.comment = trimSpace(this.comment);
      this.comment = "";
    }
    return sections;
  }

  private readKeyName(line: string): { name: string; offset: number } {
    let quote = "";
    if (line[0] === '"') quote = goByteLength(line) > 6 && line.startsWith('"""') ? '"""' : '"';
    else if (line[0] === "`") quote = "`";
    if (quote) {
      const start = quote.length;
      let pos = line.slice(start).indexOf(quote);
      if (pos < 0) this.fail("missing closing quote of a quoted key");
      pos += start;
      const at = indexOfAny(line.slice(pos + start), DELIMITERS);
      if (at < 0) this.fail("key-value delimiter ('=' or ':') not found");
      return { name: trimSpace(line.slice(start, pos)), offset: pos + at + start + 1 };
    }
    const end = indexOfAny(line, DELIMITERS);
    if (end < 0) this.fail("key-value delimiter ('=' or ':') not found");
    return { name: trimSpace(line.slice(0, end)), offset: end + 1 };
  }

  private readValue(text: string, startLine: number): string {
    let line = trimLeft(text);
    if (line === "") return "";
    const quote = goByteLength(line) > 3 && line.startsWith('"""') ? '"""' : line[0] === "`" ? "`" : "";
    if (quote) {
      const body = line.slice(quote.length);
      const pos = body.lastIndexOf(quote);
      return pos < 0 ? this.readMultiline(body, quote, startLine) : body.slice(0, pos);
    }
    line = trimSpace(line);
    if (line.endsWith("\\")) return this.readContinuation(line.slice(0, -1));
    const at = indexOfAny(line, "#;");
    if (at >= 0) {
      this.comment += line.slice(at);
      line = trimSpace(line.slice(0, at));
    }
    if (hasSurroundingQuote(line, "'") || hasSurroundingQuote(line, '"')) line = line.slice(1, -1);
    return line;
  }

  private readMultiline(value: string, quote: string, startLine: number): string {
    for (;;) {
      const next = this.readLine();
      const pos = next.lastIndexOf(quote);
      if (pos >= 0) {
        const rest = next.slice(pos);
        const at = indexOfAny(rest, "#;");
        if (at >= 0) this.comment += trimSpace(rest.slice(at));
        return value + next.slice(0, pos);
      }
      value += next;
      if (this.eof) this.fail(`missing closing ${quote} of a multi-line value`, startLine);
    }
  }

  private readContinuation(value: string): string {
    for (;;) {
      const next = trimSpace(this.readLine());
      if (next === "") return value;
      value += next;
      if (!value.endsWith("\\")) return value;
      value = value.slice(0, -1);
    }
  }
}

/** go-ini hasSurroundedQuote: quoted at both ends and nowhere else. */
function hasSurroundingQuote(s: string, quote: string): boolean {
  return s.length >= 2 && s[0] === quote && s[s.length - 1] === quote && s.slice(1).indexOf(quote) === s.length - 2;
}

/** sops stripCommentChar. */
function stripCommentChar(comment: string): string {
  const lead = comment[0];
  if (lead !== ";" && lead !== "#") return comment;
  let i = 0;
  while (i < comment.length && (comment[i] === lead || comment[i] === " ")) i++;
  return comment.slice(i);
}

function parseSections(input: Uint8Array, file: string): IniSection[] {
  let bytes = input;
  // go-ini drops a UTF-8 BOM, and the two bytes of a UTF-16 one (it does not decode UTF-16).
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  else if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) bytes = bytes.subarray(2);
  return new IniParser(bytesToGoString(bytes), file).parse();
}

function sectionBranch(section: IniSection): Branch {
  const branch = new Branch();
  if (section.comment) branch.items.push({ key: new Comment(stripCommentChar(section.comment)), value: null });
  for (const key of section.keys) {
    branch.items.push({ key: key.name, value: key.value });
    if (key.comment) branch.items.push({ key: new Comment(stripCommentChar(key.comment)), value: null });
  }
  return branch;
}

function parsePlain(input: Uint8Array, file: string): Documents {
  return [new Branch(parseSections(input, file).map((s) => ({ key: s.name, value: sectionBranch(s) })))];
}

/** Sections stay in order; every `[sops]` section leaves the data, the first one becomes the `sops` branch. */
function parseEncrypted(input: Uint8Array, file: string): Documents {
  const sections = parseSections(input, file);
  const branch = new Branch(sections.filter((s) => s.name !== "sops").map((s) => ({ key: s.name, value: sectionBranch(s) })));
  const sops = sections.find((s) => s.name === "sops");
  if (sops) {
    try {
      branch.items.push({ key: "sops", value: unflattenMetadata(sops.keys.map((k) => ({ key: k.name, value: k.firstValue, line: k.line }))) });
    } catch (e) {
      throw e instanceof SealboxError ? e.inFile(file) : e;
    }
  }
  return [branch];
}

/** sops's INI valToString for the scalars a section can hold. */
function valueText(value: Value, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return value.toFixed(6); // strconv.FormatFloat(v, 'f', 6, 64)
  if (typeof value === "bigint") return value.toString();
  if (value === null) return "";
  if (value instanceof Uint8Array) return bytesToGoString(value);
  if (value instanceof Timestamp) return value.text;
  throw new SealboxError("ErrorDumpingTree", `cannot write a nested value in an INI file (${where})`);
}

/** The sections sops builds from the tree: one per top-level item, duplicates kept. */
function toSections(items: Branch["items"]): IniSection[] {
  const sections: IniSection[] = [];
  for (const item of items) {
    if (item.key instanceof Comment) continue;
    if (!(item.value instanceof Branch)) {
      throw new SealboxError("ErrorDumpingTree", `INI top-level values must be sections (${item.key} is not)`);
    }
    if (item.key === "") throw new SealboxError("ErrorDumpingTree", "INI sections need a name");
    const section = new IniSection(item.key);
    sections.push(section);
    const entries = item.value.items;
    let first = 0;
    if (entries[0]?.key instanceof Comment) {
      section.comment = entries[0].key.value;
      first = 1;
    }
    let last: IniKey | undefined;
    for (const entry of entries.slice(first)) {
      if (entry.key instanceof Comment) {
        if (last) last.comment = entry.key.value;
      } else {
        if (entry.key === "") throw new SealboxError("ErrorDumpingTree", `INI keys need a name (section ${item.key})`);
        last = section.newKey(entry.key, valueText(entry.value, `${item.key}.${entry.key}`));
      }
    }
  }
  return sections;
}

/** go-ini writes each comment line with one `;`/`#` and a space. */
function commentLines(comment: string, trimPlain: boolean): string {
  return comment
    .split("\n")
    .map((line) => {
      if (line[0] === "#" || line[0] === ";") return `${line[0]} ${trimSpace(line.slice(1))}\n`;
      return `; ${trimPlain ? trimSpace(line) : line}\n`;
    })
    .join("");
}

function quoteKey(name: string): string {
  if (name.includes('"') || indexOfAny(name, DELIMITERS) >= 0) return "`" + name + "`";
  if (name.includes("`")) return '"""' + name + '"""';
  return name;
}

function quoteValue(value: string): string {
  if (value.includes("\n") || value.includes("`")) return '"""' + value + '"""';
  if (value.includes("#") || value.includes(";")) return "`" + value + "`";
  if (trimSpace(value).length !== value.length) return `"${value}"`;
  return value;
}

/** go-ini File.WriteTo with PrettyFormat and PrettySection. */
function writeSections(sections: IniSection[]): Uint8Array {
  let out = "";
  sections.forEach((section, i) => {
    if (section.comment) out += commentLines(section.comment, false);
    if (i > 0 || section.name.toUpperCase() !== DEFAULT_SECTION) out += `[${section.name}]\n`;
    else if (section.keys.length === 0) return; // an empty leading DEFAULT is not written at all
    const width = Math.max(0, ...section.keys.map((k) => goByteLength(quoteKey(k.name))));
    for (const key of section.keys) {
      if (key.comment) out += commentLines(key.comment, true);
      const name = quoteKey(key.name);
      out += `${name}${" ".repeat(width - goByteLength(name))} = ${quoteValue(key.value)}\n`;
    }
    if (i < sections.length - 1) out += "\n";
  });
  return goStringToBytes(out);
}

function emitPlain(docs: Documents): Uint8Array {
  return writeSections(toSections(docs.flatMap((d) => d.items)));
}

function emitEncrypted(docs: Documents): Uint8Array {
  const items = docs.flatMap((d) => d.items);
  const metadata = items.find((item) => item.key === "sops")?.value;
  if (!(metadata instanceof Branch)) throw new SealboxError("ErrorDumpingTree", "no sops metadata to write");
  const sections = toSections(items.filter((item) => item.key !== "sops"));
  const sops = new IniSection("sops");
  for (const [key, text] of flattenMetadata(metadata)) sops.newKey(key, text);
  return writeSections([...sections, sops]);
}

export const iniCodec: Codec = { name: "ini", parsePlain, parseEncrypted, emitPlain, emitEncrypted };
