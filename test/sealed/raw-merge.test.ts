// `seal --raw` (one value for a hand-written SealedSecret) and `seal --merge-into` (add or replace
// values in an existing SealedSecret file without changing anything else in it).
import { chmodSync, copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { sealbox } from "../helpers/cli.js";
import { CERT, KEY, VECTORS, maskSealed, opensslOpen, tempDir } from "./helpers.js";

describe("seal --raw", () => {
  const rawCases: [string, string[], string][] = [
    ["raw-strict", ["--scope", "strict", "--namespace", "prod", "--name", "db-credentials"], "prod/db-credentials"],
    ["raw-namespace-wide", ["--scope", "namespace-wide", "--namespace", "team-a"], "team-a"],
    ["raw-cluster-wide", ["--scope", "cluster-wide"], ""],
  ];

  it.each(rawCases)("%s: base64 without a newline that openssl opens under the label", async (name, flags, label) => {
    const value = readFileSync(join(VECTORS, `${name}.value`));
    const result = await sealbox(["seal", "--raw", "--cert", CERT, ...flags], { input: value });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Ag[A-Za-z0-9+/]+=*$/); // no trailing newline, like the reference
    expect(result.stdout.length).toBe(readFileSync(join(VECTORS, `${name}.sealed.txt`), "utf8").length);
    expect(opensslOpen(result.stdout, label)).toEqual(value);
  });

  it("reads the value from --from-file, bytes as they are", async () => {
    const dir = tempDir();
    const file = join(dir, "blob.bin");
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0]);
    writeFileSync(file, bytes);
    const result = await sealbox(["seal", "--raw", "--cert", CERT, "--from-file", file, "--namespace", "ns", "--name", "n"]);
    expect(result.status).toBe(0);
    expect(opensslOpen(result.stdout, "ns/n")).toEqual(bytes);
  });

  it("takes kubectl's --from-file key=path (the path is read), and refuses two --from-file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "value.txt"), "from key=path");
    const keyed = await sealbox(["seal", "--raw", "--cert", CERT, "--from-file", "password=value.txt", "--namespace", "ns", "--name", "n"], { cwd: dir });
    expect(keyed.stderr).toBe("");
    expect(opensslOpen(keyed.stdout, "ns/n").toString()).toBe("from key=path");
    writeFileSync(join(dir, "other.txt"), "other");
    const twice = await sealbox(["seal", "--raw", "--cert", CERT, "--from-file", "value.txt", "--from-file", "other.txt", "--namespace", "ns", "--name", "n"], { cwd: dir });
    expect(twice.status).not.toBe(0);
    expect(twice.stderr).toContain("given more than once");
    expect(twice.stdout).toBe("");
  });

  it("without --namespace takes the kubeconfig context's namespace, as kubeseal does", async () => {
    const dir = tempDir();
    const config = join(dir, "kubeconfig");
    writeFileSync(config, "apiVersion: v1\nkind: Config\ncurrent-context: main\ncontexts:\n- name: main\n  context: {cluster: c, user: u, namespace: team-x}\nclusters: []\nusers: []\n");
    const result = await sealbox(["seal", "--raw", "--cert", CERT, "--kubeconfig", config, "--name", "db"], { input: "v" });
    expect(result.stderr).toBe("");
    expect(opensslOpen(result.stdout, "team-x/db").toString()).toBe("v");
  });

  it("the default (strict) scope needs --name and --namespace", async () => {
    const result = await sealbox(["seal", "--raw", "--cert", CERT, "--namespace", "prod"], { input: "x" });
    expect(result.status).toBe(8);
    expect(result.stderr).toContain("--name");
    expect(result.stdout).toBe("");
  });
});

