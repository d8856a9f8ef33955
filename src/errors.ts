// Typed errors with stable exit statuses. Made once where the fault is found, shown by the CLI in one
// place (src/cli/main.ts). Messages name files, lines, keys and recipients, never a secret value.
import { looksLikeKeyMaterial, shownInMessage } from "./core/redact.js";

/** Exit statuses. Where sops has a number for the same failure we use it (cmd/sops/codes). */
export const ExitCode = {
  Generic: 1,
  CouldNotReadInputFile: 2,
  CouldNotWriteOutputFile: 3,
  ErrorDumpingTree: 4,
  ErrorReadingConfig: 5,
  InvalidKmsEncryptionContext: 6,
  InvalidSetFormat: 7,
  ConflictingParameters: 8,
  ErrorEncryptingMac: 21,
  ErrorEncryptingTree: 23,
  ErrorDecryptingMac: 24,
  ErrorDecryptingTree: 25,
  CannotChangeKeysFromNonExistentFile: 49,
  MacMismatch: 51,
  MacNotFound: 52,
  ConfigFileNotFound: 61,
  /** Ours: a SealedSecret value failed to unseal (label, damage, wrong key). */
  SealedDecryptFailed: 70,
  /** Ours: a certificate is missing, malformed, expired or does not match its pin. */
  BadCertificate: 71,
  /** Ours: the Kubernetes API or the controller could not be reached or refused. */
  ClusterUnreachable: 72,
  /** Ours: audit findings reached the --fail-on threshold. */
  AuditFindings: 80,
  KeyboardInterrupt: 85,
  InvalidTreePathFormat: 91,
  NeedAtLeastOneDocument: 92,
  NoFileSpecified: 100,
  NoEncryptionKeyFound: 111,
  CouldNotRetrieveKey: 128,
  FileHasNotBeenModified: 200,
  NoEditorFound: 201,
  FileAlreadyEncrypted: 203,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

export interface SealboxErrorOptions {
  /** The file the fault is in, shown before the message. */
  file?: string;
  /** 1-based line in that file, where there is one. */
  line?: number;
  /** Extra lines (e.g. one per recipient tried); never secret values. */
  details?: string[];
  cause?: unknown;
}

export class SealboxError extends Error {
  readonly code: ExitCodeName;
  readonly exitStatus: number;
  readonly file?: string;
  readonly line?: number;
  readonly details: string[];

  constructor(code: ExitCodeName, message: string, options: SealboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SealboxError";
    this.code = code;
    this.exitStatus = ExitCode[code];
    // a "file" is sometimes a secret pasted where a path belongs: it is then named, never shown
    this.file = options.file === undefined ? undefined : shownInMessage(options.file);
    this.line = options.line;
    this.details = options.details ?? [];
  }

  /** The one-paragraph form the CLI prints: `file:line: message` then indented details. */
  describe(): string {
    const where = this.file ? `${this.file}${this.line ? `:${this.line}` : ""}: ` : "";
    return [where + this.message, ...this.details.map((d) => `  ${d}`)].join("\n");
  }

  /** A copy that names the file (and line) when the thrower did not know it. */
  inFile(file: string, line?: number): SealboxError {
    if (this.file) return this;
    const copy = new SealboxError(this.code, this.message, { file, line: line ?? this.line, details: this.details, cause: this.cause });
    copy.stack = this.stack;
    return copy;
  }
}

export function isSealboxError(e: unknown): e is SealboxError {
  return e instanceof SealboxError;
}

/** Why a file operation failed, for a message: the system's code (ENOENT, EACCES), else its message. */
export function failureReason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** A value's kind as a refusal names it: its type, never the value (it may be a secret). */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "bytes";
  return typeof value === "object" ? `an object (${value.constructor?.name ?? "no prototype"})` : typeof value;
}

/**
 * The TypeError a library function throws for an argument of the wrong type, made at its boundary
 * (`audit(): options.paths must be an array of strings, got string`) rather than deep inside.
 */
export function argumentError(where: string, expected: string, got: unknown): TypeError {
  return new TypeError(`${where} must be ${expected}, got ${typeName(got)}`);
}

/** The TypeError for an argument that must be one of a few names; a wrong name is shown (it is no secret), anything else by its type. */
export function choiceError(where: string, choices: readonly string[], got: unknown): TypeError {
  const shown = typeof got === "string" && got.length <= 40 && !looksLikeKeyMaterial(got) ? JSON.stringify(got) : typeName(got);
  return new TypeError(`${where} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${shown}`);
}

/** Runs `run`, giving a SealboxError it throws the file and line it is about (unless it names one already). */
export function withFile<T>(run: () => T, path: string, line?: number): T {
  try {
    return run();
  } catch (error) {
    throw isSealboxError(error) ? error.inFile(path, line) : error;
  }
}

/** withFile for a call that waits (a controller's answer). */
export async function withFileAsync<T>(run: () => Promise<T>, path: string, line?: number): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw isSealboxError(error) ? error.inFile(path, line) : error;
  }
}
