// sops compiles the rules file's regular expressions with Go's regexp (RE2 syntax). The spellings
// that JavaScript reads differently or not at all are translated here, so a rules file written for
// sops matches the same paths and keys: flags at the start (`(?i)`), `(?P<name>…)`, `\A`, `\z`,
// `\Q…\E` and POSIX classes (`[[:alpha:]]`). What cannot be translated is refused, never guessed.

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;

/** A Go regular expression as a JavaScript RegExp; throws an Error saying what is not supported. */
export function goRegExp(pattern: string): RegExp {
  let flags = "u";
  let rest = pattern;
  const leading = LEADING_FLAGS.exec(pattern);
  if (leading) {
    for (const flag of leading[1]) {
      if (!"ims".includes(flag)) throw new Error(`the flag ${flag} in (?${leading[1]}) is not supported (i, m and s are)`);
      if (!flags.includes(flag)) flags += flag;
    }
    rest = pattern.slice(leading[0].length);
  }
  return new RegExp(translate(rest), flags);
}

function translate(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (next === "Q") {
        const end = pattern.indexOf("\\E", i + 2);
        const literal = pattern.slice(i + 2, end < 0 ? undefined : end);
        out += literal.replace(inClass ? /[\\\]\[^-]/g : /[\\^$.*+?()[\]{}|/]/g, "\\$&");
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (!inClass && next === "A") out += "(?<![\\s\\S])";
      else if (!inClass && next === "z") out += "(?![\\s\\S])";
      else out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
      if (posix) {
        const range = POSIX_CLASSES[posix[2]];
        if (!range) throw new Error(`unknown character class [:${posix[2]}:]`);
        if (posix[1]) throw new Error(`a negated class [:^${posix[2]}:] is not supported`);
        out += range;
        i += posix[0].length - 1;
        continue;
      }
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      // a ] right after [ or [^ is a literal in Go
      const negated = pattern[i + 1] === "^";
      if (negated) out += pattern[++i];
      if (pattern[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (pattern.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
      continue;
    }
    if (/^\(\?[a-zA-Z-]+[:)]/.test(pattern.slice(i))) throw new Error("flags are supported only at the start, as (?i)");
    out += c;
  }
  return out;
}
