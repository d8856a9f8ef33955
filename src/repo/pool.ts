// A bounded worker pool: at most `concurrency` items in flight, results in input order, one item's
// failure recorded without stopping the others (each file of a repo-wide run stands alone).
import { availableParallelism } from "node:os";
import { SealboxError } from "../errors.js";

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}

/**
 * `claim` hands out the next index to work on; by default this pool counts alone, but threads that
 * share a counter (src/repo/threads.ts) each run a pool over the same items, and an item one thread
 * claims is never seen by another (its slot in the others' results stays empty).
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  onSettled?: (index: number, result: Settled<R>) => void,
  claim?: () => number,
): Promise<Settled<R>[]> {
  const results: Settled<R>[] = new Array(items.length);
  let next = 0;
  const take = claim ?? (() => next++);
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = take();
      if (index >= items.length) return;
      let result: Settled<R>;
      try {
        result = { ok: true, value: await work(items[index], index) };
      } catch (error) {
        result = { ok: false, error };
      }
      results[index] = result;
      onSettled?.(index, result);
    }
  };
  const size = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
  await Promise.all(Array.from({ length: size }, worker));
  return results;
}

/** Parses --concurrency: a whole number of at least 1. */
export function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return defaultConcurrency();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new SealboxError("ConflictingParameters", `--concurrency must be a whole number of at least 1, not ${JSON.stringify(text)}`);
  return n;
}
