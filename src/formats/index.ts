// Picks a codec the way sops does: --input-type/--output-type, else the end of the file's name,
// else binary. As sops's formats.FormatForPath: case-sensitive (`X.YAML` is binary there), and a
// file named just `.env` is dotenv.
import type { Codec, FormatName } from "./types.js";
import { argumentError, choiceError } from "../errors.js";

const BY_SUFFIX: [string, FormatName][] = [
  [".yaml", "yaml"],
  [".yml", "yaml"],
  [".json", "json"],
  [".env", "dotenv"],
  [".ini", "ini"],
];

export const FORMAT_NAMES: FormatName[] = ["yaml", "json", "dotenv", "ini", "binary"];

export function formatForPath(path: string): FormatName {
  if (typeof path !== "string") throw argumentError("the file name (filename)", "a string", path);
  return BY_SUFFIX.find(([suffix]) => path.endsWith(suffix))?.[1] ?? "binary";
}

/** The store a name would pick if its ending were read regardless of case, when that differs (X.YAML: yaml). */
export function formatIgnoringCase(path: string): FormatName | undefined {
  const format = formatForPath(path.toLowerCase());
  return format !== formatForPath(path) ? format : undefined;
}

/** Loads only the codec asked for. */
export async function codecFor(name: FormatName): Promise<Codec> {
  if (!FORMAT_NAMES.includes(name)) throw choiceError("the store (inputType, outputType)", FORMAT_NAMES, name);
  switch (name) {
    case "yaml":
      return (await import("./yaml.js")).yamlCodec;
    case "json":
      return (await import("./json.js")).jsonCodec;
    case "dotenv":
      return (await import("./dotenv.js")).dotenvCodec;
    case "ini":
      return (await import("./ini.js")).iniCodec;
    case "binary":
      return (await import("./binary.js")).binaryCodec;
  }
}
