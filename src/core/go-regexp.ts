// sops compiles the rules file's regular expressions with Go's regexp (RE2 syntax). This reads that
// syntax into a JavaScript RegExp that matches the same strings: Go-only spellings are translated
// (leading flags such as `(?i)`, `(?P<name>…)`, `\A`, `\z`, `\Q…\E`, POSIX classes, octal and
// `\x{…}` escapes, escaped punctuation), what JavaScript reads more widely is narrowed to Go's
// meaning (`.`, `\s`, `^` and `$` under `(?m)`), and what Go refuses, or JavaScript cannot say, is
// refused with the reason: never guessed.

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

/** Go's \s: [\t\n\f\r ] (JavaScript's also takes \v and every Unicode space). */
const GO_SPACE = "\\t\\n\\f\\r ";
/** Go's \S as ranges, for inside a class: everything but \t \n \f \r and space. */
const GO_NOT_SPACE = "\\x00-\\x08\\x0B\\x0E-\\x1F\\x21-\\u{10FFFF}";
/** Unicode general categories: \p{Lu} in both; any other name is a script in Go, Script=… in JavaScript. */
const CATEGORIES = new Set("L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn Any".split(" "));
const TEXT_START = "(?<![\\s\\S])";
const TEXT_END = "(?![\\s\\S])";
/** Characters JavaScript's u flag lets be escaped outside a class, and inside one. */
const SYNTAX = "^$\\.*+?()[]{}|/";
const CLASS_SYNTAX = "\\]^-[";

interface Mode {
  /** Go's (?m): ^ and $ at line breaks (\n only). */
  multiline: boolean;
  /** Go's (?s): . matches \n too. */
  dotAll: boolean;
}

/** A Go regular expression as a JavaScript RegExp; throws an Error saying what is not supported. */
export function goRegExp(pattern: string): RegExp {
  const mode: Mode = { multiline: false, dotAll: false };
  let jsFlags = "u";
  let rest = pattern;
  for (let leading = /^\(\?([a-zA-Z]+)\)/.exec(rest); leading; leading = /^\(\?([a-zA-Z]+)\)/.exec(rest)) {
    for (const flag of leading[1]!) {
      if (flag === "i") jsFlags += jsFlags.includes("i") ? "" : "i";
      else if (flag === "m") mode.multiline = true;
      else if (flag === "s") mode.dotAll = true;
      else throw new Error(`the flag ${flag} in (?${leading[1]}) is not supported (i, m and s are)`);
    }
    rest = rest.slice(leading[0].length);
  }
  if (mode.dotAll) jsFlags += "s";
  return new RegExp(translate(rest, mode), jsFlags);
}

function hex(char: string): string {
  return `\\u{${char.codePointAt(0)!.toString(16)}}`;
}

function translate(pattern: string, mode: Mode): string {
  let out = "";
  let inClass = false;
  // inside a class, a - right after a set (\w, \s, [:alpha:]…) is a literal in Go, an error or a range in JavaScript
  let afterSet = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const [text, used] = escape(pattern, i, inClass);
      out += text;
      afterSet = inClass && /^\\[dDwWsSpP]/.test(pattern.slice(i));
      i += used - 1;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
      if (posix) {
        const range = POSIX_CLASSES[posix[2]!];
        if (!range) throw new Error(`unknown character class [:${posix[2]}:]`);
        if (posix[1]) throw new Error(`a negated class [:^${posix[2]}:] is not supported`);
        out += range;
        afterSet = true;
        i += posix[0].length - 1;
        continue;
      }
      if (c === "]") inClass = false;
      out += c === "[" ? "\\[" : c === "-" && afterSet ? "\\-" : c;
      afterSet = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (pattern[i + 1] === "^") out += pattern[++i];
      // a ] right after [ or [^ is a literal in Go
      if (pattern[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const group = groupOpening(pattern.slice(i));
      out += group.text;
      i += group.length - 1;
      continue;
    }
    if (c === "{") {
      // a repetition, else (as in Go) a literal brace
      const repeat = /^\{(0|[1-9]\d*)(?:,(0|[1-9]\d*)?)?\}/.exec(pattern.slice(i));
      if (repeat && [repeat[1], repeat[2]].some((n) => n !== undefined && Number(n) > 1000)) throw new Error("a repetition count above 1000 is not Go syntax");
      out += repeat ? repeat[0] : "\\{";
      if (repeat) i += repeat[0].length - 1;
      continue;
    }
    if (c === "}" || c === "]") out += `\\${c}`;
    else if (c === "." && !mode.dotAll) out += "[^\\n]";
    else if (c === "^" && mode.multiline) out += `(?:${TEXT_START}|(?<=\\n))`;
    else if (c === "$" && mode.multiline) out += `(?:${TEXT_END}|(?=\\n))`;
    else out += c;
  }
  return out;
}

