// A rotate worker thread (started by ./threads.ts): rotates files from the shared counter exactly as
// the main thread does, and posts the results in small batches (a message per file cost more than
// some files' work). A locked identity's passphrase is asked of the main thread.
import { setFlagsFromString } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { askOverPort } from "./passphrase-relay.js";
import type { FileResult } from "./run.js";
import { contextFor, takeFiles, type ResultBatch, type WorkerSetup } from "./threads.js";

const BATCH = 16;

const setup = workerData as WorkerSetup;
// this thread's heap is set up by now, which reset them
if (setup.v8Flags) setFlagsFromString(setup.v8Flags);
let batch: ResultBatch["results"] = [];

function flush(): void {
  if (batch.length) parentPort!.postMessage({ results: batch } satisfies ResultBatch);
  batch = [];
}

// No top-level await: the CLI bundle is CommonJS (scripts/bundle.mjs). A failure is thrown outside
// the promise, so it ends the thread with an error event the main thread reports, whatever
// --unhandled-rejections says; the files finished before it are reported first.
takeFiles(setup, contextFor(setup, { passphrase: setup.canAsk ? askOverPort(parentPort!) : undefined }), (index: number, result: FileResult | undefined) => {
  batch.push({ index, result });
  if (batch.length >= BATCH) flush();
}).then(flush, (error: unknown) => {
  flush();
  setImmediate(() => {
    throw error;
  });
});
