// Secrets to seal are read by the fast reader when their manifest is in the plain block layout
// (src/sealed/manifest.ts manifestValues): it must give exactly the documents, values and lines the
// yaml library gives reading as kubeseal does (kubesealDocs), or give up and let the library read them. Checked on every YAML
// file in fixtures/, on random multi-document manifests, and on scalars the core schema reads as
// something other than a string. It must also really be taken for ordinary manifests.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { yamlFiles } from "../helpers/fixtures.js";
import { kubesealDocs, manifestValues, type ManifestDoc } from "../../src/sealed/manifest.js";

type Read = { docs?: { value: unknown; line: number }[]; error?: string; fast?: boolean };

function read(documents: (text: string, file: string) => Iterable<ManifestDoc>, text: string): Read {
  try {
    const docs = [...documents(text, "m.yaml")];
    return { docs: docs.map(({ value, line }) => ({ value, line })), fast: docs.length > 0 && docs.every((d) => d.yaml === undefined) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * When the fast reader took the text (no document carries a yaml.Document), kubesealDocs reads the
 * same documents, values and lines, without error; true then. Otherwise manifestValues was
 * kubesealDocs itself, and there is nothing to compare.
 */
function agrees(text: string): boolean {
  const fast = read(manifestValues, text);
  if (!fast.fast) return false;
  expect(read(kubesealDocs, text), text).toStrictEqual({ docs: fast.docs, fast: false });
  return true;
}

describe("reading the Secrets to seal", () => {
  it("agrees with the yaml library on every YAML file in fixtures/", () => {
    const files = yamlFiles("fixtures");
    expect(files.length).toBeGreaterThan(200);
    let taken = 0;
    for (const file of files) if (agrees(readFileSync(file, "utf8"))) taken++;
    expect(taken).toBeGreaterThan(10);
  });

  it("takes ordinary manifests: several documents, stray and leading ---, blank lines, lists, numbers", () => {
    const texts = [
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\nstringData:\n  url: postgres://db:5432/app\n  port: 5432\n---\nkind: Secret\ndata:\n  k: dmFsdWU=\n",
      "---\nkind: Secret\nmetadata:\n  name: x\n---\n---\n\nkind: Secret\nmetadata:\n  labels:\n    app.kubernetes.io/name: y\n",
      "\n\nkind: List\nitems:\n- kind: Secret\n  stringData:\n    a: \"quoted\"\n    b: |\n      two\n      lines\n- kind: Secret\n",
      "kind: Secret\nimmutable: true\nstringData:\n  hex: 0x1F\n  oct: 0o17\n  float: 1.5e3\n  inf: .inf\n  none: ~\n  off: off\n  yes: yes\n  empty:\n---\n",
    ];
    for (const text of texts) expect(agrees(text), text).toBe(true);
  });

  it("agrees with the yaml library on random multi-document manifests", () => {
    const key = fc.oneof(
      { arbitrary: fc.stringMatching(/^[A-Za-z_.][A-Za-z0-9_./-]{0,12}$/), weight: 10 },
      { arbitrary: fc.constantFrom("true", "null", "1", "0x1", "~", "yes", "__proto__", "a: b"), weight: 1 },
    );
    const plain = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9+/=:,.@_-]{0,24}$/),
      fc.constantFrom("0", "-1", "+2", "007", "0o17", "0o8", "0x1F", "0xZ", "1.", ".5", "1e3", "1.5E-2", ".inf", "-.Inf", ".NaN", "true", "False", "TRUE", "yes", "~", "null", "Null", "NULL", "12345678901234567890", "1_000", "2024-01-01"),
    );
    const scalar = fc.oneof(
      { arbitrary: plain, weight: 6 },
      { arbitrary: plain.map((s) => `"${s.replace(/["\\]/g, "")}"`), weight: 2 },
      { arbitrary: fc.stringMatching(/^[A-Za-z0-9 ]{1,10}$/).map((s) => `|\n${s}`), weight: 1 },
      { arbitrary: fc.string({ maxLength: 6 }), weight: 1 },
    );
    // a value, written at `indent`: a scalar after `key: `, or a nested block on the next lines
    const { value } = fc.letrec<{ value: (indent: number) => string; mapping: (indent: number) => string }>((tie) => ({
      mapping: fc.uniqueArray(fc.tuple(key, tie("value")), { selector: ([k]) => k, minLength: 1, maxLength: 4 }).map((pairs) => (indent: number) =>
        pairs.map(([k, v]) => " ".repeat(indent) + k + ":" + v(indent)).join("")),
      value: fc.oneof(
        { depthSize: "small" },
        scalar.map((s) => (indent: number) => (s.startsWith("|\n") ? ` |\n${" ".repeat(indent + 2)}${s.slice(2)}\n` : ` ${s}\n`)),
        fc.constant(() => "\n"),
        tie("mapping").map((m) => (indent: number) => "\n" + (m as (i: number) => string)(indent + 2)),
        fc.array(scalar.filter((s) => !s.startsWith("|")), { minLength: 1, maxLength: 3 }).map((items) => (indent: number) =>
          "\n" + items.map((s) => `${" ".repeat(indent)}- ${s}\n`).join("")),
      ),
    })) as unknown as { value: fc.Arbitrary<(indent: number) => string> };
    const document = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => k + ":" + v(0)).join(""));
    const stream = fc.tuple(fc.boolean(), fc.array(fc.tuple(document, fc.nat(2)), { minLength: 1, maxLength: 4 })).map(([leading, docs]) =>
      (leading ? "---\n" : "") + docs.map(([d, blanks]) => "\n".repeat(blanks) + d).join("---\n"),
    );
    let taken = 0;
    fc.assert(
      fc.property(stream, (text) => {
        if (agrees(text)) taken++;
      }),
      { numRuns: 1000 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it("refuses a manifest over 16 MiB whichever reader would take it", () => {
    const huge = "kind: Secret\nstringData:\n" + Array.from({ length: 400_000 }, (_, i) => `  k${i}: ${"v".repeat(40)}\n`).join("");
    expect(huge.length).toBeGreaterThan(16 * 1024 * 1024);
    expect(() => [...manifestValues(huge, "m.yaml")]).toThrow(/larger than 16 MiB/);
  });

  it("leaves to the yaml library what the fast layout does not model", () => {
    const outside = ["kind: Secret # note\n", "--- \nkind: Secret\n", "kind: Secret\n...\n", "a: 'single'\n", "a: -1\n", "a: [1]\n", "a: &x 1\nb: *x\n", "a: 1\na: 2\n", "kind: Secret"];
    for (const text of outside) expect(agrees(text), text).toBe(false);
  });
});
