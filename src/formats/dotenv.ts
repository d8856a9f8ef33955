// dotenv as sops's stores/dotenv writes it: one `KEY=value` per line, `#` lines are comments (sops
// encrypts them), blank lines are dropped, a newline inside a value is the two characters `\n`
// both ways. No quoting and no trimming: everything after the first `=` is the value. Encrypted
// files carry the metadata as sorted `sops_<flattened key>=value` lines after the data.
import { Branch, Comment, type Documents, type Value } from "../tree/tree.js";
import { SealboxError } from "../errors.js";
import type { Codec } from "./types.js";
import { bytesToGoString, goStringToBytes } from "../core/go-string.js";
import { flattenMetadata, unflattenMetadata, type FlatEntry } from "./flatten.js";
import { formatGoFloat } from "../core/go-string.js";
import { oneDocument } from "./one-document.js";

const SOPS_PREFIX = "sops_";

interface Line {
  item: { key: string | Comment; value: Value };
  line: number;
}

function parseLines(input: Uint8Array, file: string): Line[] {
  const out: Line[] = [];
  bytesToGoString(input)
    .split("\n")
    .forEach((text, index) => {
      // sops skips empty lines; we also skip the "\r" a CRLF file leaves on its blank lines, which
      // sops would refuse (nothing is lost: sops drops blank lines from its output anyway).
      if (text === "" || text === "\r") return;
      if (text.startsWith("#")) {
        out.push({ item: { key: new Comment(text.slice(1)), value: null }, line: index + 1 });
        return;
      }
      const eq = text.indexOf("=");
      if (eq < 0) {
        throw new SealboxError("CouldNotReadInputFile", "invalid dotenv line: expected KEY=value", { file, line: index + 1 });
      }
      out.push({ item: { key: text.slice(0, eq), value: text.slice(eq + 1).replaceAll("\\n", "\n") }, line: index + 1 });
    });
  return out;
}

function parsePlain(input: Uint8Array, file: string): Documents {
  return [new Branch(parseLines(input, file).map((l) => l.item))];
}

/** Data items stay in order; `sops_*` items become the `sops` branch, appended last. */
function parseEncrypted(input: Uint8Array, file: string): Documents {
  const branch = new Branch();
  const metadata: FlatEntry[] = [];
  for (const { item, line } of parseLines(input, file)) {
    if (typeof item.key === "string" && item.key.startsWith(SOPS_PREFIX)) {
      metadata.push({ key: item.key.slice(SOPS_PREFIX.length), value: item.value as string, line });
    } else branch.items.push(item);
  }
  if (metadata.length > 0) {
    try {
      branch.items.push({ key: "sops", value: unflattenMetadata(metadata) });
    } catch (e) {
      throw e instanceof SealboxError ? e.inFile(file) : e;
    }
  }
  return [branch];
}

/** sops stores.ValueToString for the scalars a dotenv value can hold. */
function valueText(value: Value, key: string): string {
  if (value instanceof Branch || Array.isArray(value)) {
    throw new SealboxError("ErrorDumpingTree", `cannot write a nested value in a dotenv file (key ${key})`);
  }
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return formatGoFloat(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Uint8Array) return bytesToGoString(value);
  if (value instanceof Comment) return value.value;
  return value.text;
}

/** A key the reader would not give back (sops writes it anyway, and then cannot read its own file). */
function unreadableKey(key: string, encrypted: boolean): string | undefined {
  if (key.startsWith("#")) return "starts with '#' (the line would be a comment)";
  if (key.includes("=")) return "holds '=' (the value would start there)";
  if (key.includes("\n")) return "holds a line break";
  if (encrypted && key.startsWith(SOPS_PREFIX)) return `starts with '${SOPS_PREFIX}' (the line would be read as sops metadata)`;
  return undefined;
}

function render(items: Branch["items"], metadata?: Branch): Uint8Array {
  let out = "";
  for (const item of items) {
    if (item.key instanceof Comment) {
      out += `#${item.key.value}\n`;
      continue;
    }
    const problem = unreadableKey(item.key, !!metadata);
    if (problem) throw new SealboxError("ErrorDumpingTree", `cannot write the dotenv key ${JSON.stringify(item.key)}: it ${problem}`);
    out += `${item.key}=${valueText(item.value, item.key).replaceAll("\n", "\\n")}\n`;
  }
  if (metadata) for (const [key, text] of flattenMetadata(metadata)) out += `${SOPS_PREFIX}${key}=${text}\n`;
  return goStringToBytes(out);
}

function emitPlain(docs: Documents): Uint8Array {
  return render(oneDocument(docs, "dotenv").items);
}

function emitEncrypted(docs: Documents): Uint8Array {
  const branch = oneDocument(docs, "dotenv");
  const metadata = branch.get("sops");
  if (!(metadata instanceof Branch)) throw new SealboxError("ErrorDumpingTree", "no sops metadata to write");
  return render(
    branch.items.filter((item) => item.key !== "sops"),
    metadata,
  );
}

export const dotenvCodec: Codec = { name: "dotenv", parsePlain, parseEncrypted, emitPlain, emitEncrypted };
