// sops's output indentation: .sops.yaml `stores:` and --indent, in every command that writes a YAML or
// JSON document (encrypted or not), as sops's outputStore applies them.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SOPS_VECTORS } from "../helpers/fixtures.js";
import { cleanEnv, sealboxSync } from "../helpers/cli.js";

const KEY_FILE = join(SOPS_VECTORS, "keys.txt");
const RECIPIENT = readFileSync(KEY_FILE, "utf8").match(/public key: (\S+)/)![1];
const env = cleanEnv({ SOPS_AGE_KEY_FILE: KEY_FILE });
const RULE = `creation_rules:\n  - age: ${RECIPIENT}\n`;
const PLAIN = "db:\n    user: admin\n    hosts:\n        - a\n        - b\n";

function workdir(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "sealbox-indent-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function run(dir: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = sealboxSync(args, { cwd: dir, env });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr };
}

const read = (dir: string, name: string): string => readFileSync(join(dir, name), "utf8");
/** The encrypted file's lines, values and metadata left out: its layout. */
const shape = (text: string): string => text.replace(/ENC\[[^\]]*\]/g, "E").replace(/\n[\t ]*"?sops"?:[\s\S]*/, "\n");
const sp = (n: number): string => " ".repeat(n);

describe("stores: in .sops.yaml", () => {
  it("encrypt, decrypt, set, unset and edit write YAML at stores.yaml.indent; the sops metadata too", () => {
    const dir = workdir({ ".sops.yaml": `${RULE}stores:\n  yaml:\n    indent: 2\n`, "s.yaml": PLAIN });
    expect(run(dir, "encrypt", "-i", "s.yaml").status).toBe(0);
    const encrypted = read(dir, "s.yaml");
    expect(shape(encrypted)).toBe("db:\n  user: E\n  hosts:\n    - E\n    - E\n");
    expect(encrypted).toMatch(/\nsops:\n  age:\n    - enc: \|\n        -----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(run(dir, "decrypt", "s.yaml").stdout).toBe("db:\n  user: admin\n  hosts:\n    - a\n    - b\n");

    expect(run(dir, "set", "s.yaml", '["db"]["port"]', '{"num": 5432}').status).toBe(0);
    expect(shape(read(dir, "s.yaml"))).toBe("db:\n  user: E\n  hosts:\n    - E\n    - E\n  port:\n    num: E\n");
    expect(run(dir, "unset", "s.yaml", '["db"]["hosts"]').status).toBe(0);
    expect(shape(read(dir, "s.yaml"))).toBe("db:\n  user: E\n  port:\n    num: E\n");

    // the editor sees the plaintext at the stores' indent, and its change is written back at it
    const editor = join(dir, "editor.sh");
    writeFileSync(editor, `#!/bin/sh\ncp "$1" "${dir}/seen"\nsed -i "s/admin/root/" "$1"\n`);
    chmodSync(editor, 0o755);
    expect(sealboxSync(["edit", "s.yaml"], { cwd: dir, env: { ...env, EDITOR: editor } }).status).toBe(0);
    expect(read(dir, "seen")).toBe("db:\n  user: admin\n  port:\n    num: 5432\n");
    expect(shape(read(dir, "s.yaml"))).toBe("db:\n  user: E\n  port:\n    num: E\n");
    expect(run(dir, "decrypt", "s.yaml").stdout).toBe("db:\n  user: root\n  port:\n    num: 5432\n");
  });

  it("apply to every file written, whichever rule (or none, with --age) chose the keys; dotenv is untouched", () => {
    const dir = workdir({ ".sops.yaml": "stores:\n  yaml:\n    indent: 3\n", "s.yaml": PLAIN, "a.env": "K=v\n" });
    const r = run(dir, "encrypt", "--age", RECIPIENT, "s.yaml");
    expect(shape(r.stdout)).toBe("db:\n   user: E\n   hosts:\n      - E\n      - E\n");
    expect(run(dir, "encrypt", "--age", RECIPIENT, "a.env").stdout).toMatch(/^K=ENC\[/);
  });

  it("--config and SOPS_CONFIG name the rules file the stores come from", () => {
    const dir = workdir({ "rules/two.yaml": `${RULE}stores:\n  yaml:\n    indent: 2\n`, "s.yaml": PLAIN });
    expect(shape(run(dir, "encrypt", "--config", "rules/two.yaml", "s.yaml").stdout)).toBe("db:\n  user: E\n  hosts:\n    - E\n    - E\n");
    const viaEnv = sealboxSync(["encrypt", "s.yaml"], { cwd: dir, env: { ...env, SOPS_CONFIG: "rules/two.yaml" } });
    expect(shape(viaEnv.stdout.toString())).toBe("db:\n  user: E\n  hosts:\n    - E\n    - E\n");
  });

  it("JSON at stores.json.indent: spaces, 0 for none; -1 is the default tab", () => {
    const json = '{"a": {"b": [1, 2]}}';
    const dir = workdir({ ".sops.yaml": `${RULE}stores:\n  json:\n    indent: 2\n`, "s.json": json });
    expect(run(dir, "encrypt", "-i", "s.json").status).toBe(0);
    expect(shape(read(dir, "s.json"))).toBe('{\n  "a": {\n    "b": [\n      "E",\n      "E"\n    ]\n  },\n');
    expect(run(dir, "decrypt", "s.json").stdout).toBe('{\n  "a": {\n    "b": [\n      1,\n      2\n    ]\n  }\n}\n');
    // --extract: sops's JSON store indents the subtree as configured
    expect(run(dir, "decrypt", "--extract", '["a"]', "s.json").stdout).toBe('{\n  "b": [\n    1,\n    2\n  ]\n}\n');
    // a list is sops's EmitValue: indented the same, with no newline after it
    expect(run(dir, "decrypt", "--extract", '["a"]["b"]', "s.json").stdout).toBe("[\n  1,\n  2\n]");
    writeFileSync(join(dir, ".sops.yaml"), `${RULE}stores:\n  json:\n    indent: 0\n`);
    expect(run(dir, "decrypt", "s.json").stdout).toBe('{\n"a": {\n"b": [\n1,\n2\n]\n}\n}\n');
    writeFileSync(join(dir, ".sops.yaml"), `${RULE}stores:\n  json:\n    indent: -1\n`);
    expect(run(dir, "decrypt", "s.json").stdout).toBe('{\n\t"a": {\n\t\t"b": [\n\t\t\t1,\n\t\t\t2\n\t\t]\n\t}\n}\n');
  });

  it("--extract: a YAML mapping at the stores' indent (sops's EmitPlainFile), a YAML list at 4 (its yaml.Marshal)", () => {
    const dir = workdir({ ".sops.yaml": `${RULE}stores:\n  yaml:\n    indent: 2\n`, "s.yaml": "db:\n    user: admin\n    hosts:\n        - a\n        - b:\n            c: d\n" });
    run(dir, "encrypt", "-i", "s.yaml");
    expect(run(dir, "decrypt", "--extract", '["db"]', "s.yaml").stdout).toBe("user: admin\nhosts:\n  - a\n  - b:\n      c: d\n");
    expect(run(dir, "decrypt", "--indent", "3", "--extract", '["db"]', "s.yaml").stdout).toBe("user: admin\nhosts:\n   - a\n   - b:\n      c: d\n");
    expect(run(dir, "decrypt", "--extract", '["db"]["hosts"]', "s.yaml").stdout).toBe("- a\n- b:\n    c: d\n");
  });

  it("the binary store's envelope at stores.json_binary.indent, small and over several slices, to a file and to stdout", () => {
    const big = randomBytes(7 * 1024 * 1024 + 1);
    const dir = workdir({ ".sops.yaml": `${RULE}stores:\n  json_binary:\n    indent: 3\n  json:\n    indent: 5\n`, "small.bin": "hello\x00\n", "big.bin": big });
    const small = run(dir, "encrypt", "small.bin");
    expect(shape(small.stdout)).toBe('{\n   "data": "E",\n');
    expect(small.stdout).toMatch(/\n   "sops": \{\n      "age": \[\n         \{\n/);
    writeFileSync(join(dir, "small.sops"), small.stdout);
    expect(run(dir, "decrypt", "--input-type", "binary", "small.sops").stdout).toBe("hello\x00\n");

    expect(run(dir, "encrypt", "-o", "big.sops", "big.bin").status).toBe(0);
    const head = readFileSync(join(dir, "big.sops")).subarray(0, 40).toString();
    expect(head).toMatch(/^\{\n   "data": "ENC\[AES256_GCM,data:/);
    expect(readFileSync(join(dir, "big.sops")).subarray(-200).toString()).toMatch(/\n      "version": "3\.13\.2"\n   \}\n\}\n$/);
    const viaStdout = sealboxSync(["encrypt", "--indent", "0", "big.bin"], { cwd: dir, env });
    expect(viaStdout.stdout.subarray(0, 30).toString()).toMatch(/^\{\n"data": "ENC\[AES256_GCM,/);
    writeFileSync(join(dir, "big0.sops"), viaStdout.stdout);
    for (const name of ["big.sops", "big0.sops"]) {
      expect(sealboxSync(["decrypt", "--input-type", "binary", "--output-type", "binary", name], { cwd: dir, env }).stdout.equals(big)).toBe(true);
    }
  }, 60_000);

  it("ignores other stores, other keys and null, as sops's config struct does", () => {
    const dir = workdir({ ".sops.yaml": `${RULE}stores:\n  dotenv: {}\n  toml:\n    indent: 7\n  yaml:\n    indent: ~\n    other: x\n  json: null\n`, "s.yaml": PLAIN });
    expect(shape(run(dir, "encrypt", "s.yaml").stdout)).toBe(shape(run(workdir({ ".sops.yaml": RULE, "s.yaml": PLAIN }), "encrypt", "s.yaml").stdout));
  });

  it.each([
    ["stores: [yaml]\n", 3, "stores must be a mapping"],
    ["stores:\n  yaml: 2\n", 4, "stores.yaml must be a mapping"],
    ["stores:\n  yaml:\n    indent: two\n", 5, "stores.yaml.indent must be a whole number"],
    ["stores:\n  json:\n    indent: 1.5\n", 5, "stores.json.indent must be a whole number"],
    ["stores:\n  json:\n    indent: '2'\n", 5, "stores.json.indent must be a whole number"],
    ["stores:\n  json:\n    indent: 99999999999999999999\n", 5, "stores.json.indent must be a whole number"],
    ["stores:\n  yaml:\n    indent: -1\n", 5, "stores.yaml.indent: a YAML indent cannot be negative"],
    ["stores:\n  json:\n    indent: -2\n", 5, "stores.json.indent: a JSON indent cannot be below -1"],
    ["stores:\n  json_binary:\n    indent: -3\n", 5, "stores.json_binary.indent: a JSON indent cannot be below -1"],
  ])("refuses %j at the rules file's line, exit 5, in encrypt and in decrypt", (stores, line, message) => {
    const dir = workdir({ "s.yaml": PLAIN, "p.yaml": PLAIN });
    expect(run(dir, "encrypt", "--age", RECIPIENT, "-i", "s.yaml").status).toBe(0);
    const encrypted = read(dir, "s.yaml");
    writeFileSync(join(dir, ".sops.yaml"), RULE + stores);
    for (const args of [["encrypt", "-i", "p.yaml"], ["decrypt", "-i", "s.yaml"]]) {
      const r = run(dir, ...args);
      expect(r.status).toBe(5);
      expect(r.stderr).toContain(`.sops.yaml:${line}: ${message}`);
    }
    expect(read(dir, "s.yaml")).toBe(encrypted);
    expect(read(dir, "p.yaml")).toBe(PLAIN);
  });
});

describe("--indent", () => {
  const twoSpaces = `${RULE}stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 2\n`;

  it("overrides the stores for YAML and JSON alike (0 is YAML's default), in encrypt, decrypt, set and exec-file", () => {
    const dir = workdir({ ".sops.yaml": twoSpaces, "s.yaml": PLAIN, "s.json": '{"a": [1]}' });
    expect(shape(run(dir, "encrypt", "--indent", "3", "s.yaml").stdout)).toBe("db:\n   user: E\n   hosts:\n      - E\n      - E\n");
    expect(shape(run(dir, "encrypt", "--indent", "0", "s.yaml").stdout)).toBe("db:\n    user: E\n    hosts:\n        - E\n        - E\n");
    expect(shape(run(dir, "encrypt", "--indent", "-1", "s.json").stdout)).toBe('{\n\t"a": [\n\t\t"E"\n\t],\n');
    run(dir, "encrypt", "-i", "s.yaml");
    expect(run(dir, "decrypt", "--indent", "9", "s.yaml").stdout).toBe(`db:\n${sp(9)}user: admin\n${sp(9)}hosts:\n${sp(18)}- a\n${sp(18)}- b\n`);
    expect(run(dir, "decrypt", "--indent", "1", "s.yaml").stdout).toBe("db:\n  user: admin\n  hosts:\n    - a\n    - b\n");
    // 10 is past YAML's range, not JSON's
    const json = run(dir, "decrypt", "--indent", "10", "--output-type", "json", "s.yaml").stdout;
    expect(json).toBe(`{\n${sp(10)}"db": {\n${sp(20)}"user": "admin",\n${sp(20)}"hosts": [\n${sp(30)}"a",\n${sp(30)}"b"\n${sp(20)}]\n${sp(10)}}\n}\n`);
    expect(run(dir, "exec-file", "--indent", "3", "s.yaml", "cat {}").stdout).toBe("db:\n   user: admin\n   hosts:\n      - a\n      - b\n");
    expect(run(dir, "exec-file", "s.yaml", "cat {}").stdout).toBe("db:\n  user: admin\n  hosts:\n    - a\n    - b\n");
    expect(run(dir, "set", "--indent", "4", "s.yaml", '["db"]["user"]', '"root"').status).toBe(0);
    expect(shape(read(dir, "s.yaml"))).toBe("db:\n    user: E\n    hosts:\n        - E\n        - E\n");
  });

  it("is refused where the output's store refuses it, and when it is not a whole number, before anything is written", () => {
    const dir = workdir({ "s.yaml": PLAIN, "s.json": '{"a": 1}' });
    const yaml = run(dir, "encrypt", "--age", RECIPIENT, "--indent", "-1", "-i", "s.yaml");
    expect(yaml.status).toBe(4);
    expect(yaml.stderr).toContain("--indent -1: a YAML indent cannot be negative");
    expect(read(dir, "s.yaml")).toBe(PLAIN);
    const json = run(dir, "encrypt", "--age", RECIPIENT, "--indent", "-2", "s.json");
    expect(json.status).toBe(4);
    expect(json.stderr).toContain("--indent -2: a JSON indent cannot be below -1");
    const word = run(dir, "encrypt", "--age", RECIPIENT, "--indent", "two", "s.yaml");
    expect(word.status).toBe(1);
    expect(word.stderr).toContain("'--indent <n>' argument 'two' is invalid");
    const huge = run(dir, "encrypt", "--age", RECIPIENT, "--indent", "99999999999999999999", "s.json");
    expect(huge.status).toBe(1);
    expect(huge.stderr).toContain("'--indent <n>' argument '99999999999999999999' is invalid");
  });

  it("works in sops's older command line: -e -i --indent, -d --indent", () => {
    const dir = workdir({ "s.yaml": PLAIN });
    expect(run(dir, "-e", "--indent", "2", "-i", "--age", RECIPIENT, "s.yaml").status).toBe(0);
    expect(shape(read(dir, "s.yaml"))).toBe("db:\n  user: E\n  hosts:\n    - E\n    - E\n");
    expect(run(dir, "-d", "--indent", "3", "s.yaml").stdout).toBe("db:\n   user: admin\n   hosts:\n      - a\n      - b\n");
  });
});

describe("reading is indent-agnostic", () => {
  it("a file written at 2 decrypts with no stores at all, to sops's default 4", () => {
    const dir = workdir({ "s.yaml": PLAIN, "s.json": '{"a": [1]}' });
    run(dir, "encrypt", "--age", RECIPIENT, "--indent", "2", "-i", "s.yaml");
    run(dir, "encrypt", "--age", RECIPIENT, "--indent", "0", "-i", "s.json");
    expect(read(dir, "s.yaml")).toMatch(/^db:\n  user: ENC/);
    expect(run(dir, "decrypt", "s.yaml").stdout).toBe(PLAIN);
    expect(run(dir, "decrypt", "s.json").stdout).toBe('{\n\t"a": [\n\t\t1\n\t]\n}\n');
  });
});
