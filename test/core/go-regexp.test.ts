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
  ])("%s", (pattern, matching, other) => {
    const regex = goRegExp(pattern);
    for (const subject of matching) expect(regex.test(subject), subject).toBe(true);
    for (const subject of other) expect(regex.test(subject), subject).toBe(false);
  });

  it("names what it does not support instead of guessing", () => {
    expect(() => goRegExp("a(?i)b")).toThrow("flags are supported only at the start");
    expect(() => goRegExp("(?U)a+")).toThrow("the flag U in (?U) is not supported");
    expect(() => goRegExp("[[:nope:]]")).toThrow("unknown character class [:nope:]");
    expect(() => goRegExp("(unclosed")).toThrow(SyntaxError);
  });
});
