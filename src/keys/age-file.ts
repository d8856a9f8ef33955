// Whole age files in memory, for the one thing sops puts in them: a 32-byte data key. Same bytes and
// same checks as age-encryption's Encrypter/Decrypter and armor, without their web streams (~0.5 ms
// a file, and undici's Response at start-up) and without importing age-encryption at all (~60 ms of
// CPU at start-up; docs/performance.md). Anything this path does not handle (string recipients or
// identities, multi-chunk payloads, a header or armor not in canonical form) goes to age-encryption,
// loaded then, so its verdict stands there.
// Spec: https://age-encryption.org/v1 ("Header", "Payload").
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { randomIv } from "../core/random.js";
import type { Decrypter, Identity, Recipient } from "age-encryption";
import { Stanza } from "./age-stanza.js";
import { base64NoPad, decodeBase64NoPad, hkdfSha256 } from "./age-x25519.js";

const VERSION_LINE = "age-encryption.org/v1";
const CHUNK = 64 * 1024;
const TAG = 16;
const NONCE = 16;
/** A stanza argument: one or more printable ASCII characters, no spaces. */
const VCHARS = /^[\x21-\x7e]+$/;

/** The header up to and including "---", as age-encryption's encodeHeaderNoMAC writes it. */
function headerNoMac(stanzas: Stanza[]): string {
  let out = VERSION_LINE + "\n";
  for (const s of stanzas) {
    out += "-> " + s.args.join(" ") + "\n";
    for (let i = 0; i < s.body.length; i += 48) out += base64NoPad(s.body.subarray(i, i + 48)) + "\n";
    if (s.body.length % 48 === 0) out += "\n";
  }
  return out + "---";
}

function headerMac(fileKey: Uint8Array, header: string): Buffer {
  return createHmac("sha256", hkdfSha256(fileKey, new Uint8Array(0), "header")).update(header, "latin1").digest();
}

/** The last (and only) STREAM chunk: 11-byte zero counter, then the last-chunk flag. */
function lastChunkNonce(): Buffer {
  const nonce = Buffer.alloc(12);
  nonce[11] = 1;
  return nonce;
}

