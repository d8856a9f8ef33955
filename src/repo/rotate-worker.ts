// A rotate worker thread (started by ./threads.ts): rotates files from the shared counter exactly as
// the main thread does, and posts the results in small batches (a message per file cost more than
// some files' work).
import { parentPort, workerData } from "node:worker_threads";
import type { FileResult } from "./run.js";
import { contextFor, takeFiles, type WorkerMessage, type WorkerSetup } from "./threads.js";

const BATCH = 16;

const setup = workerData as WorkerSetup;
let batch: WorkerMessage["results"] = [];

function flush(): void {
  if (batch.length) parentPort!.postMessage({ results: batch } satisfies WorkerMessage);
  batch = [];
}

await takeFiles(setup, contextFor(setup), (index: number, result: FileResult | undefined) => {
  batch.push({ index, result });
  if (batch.length >= BATCH) flush();
});
flush();
