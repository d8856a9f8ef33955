// The helper thread of ./oaep-wrap.ts: wraps session keys of one job alongside the main thread.
import { parentPort } from "node:worker_threads";
import { wrapClaimed, type WrapJob } from "./oaep-wrap.js";

parentPort?.once("message", (job: WrapJob) => {
  try {
    wrapClaimed(job);
  } catch {
    // marked FAILED in the shared control words: the main thread wraps everything again itself
  }
});
