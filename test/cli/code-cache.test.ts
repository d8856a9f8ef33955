// The V8 code cache of the CLI bundle (src/cli/code-cache.ts), in fresh node processes: the hook
// patches the process's CommonJS loader, so it is never installed in the test runner itself.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanEnv } from "../helpers/cli.js";
import { ROOT } from "../helpers/fixtures.js";

const HOOK = join(ROOT, "dist/bundle/code-cache.js");
const BUNDLE = join(ROOT, "dist/bundle");

/** Runs `script` (CommonJS) in a fresh node; its last stdout line is JSON, what came before it `output`. */
function runNodeWithOutput(script: string, args: string[] = [], nodeFlags: string[] = [], env: NodeJS.ProcessEnv = {}): { result: unknown; output: string } {
  const r = spawnSync(process.execPath, [...nodeFlags, "-e", script, "--", ...args], { encoding: "utf8", env: cleanEnv(env) });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const last = r.stdout.trimEnd().lastIndexOf("\n");
  return { result: JSON.parse(r.stdout.slice(last + 1)), output: r.stdout.slice(0, last) };
}

function runNode(script: string, args: string[] = [], nodeFlags: string[] = []): unknown {
  return runNodeWithOutput(script, args, nodeFlags).result;
}

describe("the built bundle's cache", () => {
  const runCliWithOutput = (argv: string[], nodeFlags: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    runNodeWithOutput(
      `const c = require(${JSON.stringify(HOOK)}).useCodeCache(${JSON.stringify(BUNDLE)});
       require(${JSON.stringify(join(BUNDLE, "sealbox.js"))}).main(process.argv.slice(0, 1).concat("sealbox", process.argv.slice(1)))
         .then(() => console.log("\\n" + JSON.stringify(c.stats)));`,
      argv,
      nodeFlags,
      env,
    );
  const runCli = (argv: string[], nodeFlags: string[] = []) => runCliWithOutput(argv, nodeFlags).result;

  it("is made by the build for this Node and taken for every chunk a command loads", () => {
    const stats = runCli(["--version"]) as { accepted: number; rejected: number; missing: number };
    expect(stats.rejected).toBe(0);
    expect(stats.missing).toBe(0);
    expect(stats.accepted).toBeGreaterThan(3);
  });

  it("runs decrypt from cached code, byte for byte what sops wrote", () => {
    const sops = join(ROOT, "fixtures/interop/sops");
    const { result, output } = runCliWithOutput(["decrypt", join(sops, "k8s_secret.enc.yaml")], [], { SOPS_AGE_KEY_FILE: join(sops, "keys.txt") });
    expect(result).toMatchObject({ rejected: 0, missing: 0 });
    expect((result as { accepted: number }).accepted).toBeGreaterThan(10);
    expect(output).toBe(readFileSync(join(sops, "k8s_secret.dec.yaml"), "utf8"));
  });

  it("is refused by V8 under other V8 flags, and the command still runs", () => {
    const stats = runCli(["--version"], ["--max-old-space-size=200"]) as { accepted: number; rejected: number };
    expect(stats.accepted).toBe(0);
    expect(stats.rejected).toBeGreaterThan(3);
  });
});

describe("useCodeCache", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sealbox-code-cache-"));
    writeFileSync(join(dir, "a.js"), 'exports.answer = () => require("./b.js").value * 2; exports.named = () => require("./esm.js")("node:path").then((m) => typeof m.join);');
    // Node 20 lets a script compiled with a cache import() only under a flag: such a script is Node's
    writeFileSync(join(dir, "esm.js"), "module.exports = (specifier) => import(specifier);");
    writeFileSync(join(dir, "b.js"), "exports.value = 21; exports.file = __filename; exports.dir = __dirname;");
    writeFileSync(join(dir, "outside.txt"), "not a script");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const hook = (record: boolean) => `const c = require(${JSON.stringify(HOOK)}).useCodeCache(${JSON.stringify(dir)}, { record: ${record} });`;
  const load = () => `const a = require(${JSON.stringify(join(dir, "a.js"))}); const b = require(${JSON.stringify(join(dir, "b.js"))});`;
  const report = `a.named().then((named) => console.log(JSON.stringify({ answer: a.answer(), file: b.file, dir: b.dir, named, stats: c.stats })));`;
  const record = () => runNode(`${hook(true)} ${load()} a.answer(); console.log(JSON.stringify(c.write()));`);
  /** a.js and b.js loaded in a fresh node with the caches offered */
  const loadWithCache = () => runNode(`${hook(false)} ${load()} ${report}`) as { answer: number; stats: unknown };

  it("records what ran, writes a cache beside each script, and a later process takes them", () => {
    expect(record()).toEqual(["a.js", "b.js"]);
    expect(existsSync(join(dir, "esm.js.cache"))).toBe(false);
    expect(readFileSync(join(dir, "a.js.cache")).length).toBeGreaterThan(0);
    const result = loadWithCache();
    expect(result).toEqual({ answer: 42, file: join(dir, "b.js"), dir, named: "function", stats: { accepted: 2, rejected: 0, missing: 0 } });
  });

  // the same length, so V8's own check (the source's length) would take the old cache
  const editB = () => writeFileSync(join(dir, "b.js"), "exports.value = 20; exports.file = __filename; exports.dir = __dirname;");
  const dated = (when: Date, ...names: string[]) => {
    for (const name of names) utimesSync(join(dir, name), when, when);
  };
  const sameTime = (...names: string[]) => dated(new Date("1985-10-26T08:15:00Z"), ...names); // what npm pack gives every file
  const aMinuteAgo = (...names: string[]) => dated(new Date(Date.now() - 60_000), ...names);

  it("takes a cache older than its script when the script is the one recorded (npm unpacks in any order)", () => {
    record();
    aMinuteAgo("a.js.cache", "b.js.cache");
    const result = loadWithCache();
    expect(result.answer).toBe(42);
    expect(result.stats).toEqual({ accepted: 2, rejected: 0, missing: 0 });
  });

  it("does not offer a cache older than its script once the script is edited by hand, and runs the edited script", () => {
    record();
    editB();
    aMinuteAgo("b.js.cache");
    const result = loadWithCache();
    expect(result.answer).toBe(40);
    expect(result.stats).toEqual({ accepted: 1, rejected: 0, missing: 1 });
  });

  it("with every file given one date (npm pack), takes a cache only if the script's CRC-32 is the recorded one", () => {
    record();
    sameTime("a.js", "a.js.cache", "b.js.cache");
    editB();
    sameTime("b.js");
    const result = loadWithCache();
    expect(result.answer).toBe(40);
    expect(result.stats).toEqual({ accepted: 1, rejected: 0, missing: 1 });
  });

  it("is not used by another Node than the one that made it", () => {
    record();
    const manifest = JSON.parse(readFileSync(join(dir, "code-cache.json"), "utf8")) as { node: string };
    expect(manifest.node).toBe(process.version);
    writeFileSync(join(dir, "code-cache.json"), JSON.stringify({ ...manifest, node: "v20.0.0" }));
    const result = loadWithCache();
    expect(result.answer).toBe(42);
    expect(result.stats).toEqual({ accepted: 0, rejected: 0, missing: 0 });
  });

  it("gives a script's require of a sibling the file beside it; other requests are Node's to resolve", () => {
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "c.js"), "exports.value = 3;");
    writeFileSync(join(dir, "d.js"), 'exports.sum = () => require("./b.js").value + require("./b").value + require("./sub/c.js").value + require("node:path").sep.length; exports.missing = () => require("./gone.js");');
    const result = runNode(
      `${hook(false)} const d = require(${JSON.stringify(join(dir, "d.js"))});
       const sum = d.sum();
       let missing; try { d.missing(); } catch (e) { missing = e.message; }
       const cached = Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(dir)})).sort();
       console.log(JSON.stringify({ sum, missing, cached }));`,
    ) as { sum: number; missing: string; cached: string[] };
    expect(result.sum).toBe(21 + 21 + 3 + 1);
    // "./b.js" and "./b" are one module: the direct path is the one Node's lookup finds
    expect(result.cached).toEqual([join(dir, "b.js"), join(dir, "d.js"), join(dir, "sub", "c.js")]);
    // no lookup: a missing sibling fails as a read of that very file, which the error names
    expect(result.missing).toContain(join(dir, "gone.js"));
  });

  it("keeps stack traces' columns on a chunk's first line", () => {
    writeFileSync(join(dir, "thrower.js"), 'exports.fail = () => { throw new Error("here"); };');
    const where = () =>
      runNode(`${hook(false)} try { require(${JSON.stringify(join(dir, "thrower.js"))}).fail(); } catch (e) { console.log(JSON.stringify(/thrower\\.js:(\\d+:\\d+)/.exec(e.stack)[1])); }`);
    const plain = where();
    runNode(`${hook(true)} require(${JSON.stringify(join(dir, "thrower.js"))}); c.write(); console.log("0");`);
    expect(plain).toBe("1:30");
    expect(where()).toBe(plain);
  });

  it("falls back to compiling when V8 refuses a damaged cache", () => {
    record();
    writeFileSync(join(dir, "a.js.cache"), Buffer.alloc(64, 7));
    const result = loadWithCache();
    expect(result.answer).toBe(42);
    expect(result.stats).toEqual({ accepted: 1, rejected: 1, missing: 0 });
  });

  it("leaves scripts outside its directory to Node", () => {
    record();
    const sub = join(dir, "sub");
    rmSync(sub, { recursive: true, force: true });
    const result = runNode(
      `${hook(false)} require("node:fs").mkdirSync(${JSON.stringify(sub)}); require("node:fs").writeFileSync(${JSON.stringify(join(sub, "c.js"))}, "exports.x = 1");
       const x = require(${JSON.stringify(join(sub, "c.js"))}).x; console.log(JSON.stringify({ x, stats: c.stats }));`,
    );
    expect(result).toEqual({ x: 1, stats: { accepted: 0, rejected: 0, missing: 0 } });
  });
});
