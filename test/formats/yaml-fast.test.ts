// The fast YAML reader (src/formats/yaml-fast.ts) must give exactly the full reader's tree or give
// up: checked on every YAML file in fixtures/ (sops's own files, the malformed corpus), on random
// trees written by our emitter, and on the constructs at the edge of its layout. It must also really
// be taken for the files sops and sealbox write, or it would speed nothing up.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { yamlFiles } from "../helpers/fixtures.js";
import { parseFastYaml } from "../../src/formats/yaml-fast.js";
import { parseWithLibrary, yamlCodec } from "../../src/formats/yaml.js";
import { emitYamlDocuments } from "../../src/formats/yaml-emit.js";
import { canBePlainString } from "../../src/formats/yaml-resolve.js";
import { Branch, type Value } from "../../src/tree/tree.js";

/** The full reader's answer: a tree, or the error it reports. */
function full(text: string): { docs?: Branch[]; error?: string } {
  try {
    return { docs: parseWithLibrary(text, "test.yaml") };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Fast reader's answer, checked against the full reader's; true when the fast reader took it. */
function agrees(text: string): boolean {
  const fast = parseFastYaml(text);
  if (fast === undefined) return false;
  const reference = full(text);
  expect(reference.error, `full reader refused a text the fast reader took:\n${text}`).toBeUndefined();
  expect(fast).toStrictEqual(reference.docs);
  return true;
}

describe("fast YAML reader", () => {
  it("agrees with the full reader on every YAML file in fixtures/, and takes sops's encrypted files", () => {
    const files = yamlFiles("fixtures");
    expect(files.length).toBeGreaterThan(200);
    let taken = 0;
    const encryptedTaken: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      if (agrees(text)) {
        taken++;
        if (text.includes("ENC[AES256_GCM")) encryptedTaken.push(file);
      }
    }
    expect(taken).toBeGreaterThan(10);
    expect(encryptedTaken.length).toBeGreaterThan(3);
  });

  it("agrees with the full reader on random trees our emitter writes", () => {
    const key = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/), fc.string({ maxLength: 6 }));
    const scalar = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9+/=:,.\[\]_-]{0,40}$/),
      fc.string({ maxLength: 12 }),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
      fc.boolean(),
      fc.constant(null),
      fc.stringMatching(/^[A-Za-z0-9+/]{1,64}\n([A-Za-z0-9+/]{1,64}\n){0,3}$/),
    );
    const { tree } = fc.letrec<{ tree: Branch; value: Value }>((tie) => ({
      tree: fc
        .uniqueArray(fc.tuple(key, tie("value")), { selector: ([k]) => k, maxLength: 5 })
        .map((pairs) => new Branch(pairs.map(([k, value]) => ({ key: k, value })))),
      value: fc.oneof({ depthSize: "small" }, scalar, tie("tree"), fc.array(tie("value"), { maxLength: 4 })),
    }));
    let taken = 0;
    fc.assert(
      fc.property(tree, (t) => {
        if (agrees(emitYamlDocuments([t]))) taken++;
      }),
      { numRuns: 1500 },
    );
    // most random strings need quoting (the full reader's job); enough are taken to compare
    expect(taken).toBeGreaterThan(30);
  });

  it("takes what an encrypted file holds: simple keys, ENC[...] values, numbers, literal blocks", () => {
    // keys the emitter writes plain (y, on, null... are quoted: the full reader's job)
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/).filter(canBePlainString);
    const scalar = fc.oneof(
      fc.stringMatching(/^ENC\[AES256_GCM,data:[A-Za-z0-9+/]{0,20}=?,iv:[A-Za-z0-9+/]{43}=,tag:[A-Za-z0-9+/]{22}==,type:(str|int|bool)\]$/),
      fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
      fc.constantFrom(true, false, null, "3.13.2", "_unencrypted"),
      fc.stringMatching(/^-----BEGIN AGE ENCRYPTED FILE-----\n([A-Za-z0-9+/]{64}\n){1,4}-----END AGE ENCRYPTED FILE-----\n$/),
    );
    const { tree } = fc.letrec<{ tree: Branch; value: Value }>((tie) => ({
      tree: fc
        .uniqueArray(fc.tuple(key, tie("value")), { selector: ([k]) => k, minLength: 1, maxLength: 5 })
        .map((pairs) => new Branch(pairs.map(([k, value]) => ({ key: k, value })))),
      value: fc.oneof({ depthSize: "small" }, scalar, tie("tree"), fc.array(tie("value"), { minLength: 1, maxLength: 4 })),
    }));
    fc.assert(
      fc.property(tree, (t) => {
        expect(agrees(emitYamlDocuments([t])), emitYamlDocuments([t])).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("takes the layout sops writes", () => {
    const text = [
      "apiVersion: v1",
      "data:",
      "    password: ENC[AES256_GCM,data:rldr,iv:9UaS,tag:YLtd,type:str]",
      "list:",
      "    - a",
      "    -",
      "    - key: value",
      "      other: 2",
      "aligned:",
      "- 1.5",
      "- true",
      "when: 2024-01-01",
      "empty:",
      "sops:",
      "    age:",
      "        - enc: |",
      "            -----BEGIN AGE ENCRYPTED FILE-----",
      "            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBxc1MrVnZoY3Q3enFJcWFH",
      "            -----END AGE ENCRYPTED FILE-----",
      "          recipient: age1gmu3l6nsz6n00mdvyullraaqdtsc5y3t95eeadye6jv4sl0fzejshd44m9",
      '    lastmodified: "2026-11-23T06:57:07Z"',
      "    stripped: |-",
      "        two",
      "        lines",
      "    version: 3.13.2",
      "",
    ].join("\n");
    expect(agrees(text)).toBe(true);
  });

  it("gives up where the layout ends, and the codec then answers as the full reader does", () => {
    const outside = [
      "a: 1\na: 2\n", // duplicate key: the full reader names the line
      "x: 1 # note\n",
      "# head\na: 1\n",
      "a: b\n  continued\n",
      "a: |\n  one\n\n  two\n",
      // lines of spaces only: chomping drops them at a block's end (found in review)
      "a: |\n  x\n  \n",
      "a: |-\n  x\n  \nb: c\n",
      "a: |\n  x\n  \n  \nb: c\n",
      "k:\n- |\n  x\n  \n- y\n",
      "a.b: |\n \n",
      "a: 1\n   \nb: 2\n",
      "010: a\n10: b\n",
      "a: &x 1\nb: *x\n",
      "a: [1, 2]\n",
      "a: 'q'\n",
      'a: "esc\\"aped"\n',
      "a: >\n  folded\n",
      "--- \na: 1\n",
      "a: 1\n---\nb: 2\n",
      "- a\n- b\n",
      "a:\n    b: 1\n  c: 2\n",
      "a: 1",
      "a:\tb\n",
      "a: -1\n",
      "\ufeffa: 1\n",
    ];
    for (const text of outside) {
      expect(parseFastYaml(text), JSON.stringify(text)).toBeUndefined();
      const reference = full(text.replace(/^\ufeff/, ""));
      let codec: { docs?: Branch[]; error?: string };
      try {
        codec = { docs: yamlCodec.parsePlain(Buffer.from(text), "test.yaml") };
      } catch (error) {
        codec = { error: (error as Error).message };
      }
      expect(codec).toStrictEqual(reference);
    }
  });
});
