// The rules file's regular expressions are Go's (RE2): the spellings JavaScript reads differently or
// not at all, translated, and what cannot be translated refused with a reason.
import { describe, expect, it } from "vitest";
import { goRegExp } from "../../src/core/go-regexp.js";

describe("goRegExp", () => {
  it.each([
    ["(?i)secrets/.*\\.yaml$", ["SECRETS/a.yaml", "secrets/b.yaml"], ["other/a.yaml"]],
    ["(?is)^a.b$", ["A\nB"], ["ab"]],
    ["(?P<env>prod|dev)/.*", ["prod/x.yaml"], ["test/x.yaml"]],
    ["\\Aprod/", ["prod/x"], ["a/prod/x"]],
    ["\\.yaml\\z", ["a.yaml"], ["a.yaml\n", "a.yaml.bak"]],
    ["^\\Qa.b+c\\E$", ["a.b+c"], ["axb+c", "a.bbc"]],
    ["^[[:alpha:]]+[[:digit:]]$", ["abc1"], ["ab_1", "abc"]],
    ["^[^]a]+$", ["xyz"], ["x]z", "xa"]],
    ["^[]x]$", ["]", "x"], ["y"]],
    ["^(data|stringData)$", ["data", "stringData"], ["metadata"]],
    // escaped punctuation is the character, as in Go (JavaScript's u flag refuses \- and \_)
    ["^secrets\\-prod/[\\_\\#]x\\:$", ["secrets-prod/_x:", "secrets-prod/#x:"], ["secretsXprod/_x:"]],
    // a brace or bracket that opens nothing is a literal in Go
    ["^a{b}]$", ["a{b}]"], ["ab"]],
    ["^a{2}$", ["aa"], ["a{2}"]],
    // Go's \s and . are narrower than JavaScript's
    ["^a\\sb$", ["a b", "a\tb"], ["a\vb", "a\u00a0b"]],
    ["^a.b$", ["axb", "a\rb"], ["a\nb"]],
    ["(?m)^b$", ["a\nb\nc"], ["a\rb\rc"]],
    ["^\\101\\x42\\x{43}\\pL\\p{Greek}$", ["ABCxλ"], ["ABC1λ", "ABCxa"]],
    // in a class, a - after a set is a literal in Go
    ["^[\\w-.]+$", ["a-b.c"], ["a b"]],
    ["^[\\s-.]$", [" ", "-", "."], ["#"]],
    ["^[[:digit:]-z]$", ["1", "-", "z"], ["a"]],
    ["^[\\S]+$", ["ab", "é"], ["a b"]],
    ["^[\\s\\S]$", ["a", "\n"], ["ab"]],
    ["^\\p{Any}\\p{Yi}$", ["xꀀ"], ["xy"]],
    // a{01} is no repetition in Go: the brace is a literal
    ["^a{01}$", ["a{01}"], ["a"]],
    ["(?i)(?s)^a.b$", ["A\nB"], ["ab"]],
  ])("%s", (pattern, matching, other) => {
    const regex = goRegExp(pattern);
    for (const subject of matching) expect(regex.test(subject), subject).toBe(true);
    for (const subject of other) expect(regex.test(subject), subject).toBe(false);
  });

  it("names what it does not support instead of guessing", () => {
    expect(() => goRegExp("a(?i)b")).toThrow("flags are supported only at the very start");
    expect(() => goRegExp("(?i:a)b")).toThrow("flags are supported only at the very start");
    expect(() => goRegExp("^(?!tmp)")).toThrow("Go's regexp has no lookahead or lookbehind");
    expect(() => goRegExp("(a)\\1")).toThrow("Go's regexp has no backreferences");
    expect(() => goRegExp("\\k<a>")).toThrow("\\k is not an escape Go's regexp knows");
    expect(() => goRegExp("[\\Qa\\E]")).toThrow("inside a class is not Go syntax");
    expect(() => goRegExp("a{1001}")).toThrow("a repetition count above 1000 is not Go syntax");
    expect(() => goRegExp("\\é")).toThrow("is not an escape Go's regexp knows");
    expect(() => goRegExp("(?U)a+")).toThrow("the flag U in (?U) is not supported");
    expect(() => goRegExp("[[:nope:]]")).toThrow("unknown character class [:nope:]");
    expect(() => goRegExp("(unclosed")).toThrow(SyntaxError);
  });
});
