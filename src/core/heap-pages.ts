// Keeps freed memory mapped for a large streaming job. Every buffer node:crypto hands back (a
// cipher's output, ~48 KB a step) is freed only when V8 next sweeps it, some hundreds at a time;
// glibc then finds that much free at the top of its heap and returns it to the kernel (its trim
// threshold is 128 KB), and the next steps fault the same pages in again, zeroed. A 100 MB decrypt
// faulted ~26,000 pages that way, half its run on these machines (docs/performance.md).
//
// glibc has no knob Node exposes, but it adapts by itself: freeing a block it had mapped on its own
// (at least the mmap threshold, at most 32 MB) raises that threshold to the block's size and the
// trim threshold to twice it, for the rest of the process (mallopt(3), "M_MMAP_THRESHOLD"). A buffer
// of just under 32 MB that is never written costs no page, only its mapping; once V8 frees it,
// sweeps of up to 64 MB stay with the process. Other C libraries ignore this, and lose nothing.

/** Just under glibc's DEFAULT_MMAP_THRESHOLD_MAX (32 MiB on 64-bit), which caps the adaptation. */
const MAPPED_BLOCK_BYTES = 32 * 1024 * 1024 - 64 * 1024;

/** Asks the C library to keep freed memory for reuse from now on (see above); cheap, and idempotent. */
export function keepFreedHeapPages(): void {
  // allocated uninitialised and dropped at once: V8 frees it at its next garbage collection
  Buffer.allocUnsafeSlow(MAPPED_BLOCK_BYTES);
}
