// The environment `exec-env` runs its command with: the file's top-level values as variables, as
// sops's exec-env sets them. What the environment cannot hold is refused with the key named, never
// the value (Node's own refusal of a NUL byte quotes the value).
import { SealboxError } from "../errors.js";
import { Comment, Timestamp, type Documents, type Value } from "../tree/tree.js";
import { formatGoFloat } from "../core/go-string.js";

/** A scalar's text as sops prints it; undefined for a map, a list or a comment. */
export function scalarText(value: Value): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (typeof value === "number") return formatGoFloat(value);
  if (value instanceof Timestamp) return value.text;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  return undefined;
}

/** `base` with the first document's top-level values added (a null value adds nothing). */
export function environmentFor(docs: Documents, base: NodeJS.ProcessEnv, file: string): NodeJS.ProcessEnv {
  const env = { ...base };
  const refuse = (what: string, key: string): never => {
    throw new SealboxError("Generic", `cannot use ${what} in the environment: ${key}`, { file });
  };
  for (const item of docs[0]?.items ?? []) {
    if (item.key instanceof Comment) continue;
    const text = scalarText(item.value);
    // as sops refuses them
    if (text === undefined && item.value !== null) refuse("a complex value (a map or list)", item.key);
    if (item.key.includes("=")) refuse("a key with '='", item.key);
    // an environment string ends at a NUL byte, so neither can hold one
    if (item.key.includes("\0")) refuse("a key with a NUL byte", JSON.stringify(item.key));
    if (text?.includes("\0")) refuse("a value with a NUL byte", item.key);
    if (text !== undefined) env[item.key] = text;
  }
  return env;
}
