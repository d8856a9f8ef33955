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

describe("flat stores' sops metadata (dotenv sops_… lines, the INI [sops] section)", () => {
  it.each([
    ["app.enc.env", "sops_age__list_0__map_enc=", "sops_age__list_-1__map_enc="],
    ["settings.enc.ini", "age__list_0__map_enc", "age__list_-1__map_enc"],
  ])("%s: a negative list index is refused by key and line, not dropped (which read as a damaged age stanza)", async (name, from, to) => {
    const dir = scratch();
    const file = join(dir, name);
    const text = readFileSync(join(SOPS_VECTORS, name), "utf8");
    const line = text.split("\n").findIndex((l) => l.startsWith(from)) + 1;
    writeFileSync(file, text.replace(from, to));
    const r = await sealbox(["decrypt", file], { env: cliEnv(KEYS) });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`sealbox: ${file}:${line}: malformed sops metadata: key age__list_-1__map_enc does not fit the shape of the other metadata keys\n`);
    expect(r.stdout).toBe("");
  });
});
