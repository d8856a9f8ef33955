// The yaml library's messages quote the text they stumble on ("Not a YAML token: hunter2", "Could not
// resolve tag: !Welc0me!2024"), and a value written wrong is often a secret. Messages here say what is
// wrong from the library's error code, and the caller gives the line: never the text itself.
const PROBLEMS: Record<string, string> = {
  ALIAS_PROPS: "an alias cannot carry an anchor or a tag",
  BAD_ALIAS: "an alias is not allowed here",
  BAD_COLLECTION_TYPE: "a collection of the wrong kind",
  BAD_DIRECTIVE: "a malformed directive",
  BAD_DQ_ESCAPE: "an invalid escape in a double-quoted string",
  BAD_INDENT: "wrong indentation, or an unclosed bracket or brace",
  BAD_PROP_ORDER: "an anchor or tag in the wrong place",
  BAD_SCALAR_START: "a plain value cannot start with this character (quote the value)",
  BLOCK_AS_IMPLICIT_KEY: "a ': ' inside a plain value (quote the value), or a block value used as a key",
  BLOCK_IN_FLOW: "a block value inside a flow collection",
  DUPLICATE_KEY: "duplicate mapping key",
  KEY_OVER_1024_CHARS: "a key longer than 1024 characters",
  MISSING_CHAR: "a missing closing quote, bracket or brace",
  MULTILINE_IMPLICIT_KEY: "a key that runs over several lines",
  MULTIPLE_ANCHORS: "several anchors on one value",
  MULTIPLE_DOCS: "several documents where one is expected",
  MULTIPLE_TAGS: "several tags on one value",
  NON_STRING_KEY: "a key that is not a string",
  TAB_AS_INDENT: "a tab used for indentation",
  TAG_RESOLVE_FAILED: "an unknown tag, or a value its tag does not fit (quote a value that starts with !)",
  UNEXPECTED_TOKEN: "unexpected text (a value on the same line as | or >, or an unquoted special character?)",
};

/** What is wrong, from a yaml library error's code; never the text it quotes. */
export function yamlProblem(error: { code?: string }): string {
  return PROBLEMS[error.code ?? ""] ?? `malformed YAML (${error.code ?? "unknown error"})`;
}

/**
 * The same for an error toJS() throws (aliases resolved): the library names the alias, which is text
 * from the file, so only what went wrong is kept.
 */
export function yamlValueProblem(error: unknown): string {
  if (error instanceof RangeError) return "the document nests too deeply";
  const message = error instanceof Error ? error.message : "";
  if (/alias/i.test(message)) return /excessive/i.test(message) ? "aliases expand to too many values (alias bomb?)" : "an alias to an anchor that is not defined before it";
  return "a value that cannot be read";
}
