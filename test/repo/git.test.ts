// `sealbox git install` in a real repository: the diff driver config and attributes, an executable
// pre-commit hook that real `git commit` runs and that refuses staged plaintext Secrets and
// unencrypted files a rule covers, and decrypted `git diff` output only when a key is at hand.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, KEYS_A, ROOT, ageRule, git, gitInit, identityFile, rules, sourcesFor, tempDir } from "./helpers.js";
import { encrypt } from "../../src/ops/sops-ops.js";
import { classify } from "../../src/repo/classify.js";

const LEAK = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2-STAGED\n";

describe("git integration", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  function commit(message: string, extraEnv: NodeJS.ProcessEnv = {}) {
    return spawnSync("git", ["commit", "-q", "-m", message], { cwd: dir, env: { ...env, ...extraEnv }, encoding: "utf8" });
  }

  beforeEach(async () => {
    dir = tempDir("sealbox-git-");
    gitInit(dir);
    rules(dir, ageRule([A]));
    mkdirSync(join(dir, "secrets"));
    env = cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A]));
    const install = await sealbox(["git", "install"], { cwd: dir, env });
    expect(install.stderr).toBe("");
    expect(install.status).toBe(0);
  });

  it("writes the diff driver (never caching plaintext), the attributes and an executable hook; again is harmless", async () => {
    const textconv = git(dir, "config", "--get", "diff.sealbox.textconv").trim();
    expect(textconv).toBe(`${process.execPath} ${join(ROOT, "bin/sealbox.js")} git textconv`);
    expect(git(dir, "config", "--get", "diff.sealbox.cachetextconv").trim()).toBe("false");
    const attributes = readFileSync(join(dir, ".git/info/attributes"), "utf8");
    expect(attributes).toContain("*.yaml diff=sealbox\n");
    expect(git(dir, "check-attr", "diff", "secrets/a.yaml").trim()).toBe("secrets/a.yaml: diff: sealbox");
    const hook = join(dir, ".git/hooks/pre-commit");
    expect(statSync(hook).mode & 0o111).toBe(0o111);
    expect(readFileSync(hook, "utf8")).toContain("git pre-commit");

    expect((await sealbox(["git", "install"], { cwd: dir, env })).status).toBe(0);
    expect(readFileSync(join(dir, ".git/info/attributes"), "utf8")).toBe(attributes);
    // the committed .gitattributes only on request, and nothing in the tree otherwise
    expect(git(dir, "status", "--porcelain")).not.toContain(".gitattributes");
  });

  it("will not replace someone else's pre-commit hook without --force", async () => {
    const hook = join(dir, ".git/hooks/pre-commit");
    writeFileSync(hook, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const refused = await sealbox(["git", "install"], { cwd: dir, env });
    expect(refused.status).toBe(8);
    expect(refused.stderr).toMatch(/pre-commit hook that is not sealbox's exists/);
    expect(readFileSync(hook, "utf8")).toBe("#!/bin/sh\nexit 0\n");
    expect((await sealbox(["git", "install", "--force"], { cwd: dir, env })).status).toBe(0);
    expect(readFileSync(hook, "utf8")).toContain("sealbox pre-commit guard");
  });

  it("refuses to commit a staged plaintext Secret or an unencrypted file a rule covers, checking what is staged", async () => {
    git(dir, "add", ".sops.yaml");
    expect(commit("rules").status).toBe(0);

    writeFileSync(join(dir, "db-secret.yaml"), LEAK);
    git(dir, "add", "db-secret.yaml");
    // the work tree copy no longer leaks, but the staged one does: the staged one is what counts
    writeFileSync(join(dir, "db-secret.yaml"), "kind: ConfigMap\n");
    const leak = commit("leak");
    expect(leak.status).toBe(1); // git's own status when the hook refuses
    expect(leak.stderr).toMatch(/refusing the commit/);
    expect(leak.stderr).toMatch(/db-secret\.yaml:1: plaintext Kubernetes Secret db \(keys: password\)/);
    expect(leak.stderr).not.toContain("hunter2-STAGED");
    git(dir, "rm", "-q", "--cached", "-f", "db-secret.yaml");

    writeFileSync(join(dir, "secrets/app.yaml"), "password: plain-in-secrets\n");
    git(dir, "add", "secrets/app.yaml");
    const plain = commit("plain");
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/secrets\/app\.yaml: not encrypted, but the rule at \.sops\.yaml:2 says files here are encrypted/);

    writeFileSync(join(dir, "secrets/app.yaml"), await encrypt(Buffer.from("password: plain-in-secrets\n"), { filename: "secrets/app.yaml", age: [A], sources: sourcesFor([]) }));
    git(dir, "add", "secrets/app.yaml");
    const ok = commit("encrypted");
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(git(dir, "log", "--format=%s").trim().split("\n")).toEqual(["encrypted", "rules"]);
  });

  it("checks named files as the pre-commit framework passes them", async () => {
    writeFileSync(join(dir, "db-secret.yaml"), LEAK);
    const result = await sealbox(["git", "pre-commit", "db-secret.yaml", ".sops.yaml"], { cwd: dir, env });
    expect(result.stderr).toContain("db-secret.yaml:1");
    expect(result.status).toBe(80);
    expect((await sealbox(["git", "pre-commit", ".sops.yaml"], { cwd: dir, env })).status).toBe(0);
    // a Secret written wrong (not valid YAML) still holds plaintext: refused too, without its values
    writeFileSync(join(dir, "broken-secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: | hunter2-BROKEN\n");
    const broken = await sealbox(["git", "pre-commit", "broken-secret.yaml"], { cwd: dir, env });
    expect(broken.status).toBe(80);
    expect(broken.stderr).toContain("broken-secret.yaml:2: a Kubernetes Secret (kind: Secret) that is not valid YAML or JSON");
    expect(broken.stderr).not.toContain("hunter2-BROKEN");
    // in a List, too; but a Helm template (values from elsewhere, not YAML until rendered) is not one
    writeFileSync(join(dir, "broken-list.yaml"), "apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n  stringData:\n    password: | hunter2-BROKEN\n");
    expect((await sealbox(["git", "pre-commit", "broken-list.yaml"], { cwd: dir, env })).status).toBe(80);
    writeFileSync(join(dir, "chart-secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\nstringData:\n  password: {{ .Values.password | quote }}\n");
    expect((await sealbox(["git", "pre-commit", "chart-secret.yaml"], { cwd: dir, env })).status).toBe(0);
  });

  it("refuses an encrypted file with a value put in clear text by hand, and an encrypted Secret so damaged it no longer parses", async () => {
    const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2-SEALED\n";
    const sources = sourcesFor([]);
    const encrypted = Buffer.from(await encrypt(Buffer.from(secret), { filename: "db.yaml", age: [A], sources })).toString("utf8");
    const byRegex = Buffer.from(await encrypt(Buffer.from(secret), { filename: "db.yaml", age: [A], sources, selectors: { encryptedRegex: "^(data|stringData)$" } })).toString("utf8");
    // sealbox indents by four: a line added at that depth still parses, one at two does not
    const addUnder = (text: string, key: string, line: string) => text.replace(`\n${key}:\n`, `\n${key}:\n${line}\n`);
    expect(byRegex).toContain("    name: db\n"); // left in clear text by the file's own settings

    writeFileSync(join(dir, "hand-added.yaml"), addUnder(encrypted, "stringData", "    newpass: hunter2-HAND"));
    git(dir, "add", "hand-added.yaml");
    const refused = commit("hand edit");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/hand-added\.yaml: values in clear text where this file's settings encrypt them \(added by hand after encryption\?\): \["stringData"\]\["newpass"\]/);
    expect(refused.stderr).not.toContain("hunter2-HAND");
    git(dir, "rm", "-q", "--cached", "-f", "hand-added.yaml");

    const check = (file: string, text: string) => {
      writeFileSync(join(dir, file), text);
      return sealbox(["git", "pre-commit", file], { cwd: dir, env });
    };
    const byRegexAdded = await check("regex-added.yaml", addUnder(addUnder(byRegex, "stringData", "    newpass: hunter2-HAND"), "metadata", "    labels: {team: web}"));
    expect(byRegexAdded.status).toBe(80);
    expect(byRegexAdded.stderr).toContain('values in clear text where this file\'s settings encrypt them (added by hand after encryption?): ["stringData"]["newpass"]; nothing can decrypt');
    expect(byRegexAdded.stderr).not.toContain("hunter2-HAND");
    // damaged: the values cannot be told apart, so the file counts as a plaintext Secret (at its kind line)
    const damaged = await check("damaged.yaml", addUnder(byRegex, "stringData", "  newpass: hunter2-BROKEN"));
    expect(damaged.status).toBe(80);
    expect(damaged.stderr).toContain("damaged.yaml:2: an encrypted Kubernetes Secret (kind: Secret) that no longer parses (line 6: invalid YAML");
    expect(damaged.stderr).not.toContain("hunter2-BROKEN");

    // what the settings leave in clear text is no hand edit: an _unencrypted key, metadata outside encrypted_regex
    expect((await check("suffix-added.yaml", addUnder(encrypted, "stringData", "    note_unencrypted: rotated in May"))).status).toBe(0);
    expect((await check("regex-metadata.yaml", addUnder(byRegex, "metadata", "    labels: {team: web}"))).status).toBe(0);
    expect((await check("encrypted.yaml", encrypted)).status).toBe(0);
    expect((await check("by-regex.yaml", byRegex)).status).toBe(0);
    // a page that quotes an encrypted Secret is no damaged one, though it names sops and holds ENC[...]
    const page = await check("sops-notes.md", `# Our secrets\n\nsops writes them like this:\n\n\`\`\`yaml\n${byRegex.split("\nsops:")[0]}\n\`\`\`\n`);
    expect(page.stderr).toBe("");
    expect(page.status).toBe(0);
    expect(readFileSync(join(dir, "sops-notes.md"), "utf8")).toMatch(/kind: Secret\n[^]*password: ENC\[AES256_GCM,/);
    // nor is a Helm template that names sops and an ENC[...] value: not YAML until rendered, values from elsewhere
    const chart = "{{- if .Values.db }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-db\nstringData:\n  # .Values.password comes from secrets.yaml (sops, ENC[AES256_GCM,...])\n  password: {{ .Values.password | quote }}\n{{- end }}\n";
    const template = await check("chart-db-secret.yaml", chart);
    expect(template.stderr).toBe("");
    expect(template.status).toBe(0);
  });

  it("shows decrypted diffs with a key, and the encrypted text without one", async () => {
    const path = "secrets/app.yaml";
    const sources = sourcesFor([]);
    writeFileSync(join(dir, path), await encrypt(Buffer.from("user: admin\npassword: old-pass-1\n"), { filename: path, age: [A], sources }));
    git(dir, "add", ".");
    expect(commit("v1").status).toBe(0);
    writeFileSync(join(dir, path), await encrypt(Buffer.from("user: admin\npassword: new-pass-2\n"), { filename: path, age: [A], sources }));

    const withKey = execFileSync("git", ["diff", "--", path], { cwd: dir, env, encoding: "utf8" });
    expect(withKey).toContain("-password: old-pass-1");
    expect(withKey).toContain("+password: new-pass-2");
    expect(withKey).not.toContain("ENC[AES256_GCM");

    const noKey = execFileSync("git", ["diff", "--", path], { cwd: dir, env: cliEnv(undefined), encoding: "utf8" });
    expect(noKey).toContain("ENC[AES256_GCM");
    expect(noKey).not.toContain("old-pass-1");
    expect(noKey).not.toContain("new-pass-2");
  });
});

describe("the guard's reading of a file that does not parse", () => {
  it("finds `kind: Secret` in time linear in the file, however many blank lines it holds", async () => {
    // the search for the kind line once backtracked over every run of blank lines from each line
    // start in it: these two files took 30 s in the pre-commit hook
    const blank = "\n".repeat(100_000);
    const damaged = `apiVersion: v1\n${blank}metadata:\n  name: db\nkind: Secret\nstringData:\n  password: ENC[AES256_GCM,data:x]\n  added: [\nsops:\n  version: 3.13.2\n`;
    const plain = `apiVersion: v1\n${blank}metadata:\n  name: db\nkind: Secret\nstringData:\n  password: [\n`;
    const started = performance.now();
    const results = [await classify("damaged.yaml", Buffer.from(damaged)), await classify("plain.yaml", Buffer.from(plain))];
    expect(performance.now() - started).toBeLessThan(8000);
    for (const c of results) {
      expect(c.kind === "unreadable" || c.kind === "plain").toBe(true);
      expect(c.kind !== "sops" && c.kind !== "sealed" && c.plainSecrets).toEqual([{ line: 100_004, name: "(unparsed)", keys: [], unparsed: true }]);
    }
  });
});
