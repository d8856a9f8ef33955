// sops reads files into Go strings, which are byte strings: it encrypts and MACs their exact bytes,
// valid UTF-8 or not. We decode UTF-8 and carry every byte that is not part of a valid sequence as a
// lone surrogate U+DC80..U+DCFF (Python's "surrogateescape"), so any file survives a JS string byte
// for byte. Valid UTF-8 decodes to itself; the BOM is kept (sops keeps it too). The value cipher and
// the MAC must turn strings into bytes with goStringToBytes (and decrypted str values back with
// bytesToGoString) so that such a file encrypts and MACs to what sops computes. Numbers print as Go
// prints a float64 (formatGoFloat).
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LONE_ESCAPE = /[\uDC80-\uDCFF]/u;

/** Length of a valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < bytes.length && bytes[i + k] >= lo && bytes[i + k] <= hi;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    // No overlongs (E0 A0..) and no UTF-16 surrogates (ED ..9F).
    const ok = b === 0xe0 ? cont(1, 0xa0) : b === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const ok = b === 0xf0 ? cont(1, 0x90) : b === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return ok && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

function decodeEscaping(bytes: Uint8Array): string {
  const units: number[] = [];
  let out = "";
  const flush = (): void => {
    out += String.fromCharCode(...units);
    units.length = 0;
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let cp: number;
    let n = 1;
    if (b < 0x80) cp = b;
    else if ((n = sequenceLength(bytes, i)) === 0) {
      n = 1;
      cp = 0xdc00 + b;
    } else if (n === 2) cp = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
    else if (n === 3) cp = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
    else cp = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
    if (cp > 0xffff) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else units.push(cp);
    i += n;
    if (units.length > 8192) flush();
  }
  flush();
  return out;
}

/** A file's bytes as the string sops would hold (see the file comment). */
export function bytesToGoString(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return decodeEscaping(bytes);
  }
}

/** The exact bytes behind a string from bytesToGoString; other strings encode as UTF-8. */
export function goStringToBytes(text: string): Uint8Array {
  if (!LONE_ESCAPE.test(text)) return Buffer.from(text, "utf8");
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xdc80 && cp <= 0xdcff) out[n++] = cp - 0xdc00;
    else n += Buffer.from(ch, "utf8").copy(out, n);
  }
  return out.subarray(0, n);
}

/** Go's len(s): the byte length of the string sops would hold. */
export function goByteLength(text: string): number {
  return LONE_ESCAPE.test(text) ? goStringToBytes(text).length : Buffer.byteLength(text, "utf8");
}

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  if (Object.is(f, -0)) return "-0";
  const shortest = String(f);
  if (!/e/i.test(shortest)) return shortest;
  // Expand the exponent form of the shortest representation without changing its digits.
  const [mantissa, exponentText] = shortest.toLowerCase().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const [intPart, fracPart = ""] = mantissa.replace("-", "").split(".");
  const digits = intPart + fracPart;
  const point = intPart.length + exponent;
  let out: string;
  if (point <= 0) out = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = digits.slice(0, point) + "." + digits.slice(point);
  return (negative ? "-" : "") + out;
}
