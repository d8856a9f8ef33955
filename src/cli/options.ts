// Small helpers for commander options that several command files share.

/** A repeatable option's parser: each use adds its value (`--private-key a --private-key b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
