// kubeseal's YAML, byte for byte: every vector in fixtures/interop/sealed/sigs-yaml/vectors.json was
// made by the real sigs.k8s.io/yaml 1.3.0 over gopkg.in/yaml.v2 2.4.0 (see its README): JSONToYAML
// of a value, as kubeseal -o yaml writes it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { goYaml } from "../../src/sealed/manifest.js";

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
