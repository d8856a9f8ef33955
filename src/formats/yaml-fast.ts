// A fast reader for the plain layout sops and sealbox write: block mappings and sequences, plain,
// double-quoted (no escapes) and literal (`|`, `|-`) scalars, no comments, anchors, tags, flow
// collections or second documents. It gives exactly the tree the full reader (./yaml.ts, the yaml
// library) gives, or undefined the moment a line is outside that layout, and the full reader takes
// over (and reports any error with its line). Reading a rotated file this way costs ~0.03 ms
// instead of ~0.3 ms, and `decrypt` of such a file never loads the yaml library (docs/performance.md).
import { Branch, type Documents, type Value } from "../tree/tree.js";
import { plainScalarValue, keyText } from "./yaml-scalars.js";

/** Thrown inside the reader to give up; never leaves this module. */
const OUTSIDE = Symbol("outside the fast layout");

// Characters whose meaning the fast reader does not model anywhere in a file: comments, tabs, CR,
// BOM, escapes, control characters and YAML 1.1 line breaks (go-yaml folds them).
const UNSUPPORTED = /[#\\\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029]/;
// A key: plain and short, nothing that needs quoting, and not a number (the yaml library and
// go-yaml read 010 differently, so duplicate-key checks could disagree).
const KEY = /^[A-Za-z_./][A-Za-z0-9_./-]*$/;
// A plain scalar's first character may not be an indicator (YAML 1.2 §7.3.3).
const INDICATOR_FIRST = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
const MAX_KEY = 1000;
// Deeper documents go to the full reader, which owns the nesting limits and their messages.
const MAX_DEPTH = 64;

// A line of spaces only: inside a literal block YAML's chomping treats it as an empty line, which
// the reader does not model, so such files go to the full reader.
const BLANK_WITH_SPACES = /^ +$/m;

export function parseFastYaml(text: string): Documents | undefined {
  if (text === "" || UNSUPPORTED.test(text) || BLANK_WITH_SPACES.test(text)) return undefined;
  const lines = text.split("\n");
  // without a final line break a last literal block would lose its own: keep the rules simple
  if (lines[lines.length - 1] !== "") return undefined;
  lines.pop();
  try {
    return [new Reader(lines).document()];
  } catch (error) {
    if (error === OUTSIDE) return undefined;
    throw error;
  }
}

function outside(): never {
  throw OUTSIDE;
}

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

class Reader {
  private i = 0;
  constructor(private readonly lines: string[]) {}

  document(): Branch {
    this.skipBlank();
    if (this.i >= this.lines.length || indentOf(this.lines[this.i]) !== 0) outside();
    const top = this.mapping(0);
    this.skipBlank();
    if (this.i !== this.lines.length) outside();
    return top;
  }

  private skipBlank(): void {
    while (this.i < this.lines.length && this.lines[this.i] === "") this.i++;
  }

  /** The next non-blank line's indentation, or -1 at the end. */
  private peekIndent(): number {
    this.skipBlank();
    return this.i < this.lines.length ? indentOf(this.lines[this.i]) : -1;
  }

  private isItem(content: string): boolean {
    return content === "-" || content.startsWith("- ");
  }

  private depth = 0;

  private mapping(indent: number): Branch {
    if (++this.depth > MAX_DEPTH) outside();
    const branch = new Branch();
    const seen = new Set<string>();
    while (this.peekIndent() === indent) {
      const line = this.lines[this.i];
      const content = line.slice(indent);
      if (this.isItem(content) || line.endsWith(" ")) outside();
      const colon = content.indexOf(": ");
      const bare = colon < 0 && content.endsWith(":");
      if (colon < 0 && !bare) outside();
      const keySource = bare ? content.slice(0, -1) : content.slice(0, colon);
      if (keySource.length > MAX_KEY || !KEY.test(keySource)) outside();
      const key = keyText(plainScalarValue(keySource));
      // the full reader reports duplicate keys with their line
      if (seen.has(key)) outside();
      seen.add(key);
      this.i++;
      branch.items.push({ key, value: bare ? this.nested(indent, true) : this.inline(content.slice(colon + 2), indent) });
    }
    if (this.peekIndent() > indent) outside();
    this.depth--;
    return branch;
  }

  /** What follows `key:` (or a lone `-`) on the next lines: a mapping, a sequence, or nothing (null). */
  private nested(indent: number, sequenceMayAlign: boolean): Value {
    const next = this.peekIndent();
    if (next < 0 || next < indent) return null;
    const content = this.lines[this.i].slice(next);
    if (next === indent) return sequenceMayAlign && this.isItem(content) ? this.sequence(indent) : null;
    return this.isItem(content) ? this.sequence(next) : this.mapping(next);
  }

  private sequence(indent: number): Value[] {
    if (++this.depth > MAX_DEPTH) outside();
    const list: Value[] = [];
    while (this.peekIndent() === indent && this.isItem(this.lines[this.i].slice(indent))) {
      const line = this.lines[this.i];
      if (line.endsWith(" ")) outside();
      const rest = line.slice(indent + 2);
      if (line.length === indent + 1) {
        this.i++;
        list.push(this.nested(indent, false));
      } else if (this.isItem(rest)) {
        // "- - item": a sequence whose items stand two columns in
        this.lines[this.i] = " ".repeat(indent + 2) + rest;
        list.push(this.sequence(indent + 2));
      } else if (rest.includes(": ") || rest.endsWith(":")) {
        // "- key: value": a mapping whose keys stand two columns in
        this.lines[this.i] = " ".repeat(indent + 2) + rest;
        list.push(this.mapping(indent + 2));
      } else {
        this.i++;
        list.push(this.inline(rest, indent));
      }
    }
    this.depth--;
    return list;
  }

  /** A scalar written after `key: ` or `- `; `indent` is the key's or dash's column. */
  private inline(source: string, indent: number): Value {
    if (source === "|" || source === "|-") return this.literal(indent, source === "|");
    if (source.startsWith('"')) {
      if (source.length < 2 || !source.endsWith('"') || source.slice(1, -1).includes('"')) outside();
      return source.slice(1, -1);
    }
    if (INDICATOR_FIRST.test(source) || source.includes(": ") || source.endsWith(":") || source.endsWith(" ")) outside();
    // a plain scalar continued on a more indented line
    if (this.peekIndent() > indent) outside();
    return plainScalarValue(source);
  }

  /** A literal block scalar's lines (clip keeps one final line break, strip none). */
  private literal(indent: number, clip: boolean): string {
    const start = this.i;
    const blockIndent = this.i < this.lines.length ? indentOf(this.lines[this.i]) : 0;
    if (blockIndent <= indent) outside();
    const parts: string[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line === "" || indentOf(line) < blockIndent) break;
      parts.push(line.slice(blockIndent));
      this.i++;
    }
    // blank lines inside or after a block, and lines less indented than it, follow rules not modelled here
    if (this.i === start || (this.i < this.lines.length && (this.lines[this.i] === "" || indentOf(this.lines[this.i]) > indent))) outside();
    return parts.join("\n") + (clip ? "\n" : "");
  }
}
