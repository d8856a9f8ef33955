// rotate and updatekeys rewrite whole trees: they must keep the repository's indentation (the rules
// file's `stores:`), in this thread and in worker threads alike, and rotate takes --indent as sops does.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, B, KEYS_A, ageRule, encryptedRepo, openFile, rules, sameContent, sourcesFor, tempDir, type RepoFile } from "./helpers.js";
import type { RunReport } from "../../src/repo/run.js";

// enough for rotate -j 2 to start a worker thread (src/repo/commands.ts threadCount)
const COUNT = 60;
const STORES = "stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 2\n";

/** The report without its timing, which differs run to run. */
function comparable(stdout: string): Omit<RunReport, "durationMs"> {
  const { durationMs: _, ...rest } = JSON.parse(stdout) as RunReport;
  return rest;
}

/** How a file of the repository (see plainFor) is laid out at `indent` up to its recipients, values left out. */
function layoutAt(path: string, indent: number): string {
  const pad = " ".repeat(indent);
  if (path.endsWith(".yaml")) return `db:\n${pad}user: E\n${pad}password: E\nport: E\nsops:\n${pad}age:\n`;
  if (path.endsWith(".json")) return `{\n${pad}"db": {\n${pad}${pad}"user": "E",\n${pad}${pad}"password": "E"\n${pad}},\n${pad}"port": "E",\n${pad}"sops": {\n${pad}${pad}"age": [\n`;
  return "USER=E\nPASSWORD=E\n";
}

/** The file's layout as layoutAt gives it. */
function layoutOf(dir: string, path: string): string {
  const text = readFileSync(join(dir, path), "utf8").replace(/ENC\[[^\]]*\]/g, "E");
  const end = path.endsWith(".env") ? text.indexOf("\nsops_") : text.indexOf("\n", text.search(/^ *"?age"?:/m));
  return text.slice(0, end + 1);
}

describe("rotate and updatekeys keep the stores: indentation", () => {
  let template: string;
  let files: RepoFile[];

  beforeAll(async () => {
    template = tempDir();
    files = await encryptedRepo(template, COUNT, [A]);
  }, 60_000);

  const copy = (rulesText: string): string => {
    const dir = tempDir();
    cpSync(template, dir, { recursive: true });
    rules(dir, rulesText);
    return dir;
  };

  it("rotate writes every file at the stores' indent, in one thread and across threads, and --indent overrides it", async () => {
    const env = cliEnv(KEYS_A);
    const one = copy(ageRule([A], STORES));
    const many = copy(ageRule([A], STORES));
    const single = await sealbox(["rotate", "--json", "-j", "1", "secrets"], { cwd: one, env });
    const threaded = await sealbox(["rotate", "--json", "-j", "2", "secrets"], { cwd: many, env });
    expect(threaded.status).toBe(0);
    expect(comparable(threaded.stdout)).toEqual(comparable(single.stdout));
    expect(comparable(threaded.stdout).summary).toMatchObject({ total: COUNT, rotated: COUNT });
    for (const dir of [one, many]) for (const f of files) expect(layoutOf(dir, f.path), f.path).toBe(layoutAt(f.path, 2));

    const indented = await sealbox(["rotate", "--json", "-j", "2", "--indent", "3", "secrets"], { cwd: many, env });
    expect(indented.status).toBe(0);
    for (const f of files) expect(layoutOf(many, f.path), f.path).toBe(layoutAt(f.path, 3));
    // and every file still opens to its values
    const sources = sourcesFor([KEYS_A]);
    for (const f of files) expect(sameContent(f.path, (await openFile(many, f.path, sources)).plain)).toEqual(sameContent(f.path, f.plain));
  }, 90_000);

  it("updatekeys writes the files it changes at the stores' indent", async () => {
    const dir = copy(ageRule([A, B], STORES));
    const result = await sealbox(["updatekeys", "-y", "--json", "secrets"], { cwd: dir, env: cliEnv(KEYS_A) });
    expect(result.status).toBe(0);
    expect(comparable(result.stdout).summary).toMatchObject({ total: COUNT, updated: COUNT });
    for (const f of files) expect(layoutOf(dir, f.path), f.path).toBe(layoutAt(f.path, 2));
  }, 90_000);

  it("a store setting the rules file refuses fails each file it would write, the same with threads, and writes nothing", async () => {
    const bad = ageRule([A], "stores:\n  yaml:\n    indent: -4\n");
    const line = bad.split("\n").findIndex((l) => l.includes("indent: -4")) + 1;
    const env = cliEnv(KEYS_A);
    const one = copy(bad);
    const many = copy(bad);
    const single = await sealbox(["rotate", "--json", "-j", "1", "secrets"], { cwd: one, env });
    const threaded = await sealbox(["rotate", "--json", "-j", "2", "secrets"], { cwd: many, env });
    expect(single.status).toBe(5);
    expect(threaded.status).toBe(5);
    // the messages name the rules file of each copy
    const report = comparable(threaded.stdout.replaceAll(many, "DIR"));
    expect(report).toEqual(comparable(single.stdout.replaceAll(one, "DIR")));
    // as in sops, the stores are read whatever the file's format: every file fails, dotenv ones too,
    // naming the rules file's line (not the line of the file reported)
    expect(report.summary).toMatchObject({ total: COUNT, failed: COUNT });
    for (const f of report.files) {
      expect(f.error?.message).toBe(`DIR/.sops.yaml:${line}: stores.yaml.indent: a YAML indent cannot be negative`);
      expect(f.error?.line).toBeUndefined();
    }
    for (const f of files) expect(readFileSync(join(many, f.path))).toEqual(readFileSync(join(template, f.path)));
    writeFileSync(join(many, ".sops.yaml"), ageRule([A]));
    expect((await sealbox(["rotate", "-j", "2", "secrets"], { cwd: many, env })).status).toBe(0);
  }, 90_000);
});
