// RSA-OAEP(SHA-256, MGF1-SHA-256) wrapping of many session keys for hybrid.ts. The RSA-4096 public
// operation is most of the cost of sealing many values (~0.08 ms each), so with enough of them a
// helper thread (./oaep-wrap-worker.ts) wraps alongside this one: both claim the next key from a
// shared counter, so whichever thread is free takes it and a helper that starts late, or never,
// only does less. The keys and the results are in shared memory: the keys are never copied to the
// helper (only the labels, which are not secret), and the caller wipes them once.
import { constants, publicEncrypt, type KeyObject } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { SealboxError } from "../errors.js";

export const SESSION_KEY_BYTES = 32;
/** A helper that holds a claimed key this long has stopped (a wrap takes well under a millisecond). */
const HELPER_STALL_MS = 30_000;

// control words (Int32Array over a SharedArrayBuffer)
const NEXT = 0; // next key index to claim
const ACTIVE = 1; // threads between a claim and its end
const FAILED = 2; // a thread threw: the others stop claiming

export interface WrapJob {
  publicKey: KeyObject;
  labels: Uint8Array[];
  /** The session keys, SESSION_KEY_BYTES each, in a SharedArrayBuffer. */
  keys: Uint8Array;
  /** The wrapped keys, `size` bytes each, in a SharedArrayBuffer. */
  out: Uint8Array;
  size: number;
  control: Int32Array;
}

export function oaep(key: KeyObject, label: Uint8Array) {
  return { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: label };
}

/**
 * Session keys wrapped for `publicKey` in chunks: each chunk goes to `helper` (from startWrapHelper)
 * as soon as it is added, so the helper wraps while the caller is still reading what to seal.
 */
export class KeyWrapper {
  private readonly jobs: WrapJob[] = [];
  private size = 0;

  constructor(
    private readonly publicKey: KeyObject,
    private readonly helper?: Worker,
  ) {}

  /** Starts on `keys` (SESSION_KEY_BYTES each, in a SharedArrayBuffer), each under its label. */
  add(keys: Uint8Array, labels: Uint8Array[]): void {
    const control = new Int32Array(new SharedArrayBuffer(12));
    let first: Buffer | undefined;
    if (this.jobs.length === 0) {
      // the very first on this thread: a key that cannot wrap fails here, with node:crypto's own error
      first = publicEncrypt(oaep(this.publicKey, labels[0]), keys.subarray(0, SESSION_KEY_BYTES));
      this.size = first.length;
      control[NEXT] = 1;
    }
    const job: WrapJob = { publicKey: this.publicKey, labels, keys, out: new Uint8Array(new SharedArrayBuffer(this.size * labels.length)), size: this.size, control };
    if (first) job.out.set(first);
    this.jobs.push(job);
    this.helper?.postMessage(job);
  }

  /** Every key added, wrapped, in order: this thread wraps what the helper has not. */
  finish(): Uint8Array[] {
    for (const job of this.jobs) {
      wrapClaimed(job);
      if (!this.helper) continue;
      waitForHelper(job.control);
      if (job.control[FAILED]) {
        // the helper threw (this thread did not): wrap the whole chunk again here, where errors surface
        job.control[NEXT] = 0;
        job.control[FAILED] = 0;
        wrapClaimed(job);
      }
    }
    return this.jobs.flatMap(({ labels, out, size }) => labels.map((_, i) => out.subarray(i * size, (i + 1) * size)));
  }
}

/** Claims and wraps keys until none are left; run by this thread and the helper alike. */
export function wrapClaimed(job: WrapJob): void {
  const { control, labels, keys, out, size } = job;
  for (;;) {
    Atomics.add(control, ACTIVE, 1);
    try {
      const i = Atomics.add(control, NEXT, 1);
      if (i >= labels.length || Atomics.load(control, FAILED)) return;
      out.set(publicEncrypt(oaep(job.publicKey, labels[i]), keys.subarray(i * SESSION_KEY_BYTES, (i + 1) * SESSION_KEY_BYTES)), i * size);
    } catch (error) {
      Atomics.store(control, FAILED, 1);
      throw error;
    } finally {
      Atomics.sub(control, ACTIVE, 1);
      Atomics.notify(control, ACTIVE);
    }
  }
}

/** A helper thread for one KeyWrapper (none on a single core); it boots in ~50 ms. Terminate it after. */
export function startWrapHelper(): Worker | undefined {
  if (availableParallelism() < 2) return undefined;
  const helper = new Worker(new URL("./oaep-wrap-worker.js", import.meta.url));
  // A helper that fails to start changes nothing (this thread wraps every key); it must not keep
  // the process alive either.
  helper.on("error", () => {});
  helper.unref();
  return helper;
}

/** Blocks until the helper holds no claimed key (this thread has claimed the last one already). */
function waitForHelper(control: Int32Array): void {
  for (let active = Atomics.load(control, ACTIVE); active !== 0; active = Atomics.load(control, ACTIVE)) {
    if (Atomics.wait(control, ACTIVE, active, HELPER_STALL_MS) === "timed-out") {
      throw new SealboxError("Generic", "the sealing helper thread stopped answering");
    }
  }
}
