// A fast reader for the plain layout sops and sealbox write: block mappings and sequences, plain,
// double-quoted (no escapes) and literal (`|`, `|-`) scalars, no comments, anchors, tags, flow
// collections or second documents. It gives exactly the tree the full reader (./yaml.ts, the yaml
// library) gives, or undefined the moment a line is outside that layout, and the full reader takes
// over (and reports any error with its line). Reading a rotated file this way costs ~0.03 ms
// instead of ~0.3 ms, and `decrypt` of such a file never loads the yaml library (docs/performance.md).
// The same layout reader, with plain scalars read as the yaml library reads them, takes the
// Kubernetes manifests `seal` reads (src/sealed/manifest.ts: parseFastYamlStream).
import { Branch, type Documents, type Value } from "../tree/tree.js";
import { plainScalarValue, keyText } from "./yaml-scalars.js";

/**
 * What the reader makes of mappings and plain scalars (quoted and literal scalars are strings,
 * sequences arrays and a missing value null in every reading). Any of them may call `outside`.
 */
export interface FastValues<T> {
  mapping(entries: [string, T][]): T;
  plain(source: string): T;
  /** A plain key's text as a map key. */
  key(source: string): string;
}

/** sops's tree: go-yaml's reading of plain scalars (./yaml-scalars.ts). */
const SOPS_VALUES: FastValues<Value> = {
  mapping: (entries) => new Branch(entries.map(([key, value]) => ({ key, value }))),
  plain: plainScalarValue,
  key: (source) => keyText(plainScalarValue(source)),
};

/** Thrown inside the reader (or a FastValues hook) to give up; never leaves parseFastYaml or parseFastYamlStream. */
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
  const lines = fastLines(text);
  return lines && attempt(() => [new Reader(lines, SOPS_VALUES).document() as Branch]);
}

/** One document of a stream: null for an empty one; `line` is where it starts (its `---`, if any). */
export interface FastDocument<T> {
  value: T | null;
  line: number;
}

/**
 * Several documents, split at lines of `---` alone, each a block mapping in the fast layout, as the
 * yaml library's parser and composer give them (a stray `---` is an empty document); undefined as
 * soon as anything is outside it.
 */
export function parseFastYamlStream<T>(text: string, values: FastValues<T>): FastDocument<T>[] | undefined {
  const lines = fastLines(text);
  if (!lines) return undefined;
  return attempt(() => {
    const docs: FastDocument<T>[] = [];
    let start = 0;
    let marker = -1;
    const finish = (end: number): void => {
      const part = lines.slice(start, end);
      const first = part.findIndex((line) => line !== "");
      // text before the first `---` is a document only if there is some; after a `---`, always
      if (first < 0 && marker < 0) return;
      docs.push({ value: first < 0 ? null : (new Reader(part, values).document() as T), line: marker >= 0 ? marker + 1 : first + 1 });
    };
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== "---") continue;
      finish(i);
      marker = i;
      start = i + 1;
    }
    finish(lines.length);
    return docs;
  });
}

/** The text's lines when nothing in it is outside the layout at a glance (the reader checks the rest). */
function fastLines(text: string): string[] | undefined {
  if (text === "" || UNSUPPORTED.test(text) || BLANK_WITH_SPACES.test(text)) return undefined;
  const lines = text.split("\n");
  // without a final line break a last literal block would lose its own: keep the rules simple
  if (lines[lines.length - 1] !== "") return undefined;
  lines.pop();
  return lines;
}

function attempt<R>(read: () => R): R | undefined {
  try {
    return read();
  } catch (error) {
    if (error === OUTSIDE) return undefined;
    throw error;
  }
}

/** Gives up on the text: the caller's full reader takes it. */
export function outside(): never {
  throw OUTSIDE;
}

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

// Values are typed loosely inside: T stands for whatever `values` makes, strings, nulls and arrays.
class Reader<T> {
  private i = 0;
  constructor(
    private readonly lines: string[],
    private readonly values: FastValues<T>,
  ) {}

  document(): unknown {
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

  private mapping(indent: number): unknown {
    if (++this.depth > MAX_DEPTH) outside();
    const entries: [string, T][] = [];
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
      const key = this.values.key(keySource);
      // the full reader reports duplicate keys with their line
      if (seen.has(key)) outside();
      seen.add(key);
      this.i++;
      entries.push([key, (bare ? this.nested(indent, true) : this.inline(content.slice(colon + 2), indent)) as T]);
    }
    if (this.peekIndent() > indent) outside();
    this.depth--;
    return this.values.mapping(entries);
  }

  /** What follows `key:` (or a lone `-`) on the next lines: a mapping, a sequence, or nothing (null). */
  private nested(indent: number, sequenceMayAlign: boolean): unknown {
    const next = this.peekIndent();
    if (next < 0 || next < indent) return null;
    const content = this.lines[this.i].slice(next);
    if (next === indent) return sequenceMayAlign && this.isItem(content) ? this.sequence(indent) : null;
    return this.isItem(content) ? this.sequence(next) : this.mapping(next);
  }

  private sequence(indent: number): unknown[] {
    if (++this.depth > MAX_DEPTH) outside();
    const list: unknown[] = [];
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
  private inline(source: string, indent: number): unknown {
    if (source === "|" || source === "|-") return this.literal(indent, source === "|");
    if (source.startsWith('"')) {
      if (source.length < 2 || !source.endsWith('"') || source.slice(1, -1).includes('"')) outside();
      return source.slice(1, -1);
    }
    if (INDICATOR_FIRST.test(source) || source.includes(": ") || source.endsWith(":") || source.endsWith(" ")) outside();
    // a plain scalar continued on a more indented line
    if (this.peekIndent() > indent) outside();
    return this.values.plain(source);
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
