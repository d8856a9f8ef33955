// How an unexpected error is shown: Node's refusal of an argument quotes the value it was given, and
// that value may be a secret (an environment variable for exec-env), so it is never repeated.
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { reportError, toSealboxError } from "../../src/cli/report.js";

function nodeRefusal(): Error {
  try {
    spawn("true", [], { env: { TOKEN: "Zq9-secret\0tail" } });
  } catch (error) {
    return error as Error;
  }
  throw new Error("spawn took a NUL byte");
}

describe("errors from Node that quote their argument", () => {
  afterEach(() => vi.restoreAllMocks());

  it("keep what was wrong and drop the quoted value", () => {
    const refusal = nodeRefusal();
    expect(refusal.message).toContain("Zq9-secret");
    const shown = toSealboxError(refusal).message;
    expect(shown).toContain("must be a string without null bytes");
    expect(shown).not.toContain("Zq9-secret");
  });

  it("--debug's stack trace drops it too", () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (written.push(String(chunk)), true));
    reportError(nodeRefusal(), true);
    const output = written.join("");
    expect(output).toContain("    at ");
    expect(output).not.toContain("Zq9-secret");
  });

  it("leave other errors' messages alone", () => {
    expect(toSealboxError(new Error("Received 'x' somewhere")).message).toBe("Received 'x' somewhere");
  });
});
