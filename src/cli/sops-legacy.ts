// sops's older command line, still in many scripts and Makefiles: `sops -d FILE`, `sops -e -i FILE`,
// `sops -r -i FILE`, and `sops FILE` to edit. Rewritten to the subcommands before commander parses,
// so every flag after it means what the subcommand says.
import { SealboxError } from "../errors.js";

const LEGACY = new Map([
  ["-e", "encrypt"],
  ["--encrypt", "encrypt"],
  ["-d", "decrypt"],
  ["--decrypt", "decrypt"],
  ["-r", "rotate"],
  ["--rotate", "rotate"],
]);

/** What the program itself knows: its subcommands, its own options, and every option that takes a value. */
export interface ProgramWords {
  commands: ReadonlySet<string>;
  options: ReadonlySet<string>;
  /** Flags whose next word is their value (`--output -d` writes to a file named -d). */
  takeValue: ReadonlySet<string>;
}

/** `argv` (node, script, args…) with a legacy sops invocation turned into its subcommand; anything else as it was. */
export function fromLegacySops(argv: string[], program: ProgramWords): string[] {
  const [node, script, ...args] = argv;
  const first = args.findIndex((arg) => !program.options.has(arg));
  if (first < 0 || program.commands.has(args[first]!) || args[first] === "-h" || args[first] === "--help") return argv;
  // the legacy flags, wherever they stand as flags: not as an option's value, not after `--`
  const found: number[] = [];
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    if (LEGACY.has(args[i]!)) found.push(i);
    else if (program.takeValue.has(args[i]!)) i++;
  }
  const legacy = [...new Set(found.map((i) => LEGACY.get(args[i]!)!))];
  if (legacy.length > 1) throw new SealboxError("ConflictingParameters", `sops's ${legacy.map((c) => `--${c}`).join(" and ")} do not go together`);
  const rest = args.filter((_, i) => !found.includes(i));
  if (legacy.length === 1) {
    const command = legacy[0]!;
    // sops -r without -i prints the rotated file; sealbox rotate only rewrites files in place
    if (command === "rotate" && !rest.includes("-i") && !rest.includes("--in-place")) {
      throw new SealboxError("ConflictingParameters", "sops -r without -i prints the rotated file; sealbox rotate rewrites files in place: add -i (or run `sealbox rotate FILE`)");
    }
    return [node!, script!, command, ...rest];
  }
  // `sops [FLAGS] FILE`: edit, when the first word that is no flag or flag value looks like a path
  // (a mistyped command still gets commander's hint)
  const word = args.find((arg, i) => !arg.startsWith("-") && !program.takeValue.has(args[i - 1] ?? ""));
  if (word && !program.commands.has(word) && /[./\\]/.test(word)) return [node!, script!, "edit", ...args];
  return argv;
}
