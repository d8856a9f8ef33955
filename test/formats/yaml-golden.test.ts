// Golden YAML cases for what sops 3.13.2 prints. No sops binary is at hand: every expected text here
// was worked out by hand from the Go source sops uses (go.yaml.in/yaml/v3: resolve.go, encode.go,
// emitterc.go, yamlprivateh.go; sops stores/yaml/store.go). Each case names the rule it comes from.
import { describe, expect, it } from "vitest";
import { yamlCodec } from "../../src/formats/yaml.js";
import { emitYamlValue } from "../../src/formats/yaml-emit.js";
import { Branch, Comment, Timestamp } from "../../src/tree/tree.js";

const parse = (text: string): Branch[] => yamlCodec.parsePlain(Buffer.from(text), "t.yaml");
const emit = (docs: Branch[]): string => Buffer.from(yamlCodec.emitPlain(docs)).toString();
const roundTrip = (text: string): string => emit(parse(text));

describe("go-yaml resolve: what a plain scalar is read as", () => {
  it.each([
    ["9223372036854775807", 9223372036854775807n], // ParseInt(plain, 0, 64)
    ["9223372036854775808", 9223372036854775808n], // ParseUint: still an int (uint64)
    ["18446744073709551616", 18446744073709551616], // neither: yamlStyleFloat, ParseFloat
    ["-9223372036854775809", -9223372036854775809], // ParseUint takes no sign: float
    ["0777", 511n], // base 0: a leading 0 is octal
    ["08", 8], // not octal, not an int: yamlStyleFloat matches, a float
    ["0o17", 15n],
    ["0b101", 5n],
    ["0x1F", 31n],
    ["+12", 12n],
    ["-0", 0n], // ParseInt("-0") is 0: an int, not -0.0
    ["1_000", 1000n], // underscores are dropped before ParseInt
    ["1_0.5", 10.5],
    [".5", 0.5], // the '.' hint: ParseFloat
    ["-.inf", -Infinity],
    [".NaN", NaN],
    ["1e400", "1e400"], // ParseFloat's ErrRange: falls through to !!str
    ["0xFFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFFF"], // overflows both: !!str
    ["<<", "<<"], // '<' has no hint in v3's resolveTable
    ["yes", "yes"], // YAML 1.1 booleans are strings in v3
    ["True", true],
    ["~", null],
  ])("%s", (text, expected) => {
    const value = parse(`k: ${text}\n`)[0].get("k");
    if (typeof expected === "number" && Number.isNaN(expected)) expect(Number.isNaN(value)).toBe(true);
    else expect(value).toBe(expected);
  });
});

describe("timestamps: v3 decodes them into interface{} as time.Time (decode.go scalar: no string fallback)", () => {
  it.each([
    ["2024-01-01", "2024-01-01T00:00:00Z"], // date only: midnight UTC
    ["2024-1-2T3:04:05.120Z", "2024-01-02T03:04:05.12Z"], // RFC3339Nano: padded fields, no trailing zeros
    ["2024-01-01t10:00:00+00:00", "2024-01-01T10:00:00Z"], // a zero offset formats as Z
    ["2024-01-01T10:00:00.5-05:30", "2024-01-01T10:00:00.5-05:30"],
    ["2024-01-01 10:00:00.0001234567891", "2024-01-01T10:00:00.000123456Z"], // no zone: UTC; nine digits kept
  ])("%s is a time, encrypted as type:time with text %s and written back in that form", (text, rfc3339) => {
    const value = parse(`k: ${text}\n`)[0].get("k");
    expect(value).toBeInstanceOf(Timestamp);
    expect((value as Timestamp).text).toBe(rfc3339);
    // encode.go timev: RFC3339Nano, plain (the !!timestamp tag resolves implicitly and is dropped)
    expect(roundTrip(`k: ${text}\n`)).toBe(`k: ${rfc3339}\n`);
  });

  it.each(["2024-02-30", "2024-13-01", "2024-01-01T10:00:00", "'2024-01-01'"])("%s is not (time.Parse fails, or it is quoted)", (text) => {
    expect(typeof parse(`k: ${text}\n`)[0].get("k")).toBe("string");
  });
});

