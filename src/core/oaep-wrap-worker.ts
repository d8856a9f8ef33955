// The helper thread of ./oaep-wrap.ts: wraps the session keys of each chunk alongside the main thread.
import { parentPort } from "node:worker_threads";
import { wrapClaimed, type WrapJob } from "./oaep-wrap.js";

parentPort?.on("message", (job: WrapJob) => {
  try {
    wrapClaimed(job);
  } catch {
    // marked FAILED in the chunk's control words: the main thread wraps that chunk again itself
  }
});
