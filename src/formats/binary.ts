// sops's binary store: the whole file is one string value under `data`, encrypted as type str; the
// encrypted file is the JSON store's output ({"data": "ENC[...]", "sops": {...}}, indented as
// stores.json_binary says). The value is the file's bytes as a Go string (see go-string.ts), so
// files that are not UTF-8 round-trip exactly.
import { Branch, type Documents } from "../tree/tree.js";
import { SealboxError } from "../errors.js";
import type { Codec } from "./types.js";
import { bytesToGoString, goStringToBytes } from "../core/go-string.js";
import { jsonCodec } from "./json.js";

function parsePlain(input: Uint8Array): Documents {
  return [new Branch([{ key: "data", value: bytesToGoString(input) }])];
}

function emitPlain(docs: Documents): Uint8Array {
  if (docs.length !== 1) throw new SealboxError("ErrorDumpingTree", "a binary file holds exactly one document");
  const data = docs[0].get("data");
  if (data === undefined) throw new SealboxError("ErrorDumpingTree", "no binary data (key \"data\") in the document");
  if (typeof data === "string") return goStringToBytes(data);
  if (data instanceof Uint8Array) return data;
  throw new SealboxError("ErrorDumpingTree", "the binary store's \"data\" value must be a string");
}

export const binaryCodec: Codec = {
  name: "binary",
  parsePlain,
  parseEncrypted: (input, file) => jsonCodec.parseEncrypted(input, file),
  emitPlain,
  emitEncrypted: (docs, options) => {
    // what the binary store's reader needs back: a `data` string (set and unset could take it away)
    if (docs.length !== 1 || typeof docs[0].get("data") !== "string") throw new SealboxError("ErrorDumpingTree", "the binary store keeps the file as one string under \"data\": it cannot hold anything else there");
    return jsonCodec.emitEncrypted(docs, options);
  },
};
