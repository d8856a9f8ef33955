import { SealboxError } from "../../src/errors.js";

/** Runs `fn` and returns the SealboxError it throws; anything else (or nothing) fails the test. */
export function thrown(fn: () => unknown): SealboxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SealboxError) return e;
    throw e;
  }
  throw new Error("expected a SealboxError");
}
