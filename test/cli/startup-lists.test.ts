// Lists the command line needs to register its options, written out in the command files instead of
// imported from the library modules that own them: each such import would add a chunk to every start
// (docs/performance.md). These tests keep each copy equal to its original.
import { describe, expect, it } from "vitest";
import type { Command, Option } from "commander";
import { buildProgram } from "../../src/cli/main.js";
import { SELECTOR_FLAGS } from "../../src/cli/sops-flags.js";
import { SELECTORS } from "../../src/sops/selectors.js";
import { SCOPES } from "../../src/sealed/scope.js";
import { AUDIT_FORMATS } from "../../src/audit/format.js";
import { LEVELS } from "../../src/audit/rules.js";
import { controllerDefaults } from "../../src/sealed/controller.js";

function option(path: string[], flag: string, program: Command = buildProgram()): Option {
  let command = program;
  for (const name of path) command = command.commands.find((c) => c.name() === name)!;
  return command.options.find((o) => o.long === flag)!;
}

describe("the lists the command line registers at start-up", () => {
  it("are the library's: selectors, scopes, audit formats and levels", () => {
    expect(SELECTOR_FLAGS).toEqual([...SELECTORS.map(([key]) => key), "macOnlyEncrypted"]);
    expect(option(["scope"], "--to").argChoices).toEqual(SCOPES);
    expect(option(["init"], "--scope").argChoices).toEqual(SCOPES);
    expect(option(["audit"], "--format").argChoices).toEqual(AUDIT_FORMATS);
    expect(option(["audit"], "--fail-on").argChoices).toEqual([...LEVELS, "none"]);
  });

  it("give the controller the library's defaults, from the environment as well", () => {
    const saved = { name: process.env.SEALED_SECRETS_CONTROLLER_NAME, namespace: process.env.SEALED_SECRETS_CONTROLLER_NAMESPACE };
    try {
      for (const env of [{}, { SEALED_SECRETS_CONTROLLER_NAME: "ss", SEALED_SECRETS_CONTROLLER_NAMESPACE: "infra" }]) {
        delete process.env.SEALED_SECRETS_CONTROLLER_NAME;
        delete process.env.SEALED_SECRETS_CONTROLLER_NAMESPACE;
        Object.assign(process.env, env);
        const program = buildProgram();
        const expected = controllerDefaults(process.env);
        expect(option(["cert", "fetch"], "--controller-name", program).defaultValue).toBe(expected.name);
        expect(option(["cert", "fetch"], "--controller-namespace", program).defaultValue).toBe(expected.namespace);
      }
    } finally {
      for (const [key, value] of [["SEALED_SECRETS_CONTROLLER_NAME", saved.name], ["SEALED_SECRETS_CONTROLLER_NAMESPACE", saved.namespace]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
