// What a mutation fuzzer over fixtures/interop found, each case run as a real `sealbox` process on a
// real file (or through the built library): the exit status, one message naming the file and line,
// no stack trace, and nothing lost or written on a refusal.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { SOPS_VECTORS } from "../helpers/fixtures.js";
import { scratchDirs, stackLines } from "./helpers.js";

const scratch = scratchDirs();
const KEYS = join(SOPS_VECTORS, "keys.txt");
const RECIPIENT = /public key: (age1\w+)/.exec(readFileSync(KEYS, "utf8"))![1];

describe("YAML !!binary values", () => {
  it("refuses one that is not standard base64, naming file and line, instead of encrypting what the lenient decoder kept", async () => {
    const dir = scratch();
    const file = join(dir, "binary.yaml");
    const plain = 'name: app\ntoken: !!binary "%%%"\nkey: !!binary aGVs bG8=\n';
    writeFileSync(file, plain);
    const r = await sealbox(["encrypt", "-i", "--age", RECIPIENT, file], { env: cliEnv(KEYS) });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`sealbox: ${file}:2: !!binary value contains invalid base64 data\n`);
    expect(readFileSync(file, "utf8")).toBe(plain);
  });

  it("still takes valid ones, a literal block's line breaks included, as go-yaml does", async () => {
    const dir = scratch();
    const file = join(dir, "binary.yaml");
    writeFileSync(file, "a: !!binary aGVsbG8=\nb: !!binary |\n  aGVs\n  bG8=\nc: !!binary\n");
    const enc = await sealbox(["encrypt", "-i", "--age", RECIPIENT, file], { env: cliEnv(KEYS) });
    expect(enc.status, enc.stderr).toBe(0);
    const dec = await sealbox(["decrypt", file], { env: cliEnv(KEYS) });
    expect(dec.status, dec.stderr).toBe(0);
    expect(dec.stdout).toBe('a: hello\nb: hello\nc: ""\n');
    expect(stackLines(dec.stderr)).toEqual([]);
  });
});
