// Small helpers for commander options that several command files share.
import type { Scope } from "../sealed/scope.js";

// The library's SCOPES, written out: importing sealed/scope.ts would add a chunk to every start
// (test/cli/startup-lists.test.ts keeps the copy equal).
export const SCOPE_NAMES = ["strict", "namespace-wide", "cluster-wide"] as const satisfies readonly Scope[];

/** A repeatable option's parser: each use adds its value (`--private-key a --private-key b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
