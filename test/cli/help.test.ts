// Every command a person can see has --help with at least one example, and says what it does.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { sealbox } from "../helpers/cli.js";
import { ROOT } from "../sealed/helpers.js";

async function visibleCommands(): Promise<{ path: string; command: Command }[]> {
  const { buildProgram } = (await import(join(ROOT, "dist/cli/main.js"))) as { buildProgram: () => Command };
  const out: { path: string; command: Command }[] = [];
  const walk = (c: Command, path: string) => {
    out.push({ path, command: c });
    for (const sub of c.commands) if (!(sub as Command & { _hidden?: boolean })._hidden) walk(sub, `${path} ${sub.name()}`);
  };
  walk(buildProgram(), "sealbox");
  return out;
}

function helpText(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe("--help", () => {
  it("every command has a description and an example", async () => {
    const commands = await visibleCommands();
    expect(commands.length).toBeGreaterThan(15);
    const missing = commands.filter(({ command }) => !/Examples?:\n/.test(helpText(command))).map(({ path }) => path);
    expect(missing).toEqual([]);
    for (const { path, command } of commands) expect(command.description(), path).not.toBe("");
  });

  it("goes to stdout and exits 0, also after the command", async () => {
    const result = await sealbox(["seal", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: sealbox seal");
    expect(result.stdout).toContain("Example");
    expect(result.stderr).toBe("");
  });
});
