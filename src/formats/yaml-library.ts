// The yaml library, loaded when first used: ~11 ms at start-up that decrypting or rotating the files
// sops writes never needs (./yaml-fast.ts reads those). Required, not imported, because codecs parse
// synchronously; the CLI bundle keeps `yaml` external so every user shares this one instance.
import { createRequire } from "node:module";
import type { Alias, Scalar, YAMLMap, YAMLSeq } from "yaml";

const requireModule = createRequire(import.meta.url);
let library: typeof import("yaml") | undefined;

export function yamlLibrary(): typeof import("yaml") {
  return (library ??= requireModule("yaml") as typeof import("yaml"));
}

export const isAlias = (node: unknown): node is Alias => yamlLibrary().isAlias(node);
export const isMap = (node: unknown): node is YAMLMap => yamlLibrary().isMap(node);
export const isScalar = (node: unknown): node is Scalar => yamlLibrary().isScalar(node);
export const isSeq = (node: unknown): node is YAMLSeq => yamlLibrary().isSeq(node);
