// The SOPS value cipher (sops aes/cipher.go): one AES-256-GCM encryption per value, a 32-byte random
// IV, the key path as additional data, and the value's type carried in clear so it decrypts to
// the same type: ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:str|int|float|bool|bytes|time|comment]
// node:crypto's GCM is used: it is several times faster than pure JS here (docs/performance.md).
import { createCipheriv, createDecipheriv } from "node:crypto";
import { randomIv } from "./random.js";
import { decodeStdBase64 } from "./base64.js";
import { Comment, Timestamp, type Scalar } from "../tree/tree.js";
import { SealboxError } from "../errors.js";
import { bytesToGoString, formatGoFloat, goStringToBytes } from "./go-string.js";

const IV_BYTES = 32;
const TAG_BYTES = 16;
const ENC_VALUE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

export type PlainValue = Exclude<Scalar, null> | Comment;

export function isEncryptedValue(text: unknown): text is string {
  return typeof text === "string" && text.startsWith("ENC[AES256_GCM,");
}

/** sops's ToBytes: the bytes a value is encrypted as and adds to the MAC. Booleans are `True`/`False`. */
export function valueBytes(value: Exclude<PlainValue, Comment>): Uint8Array {
  if (typeof value === "string") return goStringToBytes(value);
  if (typeof value === "bigint") return Buffer.from(value.toString());
  if (typeof value === "number") return Buffer.from(formatGoFloat(value));
  if (typeof value === "boolean") return Buffer.from(value ? "True" : "False");
  if (value instanceof Timestamp) return Buffer.from(value.text);
  return value; // bytes as they are: the cipher and the hash only read them (no copy of a large binary file)
}

const TYPE_TAGS = { string: "str", bigint: "int", number: "float", boolean: "bool" } as const;

/** The bytes a value is encrypted as, and its type tag (sops Cipher.Encrypt); comments are not in the MAC. */
function plaintextOf(value: PlainValue): { bytes: Uint8Array; type: string } {
  if (value instanceof Comment) return { bytes: goStringToBytes(value.value), type: "comment" };
  const type = value instanceof Uint8Array ? "bytes" : value instanceof Timestamp ? "time" : TYPE_TAGS[typeof value as keyof typeof TYPE_TAGS];
  return { bytes: valueBytes(value), type };
}

/** True for values sops leaves as they are instead of encrypting (empty strings and comments). */
export function isEmptyValue(value: PlainValue): boolean {
  if (typeof value === "string") return value === "";
  if (value instanceof Uint8Array) return value.length === 0;
  if (value instanceof Comment) return value.value === "";
  return false;
}

export function encryptValue(value: PlainValue, key: Uint8Array, additionalData: string, iv: Uint8Array = randomIv(IV_BYTES)): string {
  if (isEmptyValue(value)) return "";
  const { bytes, type } = plaintextOf(value);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(goStringToBytes(additionalData));
  const data = Buffer.concat([cipher.update(bytes), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${Buffer.from(iv).toString("base64")},tag:${tag.toString("base64")},type:${type}]`;
}

function decodeBase64(text: string, what: string): Buffer {
  const bytes = decodeStdBase64(text);
  if (!bytes) throw new SealboxError("ErrorDecryptingTree", `malformed ${what} in encrypted value (bad base64)`);
  return bytes;
}

/**
 * Decrypts one ENC[...] value. `additionalData` must be the value's key path as it was encrypted:
 * a value moved to another key fails here. Errors never include the plaintext.
 */
export function decryptValue(text: string, key: Uint8Array, additionalData: string): PlainValue {
  if (text === "") return "";
  const match = ENC_VALUE.exec(text);
  if (!match) throw new SealboxError("ErrorDecryptingTree", "value is not in sops' ENC[AES256_GCM,...] format");
  const data = decodeBase64(match[1], "data");
  const iv = decodeBase64(match[2], "iv");
  const tag = decodeBase64(match[3], "tag");
  const type = match[4];
  if (iv.length === 0 || tag.length !== TAG_BYTES) throw new SealboxError("ErrorDecryptingTree", "malformed iv or tag in encrypted value");
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(goStringToBytes(additionalData));
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new SealboxError("ErrorDecryptingTree", "could not decrypt a value: authentication failed (wrong key, tampered value, or value moved to another key path)");
  }
  const textValue = plain.toString("utf8");
  switch (type) {
    case "str":
      return bytesToGoString(plain);
    case "int":
    case "int64":
      if (!/^[+-]?\d+$/.test(textValue)) throw new SealboxError("ErrorDecryptingTree", "decrypted int value is not an integer");
      return BigInt(textValue);
    case "float": {
      // Go's strconv.FormatFloat writes ±Inf (YAML .inf); Number() reads only "Infinity"
      const inf = /^([+-]?)inf(inity)?$/i.exec(textValue);
      if (inf) return inf[1] === "-" ? -Infinity : Infinity;
      const f = Number(textValue);
      if (textValue.trim() === "" || Number.isNaN(f) && textValue !== "NaN") throw new SealboxError("ErrorDecryptingTree", "decrypted float value is not a number");
      return f;
    }
    case "bytes":
      return new Uint8Array(plain);
    case "bool":
      return parseGoBool(textValue);
    case "time":
      return new Timestamp(textValue);
    case "comment":
      return new Comment(textValue);
    default:
      throw new SealboxError("ErrorDecryptingTree", `unknown value type in encrypted value: ${type.slice(0, 20)}`);
  }
}

/** Go's strconv.ParseBool. */
function parseGoBool(text: string): boolean {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  throw new SealboxError("ErrorDecryptingTree", "decrypted bool value is not a boolean");
}
