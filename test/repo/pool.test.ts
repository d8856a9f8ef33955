// The worker pool: never more than N items in flight, results in input order, one failure recorded
// without stopping the rest; --concurrency must be a whole number of at least 1.
import { describe, expect, it } from "vitest";
import { defaultConcurrency, parseConcurrency, runPool } from "../../src/repo/pool.js";

describe("runPool", () => {
  it("keeps at most N in flight, keeps input order and records failures per item", async () => {
    let inFlight = 0;
    let peak = 0;
    const settledOrder: number[] = [];
    const results = await runPool(
      Array.from({ length: 40 }, (_, i) => i),
      3,
      async (n) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, (n * 7) % 5));
        inFlight--;
        if (n === 13) throw new Error("thirteen");
        return n * 2;
      },
      (index) => settledOrder.push(index),
    );
    expect(peak).toBe(3);
    expect(results.map((r) => (r.ok ? r.value : "failed"))).toEqual(Array.from({ length: 40 }, (_, i) => (i === 13 ? "failed" : i * 2)));
    expect(settledOrder.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("shares the items with another pool through a common claim counter, each item done once", async () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    let next = 0;
    const claim = () => next++;
    const done: number[][] = [[], []];
    const run = (pool: number) =>
      runPool(items, 2, async (n) => {
        await new Promise((r) => setTimeout(r, n % 3));
        done[pool].push(n);
        return n;
      }, undefined, claim);
    const [a, b] = await Promise.all([run(0), run(1)]);
    expect(done[0].length).toBeGreaterThan(0);
    expect(done[1].length).toBeGreaterThan(0);
    expect([...done[0], ...done[1]].sort((x, y) => x - y)).toEqual(items);
    // each pool's results hold only what it claimed
    expect(a.filter(Boolean).length + b.filter(Boolean).length).toBe(50);
  });

  it("parses --concurrency and defaults to the CPU count", () => {
    expect(parseConcurrency(undefined)).toBe(defaultConcurrency());
    expect(defaultConcurrency()).toBeGreaterThanOrEqual(1);
    expect(parseConcurrency("8")).toBe(8);
    for (const bad of ["0", "-1", "1.5", "many"]) expect(() => parseConcurrency(bad)).toThrow(/--concurrency must be a whole number/);
  });
});
