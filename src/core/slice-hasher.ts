// SHA-512 over a large value fed slice by slice, on a second core when the value is big enough for
// that to pay (a worker takes ~30 ms to start; SHA-512 runs ~700 MB/s and is sops's binary-store
// MAC, the largest single cost of encrypting or decrypting a big file). The caller fills a slot,
// commits it, and may go on encrypting or writing while the worker hashes it; a slot is handed out
// again only once the worker is done with it.
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";

/** Below this many bytes the hash runs inline: the worker's start-up would cost more than it saves. */
const WORKER_MIN_BYTES = 16 * 1024 * 1024;
const SLOTS = 4;

export interface SliceHasher {
  /**
   * A buffer of up to `slotBytes` for the next slice. Once committed it is left alone until the
   * next-but-one call at least, so the caller may still be writing it out meanwhile.
   */
  slot(): Promise<Buffer>;
  /** Hashes the first `length` bytes of the slot last handed out. */
  commit(length: number): void;
  /** The SHA-512 of everything committed, as uppercase hex. */
  hex(): Promise<string>;
  /** Stops the worker (always call, also after a failure). */
  close(): void;
}

/** The worker: hashes committed slots of the shared buffer in order, answering each when done. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const hash = require("node:crypto").createHash("sha512");
const { shared, slotBytes, prefix } = workerData;
hash.update(prefix);
parentPort.on("message", (message) => {
  if (message === "digest") return parentPort.postMessage(hash.digest("hex").toUpperCase());
  hash.update(new Uint8Array(shared, message.slot * slotBytes, message.length));
  parentPort.postMessage(true);
});
`;

class InlineHasher implements SliceHasher {
  private readonly hash = createHash("sha512");
  private readonly buffers: Buffer[];
  private committed = 0;

  constructor(prefix: Uint8Array, slotBytes: number) {
    this.hash.update(prefix);
    this.buffers = [0, 1].map(() => Buffer.allocUnsafe(slotBytes));
  }

  async slot(): Promise<Buffer> {
    return this.buffers[this.committed % 2];
  }

  commit(length: number): void {
    this.hash.update(this.buffers[this.committed++ % 2].subarray(0, length));
  }

  async hex(): Promise<string> {
    return this.hash.digest("hex").toUpperCase();
  }

  close(): void {}
}

class WorkerHasher implements SliceHasher {
  private readonly shared: SharedArrayBuffer;
  private readonly worker: Worker;
  private readonly failed: Promise<never>;
  private committed = 0;
  private hashed = 0;
  private digest?: string;
  private wake?: () => void;

  constructor(
    prefix: Uint8Array,
    private readonly slotBytes: number,
    private readonly slots: number,
  ) {
    this.shared = new SharedArrayBuffer(slots * slotBytes);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared: this.shared, slotBytes, prefix } });
    this.worker.on("message", (message: true | string) => {
      if (message === true) this.hashed++;
      else this.digest = message;
      this.wake?.();
    });
    this.failed = new Promise((_, reject) => {
      this.worker.once("error", reject);
      this.worker.once("exit", (code) => reject(new Error(`the hashing worker stopped (exit ${code})`)));
    });
    this.failed.catch(() => {}); // observed where it is awaited
  }

  /** Waits for the worker's next answer (or its failure). */
  private async answer(): Promise<void> {
    await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), this.failed]);
  }

  async slot(): Promise<Buffer> {
    // the slot about to be reused was committed `slots` slices ago: wait until the worker has hashed it
    while (this.committed - this.hashed >= this.slots) await this.answer();
    return Buffer.from(this.shared, (this.committed % this.slots) * this.slotBytes, this.slotBytes);
  }

  commit(length: number): void {
    this.worker.postMessage({ slot: this.committed % this.slots, length });
    this.committed++;
  }

  async hex(): Promise<string> {
    this.worker.postMessage("digest");
    while (this.digest === undefined) await this.answer();
    return this.digest;
  }

  close(): void {
    void this.worker.terminate();
  }
}

/** A hasher for a value of `totalBytes`, starting with `prefix`, fed in slices of at most `slotBytes`. */
export function sliceHasher(totalBytes: number, slotBytes: number, prefix: Uint8Array = new Uint8Array(0)): SliceHasher {
  if (totalBytes < WORKER_MIN_BYTES) return new InlineHasher(prefix, slotBytes);
  return new WorkerHasher(prefix, slotBytes, Math.max(2, Math.min(SLOTS, Math.ceil(totalBytes / slotBytes))));
}
