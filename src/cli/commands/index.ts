// Every command, one file each. A command file registers its flags and help text and imports its
// implementation lazily inside the action, so `sealbox --version` loads none of them.
import type { Command } from "commander";
import { registerSeal } from "./seal.js";
import { registerUnseal } from "./unseal.js";
import { registerReencrypt } from "./reencrypt.js";
import { registerScope } from "./scope.js";
import { registerCert } from "./cert.js";

type Register = (program: Command) => void;

const registrations: Register[] = [registerSeal, registerUnseal, registerReencrypt, registerScope, registerCert];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