describe("encode.go stringv + emitterc.go select_scalar_style: how a string is written", () => {
  it.each([
    ["a date is double-quoted (resolves to !!timestamp)", "k: '2024-01-01'\n", 'k: "2024-01-01"\n'],
    ["an invalid date is a plain string (time.Parse range check)", "k: 2024-02-30\n", "k: 2024-02-30\n"],
    ["a space-separated timestamp is double-quoted", "k: '2024-1-1 1:2:3'\n", 'k: "2024-1-1 1:2:3"\n'],
    ["base 60 is double-quoted (isBase60Float)", "k: '12:30:45'\n", 'k: "12:30:45"\n'],
    ["1e400 reads as a string, so it stays plain", "k: 1e400\n", "k: 1e400\n"],
    ["<< is plain", "k: '<<'\n", "k: <<\n"],
    ["a leading '- ' takes single quotes (block indicator)", "k: '- x'\n", "k: '- x'\n"],
    ["'-x' stays plain (no whitespace after -)", "k: '-x'\n", "k: -x\n"],
    ["'?x' stays plain, '? x' does not", "a: '?x'\nb: '? x'\n", "a: ?x\nb: '? x'\n"],
    ["' #' takes quotes, 'a#b' does not", "a: 'a #b'\nb: 'a#b'\n", "a: 'a #b'\nb: a#b\n"],
    ["a leading ',' takes quotes, a trailing one does not", "a: ',x'\nb: 'x,'\n", "a: ',x'\nb: x,\n"],
    ["'---x' takes quotes (document marker)", "k: '---x'\n", "k: '---x'\n"],
    ["a trailing space takes single quotes", "k: 'trail '\n", "k: 'trail '\n"],
    ["a tab forces double quotes", 'k: " lead\\ttab"\n', 'k: " lead\\ttab"\n'],
    ["NBSP is printable: plain", 'k: "a\\u00a0b"\n', "k: a\u00a0b\n"],
    ["NEL is not printable (is_printable wants C2 A0+): escaped \\N", 'k: "nel\\u0085x"\n', 'k: "nel\\Nx"\n'],
    ["DEL is escaped as \\x7F", 'k: "\\x7f"\n', 'k: "\\x7F"\n'],
    ["a character past U+FFFF is escaped as \\U (4-byte UTF-8 is not printable)", "k: a🔐b\n", 'k: "a\\U0001F510b"\n'],
    ["a leading BOM escapes every character (is_bom looks at the value's start)", 'k: "\\ufeffab"\n', 'k: "\\uFEFF\\x61\\x62"\n'],
    // U+2028 is printable but a break (is_break): multiline, so no plain; single quotes keep it raw and
    // write_indent follows it; go-yaml reads the indentation back as folding, and so do we
    ["a line separator is written raw in single quotes, followed by the indentation", 'k: "ls\u2028x"\n', "k: 'ls\u2028    x'\n"],
    ["a single-quoted apostrophe is doubled", "k: \"'a: b'\"\n", "k: '''a: b'''\n"],
    ["the empty string is \"\" (resolves to null)", "k: ''\n", 'k: ""\n'],
  ])("%s", (_name, input, expected) => {
    expect(roundTrip(input)).toBe(expected);
  });
});

describe("U+2028 round trip", () => {
  it("a string with a line separator reads back unchanged, in a value or in a (complex) key", () => {
    const tree = new Branch([{ key: " \u2028x", value: "a\u2028b" }]);
    const out = emit([tree]);
    expect(out).toBe('? " \\Lx"\n: \'a\u2028    b\'\n');
    expect(parse(out)[0].items).toEqual(tree.items);
  });
});

describe("block scalars (write_literal_scalar, write_block_scalar_hints)", () => {
  it.each([
    ["clip: one trailing newline, no chomping indicator", 'k: "a\\nb\\n"\n', "k: |\n    a\n    b\n"],
    ["strip: no trailing newline", 'k: "a\\nb"\n', "k: |-\n    a\n    b\n"],
    ["keep: two trailing newlines", 'k: "a\\n\\n"\nz: 1\n', "k: |+\n    a\n\nz: 1\n"],
    ["a leading space adds the indentation indicator 4", 'k: "  x\\ny\\n"\n', "k: |4\n      x\n    y\n"],
    ["a leading newline keeps its empty line (the header line always ends first)", 'k: "\\nx"\n', "k: |4-\n\n    x\n"],
    ["a lone newline is |4+", 'k: "\\n"\n', "k: |4+\n\n"],
    ["trailing space before a newline forbids a block: double quotes", 'k: "a \\nb"\n', 'k: "a \\nb"\n'],
    ["empty lines inside carry no indentation", 'k: "a\\n\\nb\\n"\n', "k: |\n    a\n\n    b\n"],
  ])("%s", (_name, input, expected) => {
    expect(roundTrip(input)).toBe(expected);
  });

  it("a 100 KB multi-line value is one literal block, each line indented once", () => {
    const line = "x".repeat(99);
    const value = Array.from({ length: 1000 }, () => line).join("\n") + "\n";
    const out = emit([new Branch([{ key: "big", value }])]);
    expect(out).toBe("big: |\n" + Array.from({ length: 1000 }, () => `    ${line}\n`).join(""));
    expect(parse(out)[0].get("big")).toBe(value);
  });
});

