// JSON codec laid out as sops's JSON store writes it: Go's json.Marshal for keys and scalars
// (HTML characters escaped), json.Indent with tabs (or the stores config's spaces), a final newline. Our own small parser keeps
// key order, tells ints from floats, and reports the line of a syntax error.
import { Branch, Comment, Timestamp, type Documents, type Value } from "../tree/tree.js";
import { SealboxError } from "../errors.js";
import type { Codec, EmitOptions } from "./types.js";
import { oneDocument } from "./one-document.js";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

class JsonParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private fail(what: string, at = this.pos): never {
    const line = this.text.slice(0, at).split("\n").length;
    throw new SealboxError("CouldNotReadInputFile", `invalid JSON: ${what}`, { file: this.file, line });
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && " \t\r\n".includes(this.text[this.pos])) this.pos++;
  }

  parseDocument(): Value {
    this.skipSpace();
    const value = this.parseValue(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail("unexpected text after the top-level value");
    return value;
  }

  private parseValue(depth: number): Value {
    if (depth > 1000) this.fail("nesting deeper than 1000 levels");
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "{") return this.parseObject(depth);
    if (c === "[") return this.parseArray(depth);
    if (c === '"') return this.parseString();
    if (c === "-" || (c >= "0" && c <= "9")) return this.parseNumber();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    if (c === undefined) return this.fail("unexpected end of input");
    // punctuation may be named; anything else is the start of a value, which may be a secret
    const column = this.pos - this.text.lastIndexOf("\n", this.pos - 1);
    return this.fail(/[{}[\]:,"]/.test(c) ? `unexpected ${JSON.stringify(c)} at column ${column}` : `unexpected text at column ${column} (an unquoted value?)`);
  }

  private parseObject(depth: number): Branch {
    const branch = new Branch();
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return branch;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail("expected a string key");
      const key = this.parseString();
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail("expected ':' after a key");
      this.pos++;
      branch.items.push({ key, value: this.parseValue(depth + 1) });
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "}") return branch;
      if (c !== ",") this.fail("expected ',' or '}'", this.pos - 1);
    }
  }

  private parseArray(depth: number): Value[] {
    const list: Value[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return list;
    }
    for (;;) {
      list.push(this.parseValue(depth + 1));
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "]") return list;
      if (c !== ",") this.fail("expected ',' or ']'", this.pos - 1);
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail("unterminated string", start);
      if (c === '"') break;
      if (c === "\\") this.pos++;
      else if (c < " ") this.fail("control character in a string");
      this.pos++;
    }
    this.pos++;
    try {
      // Go's decoder turns an unpaired surrogate escape into U+FFFD
      return (JSON.parse(this.text.slice(start, this.pos)) as string).replace(LONE_SURROGATE, "\ufffd");
    } catch {
      return this.fail("invalid escape in a string", start);
    }
  }

  private parseNumber(): bigint | number {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) return this.fail("invalid number");
    this.pos += match[0].length;
    // sops decodes with UseNumber and keeps an int when json.Number.Int64 accepts it (store.go
    // normalizeJSONNumber): no fraction, no exponent, within int64; anything else is a float64
    if (!(match[2] || match[3])) {
      const int = BigInt(match[0]);
      if (int >= INT64_MIN && int <= INT64_MAX) return int;
    }
    // 1e400 would become Infinity: JSON cannot write it back, so the file could never be decrypted
    const f = Number(match[0]);
    return Number.isFinite(f) ? f : this.fail("number out of range for a 64-bit float");
  }
}

/** Go's json.Marshal string escaping: like JSON.stringify, plus <, >, &, U+2028 and U+2029. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function scalarJson(value: Value): string {
  if (value === null) return "null";
  if (typeof value === "string") return goJsonString(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new SealboxError("ErrorDumpingTree", "JSON cannot hold an infinite or NaN number");
    // encoding/json floatEncoder: 'f' form within [1e-6, 1e21), else 'e' with "e-07" shortened to
    // "e-7": the same cut-offs and digits as JavaScript's, apart from the sign of -0
    return Object.is(value, -0) ? "-0" : String(value);
  }
  if (typeof value === "boolean") return String(value);
  if (value instanceof Uint8Array) return goJsonString(Buffer.from(value).toString("base64"));
  if (value instanceof Timestamp) return goJsonString(value.text);
  throw new SealboxError("ErrorDumpingTree", "unexpected value in JSON output");
}

/**
 * What json.Indent indents each level with in sops's reindentJSON: a tab for -1 (the default), else
 * that many spaces; 0 is the empty string, and json.Indent still puts every element on a line of its own.
 */
export function jsonIndentUnit(options: EmitOptions = {}): string {
  const indent = options.indent ?? -1;
  return indent === -1 ? "\t" : " ".repeat(indent);
}

/** json.Indent(prefix "", indent `unit`) of the compact encoding: empty containers stay `{}` / `[]`. */
export function emitJsonValue(value: Value, unit = "\t", indent = ""): string {
  const inner = indent + unit;
  if (value instanceof Branch) {
    const items = value.items.filter((i) => !(i.key instanceof Comment));
    if (items.length === 0) return "{}";
    const lines = items.map((i) => `${inner}${goJsonString(i.key as string)}: ${emitJsonValue(i.value, unit, inner)}`);
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  if (Array.isArray(value)) {
    const elements = value.filter((v) => !(v instanceof Comment));
    if (elements.length === 0) return "[]";
    return `[\n${elements.map((v) => inner + emitJsonValue(v, unit, inner)).join(",\n")}\n${indent}]`;
  }
  return scalarJson(value);
}

export function parseJson(input: Uint8Array, file: string): Value {
  return new JsonParser(Buffer.from(input).toString("utf8"), file).parseDocument();
}

function parseTopObject(input: Uint8Array, file: string): Documents {
  const value = parseJson(input, file);
  if (!(value instanceof Branch)) {
    throw new SealboxError("CouldNotReadInputFile", "JSON documents must be an object at the top level", { file, line: 1 });
  }
  return [value];
}

function emit(docs: Documents, options?: EmitOptions): Uint8Array {
  return Buffer.from(emitJsonValue(docs.length === 0 ? new Branch() : oneDocument(docs, "JSON"), jsonIndentUnit(options)) + "\n");
}

export const jsonCodec: Codec = {
  name: "json",
  parsePlain: parseTopObject,
  parseEncrypted: parseTopObject,
  emitPlain: emit,
  emitEncrypted: emit,
};
