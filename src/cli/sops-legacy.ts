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
  const dropped: number[] = [];
  let set: number | undefined;
  let word: number | undefined;
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    const arg = args[i]!;
    if (LEGACY.has(arg)) found.push(i);
    else if (DROPPED.has(arg)) dropped.push(i);
    else if (arg === "--set" || arg.startsWith("--set=")) {
      set ??= i;
      if (arg === "--set") i++;
    } else if (program.takeValue.has(arg)) i++;
    else if (!arg.startsWith("-") && word === undefined) {
      word = i;
      // `sops --config rules.yaml encrypt f`: a subcommand after global flags alone, its own words its own
      if (program.commands.has(arg) && !found.length && set === undefined) return withGlobalsAfter(argv, i, program);
    }
  }
  const kept = args.filter((_, i) => !dropped.includes(i));
  if (set !== undefined) return legacySet(node!, script!, kept, set - dropped.filter((d) => d < set!).length);
  const legacy = [...new Set(found.map((i) => LEGACY.get(args[i]!)!))];
  if (legacy.length > 1) throw new SealboxError("ConflictingParameters", `sops's ${legacy.map((c) => `--${c}`).join(" and ")} do not go together`);
  const rest = args.filter((_, i) => !found.includes(i) && !dropped.includes(i));
  if (legacy.length === 1) {
    const command = legacy[0]!;
    // sops -r without -i prints the rotated file; sealbox rotate only rewrites files in place
    const inPlace = rest.some((arg, i) => (arg === "-i" || arg === "--in-place") && !program.takeValue.has(rest[i - 1] ?? ""));
    if (command === "rotate" && !inPlace) {
      throw new SealboxError("ConflictingParameters", "sops -r without -i prints the rotated file; sealbox rotate rewrites files in place: add -i (or run `sealbox rotate FILE`)");
    }
    return [node!, script!, command, ...rest];
  }
  // `sops [FLAGS] FILE`: edit, when the first word that is no flag or flag value looks like a path
  // (a mistyped command still gets commander's hint)
  if (word !== undefined && /[./\\]/.test(args[word]!)) return [node!, script!, "edit", ...kept];
  return argv;
}

/**
 * `sops --set '["path"] VALUE' FILE`: `set FILE PATH VALUE`. As sops's extractSetArguments, the path
 * ends at the first "] ", and the JSON value is the rest.
 */
function legacySet(node: string, script: string, args: string[], at: number): string[] {
  const glued = args[at]!.startsWith("--set=");
  const text = glued ? args[at]!.slice("--set=".length) : args[at + 1];
  const split = text?.indexOf("] ") ?? -1;
  if (text === undefined || split < 0) throw new SealboxError("InvalidSetFormat", "--set takes '[\"path\"] VALUE': the path in brackets, a space, then the value as JSON");
  const rest = args.filter((_, i) => i !== at && (glued || i !== at + 1));
  return [node, script, "set", ...rest, text.slice(0, split + 1), text.slice(split + 2)];
}

// sops's global flags stand before the subcommand (`sops --config rules.yaml encrypt f`); here
// they are the subcommand's own. sops's version check has no counterpart: its flags are dropped.
const GLOBAL_WITH_VALUE = new Set(["--config", "--indent", "--keyservice"]);
const GLOBAL_SWITCHES = new Set(["--enable-local-keyservice"]);
const DROPPED = new Set(["--disable-version-check", "--check-for-updates"]);

/** The global flags before the subcommand at `at` moved after it, if all of them are sops's or the program's. */
function withGlobalsAfter(argv: string[], at: number, program: ProgramWords): string[] {
  const [node, script, ...args] = argv;
  const kept: string[] = [];
  const moved: string[] = [];
  for (let i = 0; i < at; i++) {
    const arg = args[i]!;
    const name = arg.split("=")[0]!;
    if (program.options.has(arg)) kept.push(arg);
    else if (DROPPED.has(arg)) continue;
    else if (GLOBAL_SWITCHES.has(arg) || (GLOBAL_WITH_VALUE.has(name) && arg.includes("="))) moved.push(arg);
    else if (GLOBAL_WITH_VALUE.has(arg)) moved.push(arg, args[++i]!);
    else return argv; // commander names what it does not know
  }
  return kept.length === at ? argv : [node!, script!, ...kept, args[at]!, ...moved, ...args.slice(at + 1)];
}