describe("no line folding (apic.go: best_width starts at -1, sops never calls SetWidth, so the width is 1<<31-1)", () => {
  const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");

  it("a long plain value stays on one line", () => {
    expect(roundTrip(`x: ${words}\n`)).toBe(`x: ${words}\n`);
  });

  it("so do long single- and double-quoted values, and long values in lists", () => {
    const quoted = `a: ${words}`;
    expect(roundTrip(`x: '${quoted}'\nl:\n  - ${words}\n`)).toBe(`x: '${quoted}'\nl:\n    - ${words}\n`);
    const tabbed = Array.from({ length: 30 }, (_, i) => `w\\t${i}`).join(" ");
    expect(roundTrip(`x: "${tabbed}"\n`)).toBe(`x: "${tabbed}"\n`);
  });

  it("a 100 KB value with spaces is one line", () => {
    const value = Array.from({ length: 25_000 }, (_, i) => `w${i % 1000}`).join(" ");
    expect(value.length).toBeGreaterThan(100_000);
    const out = emit([new Branch([{ key: "big", value }])]);
    expect(out).toBe(`big: ${value}\n`);
  });
});

describe("keys (emit_block_mapping_key, check_simple_key)", () => {
  it("a key over 128 bytes is written as a complex key, its value after ': ' on the next line", () => {
    const key = "k".repeat(129);
    expect(roundTrip(`${key}: v\n`)).toBe(`? ${key}\n: v\n`);
    // the mapping value starts on the ':' line, padded to the indent step (write_indent without a break)
    expect(roundTrip(`${key}:\n  n: 1\n  m: 2\n`)).toBe(`? ${key}\n:   "n": 1\n    m: 2\n`);
  });

  it("128 bytes is still a simple key, counted in UTF-8 bytes", () => {
    const ascii = "k".repeat(128);
    expect(roundTrip(`${ascii}: v\n`)).toBe(`${ascii}: v\n`);
    const utf8 = "é".repeat(65); // 130 bytes, 65 characters
    expect(roundTrip(`${utf8}: v\n`)).toBe(`? ${utf8}\n: v\n`);
  });

  it("a multi-line key is a complex key holding a literal block", () => {
    expect(roundTrip('"multi\\nline": v\n')).toBe("? |-\n    multi\n    line\n: v\n");
  });

  it("quoted keys keep the quoting a value would get", () => {
    expect(roundTrip("\"123\": a\n'yes': b\n'a: b': c\n\"\": d\n\"true\": e\n")).toBe("\"123\": a\n\"yes\": b\n'a: b': c\n\"\": d\n\"true\": e\n");
  });
});

describe("indentation (increase_indent: sequence items skip '- ', everything else rounds up to 4)", () => {
  it("20 levels of mappings and lists", () => {
    let input = "";
    let expected = "";
    for (let i = 0; i < 20; i++) {
      input += `${"  ".repeat(i)}l${i}:\n`;
      expected += `${"    ".repeat(i)}l${i}:\n`;
    }
    input += `${"  ".repeat(20)}- a\n${"  ".repeat(20)}- - b\n${"  ".repeat(20)}  - c: 1\n${"  ".repeat(20)}    d: 2\n`;
    const pad = "    ".repeat(20);
    expected += `${pad}- a\n${pad}- - b\n${pad}  - c: 1\n${pad}    d: 2\n`;
    expect(roundTrip(input)).toBe(expected);
  });

  it("a mapping inside a list item nests to the next multiple of 4", () => {
    expect(roundTrip("a:\n- x:\n    w: 1\n")).toBe("a:\n    - x:\n        w: 1\n");
  });
});

