// Writes docs/cli.md from the CLI's own --help, so the reference can never drift from the code.
// Usage: node scripts/cli-doc.mjs [--check]   (--check: exit 1 if docs/cli.md is out of date)
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildProgram } from "../dist/cli/main.js";

const target = fileURLToPath(new URL("../docs/cli.md", import.meta.url));

function helpOf(command) {
  let text = "";
  command.configureOutput({ writeOut: (s) => (text += s), getOutHelpWidth: () => 100, getOutHasColors: () => false });
  command.outputHelp();
  return text.trimEnd();
}

function* walk(command, prefix) {
  for (const sub of command.commands) {
    if (sub._hidden) continue;
    const name = `${prefix} ${sub.name()}`;
    yield [name, sub];
    yield* walk(sub, name);
  }
}

export function renderCliDoc() {
  const program = buildProgram();
  const sections = [
    "# Command-line reference",
    "",
    "Generated from `sealbox --help` by `node scripts/cli-doc.mjs` (a test fails when it is stale).",
    "Flag names follow sops and kubeseal; exit statuses are in [exit-codes.md](exit-codes.md).",
    "",
    "## sealbox",
    "",
    "```text",
    helpOf(program),
    "```",
  ];
  for (const [name, command] of walk(program, "sealbox")) {
    sections.push("", `## ${name}`, "", "```text", helpOf(command), "```");
  }
  return sections.join("\n") + "\n";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = renderCliDoc();
  if (process.argv.includes("--check")) {
    const current = readFileSync(target, "utf8");
    if (current !== text) {
      console.error("docs/cli.md is out of date: run `node scripts/cli-doc.mjs`");
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
  }
}
