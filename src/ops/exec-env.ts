// How a decrypted value becomes an environment variable's text: scalars only, as sops prints them.
import { Comment, Timestamp, type Value } from "../tree/tree.js";
import { formatGoFloat } from "../core/sops-value.js";

export function scalarText(value: Value): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (typeof value === "number") return formatGoFloat(value);
  if (value instanceof Timestamp) return value.text;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (value instanceof Comment) return undefined;
  return undefined;
}
