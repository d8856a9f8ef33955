// The completion scripts name every command and flag the CLI has, and really complete in the shells
// that are installed (bash always; zsh and fish when present, skipped otherwise).
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { sealboxSync } from "../helpers/cli.js";
import { ROOT, tempDir } from "../sealed/helpers.js";

function script(shell: string): string {
  const r = sealboxSync(["completion", shell]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.toString("utf8");
}
const has = (bin: string): boolean => spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0;

async function program(): Promise<Command> {
  const { buildProgram } = (await import(join(ROOT, "dist/cli/main.js"))) as { buildProgram: () => Command };
  return buildProgram();
}

function everyCommand(root: Command): { path: string; flags: string[] }[] {
  const out: { path: string; flags: string[] }[] = [];
  const walk = (c: Command, path: string) => {
    out.push({ path, flags: c.options.filter((o) => !o.hidden).flatMap((o) => [o.long, o.short]).filter((f): f is string => Boolean(f)) });
    // hidden commands (git's textconv and pre-commit hooks) are for git, and hidden options (sops's
    // flags kept for its scripts: --enable-local-keyservice, --pgp, …) for old scripts, not for people
    for (const sub of c.commands) if (!(sub as Command & { _hidden?: boolean })._hidden) walk(sub, `${path} ${sub.name()}`);
  };
  walk(root, "sealbox");
  return out;
}

function bashComplete(file: string, words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const run = `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _sealbox; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync("bash", ["-c", run], { encoding: "utf8" }).split("\n").filter(Boolean);
}

describe("sealbox completion", () => {
  it.each(["bash", "zsh", "fish"])("the %s script names every command and every flag of the program", async (shell) => {
    const text = script(shell);
    const commands = everyCommand(await program());
    expect(commands.length).toBeGreaterThan(15);
    for (const { path, flags } of commands) {
      expect(text, path).toContain(path.split(" ").pop());
      for (const flag of flags) {
        // fish names flags without dashes (-l age, -s a)
        const name = shell === "fish" ? flag.replace(/^--?/, "") : flag;
        expect(text, `${path} ${flag}`).toContain(name);
      }
    }
    for (const known of ["encrypt", "decrypt", "seal", "unseal", "fetch", "verify", "completion"]) expect(text).toContain(known);
  });

  it("bash -n accepts the bash script", () => {
    const dir = tempDir();
    const file = join(dir, "sealbox.bash");
    writeFileSync(file, script("bash"));
    expect(spawnSync("bash", ["-n", file]).status).toBe(0);
  });

  it("bash completes commands, subcommands, flags, choices, and skips option values", () => {
    const dir = tempDir();
    const file = join(dir, "sealbox.bash");
    writeFileSync(file, script("bash"));
    expect(bashComplete(file, ["sealbox", ""])).toEqual(expect.arrayContaining(["encrypt", "seal", "cert", "completion"]));
    expect(bashComplete(file, ["sealbox", "ce"])).toEqual(["cert"]);
    expect(bashComplete(file, ["sealbox", "cert", ""])).toEqual(expect.arrayContaining(["fetch", "verify"]));
    expect(bashComplete(file, ["sealbox", "cert", "fetch", "--controller-n"])).toEqual(["--controller-name", "--controller-namespace"]);
    expect(bashComplete(file, ["sealbox", "seal", "--scope", ""])).toEqual(["strict", "namespace-wide", "cluster-wide"]);
    // "seal" after --cert is the option's value (a file), not a command
    expect(bashComplete(file, ["sealbox", "--quiet", "seal", "--cert", "seal", "--form"])).toEqual(["--format"]);
    expect(bashComplete(file, ["sealbox", "completion", ""])).toEqual(["bash", "zsh", "fish"]);
    // a file argument: nothing offered, so bash falls back to file names (complete -o default)
    expect(bashComplete(file, ["sealbox", "decrypt", "se"])).toEqual([]);
  });

  it.skipIf(!has("zsh"))("zsh parses the zsh script and its completer offers the right words", () => {
    const dir = tempDir();
    const file = join(dir, "_sealbox");
    writeFileSync(file, script("zsh"));
    expect(spawnSync("zsh", ["-n", file]).status).toBe(0);
    // The completion widgets need a live line editor; stand-ins print what would be offered.
    const run = (words: string[], prefix = "") =>
      execFileSync(
        "zsh",
        [
          "-f",
          "-c",
          `compdef() { :; }; _describe() { local n=\${@[-1]}; print -rl -- \${(P)n} }; compadd() { local n=\${@[-1]}; print -rl -- \${(P)n} }; _files() { print FILES }
source '${file}'; words=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}; PREFIX='${prefix}'; _sealbox`,
        ],
        { encoding: "utf8" },
      ).split("\n").filter(Boolean);
    expect(run(["sealbox", "cert", ""])).toEqual(expect.arrayContaining([expect.stringMatching(/^fetch:/), expect.stringMatching(/^verify:/)]));
    expect(run(["sealbox", "seal", "--scope", ""])).toEqual(["strict", "namespace-wide", "cluster-wide"]);
    expect(run(["sealbox", "decrypt", "--ext"], "--ext").some((l) => l.startsWith("--extract:"))).toBe(true);
    expect(run(["sealbox", "decrypt", ""])).toEqual(["FILES"]);
  });

  it.skipIf(!has("fish"))("fish accepts the fish script and completes from it", () => {
    const dir = tempDir();
    const file = join(dir, "sealbox.fish");
    writeFileSync(file, script("fish"));
    expect(spawnSync("fish", ["-n", file]).status).toBe(0);
    const complete = (line: string) =>
      execFileSync("fish", ["-c", `source '${file}'; complete -C'${line}'`], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")[0]);
    expect(complete("sealbox cert ")).toEqual(expect.arrayContaining(["fetch", "verify"]));
    expect(complete("sealbox seal --scope ")).toEqual(expect.arrayContaining(["strict", "namespace-wide", "cluster-wide"]));
    expect(complete("sealbox --quiet decrypt --ext")).toEqual(["--extract"]);
  });
});
