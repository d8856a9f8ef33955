// The yaml library, loaded when first used: ~11 ms at start-up that decrypting or rotating the files
// sops writes never needs (./yaml-fast.ts reads those). Every use of it goes through here, never an
// import: codecs parse synchronously, and the CLI bundle has a one-file CommonJS copy of the library
// (scripts/bundle.mjs) that a require loads in ~11 ms, where the package's ~70 files took ~35 ms and
// an ES import of either ~30 ms (Node scans a CommonJS module's source for its exports first).
import { createRequire } from "node:module";
import type { Alias, Scalar, YAMLMap, YAMLSeq } from "yaml";

/** Set by the CLI bundle (esbuild `define`) to its copy of the library; the package otherwise. */
declare const __SEALBOX_YAML__: string | undefined;

const requireModule = createRequire(import.meta.url);
let library: typeof import("yaml") | undefined;

export function yamlLibrary(): typeof import("yaml") {
  return (library ??= requireModule(typeof __SEALBOX_YAML__ === "string" ? __SEALBOX_YAML__ : "yaml") as typeof import("yaml"));
}

export const isAlias = (node: unknown): node is Alias => yamlLibrary().isAlias(node);
export const isMap = (node: unknown): node is YAMLMap => yamlLibrary().isMap(node);
export const isScalar = (node: unknown): node is Scalar => yamlLibrary().isScalar(node);
export const isSeq = (node: unknown): node is YAMLSeq => yamlLibrary().isSeq(node);
