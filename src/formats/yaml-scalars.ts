// What a plain YAML scalar means to sops (go-yaml v3 decoding into interface{}), shared by the full
// reader (./yaml.ts) and the fast one (./yaml-fast.ts) so the two cannot disagree.
import { Timestamp, type Value } from "../tree/tree.js";
import { formatYamlFloat } from "./yaml-emit.js";
import { goResolve, goTimestampText } from "./yaml-resolve.js";

/** A plain (unquoted, untagged) scalar's value, from its source text. */
export function plainScalarValue(source: string): Value {
  const r = goResolve(source);
  // v3 decodes a timestamp into interface{} as a time.Time (v2 kept the text): sops encrypts it as
  // type:time and writes it back in RFC 3339 form, so 2024-01-01 comes back as 2024-01-01T00:00:00Z
  if (r.tag === "timestamp") return new Timestamp(goTimestampText(r.value)!);
  return r.value;
}

/**
 * A key as the tree keeps it: text. sops keeps a non-string key's Go value (123, true); its text is
 * what go-yaml writes for that value, but we write it back as a (quoted) string: see the report.
 */
export function keyText(value: Value): string {
  if (value === null) return "null";
  if (typeof value === "number") return formatYamlFloat(value);
  if (value instanceof Timestamp) return value.text;
  return String(value);
}
