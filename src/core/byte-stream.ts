// Where a large value's bytes come from and go to, so one transformation serves a file on disk
// (read and written slice by slice, never whole) and bytes in memory alike.
import { SealboxError } from "../errors.js";

/** Bytes of known length, read at any position. */
export interface ByteSource {
  readonly size: number;
  /** Reads up to `into.length` bytes at `position`; returns how many (0 only at the end). */
  read(into: Uint8Array, position: number): number;
}

export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** Opens the output once the transformation knows it will write one, with its expected size. */
export type OpenSink = (size: number) => Promise<ByteSink>;

/** Fills `into` from `position`; the source ending early means the file changed under us. */
export function readFully(source: ByteSource, into: Uint8Array, position: number): number {
  let done = 0;
  while (done < into.length) {
    const n = source.read(into.subarray(done), position + done);
    if (n === 0) throw new SealboxError("CouldNotReadInputFile", "cannot read: the file ended early (it changed while being read)");
    done += n;
  }
  return done;
}

/** Reads `length` bytes at `position` into a new buffer. */
export function readAt(source: ByteSource, position: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  readFully(source, bytes, position);
  return bytes;
}

/**
 * Keeps one write in flight while the caller makes the next slice (the write runs on libuv's thread
 * pool): bytes handed to `write` must stay unchanged until the following `write` or `flush` returns.
 */
export class WriteBehind {
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly sink: ByteSink) {}

  async write(bytes: Uint8Array): Promise<void> {
    await this.pending;
    this.pending = this.sink.write(bytes);
    this.pending.catch(() => {}); // a failure surfaces at the next write or flush
  }

  flush(): Promise<void> {
    return this.pending;
  }
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(into, position) {
      const slice = bytes.subarray(position, position + into.length);
      into.set(slice);
      return slice.length;
    },
  };
}

/** Collects the output in one buffer of the size announced (growing if more comes). */
class MemorySink implements ByteSink {
  private buffer: Buffer;
  private length = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.length + bytes.length > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + bytes.length));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** Runs a transformation into memory: its output, or undefined where it declined (returned false). */
export async function toMemory(run: (open: OpenSink) => Promise<boolean>): Promise<Buffer | undefined> {
  let sink: MemorySink | undefined;
  const done = await run(async (size) => (sink = new MemorySink(size)));
  return done ? (sink?.bytes() ?? Buffer.alloc(0)) : undefined;
}
