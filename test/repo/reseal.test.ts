// rotate for files under a `sealed_secrets` rule: every value re-sealed to the rule's certificate with
// the old private key (openssl checks the result), under the same label; without the old key a walked
// SealedSecret is skipped and a named one fails.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import YAML from "yaml";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, KEYS_A, ageRule, encryptedRepo, gitInit, identityFile, openFile, rules, sourcesFor, tempDir } from "./helpers.js";
import { KEY, VECTORS, makeKeyPair, opensslOpen } from "../sealed/helpers.js";
import type { RunReport } from "../../src/repo/run.js";

const SEALED = [
  { file: "data-strict.sealed.yaml", label: (ns: string, name: string) => `${ns}/${name}` },
  { file: "namespace-wide.sealed.yaml", label: (ns: string) => ns },
  { file: "stringdata-strict.sealed.json", label: (ns: string, name: string) => `${ns}/${name}` },
];

function sealedValues(path: string): { label: string; values: Record<string, string> }[] {
  const text = readFileSync(path, "utf8");
  const docs = path.endsWith(".json") ? [JSON.parse(text)] : YAML.parseAllDocuments(text).map((d) => d.toJS());
  const spec = SEALED.find((s) => path.endsWith(s.file))!;
  return docs.map((d) => ({ label: spec.label(d.metadata.namespace, d.metadata.name), values: d.spec.encryptedData }));
}

describe("rotate re-seals SealedSecrets to the rule's certificate", () => {
  let dir: string;
  let next: { key: string; cert: string };
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    dir = tempDir("sealbox-reseal-");
    gitInit(dir);
    next = makeKeyPair(tempDir("sealbox-certs-"), "next");
    copyFileSync(next.cert, join(dir, "next.pem"));
    rules(dir, `creation_rules:\n  - path_regex: ^workloads/prod/\n    sealed_secrets: { cert: next.pem }\n${ageRule([A]).replace("creation_rules:\n", "")}`);
    mkdirSync(join(dir, "workloads/prod"), { recursive: true });
    for (const s of SEALED) copyFileSync(join(VECTORS, s.file), join(dir, "workloads/prod", s.file));
    await encryptedRepo(dir, 2, [A]);
    env = cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A]));
  });

  // 60 SOPS files beside them spread the run over two threads; the SealedSecrets (under workloads/,
  // walked after secrets/) come last, when both threads are taking files
  it.each([
    { sops: 2, threads: "one thread" },
    { sops: 60, threads: "two threads" },
  ])("re-seals every value with the old key and keeps each label; $sops SOPS files rotate alongside ($threads)", async ({ sops }) => {
    await encryptedRepo(dir, sops, [A]);
    const before = SEALED.map((s) => sealedValues(join(dir, "workloads/prod", s.file)));
    const plain = before.map((docs) => docs.map(({ label, values }) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, opensslOpen(v, label, KEY).toString("base64")]))));
    const result = await sealbox(["rotate", "--json", "-j", "2", "--private-key", KEY, "."], { cwd: dir, env });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    expect(report.summary).toMatchObject({ total: sops + 3, rotated: sops + 3 });
    const fingerprint = execFileSync("openssl", ["x509", "-in", next.cert, "-noout", "-fingerprint", "-sha256"]).toString().split("=")[1].trim().toLowerCase();
    expect(report.files.find((f) => f.kind === "SealedSecret")!.changes).toEqual([`re-sealed 1 SealedSecret to ${fingerprint}`]);

    SEALED.forEach((s, i) => {
      const after = sealedValues(join(dir, "workloads/prod", s.file));
      after.forEach(({ label, values }, j) => {
        expect(label).toBe(before[i][j].label);
        for (const [key, value] of Object.entries(values)) {
          expect(value).not.toBe(before[i][j].values[key]);
          expect(opensslOpen(value, label, next.key).toString("base64")).toBe(plain[i][j][key]);
          expect(() => opensslOpen(value, label, KEY)).toThrow();
        }
      });
    });
    // the JSON file stays JSON, the YAML ones YAML
    expect(readFileSync(join(dir, "workloads/prod/stringdata-strict.sealed.json"), "utf8").trimStart()).toMatch(/^\{/);
  });

  it("skips walked SealedSecrets without --private-key, fails a named one, and still rotates the rest", async () => {
    const bytes = readFileSync(join(dir, "workloads/prod/data-strict.sealed.yaml"));
    const walked = await sealbox(["rotate", "--json", "."], { cwd: dir, env });
    expect(walked.status).toBe(0);
    const report = JSON.parse(walked.stdout) as RunReport;
    expect(report.summary).toMatchObject({ total: 5, rotated: 2, skipped: 3 });
    expect(report.files.find((f) => f.path === "workloads/prod/data-strict.sealed.yaml")).toMatchObject({ status: "skipped", note: "needs --private-key to re-seal" });
    const named = await sealbox(["rotate", "workloads/prod/data-strict.sealed.yaml"], { cwd: dir, env });
    expect(named.status).toBe(8);
    expect(named.stdout).toMatch(/failed +workloads\/prod\/data-strict\.sealed\.yaml/);
    expect(named.stdout).toContain("--private-key");
    expect(readFileSync(join(dir, "workloads/prod/data-strict.sealed.yaml")).equals(bytes)).toBe(true);
    const sops = report.files.filter((f) => f.kind === "sops");
    for (const f of sops) expect((await openFile(dir, f.path, sourcesFor([KEYS_A]))).recipients).toEqual([A]);
  });
});
