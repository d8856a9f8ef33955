// Shows an error the way every command shows it: one message, the file and line when known, the
// keys tried; a stack trace only with --debug. Returns the exit status.
import { SealboxError, ExitCode } from "../errors.js";
import { withoutKeyMaterial } from "../core/redact.js";

const SYSTEM_ERRORS: Record<string, { code: keyof typeof ExitCode; text: string }> = {
  ENOENT: { code: "NoFileSpecified", text: "no such file or directory" },
  EACCES: { code: "CouldNotReadInputFile", text: "permission denied" },
  EPERM: { code: "CouldNotWriteOutputFile", text: "operation not permitted" },
  EISDIR: { code: "CouldNotReadInputFile", text: "is a directory" },
  ENOSPC: { code: "CouldNotWriteOutputFile", text: "no space left on device" },
  EROFS: { code: "CouldNotWriteOutputFile", text: "read-only file system" },
};

/** Node's refusal of an argument quotes the value it got ("… Received 'hunter2'"), which may be a secret. */
function withoutQuotedArgument(error: NodeJS.ErrnoException | undefined, text: string): string {
  return typeof error?.code === "string" && error.code.startsWith("ERR_INVALID_ARG") ? text.replace(/ Received [\s\S]*?(\n {4}at |$)/, "$1") : text;
}

export function toSealboxError(error: unknown): SealboxError {
  if (error instanceof SealboxError) return error;
  const sys = error as NodeJS.ErrnoException;
  if (sys && typeof sys.code === "string" && SYSTEM_ERRORS[sys.code]) {
    const known = SYSTEM_ERRORS[sys.code];
    return new SealboxError(known.code, known.text, { file: sys.path, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SealboxError("Generic", withoutQuotedArgument(sys, message), { cause: error });
}

export function reportError(error: unknown, debug: boolean): number {
  const e = toSealboxError(error);
  process.stderr.write(`sealbox: ${e.describe()}\n`);
  if (debug) {
    const original = e.cause instanceof Error ? e.cause : e;
    // a system error's stack names its path, which may be key material given where a path belongs
    process.stderr.write(`${withoutKeyMaterial(withoutQuotedArgument(original as NodeJS.ErrnoException, original.stack ?? ""))}\n`);
  }
  return e.exitStatus;
}
