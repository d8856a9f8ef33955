// The JSON codec reads what sops's JSON store reads (stores/json/store.go: a token decoder with
// UseNumber, normalizeJSONNumber) and writes what it writes (json.Marshal per scalar, json.Indent
// with a tab, a final newline). Expected texts below are derived from that Go source.
import { describe, expect, it } from "vitest";
import { jsonCodec } from "../../src/formats/json.js";
import { Branch } from "../../src/tree/tree.js";

const parse = (text: string): Branch => jsonCodec.parsePlain(Buffer.from(text), "t.json")[0];
const roundTrip = (text: string): string => Buffer.from(jsonCodec.emitPlain(jsonCodec.parsePlain(Buffer.from(text), "t.json"))).toString();

describe("JSON as sops reads it", () => {
  it("keeps an int only where json.Number.Int64 accepts it; everything else is a float64", () => {
    const doc = parse('{"i":8080,"neg":-3,"whole":1.0,"exp":1e3,"big":9223372036854775808,"max":9223372036854775807,"z":-0}');
    expect(doc.get("i")).toBe(8080n);
    expect(doc.get("neg")).toBe(-3n);
    expect(doc.get("whole")).toBe(1); // ParseInt("1.0") fails: float, encrypted as type:float
    expect(doc.get("exp")).toBe(1000);
    expect(doc.get("big")).toBe(9223372036854775808); // beyond int64: Float64()
    expect(doc.get("max")).toBe(9223372036854775807n);
    expect(doc.get("z")).toBe(0n); // Int64("-0") is 0
  });

  it("refuses a number Float64 cannot hold, as sops does (strconv.ErrRange)", () => {
    expect(() => parse('{"x": 1e400}')).toThrow(/out of range/);
  });

  it("keeps duplicate keys in order: the token decoder appends every pair", () => {
    const doc = parse('{"a": 1, "a": 2}');
    expect(doc.items.map((i) => [i.key, i.value])).toEqual([
      ["a", 1n],
      ["a", 2n],
    ]);
  });

  it("decodes an unpaired surrogate escape to U+FFFD, as encoding/json does", () => {
    expect(parse('{"s": "a\\ud800b\\ud83d\\ude00"}').get("s")).toBe("a\ufffdb😀");
  });

  it.each([
    ["an array", "[1]"],
    ["a scalar", "1"],
    ["a string", '"x"'],
  ])("refuses %s at the top level (SOPS only supports a top-level object)", (_name, text) => {
    expect(() => parse(text)).toThrow(/object at the top level/);
  });
});

describe("JSON as sops writes it", () => {
  it("indents with one tab per level, ': ' after keys, empty containers stay {} and []", () => {
    // json.Indent drops the compact form's spacing and re-adds ": "; "{}"/"[]" get no newline inside
    expect(roundTrip('{"a":{},"b":[],"c":{"d":[{},[]]}}')).toBe('{\n\t"a": {},\n\t"b": [],\n\t"c": {\n\t\t"d": [\n\t\t\t{},\n\t\t\t[]\n\t\t]\n\t}\n}\n');
  });

  it("an empty object is written as {}", () => {
    expect(roundTrip("{}")).toBe("{}\n");
  });

  it("escapes <, >, & and U+2028/U+2029 as json.Marshal does (HTML-safe), short escapes for control characters", () => {
    expect(roundTrip('{"s": "<a & b>\\u2028\\u2029\\b\\f\\n\\r\\t\\u0001\\u007f é"}')).toBe(
      '{\n\t"s": "\\u003ca \\u0026 b\\u003e\\u2028\\u2029\\b\\f\\n\\r\\t\\u0001\u007f é"\n}\n',
    );
  });

  it("formats floats as encoding/json's floatEncoder: 'f' in [1e-6, 1e21), else 'e' with e-7 not e-07, and keeps -0", () => {
    expect(roundTrip('{"a": 1.0, "b": 1e3, "c": 1e-7, "d": 1e21, "e": 0.000001, "f": -0.0, "g": 1.5, "h": 123456789012345678901234567890}')).toBe(
      '{\n\t"a": 1,\n\t"b": 1000,\n\t"c": 1e-7,\n\t"d": 1e+21,\n\t"e": 0.000001,\n\t"f": -0,\n\t"g": 1.5,\n\t"h": 1.2345678901234568e+29\n}\n',
    );
  });

  it("writes an int beyond int64 as the float64 it was read as", () => {
    expect(roundTrip('{"big": 9223372036854775808}')).toBe('{\n\t"big": 9223372036854776000\n}\n');
  });
});
