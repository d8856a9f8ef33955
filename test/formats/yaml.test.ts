// The YAML codec reads what go-yaml v3 reads and writes what sops (go-yaml v3, indent 4) writes.
import { describe, expect, it } from "vitest";
import { yamlCodec } from "../../src/formats/yaml.js";
import { Branch } from "../../src/tree/tree.js";
import { SealboxError } from "../../src/errors.js";

const roundTrip = (text: string): string => Buffer.from(yamlCodec.emitPlain(yamlCodec.parsePlain(Buffer.from(text), "t.yaml"))).toString();

describe("YAML as sops writes it", () => {
  it.each([
    ["a string that reads as a number is double-quoted", 'k: "123"\n', 'k: "123"\n'],
    ["YAML 1.1 booleans are double-quoted", "k: 'yes'\n", 'k: "yes"\n'],
    ["a timestamp-looking string is double-quoted", "k: '2024-01-02'\n", 'k: "2024-01-02"\n'],
    ["': ' inside a string takes single quotes", "k: 'a: b'\n", "k: 'a: b'\n"],
    ["a leading space takes single quotes", "k: ' lead'\n", "k: ' lead'\n"],
    ["a leading # takes single quotes", "k: '#x'\n", "k: '#x'\n"],
    ["an apostrophe inside stays plain", 'k: "it\'s"\n', "k: it's\n"],
    ["a tab forces double quotes with an escape", 'k: "a\\tb"\n', 'k: "a\\tb"\n'],
    ["the empty string is \"\"", "k: ''\n", 'k: ""\n'],
    ["multi-line text becomes a literal block", 'k: "a\\nb\\n"\n', "k: |\n    a\n    b\n"],
    ["without a final newline the block is |-", 'k: "a\\nb"\n', "k: |-\n    a\n    b\n"],
    ["null stays null", "k:\nj: ~\n", "k: null\nj: null\n"],
    ["floats use Go's shortest 'g' form", "a: 1000000.0\nb: 0.5\nc: 1.0\nd: 0.00001\n", "a: 1e+06\nb: 0.5\nc: 1\nd: 1e-05\n"],
    ["Go reads 0777 as octal and drops underscores", "a: 0777\nb: 1_000\nc: 0x1F\n", "a: 511\nb: 1000\nc: 31\n"],
    ["quoted keys come out plain", '"my key": v\n', "my key: v\n"],
    ["empty collections stay in flow style", "a: {}\nb: []\n", "a: {}\nb: []\n"],
    [
      "lists in maps are indented, maps in lists follow the dash",
      "a:\n- x: 1\n  w:\n    z: 2\n- - p\n  - q\n",
      "a:\n    - x: 1\n      w:\n        z: 2\n    - - p\n      - q\n",
    ],
    ["keys that YAML 1.1 reads as booleans are quoted, as go-yaml quotes them", "on: 1\ny: 2\n", '"on": 1\n"y": 2\n'],
    ["unicode up to U+FFFF is written as is", "k: héllo ✓ 日本\n", "k: héllo ✓ 日本\n"],
    // emitterc.go is_printable accepts no 4-byte UTF-8 sequence: an emoji makes the scalar double-quoted and escaped
    ["characters past U+FFFF are escaped as \\U, as go-yaml's is_printable demands", "k: héllo 🔐\n", 'k: "héllo \\U0001F510"\n'],
  ])("%s", (_name, input, expected) => {
    expect(roundTrip(input)).toBe(expected);
  });

  it("never folds a long plain string: go-yaml v3's emitter has no line width unless SetWidth is called", () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    const out = roundTrip(`k: ${words}\n`);
    expect(out).toBe(`k: ${words}\n`);
    // and it reads back as the same single-line value
    expect(yamlCodec.parsePlain(Buffer.from(out), "t.yaml")[0].get("k")).toBe(words);
  });

  it("keeps comments: head comments above keys, inline ones as sops places them", () => {
    const input = "# top\na: 1 # inline\n# before b\nb:\n    # inside\n    c: 2\n";
    expect(roundTrip(input)).toBe(input);
  });

  it("reads every document of a multi-document file", () => {
    const docs = yamlCodec.parsePlain(Buffer.from("a: 1\n---\nb: 2\n"), "t.yaml");
    expect(docs).toHaveLength(2);
    expect(Buffer.from(yamlCodec.emitPlain(docs)).toString()).toBe("a: 1\n---\nb: 2\n");
  });

  it("refuses duplicate keys with the file and line", () => {
    try {
      yamlCodec.parsePlain(Buffer.from("a: 1\nb: 2\na: 3\n"), "dup.yaml");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SealboxError);
      expect((error as SealboxError).describe()).toMatch(/^dup\.yaml:3: invalid YAML: duplicate mapping key/);
    }
  });

  it("expands aliases but stops an alias bomb", () => {
    const ok = yamlCodec.parsePlain(Buffer.from("base: &b {x: 1}\ncopy: *b\n"), "t.yaml")[0];
    expect((ok.get("copy") as Branch).get("x")).toBe(1n);
    let bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 9; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
    expect(() => yamlCodec.parsePlain(Buffer.from(bomb), "bomb.yaml")).toThrow(/alias bomb/);
  });
});
