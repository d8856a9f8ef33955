// The AWS SDK is large: start-up, flag parsing and age-only runs must never load it. A module
// resolution hook makes any @aws-sdk/* import fail, so loading it shows up as an error.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith("@aws-sdk/")) throw new Error("AWS SDK loaded: " + specifier);
  return next(specifier, context);
}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`)}`;

function runWithoutSdk(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", REGISTER, ...args], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("lazy loading of the AWS SDK", () => {
  it("parses KMS flags and builds the key source without loading the SDK, and loads it on the first KMS call", () => {
    const script = `
      const kms = await import("./dist/keys/kms.js");
      const specs = kms.parseKmsArns("arn:aws:kms:eu-west-1:111122223333:key/k+arn:aws:iam::111122223333:role/r", kms.parseEncryptionContext("a:b"));
      const source = kms.createKmsKeySource();
      console.log(JSON.stringify(specs));
      try { await source.wrap(specs[0], new Uint8Array(32)); } catch (e) { console.log(e.message); }
    `;
    const r = runWithoutSdk(["--input-type=module", "-e", script]);
    expect(r.stderr).toBe("");
    const [specs, failure] = r.stdout.trim().split("\n");
    expect(JSON.parse(specs!)).toEqual([{ type: "kms", arn: "arn:aws:kms:eu-west-1:111122223333:key/k", role: "arn:aws:iam::111122223333:role/r", context: { a: "b" } }]);
    // The hook is live: the first real KMS call is where the SDK is imported.
    expect(failure).toMatch(/AWS SDK loaded: @aws-sdk\/client-kms/);
  });

  it("starts the CLI without loading the SDK", () => {
    const r = runWithoutSdk(["bin/sealbox.js", "--help"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
