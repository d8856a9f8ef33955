// Property: any tree a format can hold survives emit → parse through its codec, and any plaintext
// file survives encrypt → decrypt through the real age key source. Each format gets the trees it can
// really hold: YAML/JSON nest and type their scalars, dotenv is flat strings, INI is sections of
// strings, binary is any bytes. SLOW=1 runs ten times as many cases.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { Branch, type Value } from "../../src/tree/tree.js";
import { codecFor } from "../../src/formats/index.js";
import type { FormatName } from "../../src/formats/types.js";
import { decrypt, encrypt } from "../../src/ops/sops-ops.js";
import { KeySources } from "../../src/keys/registry.js";
import { ageKey, runs, tempDir, type AgeKey } from "./helpers.js";

const EXT: Record<FormatName, string> = { yaml: "yaml", json: "json", dotenv: "env", ini: "ini", binary: "bin" };

/** A plain-object view of a tree so failures print readably and compare structurally. */
function view(value: Value): unknown {
  if (value instanceof Branch) return { branch: value.items.map((i) => [typeof i.key === "string" ? i.key : { comment: i.key.value }, view(i.value)]) };
  if (Array.isArray(value)) return value.map(view);
  if (typeof value === "bigint") return { int: value.toString() };
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("hex") };
  return value;
}

function uniqueItems(keys: fc.Arbitrary<string>, values: fc.Arbitrary<Value>, max: number): fc.Arbitrary<Branch> {
  return fc.uniqueArray(fc.tuple(keys, values), { selector: ([k]) => k, maxLength: max }).map((pairs) => new Branch(pairs.map(([key, value]) => ({ key, value }))));
}

const anyText = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary", maxLength: 12 }));
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
// Integral floats are written without a point and would read back as ints (as in sops): keep fractions.
const fraction = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d));

function nestedTree(keys: fc.Arbitrary<string>, scalars: fc.Arbitrary<Value>): fc.Arbitrary<Branch> {
  const { tree } = fc.letrec<{ tree: Branch; value: Value }>((tie) => ({
    tree: uniqueItems(keys, tie("value"), 5),
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalars, tie("tree"), fc.array(tie("value"), { maxLength: 4 })),
  }));
  return tree;
}

const TREES: Record<FormatName, fc.Arbitrary<Branch>> = {
  yaml: nestedTree(anyText, fc.oneof(anyText, int64, fraction, fc.boolean(), fc.constant(null))),
  json: nestedTree(anyText, fc.oneof(anyText, int64, fraction, fc.boolean(), fc.constant(null))),
  // dotenv: KEY=value lines; a key has no '=' or newline and does not start a comment; "\n" in a
  // value is written as the two characters \ n, so a value may not itself contain that pair.
  dotenv: uniqueItems(
    fc.string({ minLength: 1 }).filter((k) => !/[=\n]/.test(k) && !k.startsWith("#") && !k.startsWith("sops_") && k !== "\r"),
    anyText.filter((v) => !v.includes("\\n")),
    8,
  ),
  // INI: named sections of string values; go-ini trims names and values and treats ; # [ = : specially.
  ini: uniqueItems(
    fc.stringMatching(/^[A-Za-z][\w.-]{0,11}$/).filter((s) => s !== "DEFAULT" && s !== "sops"),
    uniqueItems(fc.stringMatching(/^[A-Za-z_][\w.-]{0,11}$/), fc.stringMatching(/^[\w./+@-]([\w ./+@-]{0,30}[\w./+@-])?$/), 5),
    4,
  ),
  binary: fc.uint8Array({ maxLength: 300 }).map((bytes) => new Branch([{ key: "data", value: bytes }])),
};

/** What parsePlain hands back for a tree: INI adds its implicit empty DEFAULT section first. */
function expected(format: FormatName, tree: Branch): unknown {
  if (format === "ini") return view(new Branch([{ key: "DEFAULT", value: new Branch() }, ...tree.items]));
  return view(tree);
}

function parsedView(format: FormatName, docs: Branch[]): unknown {
  if (format === "binary") return view(new Branch([{ key: "data", value: new Uint8Array(Buffer.from(docs[0].get("data") as string, "latin1")) }]));
  return view(docs[0]);
}

let dir: string;
let key: AgeKey;
let sources: KeySources;

beforeAll(() => {
  dir = tempDir();
  key = ageKey(dir);
  sources = new KeySources({ age: { env: { SOPS_AGE_KEY_FILE: key.file } } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(Object.keys(TREES) as FormatName[])("%s", (format) => {
  it("any tree the format can hold survives emit → parse", async () => {
    const codec = await codecFor(format);
    fc.assert(
      fc.property(TREES[format], (tree) => {
        const text = codec.emitPlain([tree]);
        const back = codec.parsePlain(text, `t.${EXT[format]}`);
        expect(format === "binary" ? view(new Branch([{ key: "data", value: text }])) : parsedView(format, back)).toEqual(expected(format, tree));
        // and the emitted text is a fixed point: emitting what was read gives the same bytes
        expect(Buffer.from(codec.emitPlain(back)).equals(Buffer.from(text))).toBe(true);
      }),
      { numRuns: runs(150, 1500) },
    );
  });

  it("any file survives encrypt → decrypt with the real age key source", async () => {
    const codec = await codecFor(format);
    const filename = `${dir}/f.${EXT[format]}`;
    await fc.assert(
      fc.asyncProperty(TREES[format], async (tree) => {
        const plain = codec.emitPlain([tree]);
        const enc = await encrypt(plain, { filename, age: [key.recipient], cwd: dir, env: {} });
        const dec = await decrypt(enc, { filename, sources });
        expect(Buffer.from(dec).equals(Buffer.from(plain))).toBe(true);
      }),
      { numRuns: runs(40, 400) },
    );
  });
});