/** age-encrypts `plaintext` to the recipients; age-encryption does it when one is a string. */
export async function encryptAgeFile(recipients: (Recipient | string)[], plaintext: Uint8Array): Promise<Uint8Array> {
  if (plaintext.length > CHUNK || recipients.some((r) => typeof r === "string")) {
    const { Encrypter } = await import("age-encryption");
    const encrypter = new Encrypter();
    for (const r of recipients) encrypter.addRecipient(r);
    return encrypter.encrypt(plaintext);
  }
  const fileKey = randomBytes(16);
  const stanzas: Stanza[] = [];
  for (const r of recipients as Recipient[]) stanzas.push(...(await r.wrapFileKey(fileKey)));
  const header = headerNoMac(stanzas);
  const nonce = randomIv(NONCE);
  const cipher = createCipheriv("chacha20-poly1305", hkdfSha256(fileKey, nonce, "payload"), lastChunkNonce(), { authTagLength: TAG });
  return Buffer.concat([
    Buffer.from(`${header} ${base64NoPad(headerMac(fileKey, header))}\n`, "latin1"),
    nonce,
    cipher.update(plaintext),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
}

interface ParsedHeader {
  stanzas: Stanza[];
  /** The header text up to and including "---". */
  noMac: string;
  mac: Uint8Array;
  /** Where the payload starts. */
  end: number;
}

/** Parses a header that is exactly what headerNoMac writes; undefined for anything else. */
function parseCanonicalHeader(file: Uint8Array): ParsedHeader | undefined {
  // The header is ASCII and ends at the first "\n" after "\n---"; latin1 keeps byte offsets.
  const macAt = Buffer.from(file.buffer, file.byteOffset, file.byteLength).indexOf("\n--- ");
  if (macAt < 0) return undefined;
  const lineEnd = file.indexOf(0x0a, macAt + 5);
  if (lineEnd < 0) return undefined;
  const text = Buffer.from(file.buffer, file.byteOffset, lineEnd).toString("latin1");
  const lines = text.slice(0, macAt).split("\n");
  if (lines[0] !== VERSION_LINE) return undefined;
  const stanzas: Stanza[] = [];
  try {
    for (let i = 1; i < lines.length; ) {
      if (!lines[i].startsWith("-> ")) return undefined;
      const args = lines[i++].slice(3).split(" ");
      if (!args.every((arg) => VCHARS.test(arg))) return undefined;
      const body: Uint8Array[] = [];
      for (;;) {
        if (i >= lines.length) return undefined;
        const chunk = decodeBase64NoPad(lines[i++], "stanza body");
        body.push(chunk);
        if (chunk.length < 48) break;
      }
      stanzas.push(new Stanza(args, new Uint8Array(Buffer.concat(body))));
    }
    const noMac = text.slice(0, macAt + 4);
    const mac = decodeBase64NoPad(text.slice(macAt + 5), "header MAC");
    // Only the canonical form: whatever else age may accept or refuse is age-encryption's to judge.
    if (headerNoMac(stanzas) !== noMac || mac.length !== 32) return undefined;
    return { stanzas, noMac, mac, end: lineEnd + 1 };
  } catch {
    return undefined;
  }
}

/**
 * Decrypts an age file with the identities, as age-encryption's Decrypter does, with the same
 * error messages ("no identity matched any of the file's recipients", "invalid header HMAC").
 */
export async function decryptAgeFile(identities: (Identity | string)[], file: Uint8Array, fallback: () => Decrypter | Promise<Decrypter>): Promise<Uint8Array> {
  const header = identities.some((i) => typeof i === "string") ? undefined : parseCanonicalHeader(file);
  const payloadLength = header ? file.length - header.end - NONCE : -1;
  if (!header || payloadLength < TAG || payloadLength > CHUNK + TAG) return (await fallback()).decrypt(file);
  let fileKey: Uint8Array | null = null;
  for (const identity of identities as Identity[]) {
    fileKey = await identity.unwrapFileKey(header.stanzas);
    if (fileKey) break;
  }
  if (!fileKey) throw new Error("no identity matched any of the file's recipients");
  const mac = headerMac(fileKey, header.noMac);
  if (!timingSafeEqual(mac, header.mac)) throw new Error("invalid header HMAC");
  const nonce = file.subarray(header.end, header.end + NONCE);
  const decipher = createDecipheriv("chacha20-poly1305", hkdfSha256(fileKey, nonce, "payload"), lastChunkNonce(), { authTagLength: TAG });
  decipher.setAuthTag(file.subarray(file.length - TAG));
  try {
    return new Uint8Array(Buffer.concat([decipher.update(file.subarray(header.end + NONCE, file.length - TAG)), decipher.final()]));
  } catch {
    throw new Error("invalid payload: authentication failed");
  }
}

const ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----\n";
const ARMOR_END = "-----END AGE ENCRYPTED FILE-----\n";

/** The ASCII armor, exactly as age-encryption's armor.encode writes it (64-column padded base64). */
export function armorEncode(file: Uint8Array): string {
  let out = ARMOR_BEGIN;
  for (let i = 0; i < file.length; i += 48) out += Buffer.from(file.subarray(i, i + 48)).toString("base64") + "\n";
  return out + ARMOR_END;
}

/**
 * Reads the armor. Text that is exactly what armorEncode writes (with or without the final newline)
 * is decoded here; anything else goes to age-encryption's strict armor.decode, which accepts or
 * throws as it does.
 */
export async function armorDecode(text: string): Promise<Uint8Array> {
  if (text.startsWith(ARMOR_BEGIN)) {
    const end = text.indexOf(ARMOR_END.slice(0, -1), ARMOR_BEGIN.length);
    const bytes = end > 0 ? Buffer.from(text.slice(ARMOR_BEGIN.length, end).replaceAll("\n", ""), "base64") : undefined;
    const canonical = bytes ? armorEncode(bytes) : undefined;
    if (bytes && (text === canonical || text + "\n" === canonical)) return new Uint8Array(bytes);
  }
  const { armor } = await import("age-encryption");
  return armor.decode(text);
}
