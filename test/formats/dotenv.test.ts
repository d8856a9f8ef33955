import { describe, expect, it } from "vitest";
import { Branch, Comment, type Value } from "../../src/tree/tree.js";
import { dotenvCodec } from "../../src/formats/dotenv.js";
import { sopsVector } from "../helpers/fixtures.js";
import { thrown } from "../helpers/errors.js";

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
const parse = (s: string | Uint8Array): Branch => dotenvCodec.parsePlain(typeof s === "string" ? Buffer.from(s) : s, "app.env")[0];

describe("dotenv codec", () => {
  it("reads sops's plaintext vector and writes it back byte for byte", () => {
    const docs = dotenvCodec.parsePlain(sopsVector("app.plain.env"), "app.plain.env");
    expect(docs[0].items).toEqual([
      { key: "DB_USER", value: "admin" },
      { key: "DB_PASSWORD", value: "s3cr3t" },
      { key: new Comment(" comment line"), value: null },
      { key: "EMPTY", value: "" },
      { key: "URL", value: "https://example.com/?a=1&b=2" },
    ]);
    expect(Buffer.from(dotenvCodec.emitPlain(docs)).equals(sopsVector("app.plain.env"))).toBe(true);
  });

  it("reads sops's encrypted vector into data plus a nested sops branch and writes the same bytes", () => {
    const docs = dotenvCodec.parseEncrypted(sopsVector("app.enc.env"), "app.enc.env");
    const branch = docs[0];
    expect(branch.items.map((i) => i.key).slice(0, 5)).toEqual(["DB_USER", "DB_PASSWORD", expect.any(Comment), "EMPTY", "URL"]);
    expect((branch.items[2].key as Comment).value).toMatch(/^ENC\[AES256_GCM,.*type:comment\]$/);
    const sops = branch.get("sops") as Branch;
    expect(sops.items.map((i) => i.key)).toEqual(["age", "lastmodified", "mac", "unencrypted_suffix", "version"]);
    const age = (sops.get("age") as Value[])[0] as Branch;
    expect(age.get("recipient")).toBe("age1vpy7q3jrgraq5eupujyx7fdxjay5wmg4cc8sj7hygda0tv35wvvs8jyytl");
    expect(age.get("enc")).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\nYWdl[\s\S]*\n-----END AGE ENCRYPTED FILE-----\n$/);
    expect(sops.get("version")).toBe("3.13.2");
    expect(Buffer.from(dotenvCodec.emitEncrypted(docs)).equals(sopsVector("app.enc.env"))).toBe(true);
  });

  it("keeps '=' after the first one, empty values, unicode and newlines escaped as \\n", () => {
    const branch = parse("A=b=c==\nE=\nU=héllo ✓ 𝄞\nM=line1\\nline2\n=no key\n");
    expect(branch.items).toEqual([
      { key: "A", value: "b=c==" },
      { key: "E", value: "" },
      { key: "U", value: "héllo ✓ 𝄞" },
      { key: "M", value: "line1\nline2" },
      { key: "", value: "no key" },
    ]);
    expect(text(dotenvCodec.emitPlain([branch]))).toBe("A=b=c==\nE=\nU=héllo ✓ 𝄞\nM=line1\\nline2\n=no key\n");
  });

  it("drops blank lines, keeps spaces and quotes as they are, and adds the final newline", () => {
    const branch = parse("\n\nA= spaced \nB=\"quoted\"\n\n# c\nC=last");
    expect(branch.items).toEqual([
      { key: "A", value: " spaced " },
      { key: "B", value: '"quoted"' },
      { key: new Comment(" c"), value: null },
      { key: "C", value: "last" },
    ]);
    expect(text(dotenvCodec.emitPlain([branch]))).toBe("A= spaced \nB=\"quoted\"\n# c\nC=last\n");
  });

  it("keeps CRLF line ends inside values as sops does, so the file comes back unchanged", () => {
    const input = "A=1\r\n# note\r\n\r\nB=two\r\n";
    const branch = parse(input);
    expect(branch.items).toEqual([
      { key: "A", value: "1\r" },
      { key: new Comment(" note\r"), value: null },
      { key: "B", value: "two\r" },
    ]);
    expect(text(dotenvCodec.emitPlain([branch]))).toBe("A=1\r\n# note\r\nB=two\r\n");
  });

  it("keeps a byte-order mark on the first key, as sops does, and writes it back", () => {
    const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("K=v\n")]);
    const branch = parse(input);
    expect(branch.items[0].key).toBe("\ufeffK");
    expect(Buffer.from(dotenvCodec.emitPlain([branch])).equals(input)).toBe(true);
  });

  it("round-trips bytes that are not UTF-8", () => {
    const input = Buffer.from([0x4b, 0x3d, 0xff, 0xfe, 0x80, 0x41, 0x0a]);
    expect(Buffer.from(dotenvCodec.emitPlain([parse(input)])).equals(input)).toBe(true);
  });

  it("refuses a line without '=' naming the file and line, without echoing the line", () => {
    const error = thrown(() => dotenvCodec.parsePlain(Buffer.from("A=1\n# ok\nSECRET_VALUE_hunter2\n"), "app.env"));
    expect(error.code).toBe("CouldNotReadInputFile");
    expect(error.file).toBe("app.env");
    expect(error.line).toBe(3);
    expect(error.describe()).not.toContain("hunter2");
  });

  it("refuses nested values and a missing sops branch when writing", () => {
    const nested = new Branch([{ key: "A", value: new Branch([{ key: "b", value: "c" }]) }]);
    expect(thrown(() => dotenvCodec.emitPlain([nested])).code).toBe("ErrorDumpingTree");
    expect(thrown(() => dotenvCodec.emitEncrypted([parse("A=1\n")])).code).toBe("ErrorDumpingTree");
  });

  it("writes non-string scalars the way sops prints them", () => {
    const branch = new Branch([
      { key: "I", value: 42n },
      { key: "F", value: 1.5 },
      { key: "T", value: true },
    ]);
    expect(text(dotenvCodec.emitPlain([branch]))).toBe("I=42\nF=1.5\nT=true\n");
  });

  it("names the file and line of malformed metadata in an encrypted file", () => {
    const input = "A=ENC[x]\nsops_age=x\nsops_age__list_0__map_enc=y\nsops_version=3.13.2\n";
    const error = thrown(() => dotenvCodec.parseEncrypted(Buffer.from(input), "bad.env"));
    expect(error.code).toBe("CouldNotReadInputFile");
    expect(error.file).toBe("bad.env");
    expect(error.line).toBe(3);
  });
});
