// `sealbox audit` over a real git repository: the inventory names every encrypted file's recipients,
// findings flag leaks, drift, expired certificates, weak settings and stale keys, the exit status
// follows --fail-on, SARIF has what GitHub code scanning needs — and no output carries a secret value.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, type CliResult, sealbox } from "../helpers/cli.js";
import { A, B, KEYS_A, git, gitInit, identityFile, plainFor, sourcesFor, tempDir } from "../repo/helpers.js";
import { CERT, VECTORS, makeKeyPair } from "../sealed/helpers.js";
import { SOPS_VECTORS } from "../helpers/fixtures.js";
import { encrypt } from "../../src/ops/sops-ops.js";
import type { AuditReport } from "../../src/audit/audit.js";

/** Every plaintext value in the repository: none may appear in any output. */
const SECRETS = ["hunter2-LEAKED", "weak-VALUE-exposed", "ns-wide-value-42", "PLAIN-env-secret", "pw-0-0", "pw-1-63z", "pw-2-ccu"];

function put(dir: string, path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
}

describe("sealbox audit", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const outputs: CliResult[] = [];

  async function audit(args: string[]): Promise<CliResult> {
    const result = await sealbox(["audit", ...args], { cwd: dir, env });
    outputs.push(result);
    return result;
  }

  beforeAll(async () => {
    dir = tempDir("sealbox-audit-");
    gitInit(dir);
    const keys = tempDir("sealbox-certs-");
    const expired = makeKeyPair(keys, "expired", { start: "20200101000000Z", end: "20210101000000Z" });
    copyFileSync(CERT, join(dir, "prod.pem"));
    copyFileSync(expired.cert, join(dir, "expired.pem"));
    put(
      dir,
      ".sops.yaml",
      [
        "creation_rules:",
        "  - path_regex: ^clusters/prod/.*\\.sealed\\.yaml$",
        "    sealed_secrets: { cert: prod.pem, scope: strict }",
        "  - path_regex: ^clusters/old/.*\\.sealed\\.yaml$",
        "    sealed_secrets: { cert: expired.pem }",
        "  - path_regex: ^weak/.*\\.yaml$",
        "    unencrypted_regex: ^(data|stringData)$",
        `    age: ${A}`,
        "  - path_regex: ^secrets/.*\\.(ya?ml|json|env)$",
        `    age: ${A}`,
        "",
      ].join("\n"),
    );
    const sources = sourcesFor([]);
    put(dir, "secrets/ok.yaml", await encrypt(Buffer.from(plainFor(0, "yaml")), { filename: "secrets/ok.yaml", age: [A], sources }));
    put(dir, "secrets/drift.json", await encrypt(Buffer.from(plainFor(1, "json")), { filename: "secrets/drift.json", age: [A, B], sources }));
    const old = Buffer.from(await encrypt(Buffer.from(plainFor(2, "yaml")), { filename: "secrets/old.yaml", age: [A], sources })).toString("utf8");
    put(dir, "secrets/old.yaml", old.replace(/lastmodified: "[^"]+"/, 'lastmodified: "2020-01-01T00:00:00Z"'));
    put(dir, "secrets/plain.env", "TOKEN=PLAIN-env-secret\n");
    put(dir, "leak/db-secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2-LEAKED\n");
    const weakPlain = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: weak\nstringData:\n  password: weak-VALUE-exposed\n";
    put(dir, "weak/secret.yaml", await encrypt(Buffer.from(weakPlain), { filename: "weak/secret.yaml", sources, age: [A], selectors: { unencryptedRegex: "^(data|stringData)$" } }));
    put(dir, "clusters/prod/shared.sealed.yaml", readFileSync(join(VECTORS, "namespace-wide.sealed.yaml")));
    put(dir, "clusters/old/x.sealed.yaml", readFileSync(join(VECTORS, "data-strict.sealed.yaml")));
    put(dir, "docs/readme.md", "nothing to see\n");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "repo");
    env = cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A]));
  }, 60_000);

  it("names every encrypted file's recipients and flags leaks and drift, exiting 80", async () => {
    const result = await audit(["--format", "json"]);
    expect(result.status).toBe(80);
    expect(result.stderr).toMatch(/findings? at --fail-on error or worse/);
    const report = JSON.parse(result.stdout) as AuditReport;
    expect(report.schema).toBe("sealbox-audit/v1");
    expect(report.files.map((f) => [f.path, f.kind])).toEqual([
      ["clusters/old/x.sealed.yaml", "SealedSecret"],
      ["clusters/prod/shared.sealed.yaml", "SealedSecret"],
      ["secrets/drift.json", "sops"],
      ["secrets/ok.yaml", "sops"],
      ["secrets/old.yaml", "sops"],
      ["weak/secret.yaml", "sops"],
    ]);
    const byPath = new Map(report.files.map((f) => [f.path, f]));
    expect(byPath.get("secrets/ok.yaml")!.recipients).toEqual([{ type: "age", group: 0, id: `age:${A}`, recipient: A }]);
    expect(byPath.get("secrets/drift.json")!.recipients.map((r) => r.recipient)).toEqual([A, B]);
    expect(byPath.get("secrets/ok.yaml")!.rule).toEqual({ file: ".sops.yaml", line: 9 });
    expect(byPath.get("secrets/ok.yaml")!.lastModified).toMatch(/^\d{4}-\d\d-\d\dT/);
    const prod = byPath.get("clusters/prod/shared.sealed.yaml")!;
    expect(prod.sealed!.cert).toMatchObject({ path: "prod.pem", sha256: "46:4b:93:65:dc:a8:fa:84:94:b6:12:30:99:8b:b0:82:f4:97:94:55:63:7d:6f:d2:43:89:af:7d:b3:9b:28:4f", notAfter: "2036-11-20T04:23:39.000Z", expired: false });
    expect(prod.sealed!.objects).toEqual([{ name: "shared-key", namespace: "team-a", scope: "namespace-wide", line: 1, keys: ["api-key"] }]);

    const found = report.findings.map((f) => `${f.level} ${f.ruleId} ${f.path}${f.line ? `:${f.line}` : ""}`);
    expect(found).toEqual(
      expect.arrayContaining([
        "error SBX001 leak/db-secret.yaml:1",
        "error SBX002 secrets/plain.env",
        "error SBX010 secrets/drift.json",
        "error SBX020 .sops.yaml:4",
        "warning SBX013 clusters/prod/shared.sealed.yaml:1",
        "warning SBX030 weak/secret.yaml",
        "warning SBX031 .sops.yaml:6",
      ]),
    );
    expect(found.filter((f) => f.includes("secrets/ok.yaml"))).toEqual([]);
    const drift = report.findings.find((f) => f.ruleId === "SBX010")!;
    expect(drift.message).toContain(`age:${B}`);
    expect(report.findings.find((f) => f.ruleId === "SBX030")!.message).toContain('["stringData"]["password"]');
    expect(report.summary).toMatchObject({ files: 6, sops: 4, sealedSecret: 2 });
  });

  it("flags files not rotated within --max-age days", async () => {
    const report = JSON.parse((await audit(["--format", "json", "--max-age", "90", "secrets"])).stdout) as AuditReport;
    const stale = report.findings.filter((f) => f.ruleId === "SBX040");
    expect(stale.map((f) => f.path)).toEqual(["secrets/old.yaml"]);
    expect(stale[0].message).toMatch(/last rotated \d+ days ago \(2020-01-01T00:00:00Z\)/);
  });

  it("writes SARIF 2.1.0 that GitHub code scanning accepts", async () => {
    const result = await audit(["--format", "sarif", "--fail-on", "none"]);
    expect(result.status).toBe(0);
    const sarif = JSON.parse(result.stdout);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe("sealbox");
    const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ruleIds).toContain("SBX001");
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text).toBeTruthy();
      expect(["error", "warning", "note"]).toContain(rule.defaultConfiguration.level);
      expect(Number(rule.properties["security-severity"])).toBeGreaterThan(0);
    }
    expect(run.results.length).toBeGreaterThanOrEqual(7);
    for (const r of run.results) {
      expect(ruleIds[r.ruleIndex]).toBe(r.ruleId);
      expect(["error", "warning", "note"]).toContain(r.level);
      expect(r.message.text).toBeTruthy();
      const location = r.locations[0].physicalLocation;
      expect(location.artifactLocation.uri).not.toMatch(/^\//);
      if (location.region) expect(location.region.startLine).toBeGreaterThanOrEqual(1);
    }
    const leak = run.results.find((r: { ruleId: string }) => r.ruleId === "SBX001");
    expect(leak.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "leak/db-secret.yaml", uriBaseId: "SRCROOT" }, region: { startLine: 1 } });
  });

  it("prints a table and exits by --fail-on", async () => {
    const table = await audit([]);
    expect(table.status).toBe(80);
    expect(table.stdout).toMatch(/^FILE +KIND +LAST ROTATED +RECIPIENTS$/m);
    expect(table.stdout).toContain(`secrets/drift.json`);
    expect(table.stdout).toMatch(/error +SBX001 plaintext-secret +leak\/db-secret\.yaml:1 +plaintext Kubernetes Secret prod\/db \(keys: password\)/);
    expect(table.stdout).toMatch(/6 encrypted files \(4 sops, 2 SealedSecret\); findings: 4 errors, \d+ warnings?, \d+ notes?/);
    expect((await audit(["--fail-on", "none"])).status).toBe(0);
    const clean = await audit(["secrets/ok.yaml", "--fail-on", "note"]);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/findings: 0 errors, 0 warnings, 0 notes/);
    expect((await audit(["weak", "--fail-on", "error"])).status).toBe(0);
    expect((await audit(["weak", "--fail-on", "warning"])).status).toBe(80);
  });

  it("never prints a secret value, in any format or stream", () => {
    expect(outputs.length).toBeGreaterThanOrEqual(8);
    const all = outputs.map((o) => o.stdout + o.stderr).join("\n");
    for (const secret of SECRETS) expect(all).not.toContain(secret);
    // and the values really are in the repository, so the check above could fail
    const files = git(dir, "grep", "-l", "-e", "hunter2-LEAKED", "-e", "weak-VALUE-exposed", "-e", "PLAIN-env-secret");
    expect(files.trim().split("\n").sort()).toEqual(["leak/db-secret.yaml", "secrets/plain.env", "weak/secret.yaml"]);
  });
});

