// `seal -o x.yaml` writes YAML without --format (kubeseal's JSON default stays for stdout and .json).
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SEALED_VECTORS } from "../helpers/fixtures.js";
import { sealboxSync } from "../helpers/cli.js";

describe("seal output format", () => {
  const cert = join(SEALED_VECTORS, "cert.pem");
  const secret = join(SEALED_VECTORS, "data-strict.secret.yaml");

  it("follows the -o file's extension when --format is not given", () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-seal-format-"));
    expect(sealboxSync(["seal", "--cert", cert, secret, "-o", join(dir, "s.yaml")]).status).toBe(0);
    expect(readFileSync(join(dir, "s.yaml"), "utf8")).toMatch(/^---\napiVersion: bitnami.com\/v1alpha1\n/);
    expect(sealboxSync(["seal", "--cert", cert, secret, "-o", join(dir, "s.json")]).status).toBe(0);
    expect(readFileSync(join(dir, "s.json"), "utf8")).toMatch(/^\{\n {2}"kind": "SealedSecret"/);
  });

  it("prints JSON on stdout by default, as kubeseal does, and --format wins over the extension", () => {
    expect(sealboxSync(["seal", "--cert", cert, secret]).stdout.toString()).toMatch(/^\{/);
    const dir = mkdtempSync(join(tmpdir(), "sealbox-seal-format-"));
    expect(sealboxSync(["seal", "--cert", cert, "--format", "json", secret, "-o", join(dir, "s.yaml")]).status).toBe(0);
    expect(readFileSync(join(dir, "s.yaml"), "utf8")).toMatch(/^\{/);
  });
});
