import { describe, expect, it } from "vitest";
import { Branch, Comment, type Value } from "../../src/tree/tree.js";
import { iniCodec } from "../../src/formats/ini.js";
import { sopsVector } from "../helpers/fixtures.js";
import { thrown } from "../helpers/errors.js";

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const parse = (s: string | Uint8Array): Branch => iniCodec.parsePlain(typeof s === "string" ? Buffer.from(s) : s, "settings.ini")[0];
const rewrite = (s: string): string => text(iniCodec.emitPlain([parse(s)]));
const section = (branch: Branch, index: number): Value[] => (branch.items[index].value as Branch).items.map((i) => (i.key instanceof Comment ? `#${i.key.value}` : `${i.key}=${String(i.value)}`));

describe("INI codec", () => {
  it("reads sops's plaintext vector and writes what sops decrypt prints (keys aligned)", () => {
    const docs = iniCodec.parsePlain(sopsVector("settings.plain.ini"), "settings.plain.ini");
    // The implicit leading DEFAULT section is kept, as sops keeps it; the written [DEFAULT] is a second one.
    expect(docs[0].items.map((i) => i.key)).toEqual(["DEFAULT", "DEFAULT", "database", "api"]);
    expect(section(docs[0], 0)).toEqual([]);
    expect(section(docs[0], 2)).toEqual(["user=admin", "password=hunter2", "port=5432"]);
    expect(Buffer.from(iniCodec.emitPlain(docs)).equals(sopsVector("settings.dec.ini"))).toBe(true);
  });

  it("reads sops's encrypted vector into sections plus a nested sops branch and writes the same bytes", () => {
    const docs = iniCodec.parseEncrypted(sopsVector("settings.enc.ini"), "settings.enc.ini");
    expect(docs[0].items.map((i) => i.key)).toEqual(["DEFAULT", "DEFAULT", "database", "api", "sops"]);
    const sops = docs[0].get("sops") as Branch;
    expect(sops.items.map((i) => i.key)).toEqual(["age", "lastmodified", "mac", "unencrypted_suffix", "version"]);
    const age = (sops.get("age") as Value[])[0] as Branch;
    expect(age.get("enc")).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]*\n-----END AGE ENCRYPTED FILE-----\n$/);
    expect(Buffer.from(iniCodec.emitEncrypted(docs)).equals(sopsVector("settings.enc.ini"))).toBe(true);
  });

  it("writes keys before any header without a header, and an empty leading DEFAULT not at all", () => {
    expect(rewrite("a=1\nbb=2\n[s]\nc=3\n")).toBe("a  = 1\nbb = 2\n\n[s]\nc = 3\n");
    expect(rewrite("[s]\nc=3\n[t]\n")).toBe("[s]\nc = 3\n\n[t]\n");
    expect(rewrite("")).toBe("");
  });

  it("keeps duplicate sections apart and lets a repeated key take the last value in its first place", () => {
    const branch = parse("[Peer]\nk=1\nx=a\nk=2\n[Peer]\nk=3\n");
    expect(branch.items.map((i) => i.key)).toEqual(["DEFAULT", "Peer", "Peer"]);
    expect(section(branch, 1)).toEqual(["k=2", "x=a"]);
    expect(text(iniCodec.emitPlain([branch]))).toBe("[Peer]\nk = 2\nx = a\n\n[Peer]\nk = 3\n");
  });

  it("stores comments as sops does and writes them back with go-ini's markers", () => {
    const input = "; about s\n[s]\n# before a\na = 1 ; inline\n;; twice\nb = 2\n";
    const branch = parse(input);
    expect(section(branch, 1)).toEqual(["#about s", "a=1", "#before a\n; inline", "b=2", "#twice"]);
    expect(text(iniCodec.emitPlain([branch]))).toBe("; about s\n[s]\n; before a\n; inline\na = 1\n; twice\nb = 2\n");
  });

  it("reads go-ini's quoting, ':' delimiters, continuations and multi-line values", () => {
    const branch = parse(
      [
        "[q]",
        'dq = "  padded  "',
        "sq = 'single'",
        "bt = `has # hash`",
        "colon: value",
        "eq = a=b",
        "empty =",
        "cont = one \\",
        "  two",
        'multi = """first',
        "second",
        'third"""',
        "`k=ey` = v",
        "uni = héllo ✓",
        "",
      ].join("\n"),
    );
    expect(section(branch, 1)).toEqual([
      "dq=  padded  ",
      "sq=single",
      "bt=has # hash",
      "colon=value",
      "eq=a=b",
      "empty=",
      "cont=one two",
      "multi=first\nsecond\nthird",
      "k=ey=v",
      "uni=héllo ✓",
    ]);
    expect(text(iniCodec.emitPlain([branch]))).toBe(
      [
        "[q]",
        'dq     = "  padded  "',
        "sq     = single",
        "bt     = `has # hash`",
        "colon  = value",
        "eq     = a=b",
        "empty  = ",
        "cont   = one two",
        'multi  = """first',
        "second",
        'third"""',
        "`k=ey` = v",
        "uni    = héllo ✓",
        "",
      ].join("\n"),
    );
  });

  it("pads by bytes, as Go's len() counts them", () => {
    expect(rewrite("[s]\né=1\nabc=2\n")).toBe("[s]\né  = 1\nabc = 2\n");
  });

  it("reads CRLF files and a byte-order mark, writing plain LF", () => {
    const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("[s]\r\nk = v\r\n; c\r\nj = w\r\n")]);
    const branch = parse(input);
    expect(branch.items.map((i) => i.key)).toEqual(["DEFAULT", "s"]);
    expect(section(branch, 1)).toEqual(["k=v", "j=w", "#c"]);
    expect(text(iniCodec.emitPlain([branch]))).toBe("[s]\nk = v\n; c\nj = w\n");
  });

  it("refuses a line without '=' or ':' naming the file and line, without echoing it", () => {
    const error = thrown(() => iniCodec.parsePlain(Buffer.from("[s]\nk = v\n\nhunter2-alone\n"), "settings.ini"));
    expect(error.code).toBe("CouldNotReadInputFile");
    expect(error.file).toBe("settings.ini");
    expect(error.line).toBe(4);
    expect(error.describe()).not.toContain("hunter2");
  });

  it("refuses an unclosed section, an empty key and an unterminated multi-line value", () => {
    expect(thrown(() => parse("[s\nk=v\n")).line).toBe(1);
    expect(thrown(() => parse("[s]\n = v\n")).line).toBe(2);
    expect(thrown(() => parse('[s]\nk = """open\nmore\n')).line).toBe(2);
  });

  it("refuses values that are not sections, and nested values inside one", () => {
    expect(thrown(() => iniCodec.emitPlain([new Branch([{ key: "k", value: "v" }])])).code).toBe("ErrorDumpingTree");
    const nested = new Branch([{ key: "s", value: new Branch([{ key: "k", value: ["a"] }]) }]);
    expect(thrown(() => iniCodec.emitPlain([nested])).code).toBe("ErrorDumpingTree");
  });

  it("reads a repeated [sops] key's first value, as sops does through go-ini's KeysHash", () => {
    const docs = iniCodec.parseEncrypted(Buffer.from("[s]\nk = v\n\n[sops]\nversion = 3.13.2\nversion = 9\n"), "x.ini");
    expect((docs[0].get("sops") as Branch).get("version")).toBe("3.13.2");
    expect(docs[0].items.map((i) => i.key)).toEqual(["DEFAULT", "s", "sops"]);
  });

  it("round-trips a written file through parse and write again", () => {
    const once = rewrite("top=1\n[a]\n; c\nk = \"  x\"\nlong_key = `a;b`\nm = \"\"\"l1\nl2\"\"\"\n[b]\nz=\n");
    expect(rewrite(once)).toBe(once);
  });
});
