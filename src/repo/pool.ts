// A bounded worker pool: at most `concurrency` items in flight, results in input order, one item's
// failure recorded without stopping the others (each file of a repo-wide run stands alone).
import { availableParallelism } from "node:os";
import { SealboxError } from "../errors.js";

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}

export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  onSettled?: (index: number, result: Settled<R>) => void,
): Promise<Settled<R>[]> {
  const results: Settled<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
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