describe("seal --merge-into", () => {
  const newSecret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ignored\nstringData:\n  password: new-password\n  extra: added-value\n";

  it("adds and replaces values in a YAML file, keeping comments, other values and the file mode", async () => {
    const dir = tempDir();
    const file = join(dir, "sealed.yaml");
    const original = "# managed by the platform team\n" + readFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), "utf8");
    writeFileSync(file, original);
    chmodSync(file, 0o640);
    const result = await sealbox(["seal", "--cert", CERT, "--merge-into", file], { input: newSecret });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    const merged = readFileSync(file, "utf8");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(merged.startsWith("# managed by the platform team\n---\n")).toBe(true);
    const before = YAML.parse(original);
    const after = YAML.parse(merged);
    expect(after.spec.encryptedData.username).toBe(before.spec.encryptedData.username);
    expect(after.spec.encryptedData.password).not.toBe(before.spec.encryptedData.password);
    expect(after.spec.template).toEqual(before.spec.template);
    expect(after.metadata).toEqual(before.metadata);
    // Sealed under the file's own name and namespace, not the input Secret's.
    expect(opensslOpen(after.spec.encryptedData.password, "prod/db-credentials").toString()).toBe("new-password");
    expect(opensslOpen(after.spec.encryptedData.extra, "prod/db-credentials").toString()).toBe("added-value");
    expect(opensslOpen(after.spec.encryptedData.username, "prod/db-credentials").toString()).toBe("admin");
  });

  it("reads the Secret as seal does, as kubeseal reads it (YAML 1.1): a key `yes` is sealed as \"true\"", async () => {
    const dir = tempDir();
    const file = join(dir, "sealed.json");
    copyFileSync(join(VECTORS, "namespace-wide.sealed.json"), file);
    const result = await sealbox(["seal", "--cert", CERT, "--merge-into", file], { input: "kind: Secret\nmetadata:\n  name: x\nstringData:\n  yes: on-value\n" });
    expect(result.status).toBe(0);
    const parsed = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(parsed.spec.encryptedData)).toEqual(["api-key", "true"]);
    expect(opensslOpen(parsed.spec.encryptedData.true, "team-a").toString()).toBe("on-value");
  });

  it("keeps a JSON file JSON, in kubeseal's layout, and uses the file's scope", async () => {
    const dir = tempDir();
    const file = join(dir, "sealed.json");
    copyFileSync(join(VECTORS, "namespace-wide.sealed.json"), file);
    const result = await sealbox(["seal", "--cert", CERT, "--merge-into", file], { input: newSecret });
    expect(result.status).toBe(0);
    const merged = readFileSync(file, "utf8");
    const parsed = JSON.parse(merged);
    expect(Object.keys(parsed.spec.encryptedData)).toEqual(["api-key", "password", "extra"]);
    expect(opensslOpen(parsed.spec.encryptedData.extra, "team-a").toString()).toBe("added-value");
    const expectedLayout = maskSealed(readFileSync(join(VECTORS, "namespace-wide.sealed.json"), "utf8")).replace(
      '"api-key": "<sealed>"',
      '"api-key": "<sealed>",\n      "password": "<sealed>",\n      "extra": "<sealed>"',
    );
    expect(maskSealed(merged)).toBe(expectedLayout);
    const unsealed = await sealbox(["unseal", file, "--private-key", KEY, "--format", "json"]);
    expect(JSON.parse(unsealed.stdout).data).toEqual({
      "api-key": "bnMtd2lkZS12YWx1ZS00Mg==",
      password: Buffer.from("new-password").toString("base64"),
      extra: Buffer.from("added-value").toString("base64"),
    });
  });

  it("merges the Secret's labels and annotations into the template, as kubeseal does, but not last-applied or scope annotations", async () => {
    const dir = tempDir();
    const file = join(dir, "sealed.yaml");
    copyFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), file);
    const before = YAML.parse(readFileSync(file, "utf8"));
    const labelled = [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: ignored",
      "  labels: {app: db, tier: data}",
      "  annotations:",
      "    owner: platform",
      '    kubectl.kubernetes.io/last-applied-configuration: \'{"stringData":{"extra":"added-value"}}\'',
      "stringData:",
      "  extra: added-value",
      "",
    ].join("\n");
    const result = await sealbox(["seal", "--cert", CERT, "--merge-into", file], { input: labelled });
    expect(result.stderr).toBe("");
    const after = YAML.parse(readFileSync(file, "utf8"));
    expect(after.spec.template.metadata.labels).toEqual({ ...before.spec.template.metadata.labels, app: "db", tier: "data" });
    expect(after.spec.template.metadata.annotations).toEqual({ ...before.spec.template.metadata.annotations, owner: "platform" });
    expect(readFileSync(file, "utf8")).not.toContain("added-value");
    expect(opensslOpen(after.spec.encryptedData.extra, "prod/db-credentials").toString()).toBe("added-value");
  });

  it("refuses a scope other than the file's, and a Secret with nothing to merge, leaving the file as it was", async () => {
    const dir = tempDir();
    const file = join(dir, "sealed.yaml");
    copyFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), file);
    const original = readFileSync(file, "utf8");
    const widened = await sealbox(["seal", "--cert", CERT, "--merge-into", file, "--scope", "cluster-wide"], { input: newSecret });
    expect(widened.status).toBe(8);
    expect(widened.stderr).toContain("sealed strict, and --scope cluster-wide");
    const annotated = newSecret.replace("  name: ignored\n", "  name: ignored\n  annotations: {sealedsecrets.bitnami.com/namespace-wide: \"true\"}\n");
    const asked = await sealbox(["seal", "--cert", CERT, "--merge-into", file], { input: annotated });
    expect(asked.status).toBe(8);
    expect(asked.stderr).toContain("annotations ask for namespace-wide");
    const empty = await sealbox(["seal", "--cert", CERT, "--merge-into", file], { input: "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n" });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain("--allow-empty-data");
    expect(readFileSync(file, "utf8")).toBe(original);
    // the message is about the Secret, so it names the Secret's file
    const emptyFile = join(tempDir(), "empty-secret.yaml");
    writeFileSync(emptyFile, "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n");
    const named = await sealbox(["seal", emptyFile, "--cert", CERT, "--merge-into", file]);
    expect(named.status).toBe(1);
    expect(named.stderr).toMatch(new RegExp(`^sealbox: ${emptyFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: the Secret has no data or stringData to merge`));
    // the scope the file has already is no conflict
    const same = await sealbox(["seal", "--cert", CERT, "--merge-into", file, "--scope", "strict"], { input: newSecret });
    expect(same.status).toBe(0);
  });

  it("leaves the file untouched when the input is not a Secret", async () => {
    const dir = tempDir();
    const file = join(dir, "sealed.yaml");
    copyFileSync(join(VECTORS, "data-strict.sealed.yaml"), file);
    const result = await sealbox(["seal", "--cert", CERT, "--merge-into", file], { input: "kind: ConfigMap\nmetadata: {name: x}\n" });
    expect(result.status).toBe(2);
    expect(readFileSync(file, "utf8")).toBe(readFileSync(join(VECTORS, "data-strict.sealed.yaml"), "utf8"));
  });

  it("merges labels into a template whose labels (or whole template) are empty, and names the file when they are no mapping", async () => {
    const dir = tempDir();
    const secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: x, labels: {tier: db}}\nstringData: {added: v}\n";
    const original = readFileSync(join(VECTORS, "data-strict.sealed.yaml"), "utf8");
    const emptied = {
      "labels-null.yaml": original.replace(/^( {6})name: /m, "$1labels: null\n$1name: "),
      "labels-empty.yaml": original.replace(/^( {6})name: /m, "$1labels:\n$1name: "),
      "template-null.yaml": original.replace(/^ {2}template:\n(?: {4}.*\n)*/m, "  template: ~\n"),
    };
    for (const [name, text] of Object.entries(emptied)) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const result = await sealbox(["seal", "--cert", CERT, "--merge-into", file], { input: secret });
      expect(result.stderr, name).toBe("");
      expect(result.status, name).toBe(0);
      const unsealed = await sealbox(["unseal", file, "--private-key", KEY, "--format", "json"]);
      expect(JSON.parse(unsealed.stdout).metadata.labels, name).toEqual({ tier: "db" });
    }
    for (const [name, text] of [
      ["labels-list.yaml", original.replace(/^( {6})name: /m, "$1labels: [a]\n$1name: ")],
      ["labels-list.json", JSON.stringify({ ...YAML.parse(original), spec: { ...YAML.parse(original).spec, template: { metadata: { labels: ["a"] } } } })],
    ]) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const result = await sealbox(["seal", "--cert", CERT, "--merge-into", file], { input: secret });
      // was: exit 1 and the yaml library's "Expected YAML collection at labels", naming no file (YAML),
      // or the list silently replaced (JSON)
      expect(result.status, name).toBe(2);
      expect(result.stderr, name).toBe(`sealbox: ${file}:1: spec.template.metadata.labels must be a mapping\n`);
      expect(readFileSync(file, "utf8")).toBe(text);
    }
  });
});

