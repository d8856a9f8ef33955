// sops's older command line (`sops -d FILE`, `-e -i`, `-r -i`, `sops FILE` to edit) still runs from
// old scripts: it means the subcommand, with every other flag as that subcommand reads it.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromLegacySops } from "../../src/cli/sops-legacy.js";
import { cliEnv, sealboxSync } from "../helpers/cli.js";
import { A, KEYS_A } from "../repo/helpers.js";

const COMMANDS = {
  commands: new Set(["encrypt", "decrypt", "rotate", "edit", "help"]),
  options: new Set(["-V", "--version", "--debug", "-q", "--quiet", "--verbose", "--no-color"]),
  takeValue: new Set(["--output", "--extract", "--add-age", "--indent", "--config", "--keyservice"]),
};
const argv = (...args: string[]): string[] => ["node", "sealbox", ...args];

describe("sops's legacy command line", () => {
  it("maps -e/-d/-r and a bare file to the subcommands, and leaves everything else alone", () => {
    expect(fromLegacySops(argv("-d", "--extract", '["a"]', "s.yaml"), COMMANDS)).toEqual(argv("decrypt", "--extract", '["a"]', "s.yaml"));
    expect(fromLegacySops(argv("-q", "-i", "--encrypt", "s.yaml"), COMMANDS)).toEqual(argv("encrypt", "-q", "-i", "s.yaml"));
    expect(fromLegacySops(argv("-r", "-i", "--add-age", "age1x", "s.yaml"), COMMANDS)).toEqual(argv("rotate", "-i", "--add-age", "age1x", "s.yaml"));
    expect(fromLegacySops(argv("secrets/s.yaml"), COMMANDS)).toEqual(argv("edit", "secrets/s.yaml"));
    // flags before the file are edit's, their values skipped: `sops --indent 2 s.yaml` edits s.yaml
    expect(fromLegacySops(argv("--indent", "2", "--config", "c/.sops.yaml", "s.yaml"), COMMANDS)).toEqual(argv("edit", "--indent", "2", "--config", "c/.sops.yaml", "s.yaml"));
    expect(fromLegacySops(argv("--ignore-mac", "s.yaml"), COMMANDS)).toEqual(argv("edit", "--ignore-mac", "s.yaml"));
    for (const untouched of [argv("--indent", "2"), argv("--verbose", "rotate", "s.yaml"), argv("--output", "o.yaml")]) {
      expect(fromLegacySops(untouched, COMMANDS)).toEqual(untouched);
    }
    for (const untouched of [argv("decrypt", "-d"), argv("--verbose", "encrypt", "-e"), argv(), argv("--help"), argv("-V"), argv("decrpyt")]) {
      expect(fromLegacySops(untouched, COMMANDS)).toEqual(untouched);
    }
    expect(() => fromLegacySops(argv("-d", "-e", "s.yaml"), COMMANDS)).toThrow(/do not go together/);
    // an option's value and anything after -- are not flags, whatever they look like
    expect(fromLegacySops(argv("--output", "-d", "-d", "s.yaml"), COMMANDS)).toEqual(argv("decrypt", "--output", "-d", "s.yaml"));
    expect(fromLegacySops(argv("-d", "--", "-r"), COMMANDS)).toEqual(argv("decrypt", "--", "-r"));
    // words that are properties of every JavaScript object are just words
    for (const word of ["valueOf", "constructor", "__proto__"]) expect(fromLegacySops(argv(word), COMMANDS)).toEqual(argv(word));
    expect(fromLegacySops(argv("-d", "constructor"), COMMANDS)).toEqual(argv("decrypt", "constructor"));
    expect(() => fromLegacySops(argv("-r", "s.yaml"), COMMANDS)).toThrow(/add -i/);
    // an -i that is --output's value is no -i
    expect(() => fromLegacySops(argv("-r", "--output", "-i", "s.yaml"), COMMANDS)).toThrow(/add -i/);
    // sops --set '[path] VALUE' FILE: set FILE PATH VALUE, split at the first "] " as sops splits it
    expect(fromLegacySops(argv("--set", '["a"]["b"] {"c": "] x"}', "s.yaml"), COMMANDS)).toEqual(argv("set", "s.yaml", '["a"]["b"]', '{"c": "] x"}'));
    expect(fromLegacySops(argv("--set=[\"a\"] 1", "s.yaml"), COMMANDS)).toEqual(argv("set", "s.yaml", '["a"]', "1"));
    expect(() => fromLegacySops(argv("--set", '["a"]', "s.yaml"), COMMANDS)).toThrow(/--set takes/);
    // sops's global flags before a subcommand become the subcommand's; its version check's are dropped
    expect(fromLegacySops(argv("--config", "r.yaml", "-q", "--indent=2", "encrypt", "s.yaml"), COMMANDS)).toEqual(argv("-q", "encrypt", "--config", "r.yaml", "--indent=2", "s.yaml"));
    expect(fromLegacySops(argv("--disable-version-check", "--enable-local-keyservice", "decrypt", "s.yaml"), COMMANDS)).toEqual(argv("decrypt", "--enable-local-keyservice", "s.yaml"));
    expect(fromLegacySops(argv("--config", "r.yaml", "--unknown", "encrypt", "s.yaml"), COMMANDS)).toEqual(argv("--config", "r.yaml", "--unknown", "encrypt", "s.yaml"));
    expect(fromLegacySops(argv("--keyservice", "tcp://k:5000", "decrypt", "s.yaml"), COMMANDS)).toEqual(argv("decrypt", "--keyservice", "tcp://k:5000", "s.yaml"));
    // the version check's flags go in the legacy and edit forms too
    expect(fromLegacySops(argv("--disable-version-check", "-d", "s.yaml"), COMMANDS)).toEqual(argv("decrypt", "s.yaml"));
    expect(fromLegacySops(argv("--disable-version-check", "s.yaml"), COMMANDS)).toEqual(argv("edit", "s.yaml"));
    // after the subcommand, its words are its own: a -d or --set there is not sops's legacy flag
    expect(fromLegacySops(argv("--config", "r.yaml", "decrypt", "s.yaml", "-d"), COMMANDS)).toEqual(argv("decrypt", "--config", "r.yaml", "s.yaml", "-d"));
    expect(fromLegacySops(argv("--config", "r.yaml", "edit", "s.yaml", "--set"), COMMANDS)).toEqual(argv("edit", "--config", "r.yaml", "s.yaml", "--set"));
  });

  it("works end to end: -e -i, -d, -r -i, and refuses -r without -i, writing nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-legacy-"));
    const file = join(dir, "s.yaml");
    writeFileSync(file, "password: hunter2\n");
    const env = cliEnv(KEYS_A);
    expect(sealboxSync(["-e", "-i", "--age", A, file], { env }).status).toBe(0);
    const encrypted = readFileSync(file, "utf8");
    expect(encrypted).toContain("ENC[AES256_GCM,");
    const decrypted = sealboxSync(["-d", file], { env });
    expect(decrypted.status).toBe(0);
    expect(decrypted.stdout.toString()).toBe("password: hunter2\n");

    const refused = sealboxSync(["-r", file], { env });
    expect(refused.status).toBe(8);
    expect(refused.stderr).toContain("add -i");
    expect(readFileSync(file, "utf8")).toBe(encrypted);
    expect(sealboxSync(["-r", "-i", file], { env }).status).toBe(0);
    expect(readFileSync(file, "utf8")).not.toBe(encrypted);
    expect(sealboxSync(["-d", file], { env }).stdout.toString()).toBe("password: hunter2\n");

    // `sops FILE` opens the editor: one that changes nothing gives edit's own status
    const edited = sealboxSync([file], { env: { ...env, EDITOR: "true" } });
    expect(edited.status).toBe(200);
    expect(edited.stderr).toContain("has not changed");
  });

  it("takes sops's global --config before the subcommand, --enable-local-keyservice as sops's default, and refuses --keyservice", () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-legacy-"));
    writeFileSync(join(dir, "rules.yaml"), `creation_rules:\n  - age: ${A}\n`);
    writeFileSync(join(dir, "s.yaml"), "password: hunter2\n");
    const env = cliEnv(KEYS_A);
    const encrypted = sealboxSync(["--config", "rules.yaml", "--enable-local-keyservice", "encrypt", "-i", "s.yaml"], { cwd: dir, env });
    expect(encrypted.stderr.toString()).toBe("");
    expect(readFileSync(join(dir, "s.yaml"), "utf8")).toContain(A);
    const remote = sealboxSync(["decrypt", "--keyservice", "tcp://localhost:5000", "s.yaml"], { cwd: dir, env });
    expect(remote.status).not.toBe(0);
    expect(remote.stderr).toContain("sealbox does not use sops key services");
    expect(remote.stdout.toString()).toBe("");
  });
});