describe("comments as sops places them (store.go) and go-yaml writes them (emitterc.go)", () => {
  it("head comments above keys and list items, inline ones after values, trailing ones at the block's indent", () => {
    const input =
      "# top\n\n# top2\na: 1 # c1\n# before b\nb:\n  # first in b\n  c: 2\n  # end of b\n# before l\nl:\n  # first of l\n  - x # ix\n  # between\n  - y\n  # end of l\nz: 3\n";
    expect(roundTrip(input)).toBe(
      "# top\n# top2\na: 1 # c1\n# before b\nb:\n    # first in b\n    c: 2\n    # end of b\n# before l\nl:\n    # first of l\n    - x # ix\n    # between\n    - \"y\"\n    # end of l\nz: 3\n",
    );
  });

  it("a comment on a key's line before a nested block is the key's line comment: sops moves it above the key", () => {
    expect(roundTrip("key: # on key\n  # inside\n  m: 1\nlist: # on list\n  - a\n")).toBe("# on key\nkey:\n    # inside\n    m: 1\n# on list\nlist:\n    - a\n");
  });

  it("a comment before a list item's first key goes above its dash, once", () => {
    expect(roundTrip("items:\n  - # weird\n    name: b\n")).toBe("items:\n    # weird\n    - name: b\n");
  });

  it("trailing comments belong to the block their column reaches", () => {
    expect(roundTrip("a:\n  b:\n    c:\n      d: 1\n      # deep\n    # mid\n  # shallow\nz: 1\n")).toBe(
      "a:\n    b:\n        c:\n            d: 1\n            # deep\n        # mid\n    # shallow\nz: 1\n",
    );
  });

  it("a list's trailing comment after a mapping item waits for the next scalar (MAPPING-END foot, processed late)", () => {
    // appendSequence puts it on the item mapping's FootComment: the MAPPING-END event carries it,
    // and the emitter only writes a pending foot comment after the next value it emits
    expect(roundTrip("a:\n  - k: v\n  # end of a\nb: 2\n")).toBe("a:\n    - k: v\nb: 2\n# end of a\n");
  });

  it("a pending foot comment at the end of the document is separated by a blank line (forced document foot separation)", () => {
    expect(roundTrip("a:\n  - k: v\n  # end of a\n")).toBe("a:\n    - k: v\n\n# end of a\n");
  });

  it("two inline comments for one value: the second on its own line at the mapping's indent", () => {
    const branch = new Branch([
      { key: "a", value: new Branch([
        { key: new Comment(" one", true), value: null },
        { key: new Comment(" two", true), value: null },
        { key: "b", value: "x" },
      ]) },
    ]);
    // appendTreeBranch joins them into one LineComment "# one\n# two"; write_comment indents the
    // second line to the current indent, which is the mapping's once the scalar is written
    expect(emit([branch])).toBe("a:\n    b: x # one\n    # two\n");
  });

  it("a comment-only document keeps its comment and is written as {}", () => {
    expect(roundTrip("a: 1\n---\n# only comment\n---\nb: 2\n")).toBe("a: 1\n---\n# only comment\n{}\n---\nb: 2\n");
  });

  it("'...' end markers are dropped; an empty explicit document is {}", () => {
    expect(roundTrip("a: 1\n...\n---\n")).toBe("a: 1\n---\n{}\n");
  });
});

describe("numbers out (encode.go floatv: FormatFloat 'g' -1)", () => {
  it.each([
    ["1000000.0", "1e+06"],
    ["123456789.0", "1.23456789e+08"],
    ["0.0001", "0.0001"],
    ["0.00001", "1e-05"],
    ["-0.0", "-0"],
    ["1e21", "1e+21"],
    ["5.0", "5"],
    [".inf", ".inf"],
    ["-.Inf", "-.inf"],
    [".nan", ".nan"],
  ])("%s is written %s", (input, expected) => {
    expect(roundTrip(`k: ${input}\n`)).toBe(`k: ${expected}\n`);
  });
});

describe("--extract of a list (store.go EmitValue: yaml.Marshal of a sequence node)", () => {
  it("is a block sequence at column 0", () => {
    expect(emitYamlValue(["a", 1n, new Branch([{ key: "k", value: "v" }]), []])).toBe("- a\n- 1\n- k: v\n- []\n");
  });
});
