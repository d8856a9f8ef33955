// Random bytes for values that must be unpredictable but are not secret: IVs, nonces, temp file
// names. One randomFillSync call fills a 4 KiB pool for hundreds of IVs; a call per IV cost ~60 µs
// of every small file a rotate rewrites (docs/performance.md). Keys still come from randomBytes
// directly, so key material never shares a buffer with anything else.
import { randomFillSync } from "node:crypto";

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/** `length` fresh random bytes (each pool byte is handed out once). */
export function randomIv(length: number): Uint8Array {
  if (length > POOL_BYTES / 8) return randomFillSync(new Uint8Array(length));
  if (used + length > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    used = 0;
  }
  const out = new Uint8Array(pool.subarray(used, used + length));
  used += length;
  return out;
}