describe("sealbox audit of encrypted files edited by hand", () => {
  const HAND = "hunter2-HAND";
  let dir: string;
  let report: AuditReport;
  let outputs: string;

  beforeAll(async () => {
    dir = tempDir("sealbox-audit-hand-");
    gitInit(dir);
    put(dir, ".sops.yaml", `creation_rules:\n  - age: ${A}\n`);
    const sources = sourcesFor([]);
    const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2-SEALED\n  password_unencrypted: weak-VALUE-exposed\n";
    const encrypted = Buffer.from(await encrypt(Buffer.from(secret), { filename: "db.yaml", age: [A], sources })).toString("utf8");
    const byRegex = Buffer.from(await encrypt(Buffer.from(secret), { filename: "db.yaml", age: [A], sources, selectors: { encryptedRegex: "^(data|stringData)$" } })).toString("utf8");
    // sealbox indents by four: a line added at that depth still parses, one at two does not
    const addUnder = (text: string, key: string, line: string) => text.replace(`\n${key}:\n`, `\n${key}:\n${line}\n`);
    put(dir, "added.yaml", addUnder(encrypted, "stringData", `    newpass: ${HAND}\n    note_unencrypted: ${HAND}-note`));
    put(dir, "regex-added.yaml", addUnder(addUnder(byRegex, "stringData", `    newpass: ${HAND}`), "metadata", "    labels: {team: web}"));
    put(dir, "regex.yaml", byRegex);
    put(dir, "damaged.yaml", addUnder(byRegex, "stringData", `  newpass: ${HAND}-broken`));
    const json = Buffer.from(await encrypt(Buffer.from('{"user": "admin", "port": 5432}'), { filename: "app.json", age: [A], sources })).toString("utf8");
    put(dir, "app.json", json.replace('"user":', '"port_new": 5433,\n\t"user":'));
    const result = await sealbox(["audit", "--format", "json"], { cwd: dir, env: cliEnv(undefined) });
    const table = await sealbox(["audit"], { cwd: dir, env: cliEnv(undefined) });
    expect(result.status).toBe(80);
    report = JSON.parse(result.stdout) as AuditReport;
    outputs = [result.stdout, result.stderr, table.stdout, table.stderr].join("\n");
  }, 60_000);

  const findingsOf = (path: string) => report.findings.filter((f) => f.path === path).map((f) => `${f.level} ${f.ruleId}${f.line ? `:${f.line}` : ""}`);

  it("flags values in clear text where the file's own settings encrypt them as errors, by key path", () => {
    const added = report.findings.find((f) => f.path === "added.yaml" && f.ruleId === "SBX003")!;
    expect(added).toMatchObject({ rule: "plaintext-in-encrypted-file", level: "error" });
    expect(added.message).toMatch(/: \["stringData"\]\["newpass"\]; nothing can decrypt the file like this: delete them, then add them with sealbox edit/);
    expect(report.findings.find((f) => f.path === "regex-added.yaml" && f.ruleId === "SBX003")!.message).toContain(': ["stringData"]["newpass"]; ');
    expect(report.findings.find((f) => f.path === "app.json" && f.ruleId === "SBX003")!.message).toContain(': ["port_new"]; ');
  });

  it("keeps what the settings leave in clear text apart: an exposed-value warning, never both for one path", () => {
    // password_unencrypted was written so by sops; newpass was not, so it is an SBX003 and not an SBX030 as well
    const exposed = report.findings.filter((f) => f.ruleId === "SBX030");
    expect(exposed.map((f) => f.path)).toEqual(["added.yaml"]);
    expect(exposed[0].message).toContain('values left in clear text: ["stringData"]["password_unencrypted"] (file settings');
    expect(exposed[0].message).not.toContain("newpass");
    // metadata outside encrypted_regex, name and the added labels alike, is no hand edit
    expect(findingsOf("regex.yaml")).toEqual([]);
    expect(findingsOf("regex-added.yaml")).toEqual(["error SBX003"]);
  });

  it("counts an encrypted Secret that no longer parses as a plaintext one, and still says it is unreadable", () => {
    expect(findingsOf("damaged.yaml")).toEqual(["error SBX001:2", "warning SBX050:6"]);
    expect(report.findings.find((f) => f.path === "damaged.yaml" && f.ruleId === "SBX001")!.message).toMatch(/^an encrypted Kubernetes Secret \(kind: Secret\) that no longer parses \(line 6: invalid YAML/);
  });

  it("finds no hand edit in files sops itself wrote (comments, encrypted_regex, suffixes, several documents, dotenv, INI, binary)", async () => {
    const vectors = JSON.parse((await sealbox(["audit", "--format", "json", "--fail-on", "none", SOPS_VECTORS], { env: cliEnv(undefined) })).stdout) as AuditReport;
    expect(vectors.summary.sops).toBeGreaterThanOrEqual(10);
    expect(vectors.findings.filter((f) => ["SBX003", "SBX030", "SBX050"].includes(f.ruleId))).toEqual([]);
  });

  it("never prints a value, the hand-added ones included", () => {
    expect(outputs).toContain("added.yaml");
    for (const secret of [HAND, "hunter2-SEALED", "weak-VALUE-exposed"]) expect(outputs).not.toContain(secret);
    expect(readFileSync(join(dir, "added.yaml"), "utf8")).toContain(HAND);
  });
});
