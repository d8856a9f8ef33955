// Every command, one file each. A command file registers its flags and help text and imports its
// implementation lazily inside the action, so `sealbox --version` loads none of them.
import type { Command } from "commander";

type Register = (program: Command) => void;

const registrations: Register[] = [];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
