// The malformed-input corpus (fixtures/malformed/index.json, made by generate.mjs plus hand-made
// cases): every case runs as a real `node bin/sealbox.js` process under a time and V8 heap bound,
// and must give its documented exit status, exactly one message that names the file (and line where
// the index gives one), no stack trace, and no hang. Cases documented as accepted (exit 0) must
// print their output and no error. Quick mode runs every hand-made and hostile case and every fifth
// generated one; SLOW=1 runs them all. The 100 MB line cases are written to a temp dir here.
import { availableParallelism } from "node:os";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, type CliResult, sealbox } from "../helpers/cli.js";
import { ROOT, SLOW, stackLines, tempDir } from "./helpers.js";

interface Case {
  file: string;
  args: string[];
  env?: Record<string, string>;
  /** The documented status, or the statuses any of which is right (truncations). */
  exit: number | number[];
  line?: number;
  /** The file the message must name, when it is not the case's own (e.g. the input beside a rules file). */
  names?: string;
  note?: string;
  hand?: boolean;
}

const index: { cases: Case[] } = JSON.parse(readFileSync(join(ROOT, "fixtures/malformed/index.json"), "utf8"));
// hostile cases carry a note (nesting, alias bombs); a truncation's note only says where it was cut
const hostile = (c: Case): boolean => c.note !== undefined && !c.note.startsWith("cut at");
const selected = index.cases.filter((c, i) => SLOW || c.hand || hostile(c) || i % 5 === 0);

function run(c: Case): Promise<CliResult> {
  const sub = (s: string): string => s.replaceAll("{file}", c.file);
  const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, sub(v)]));
  return sealbox(c.args.map(sub), { env: cleanEnv(env), timeoutMs: 30_000, maxOldSpaceMb: 256 });
}

/** The checks every case must pass; returns the problems found (empty when right). */
function problems(c: Case, r: CliResult): string[] {
  const out: string[] = [];
  const expected = Array.isArray(c.exit) ? c.exit : [c.exit];
  if (r.timedOut) out.push(`hung (killed after ${r.ms} ms)`);
  if (!expected.includes(r.status ?? -1)) out.push(`exit ${r.status}${r.signal ? ` (${r.signal})` : ""}, documented ${expected.join(" or ")}`);
  const stack = stackLines(r.stderr);
  if (stack.length) out.push(`stack trace: ${stack[0].trim()}`);
  const messages = r.stderr.split("\n").filter((l) => l.startsWith("sealbox:"));
  if (expected.includes(0) && r.status === 0) {
    if (messages.length) out.push(`accepted but said: ${messages[0]}`);
    if (r.stdout.length === 0) out.push("accepted but printed nothing");
    return out;
  }
  if (messages.length !== 1) out.push(`${messages.length} messages, expected exactly one: ${JSON.stringify(r.stderr.slice(0, 300))}`);
  const named = c.names ?? c.file;
  if (!r.stderr.includes(named)) out.push(`message does not name ${named}: ${JSON.stringify(r.stderr.slice(0, 300))}`);
  if (c.line && !r.stderr.includes(`${named}:${c.line}`)) out.push(`message does not name line ${c.line}: ${JSON.stringify(r.stderr.slice(0, 300))}`);
  if (r.stdout.length) out.push(`printed ${r.stdout.length} bytes on stdout despite failing`);
  return out;
}

describe("malformed-input corpus", () => {
  it("has at least 300 cases, each file present", () => {
    expect(index.cases.length).toBeGreaterThanOrEqual(300);
    for (const c of index.cases) expect(() => readFileSync(join(ROOT, c.file)), c.file).not.toThrow();
  });

  it(`every case: documented exit, one message naming the file, no stack trace, no hang (${SLOW ? "all" : "quick sample of"} ${selected.length} cases)`, async () => {
    const failures: string[] = [];
    let next = 0;
    const workers = Math.max(2, Math.min(4, availableParallelism()));
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < selected.length) {
          const c = selected[next++];
          const found = problems(c, await run(c));
          if (found.length) failures.push(`${c.file}: ${found.join("; ")}`);
        }
      }),
    );
    expect(failures).toEqual([]);
  }, 600_000);
});

describe("100 MB lines (written at test time, never committed)", () => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const line = "x".repeat(100 * 1024 * 1024);
  const recipient = /public key: (age1\w+)/.exec(readFileSync(join(ROOT, "fixtures/interop/sops/keys.txt"), "utf8"))![1];

  it.each([
    ["huge.yaml", (): string => `a: ${line}\n`, 2],
    ["huge.env", (): string => `A=${line}\n`, 0],
    ["huge.json", (): string => `{"a": "${line}"}\n`, 0],
  ] as const)("%s: bounded in time and memory, then encrypted or refused by name", async (name, body, exit) => {
    const file = join(dir, name);
    writeFileSync(file, body());
    const r = await sealbox(["encrypt", "--age", recipient, file], { env: cleanEnv(), timeoutMs: 60_000, maxOldSpaceMb: 1536 });
    expect(r.timedOut).toBe(false);
    expect(r.status).toBe(exit);
    expect(stackLines(r.stderr)).toEqual([]);
    if (exit === 0) expect(r.stdout).toContain("ENC[AES256_GCM,");
    else expect(r.stderr).toMatch(new RegExp(`^sealbox: ${file}: YAML input of 100\\.0 MiB`));
  }, 90_000);
});
