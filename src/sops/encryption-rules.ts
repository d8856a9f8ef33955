// Which values of a document get encrypted (sops.go shouldBeEncrypted): at most one of the suffix,
// regex and comment-regex settings, evaluated on the key path and the comments above.
// The regexes are Go's (RE2), read through goRegExp.
import { SealboxError, argumentError } from "../errors.js";
import { goRegExp } from "../core/go-regexp.js";
import { SELECTORS } from "./selectors.js";

export interface EncryptionSelectors {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  unencryptedCommentRegex?: string;
  encryptedCommentRegex?: string;
  macOnlyEncrypted?: boolean;
}

export const DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted";

/** Applies sops's checks and defaulting: one selector at most, and none at all means `unencrypted_suffix: _unencrypted`. */
export function withDefaultSelector(s: EncryptionSelectors): EncryptionSelectors {
  return checkOneSelector(s) ? s : { ...s, unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX };
}

/** Refuses two selectors or more (sops's cryptRuleCount > 1); whether one is set. */
export function checkOneSelector(s: EncryptionSelectors): boolean {
  // a library caller's wrong-typed selector matched nothing and left every value in clear
  for (const [key] of SELECTORS) if (s[key] !== undefined && typeof s[key] !== "string") throw argumentError(`selectors.${key}`, "a string", s[key]);
  if (s.macOnlyEncrypted !== undefined && typeof s.macOnlyEncrypted !== "boolean") throw argumentError("selectors.macOnlyEncrypted", "a boolean", s.macOnlyEncrypted);
  const set = SELECTORS.filter(([key]) => s[key]);
  if (set.length > 1) {
    throw new SealboxError("ConflictingParameters", `cannot use more than one of ${SELECTORS.map(([, name]) => name).join(", ")} in the same file`);
  }
  return set.length === 1;
}

function compile(pattern: string | undefined, name: string): RegExp | undefined {
  if (!pattern) return undefined;
  try {
    return goRegExp(pattern);
  } catch {
    throw new SealboxError("ErrorReadingConfig", `${name} is not a valid regular expression: ${pattern}`);
  }
}

export class EncryptionDecider {
  private readonly unencryptedRegex?: RegExp;
  private readonly encryptedRegex?: RegExp;
  private readonly unencryptedCommentRegex?: RegExp;
  private readonly encryptedCommentRegex?: RegExp;

  constructor(private readonly selectors: EncryptionSelectors) {
    this.unencryptedRegex = compile(selectors.unencryptedRegex, "unencrypted_regex");
    this.encryptedRegex = compile(selectors.encryptedRegex, "encrypted_regex");
    this.unencryptedCommentRegex = compile(selectors.unencryptedCommentRegex, "unencrypted_comment_regex");
    this.encryptedCommentRegex = compile(selectors.encryptedCommentRegex, "encrypted_comment_regex");
  }

  /** `commentsStack` holds, per nesting level, the comments seen since the last value. */
  shouldEncrypt(path: readonly string[], commentsStack: readonly string[][], isComment: boolean): boolean {
    const s = this.selectors;
    let encrypted = true;
    if (s.unencryptedSuffix && path.some((p) => p.endsWith(s.unencryptedSuffix!))) encrypted = false;
    if (s.encryptedSuffix) encrypted = path.some((p) => p.endsWith(s.encryptedSuffix!));
    if (this.unencryptedRegex && path.some((p) => this.unencryptedRegex!.test(p))) encrypted = false;
    if (this.encryptedRegex) encrypted = path.some((p) => this.encryptedRegex!.test(p));
    if (this.unencryptedCommentRegex && commentsStack.some((level) => level.some((c) => this.unencryptedCommentRegex!.test(c)))) {
      encrypted = false;
    }
    if (this.encryptedCommentRegex) {
      const lastLevel = commentsStack.length - 1;
      const lastComment = commentsStack[lastLevel].length - 1;
      // A comment matching the regex stays readable itself; it marks what follows it.
      encrypted = commentsStack.some((level, i) =>
        level.some((c, j) => !(isComment && i === lastLevel && j === lastComment) && this.encryptedCommentRegex!.test(c)),
      );
    }
    return encrypted;
  }
}
