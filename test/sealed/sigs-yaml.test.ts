// kubeseal's YAML, byte for byte: every vector in fixtures/interop/sealed/sigs-yaml/vectors.json was
// made by the real sigs.k8s.io/yaml 1.3.0 over gopkg.in/yaml.v2 2.4.0 (see its README). Output
// cases hold JSONToYAML of a value; input cases YAMLToJSON of a manifest, as kubeseal reads Secrets.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { asSecret, goYaml, manifestValues } from "../../src/sealed/manifest.js";

interface Vector {
  name: string;
  value?: Record<string, unknown>;
  yaml?: string;
  output?: string;
  error?: string;
}

const vectors: Vector[] = JSON.parse(readFileSync("fixtures/interop/sealed/sigs-yaml/vectors.json", "utf8"));

describe("JSONToYAML, as kubeseal -o yaml writes", () => {
  const cases = vectors.filter((v) => v.value !== undefined);
  it("has its vectors", () => expect(cases.length).toBeGreaterThan(700));
  it.each(cases.map((v) => [v.name, v] as const))("%s", (_, v) => {
    if (v.error) expect(() => goYaml(v.value!)).toThrow(/kubeseal's YAML output cannot hold/);
    else expect(goYaml(v.value!)).toBe(v.output);
  });
});

describe("YAMLToJSON, as kubeseal reads a manifest", () => {
  const cases = vectors.filter((v) => v.yaml !== undefined);
  it("has its vectors", () => expect(cases.length).toBeGreaterThan(50));
  it.each(cases.map((v) => [v.name, v] as const))("%s", (_, v) => {
    const read = () => [...manifestValues(v.yaml!, "in.yaml")].map((d) => d.value);
    if (v.error) expect(read).toThrow();
    else expect(read()).toStrictEqual([JSON.parse(v.output!)]);
  });
});

describe("what kubeseal's reading means for a Secret", () => {
  const secret = (text: string) => [...manifestValues(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n${text}`, "in.yaml")].map((d) => asSecret(d.value, "in.yaml", d.line))[0];

  it("seals YAML 1.1 keys under the names kubeseal gives them", () => {
    expect(secret("stringData: {yes: a, NO: b, 0123: c, 1_000: d}\n").stringData).toEqual({ true: "a", false: "b", 83: "c", 1000: "d" });
  });

  it("refuses a value YAML 1.1 reads as another type, naming the field, and a null key", () => {
    expect(() => secret("stringData:\n  a: yes\n")).toThrow("stringData.a must be a string (quote it)");
    expect(() => secret("stringData:\n  ~: e\n")).toThrow("a key in stringData is null, which kubeseal cannot read (quote it)");
    expect(secret("immutable: yes\nstringData: {a: b}\n").immutable).toBe(true);
  });
});