/** What a group opening `(?…` becomes: named and plain groups; lookarounds and inner flags are refused. */
function groupOpening(text: string): { text: string; length: number } {
  if (text.startsWith("(?P<")) return { text: "(?<", length: 4 };
  if (text.startsWith("(?:") || (text.startsWith("(?<") && !text.startsWith("(?<=") && !text.startsWith("(?<!"))) return { text: text.slice(0, 3), length: 3 };
  if (/^\(\?(?:=|!|<=|<!)/.test(text)) throw new Error("Go's regexp has no lookahead or lookbehind");
  throw new Error("flags are supported only at the very start, such as (?i)");
}

/** The escape at `at` (a backslash) in Go's syntax: its JavaScript text and how many characters it took. */
function escape(pattern: string, at: number, inClass: boolean): [string, number] {
  const next = pattern[at + 1];
  if (next === undefined) throw new Error("the pattern ends with a backslash");
  if (next === "Q") {
    if (inClass) throw new Error("\\Q…\\E inside a class is not Go syntax");
    const end = pattern.indexOf("\\E", at + 2);
    const literal = pattern.slice(at + 2, end < 0 ? undefined : end);
    return [[...literal].map((char) => (/[0-9A-Za-z]/.test(char) ? char : hex(char))).join(""), (end < 0 ? pattern.length : end + 2) - at];
  }
  if (/[0-7]/.test(next)) {
    // octal, up to three digits; a lone \1-\7 would be a backreference, which Go has not
    const digits = /^[0-7]{1,3}/.exec(pattern.slice(at + 1))![0];
    if (next !== "0" && digits.length === 1) throw new Error(`\\${next}: Go's regexp has no backreferences`);
    return [hex(String.fromCodePoint(parseInt(digits, 8))), digits.length + 1];
  }
  if (next === "x") {
    const braced = /^x\{([0-9A-Fa-f]+)\}/.exec(pattern.slice(at + 1));
    if (braced) return [`\\u{${braced[1]}}`, braced[0].length + 1];
    const short = /^x[0-9A-Fa-f]{2}/.exec(pattern.slice(at + 1));
    if (!short) throw new Error("\\x needs two hex digits or {…}");
    return [`\\${short[0]}`, short[0].length + 1];
  }
  if (next === "p" || next === "P") {
    const named = /^[pP](?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(pattern.slice(at + 1));
    if (!named) throw new Error(`\\${next} needs a class name`);
    const name = named[2] ?? named[3]!;
    const negated = (next === "P") !== (named[1] === "^");
    const js = CATEGORIES.has(name) ? name : `Script=${name}`;
    return [`\\${negated ? "P" : "p"}{${js}}`, named[0].length + 1];
  }
  if (next === "s") return [inClass ? GO_SPACE : `[${GO_SPACE}]`, 2];
  if (next === "S") return [inClass ? GO_NOT_SPACE : `[^${GO_SPACE}]`, 2];
  if (!inClass && next === "A") return [TEXT_START, 2];
  if (!inClass && next === "z") return [TEXT_END, 2];
  if ("dDwW".includes(next) || (!inClass && "bB".includes(next)) || "fnrtv".includes(next)) return [`\\${next}`, 2];
  if (next === "a") return ["\\x07", 2];
  if (/[0-9A-Za-z]/.test(next) || next > "\x7f") throw new Error(`\\${next} is not an escape Go's regexp knows`);
  // escaped punctuation is that character
  return [(inClass ? CLASS_SYNTAX : SYNTAX).includes(next) ? `\\${next}` : hex(next), 2];
}
