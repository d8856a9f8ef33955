// Shamir's secret sharing over GF(2^8), the scheme sops uses for key groups (its `shamir` package,
// which is HashiCorp Vault's). A share is the y value for every secret byte followed by one byte, the
// share's x coordinate: {y1 … yN, x}. The field is GF(2^8) modulo x^8+x^4+x^3+x+1 (0x11b), the same
// field Vault's log/exp tables describe, so shares written by sops combine here and the other way.
// JavaScript cannot promise constant time; like Vault we at least avoid branching on secret bytes.
import { randomBytes, randomInt } from "node:crypto";
import { SealboxError } from "../errors.js";

// Log/exp tables for the generator 0xe5 (Vault's tables start exp = 01 e5 4c …); computed rather
// than pasted so that the field is evident from the code.
const EXP = new Uint8Array(255);
const LOG = new Uint8Array(256);
{
  let v = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = v;
    LOG[v] = i;
    v = mulSlow(v, 0xe5);
  }
}

/** Carry-less multiplication modulo 0x11b; only used to build the tables. */
function mulSlow(a: number, b: number): number {
  let out = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) out ^= a;
    const carry = a & 0x80;
    a = (a << 1) & 0xff;
    if (carry) a ^= 0x1b;
    b >>= 1;
  }
  return out;
}

/** Multiplication in GF(2^8): zero if either factor is zero, selected with a mask, not a branch. */
function mul(a: number, b: number): number {
  const product = EXP[(LOG[a]! + LOG[b]!) % 255]!;
  const zeroMask = -(Number(a !== 0) & Number(b !== 0)) & 0xff;
  return product & zeroMask;
}

/** Division in GF(2^8); b is never zero here because x coordinates are distinct. */
function div(a: number, b: number): number {
  const quotient = EXP[(LOG[a]! - LOG[b]! + 255) % 255]!;
  return quotient & (-Number(a !== 0) & 0xff);
}

/** Horner's rule for a polynomial given lowest coefficient first. */
function evaluate(coefficients: Uint8Array, x: number): number {
  let out = coefficients[coefficients.length - 1]!;
  for (let i = coefficients.length - 2; i >= 0; i--) out = mul(out, x) ^ coefficients[i]!;
  return out;
}

/** Lagrange interpolation at x = 0 (addition and subtraction are both XOR in this field). */
function interpolateAtZero(xs: Uint8Array, ys: Uint8Array): number {
  let result = 0;
  for (let i = 0; i < xs.length; i++) {
    let basis = 1;
    for (let j = 0; j < xs.length; j++) {
      if (i !== j) basis = mul(basis, div(xs[j]!, xs[i]! ^ xs[j]!));
    }
    result ^= mul(ys[i]!, basis);
  }
  return result;
}

/** `count` distinct x coordinates from 1…255 in random order (a partial Fisher–Yates shuffle). */
function randomXCoordinates(count: number): Uint8Array {
  const pool = Array.from({ length: 255 }, (_, i) => i + 1);
  for (let i = 0; i < count; i++) {
    const j = i + randomInt(255 - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return Uint8Array.from(pool.slice(0, count));
}

/**
 * Splits `secret` into `parts` shares of which any `threshold` rebuild it. Each share is one byte
 * longer than the secret. 2 ≤ threshold ≤ parts ≤ 255, as sops requires.
 */
export function splitSecret(secret: Uint8Array, parts: number, threshold: number): Uint8Array[] {
  if (!Number.isInteger(parts) || !Number.isInteger(threshold)) throw invalid("parts and threshold must be integers");
  if (parts < threshold) throw invalid(`cannot split into ${parts} shares with a threshold of ${threshold}: parts cannot be less than the threshold`);
  if (parts > 255) throw invalid("parts cannot exceed 255");
  if (threshold < 2) throw invalid("the threshold must be at least 2");
  if (secret.length === 0) throw invalid("cannot split an empty secret");

  const xs = randomXCoordinates(parts);
  const shares = Array.from(xs, (x) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = x;
    return share;
  });
  // One random polynomial of degree threshold-1 per secret byte, crossing the y axis at that byte.
  const coefficients = new Uint8Array(threshold);
  secret.forEach((byte, index) => {
    coefficients[0] = byte;
    coefficients.set(randomBytes(threshold - 1), 1);
    shares.forEach((share, i) => {
      share[index] = evaluate(coefficients, xs[i]!);
    });
  });
  coefficients.fill(0);
  return shares;
}

/**
 * Rebuilds a secret from shares made by `splitSecret` (or by sops). Fewer shares than the threshold
 * give a wrong secret, not an error: the scheme cannot tell, the caller's MAC check does.
 */
export function combineShares(shares: Uint8Array[]): Uint8Array {
  if (shares.length < 2) throw combineError("fewer than two shares cannot rebuild the data key");
  const length = shares[0]!.length;
  if (length < 2) throw combineError("a share must be at least two bytes long");
  if (shares.some((s) => s.length !== length)) throw combineError("the shares are not all the same length");

  const xs = Uint8Array.from(shares, (s) => s[length - 1]!);
  if (new Set(xs).size !== xs.length) throw combineError("two shares have the same x coordinate (duplicate share)");

  const secret = new Uint8Array(length - 1);
  const ys = new Uint8Array(shares.length);
  for (let index = 0; index < secret.length; index++) {
    shares.forEach((share, i) => {
      ys[i] = share[index]!;
    });
    secret[index] = interpolateAtZero(xs, ys);
  }
  ys.fill(0);
  return secret;
}

function invalid(why: string): SealboxError {
  return new SealboxError("Generic", `cannot split the data key into key-group shares: ${why}`);
}

function combineError(why: string): SealboxError {
  return new SealboxError("CouldNotRetrieveKey", `cannot combine the key-group shares: ${why}`);
}