describe("kubeseal's output flags", () => {
  const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2\n";

  it("-w FILE writes the SealedSecret there, as kubeseal does", async () => {
    const dir = tempDir();
    const result = await sealbox(["seal", "--cert", CERT, "-w", "db.sealed.yaml"], { cwd: dir, input: secret });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(YAML.parse(readFileSync(join(dir, "db.sealed.yaml"), "utf8")).kind).toBe("SealedSecret");
  });

  it("-f FILE reads the Secret from there, as kubeseal's --secret-file does; with a FILE argument too it is refused", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "db.secret.yaml"), secret);
    const result = await sealbox(["seal", "--cert", CERT, "-f", "db.secret.yaml", "-w", "db.sealed.yaml"], { cwd: dir });
    expect(result.status).toBe(0);
    expect(YAML.parse(readFileSync(join(dir, "db.sealed.yaml"), "utf8")).spec.encryptedData.password).toMatch(/^Ag/);
    const both = await sealbox(["seal", "--cert", CERT, "--secret-file", "db.secret.yaml", "db.secret.yaml"], { cwd: dir });
    expect(both.status).toBe(8);
    expect(both.stdout).toBe("");
  });

  it("refuses kubeseal's -o yaml, in any case (a format there, a file here), with the flag to use, writing nothing", async () => {
    const dir = tempDir();
    const result = await sealbox(["seal", "--cert", CERT, "-o", "yaml"], { cwd: dir, input: secret });
    expect(result.status).toBe(8);
    expect(result.stderr).toContain("use --format yaml");
    expect(() => statSync(join(dir, "yaml"))).toThrow();
    const glued = await sealbox(["seal", "--cert", CERT, "-o=json"], { cwd: dir, input: secret });
    expect(glued.status).toBe(8);
    expect(glued.stderr).toContain("use --format json");
    expect(() => statSync(join(dir, "=json"))).toThrow();
    // kubeseal lower-cases its format (resourceOutput): -o YAML is one there too
    const upper = await sealbox(["seal", "--cert", CERT, "-o", "YAML"], { cwd: dir, input: secret });
    expect(upper.status).toBe(8);
    expect(upper.stderr).toContain("use --format yaml (or -o ./YAML for a file of that name)");
    expect(() => statSync(join(dir, "YAML"))).toThrow();
    const file = await sealbox(["seal", "--cert", CERT, "-o", "./yaml"], { cwd: dir, input: secret });
    expect(file.status).toBe(0);
    expect(statSync(join(dir, "yaml")).isFile()).toBe(true);
    // kubeseal's -w takes any file name, yaml included
    const named = await sealbox(["seal", "--cert", CERT, "-w", "json"], { cwd: dir, input: secret });
    expect(named.status).toBe(0);
    expect(statSync(join(dir, "json")).isFile()).toBe(true);
  });

  it("--fetch-cert --cert prints that certificate, as kubeseal does, and refuses what is not one", async () => {
    const result = await sealbox(["seal", "--fetch-cert", "--cert", CERT]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(readFileSync(CERT, "utf8"));
    const dir = tempDir();
    writeFileSync(join(dir, "not-a-cert.pem"), "hello\n");
    const bad = await sealbox(["seal", "--fetch-cert", "--cert", join(dir, "not-a-cert.pem")]);
    expect(bad.status).toBe(71);
    expect(bad.stdout).toBe("");
  });

  it("--format is read in any case, as kubeseal lower-cases it", async () => {
    const result = await sealbox(["seal", "--cert", CERT, "--format", "YAML"], { input: secret });
    expect(result.status).toBe(0);
    expect(YAML.parse(result.stdout).kind).toBe("SealedSecret");
    expect(result.stdout.startsWith("{")).toBe(false);
    const wrong = await sealbox(["seal", "--cert", CERT, "--format", "toml"], { input: secret });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain("Allowed choices are yaml, json");
  });

  it("refuses -o/-w with --merge-into, which rewrites its own file", async () => {
    const dir = tempDir();
    const result = await sealbox(["seal", "--cert", CERT, "--merge-into", "a.yaml", "-o", "b.yaml"], { cwd: dir, input: secret });
    expect(result.status).toBe(8);
    expect(result.stderr).toContain("--merge-into");
  });
});
