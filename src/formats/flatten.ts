// The `sops` metadata branch flattened into one level of string keys, as sops's stores/flatten.go
// does for the formats that cannot nest (dotenv: `sops_<key>` lines; INI: a `[sops]` section):
//   age: [{enc: X}]  <->  age__list_0__map_enc = X
// Values are written as strings with newlines escaped as the two characters `\n`.
import { Branch, Comment, type Value } from "../tree/tree.js";
import { SealboxError } from "../errors.js";

const MAP = "__map_";
const LIST = "__list_";
/** A list index this large is damage, not metadata (sops would try to allocate it). */
const MAX_LIST_INDEX = 100_000;

/** Go's sort.Strings: byte order, which for UTF-16 strings without astral characters is code-unit order. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** sops EncodeNonStrings + EncodeNewLines: the text a flattened metadata value is written as. */
function metadataText(value: Value, key: string): string {
  if (typeof value === "string") return value.replaceAll("\n", "\\n");
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  // shamir_threshold travels through Go's JSON as a float64 and is written with %.0f.
  if (typeof value === "number" && Number.isFinite(value)) return value.toFixed(0);
  throw new SealboxError("ErrorDumpingTree", `sops metadata value at ${key} cannot be written in a flat store`);
}

function flattenInto(out: Map<string, string>, prefix: string, value: Value): void {
  if (value === null) return; // sops skips nil values
  if (value instanceof Branch) {
    for (const item of value.items) {
      if (item.key instanceof Comment) continue;
      flattenInto(out, prefix + MAP + item.key, item.value);
    }
  } else if (Array.isArray(value)) {
    value.forEach((element, index) => flattenInto(out, prefix + LIST + index, element));
  } else if (value instanceof Comment) {
    throw new SealboxError("ErrorDumpingTree", `sops metadata value at ${prefix} cannot be a comment`);
  } else {
    out.set(prefix, metadataText(value, prefix));
  }
}

/**
 * Flattens the `sops` branch into [key, text] pairs sorted as sops writes them. Empty maps and
 * lists and null values leave no key, as in sops.
 */
export function flattenMetadata(metadata: Branch): [string, string][] {
  const out = new Map<string, string>();
  for (const item of metadata.items) {
    if (item.key instanceof Comment) continue;
    const value = item.value;
    if (value instanceof Branch || Array.isArray(value)) flattenInto(out, item.key, value);
    else if (value !== null) out.set(item.key, metadataText(value, item.key));
  }
  return [...out.entries()].sort((a, b) => compareGoStrings(a[0], b[0]));
}

type Token = { map: string } | { list: number };

/** sops tokenize(): split a flat key on every `__map_` / `__list_` separator. */
function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let state: "start" | "map" | "list" = "start";
  let tokenStart = 0;
  let i = 0;
  const finish = (): void => {
    if (state === "list") {
      const index = Number.parseInt(path.slice(tokenStart + LIST.length, i), 10);
      tokens.push({ list: Number.isNaN(index) ? 0 : index }); // Go ignores the Atoi error: 0
    } else {
      tokens.push({ map: path.slice(tokenStart + (state === "map" ? MAP.length : 0), i) });
    }
    tokenStart = i;
  };
  while (i < path.length) {
    if (path.startsWith(MAP, i)) {
      finish();
      state = "map";
      i += MAP.length;
    } else if (path.startsWith(LIST, i)) {
      finish();
      state = "list";
      i += LIST.length;
    } else i++;
  }
  finish();
  return tokens;
}

/** The nested shape under construction: plain objects and arrays, turned into Branches at the end. */
type Child = Node | string;
type Node = Map<string, Child> | (Child | undefined)[];

function toValue(node: Child | undefined): Value {
  if (node === undefined) return null;
  if (typeof node === "string") return node;
  if (Array.isArray(node)) return Array.from(node, (element) => toValue(element));
  const keys = [...node.keys()].sort(compareGoStrings);
  return new Branch(keys.map((key) => ({ key, value: toValue(node.get(key)) })));
}

export interface FlatEntry {
  key: string;
  /** The text as stored (newlines still escaped as `\n`). */
  value: string;
  /** Where the entry was read, for error messages. */
  line?: number;
}

/**
 * Rebuilds the `sops` branch from flattened entries (sops DecodeNewLines + UnflattenMetadata): keys
 * sorted at every level, every value a string, holes in lists null.
 */
export function unflattenMetadata(entries: FlatEntry[]): Branch {
  // A key given twice keeps its last value, as sops's map does.
  const latest = new Map<string, FlatEntry>();
  for (const entry of entries) latest.set(entry.key, entry);
  const root: Node = new Map();
  for (const entry of latest.values()) {
    const fail = (): never => {
      throw new SealboxError("CouldNotReadInputFile", `malformed sops metadata: key ${entry.key} does not fit the shape of the other metadata keys`, { line: entry.line });
    };
    const tokens = tokenize(entry.key);
    let node: Node = root;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t];
      const next = tokens[t + 1] as Token | undefined;
      if ("list" in token) {
        // a negative index would set a property beside the list: the entry would be dropped unseen
        if (!Array.isArray(node) || token.list < 0 || token.list > MAX_LIST_INDEX) return fail();
      } else if (Array.isArray(node)) return fail();
      const slot = "list" in token ? token.list : token.map;
      const current = getChild(node, slot);
      if (next === undefined) {
        if (current !== undefined && typeof current !== "string") fail();
        setChild(node, slot, entry.value.replaceAll("\\n", "\n"));
      } else {
        const child = current ?? ("list" in next ? [] : new Map<string, Child>());
        if (typeof child === "string") fail();
        setChild(node, slot, child);
        node = child as Node;
      }
    }
  }
  return toValue(root) as Branch;
}

function getChild(node: Node, slot: string | number): Child | undefined {
  return Array.isArray(node) ? node[slot as number] : node.get(slot as string);
}

function setChild(node: Node, slot: string | number, child: Child): void {
  if (Array.isArray(node)) node[slot as number] = child;
  else node.set(slot as string, child);
}
