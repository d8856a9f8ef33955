// Standard output for data, help and reports. Its own module, with nothing but node:fs, because the
// CLI's start-up bundle writes help and --version through it.
import { writeSync } from "node:fs";

/**
 * Writes to standard output, straight to its descriptor: process.stdout is a stream Node builds on
 * first use, loading net and the stream classes (~5 ms of a start, docs/performance.md). A reader
 * that closed the pipe (`sealbox … | head`) ends the run quietly with status 0, as Unix tools do.
 * Anything else the descriptor refuses (a pipe another process left non-blocking and full, EAGAIN)
 * goes to process.stdout with all that follows, so Node's own handling applies and nothing is reordered.
 */
export async function writeStdout(data: string | Uint8Array): Promise<void> {
  const rest = writeStdoutDirect(data);
  if (rest) await new Promise<void>((resolve, reject) => stdoutStream().write(rest, (e) => (e ? reject(e) : resolve())));
}

/** writeStdout for callers that cannot wait (commander's help and version); Node still writes it all before exiting. */
export function writeStdoutSync(data: string): void {
  const rest = writeStdoutDirect(data);
  if (rest) stdoutStream().write(rest);
}

let stdoutFallback: NodeJS.WriteStream | undefined;

/** What of `data` is left for process.stdout: nothing once it is all written. */
function writeStdoutDirect(data: string | Uint8Array): Uint8Array | undefined {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  if (stdoutFallback) return bytes;
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EPIPE") process.exit(0);
    return bytes.subarray(done);
  }
}

function stdoutStream(): NodeJS.WriteStream {
  if (!stdoutFallback) {
    stdoutFallback = process.stdout;
    // other write errors reach the write's own callback, and from there the one error report
    stdoutFallback.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
    });
  }
  return stdoutFallback;
}
