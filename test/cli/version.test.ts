// src/version.ts is a constant, not a read of package.json at run time (one file fewer at start-up):
// this keeps it in step with the package's version.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { sealboxSync } from "../helpers/cli.js";
import { ROOT } from "../helpers/fixtures.js";

const packageVersion = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

describe("version", () => {
  it("is package.json's version", () => {
    expect(VERSION).toBe(packageVersion);
  });

  it("is what sealbox --version prints", () => {
    const result = sealboxSync(["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe(`${packageVersion}\n`);
  });
});
