// docs/api.md against the package entry (src/index.ts): every function the page calls or imports from
// "sealbox" is exported, and every value the entry exports is described there.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as sealbox from "../../src/index.js";
import { ROOT } from "../helpers/fixtures.js";

const doc = readFileSync(join(ROOT, "docs", "api.md"), "utf8");
const blocks = [...doc.matchAll(/^```\w*\n([\s\S]*?)^```/gm)].map(([, code]) => code);
const prose = doc.replace(/^```[\s\S]*?^```/gm, "");
/** Calls the page writes in inline code and headings: `name(…)`, `new Name(…)`. */
const called = [...prose.matchAll(/`([^`]+)`/g)].flatMap(([, code]) => [...code.matchAll(/(?:^|[^.\w])(?:new )?([A-Za-z_]\w*)\(/g)].map(([, name]) => name));
/** Names its examples import: import { a, b } from "sealbox". */
const imported = blocks.flatMap((code) => [...code.matchAll(/import \{([^}]+)\} from "sealbox"/g)].flatMap(([, list]) => list.split(",").map((n) => n.trim())));
/** Called in the text but not exports: a SealboxError method and the callbacks a caller passes in. */
const NOT_EXPORTS = new Set(["describe", "read", "reseal", "verify"]);

describe("docs/api.md", () => {
  it("names only functions that src/index.ts exports", () => {
    const named = [...new Set([...called, ...imported])].filter((name) => !NOT_EXPORTS.has(name));
    expect(named.length).toBeGreaterThan(40);
    expect(named.filter((name) => !(name in sealbox))).toEqual([]);
  });

  it("describes every value src/index.ts exports", () => {
    const words = new Set(doc.match(/[A-Za-z_]\w*/g));
    expect(Object.keys(sealbox).filter((name) => !words.has(name))).toEqual([]);
  });
});
