// Every command, one file each. A command file registers its flags and help text and imports its
// implementation lazily inside the action, so `sealbox --version` loads none of them.
import type { Command } from "commander";
import { registerSeal } from "./seal.js";
import { registerUnseal } from "./unseal.js";
import { registerReencrypt } from "./reencrypt.js";
import { registerScope } from "./scope.js";
import { registerCert } from "./cert.js";
import { registerEncrypt } from "./encrypt.js";
import { registerDecrypt } from "./decrypt.js";
import { registerEdit } from "./edit.js";
import { registerSet, registerUnset } from "./set.js";
import { registerFilestatus } from "./filestatus.js";
import { registerExecEnv, registerExecFile } from "./exec.js";
import { registerKeygen } from "./keygen.js";
import { registerRotate } from "./rotate.js";
import { registerUpdatekeys } from "./updatekeys.js";
import { registerGroups } from "./groups.js";
import { registerAudit } from "./audit.js";
import { registerGit } from "./git.js";
import { registerCompletion } from "./completion.js";
import { registerInit } from "./init.js";

type Register = (program: Command) => void;

const registrations: Register[] = [
  registerEncrypt,
  registerDecrypt,
  registerEdit,
  registerSet,
  registerUnset,
  registerExecEnv,
  registerExecFile,
  registerFilestatus,
  registerKeygen,
  registerSeal, registerUnseal, registerReencrypt, registerScope, registerCert,
  registerCompletion, registerInit,
  registerUpdatekeys, registerGroups, registerRotate, registerAudit, registerGit];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
