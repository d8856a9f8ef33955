// `sealbox init` for real: the CLI in a temp git repository with its own HOME, the written
// .sops.yaml read back by the rules loader, then used by encrypt/decrypt and seal. The interactive
// path runs on a pseudo-terminal (util-linux `script`) with keys sent as a person would.
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { type CliResult, sealbox } from "../helpers/cli.js";
import { CERT, ROOT, tempDir } from "../sealed/helpers.js";
import { HAS_SCRIPT, KEY, Pty } from "../cli/pty.js";

type Rules = import("../../src/rules/config.js").CreationRule[];
const loadRules = async (path: string): Promise<Rules> => ((await import(join(ROOT, "dist/rules/config.js"))) as { loadRules: (p: string) => Promise<Rules> }).loadRules(path);

const FIXTURE_KEYS = join(ROOT, "fixtures/interop/sops/keys.txt");
const publicKeyOf = (keyFile: string): string => execFileSync("age-keygen", ["-y", keyFile], { encoding: "utf8" }).trim().split("\n")[0]!;

interface Repo {
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
}

/** A fresh git repository and HOME; nothing of the machine's own keys, rules or kubeconfig leaks in. */
function newRepo(): Repo {
  const base = tempDir();
  const dir = join(base, "repo");
  const home = join(base, "home");
  mkdirSync(dir);
  mkdirSync(home);
  execFileSync("git", ["init", "-q", dir]);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, KUBECONFIG: "/nonexistent/kubeconfig", NO_COLOR: "1", LANG: "C" };
  return { dir, home, env };
}

// stdin is a pipe, not a terminal: init must never prompt.
const run = (repo: Repo, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => sealbox(args, { cwd: repo.dir, env: { ...repo.env, ...env } });

const keysFile = (repo: Repo) => join(repo.home, ".config/sops/age/keys.txt");

describe("sealbox init without a terminal", () => {
  it("writes rules from flags that encrypt, decrypt and seal", async () => {
    const repo = newRepo();
    const r = await run(repo, ["init", "--generate-key", "--encrypted-regex", "^(data|stringData)$", "--cert", CERT, "--scope", "namespace-wide"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("wrote");
    expect(r.stdout).toBe("");

    // the new identity: where sops looks, 0600, and its public key is the rule's recipient
    expect(statSync(keysFile(repo)).mode & 0o777).toBe(0o600);
    const recipient = publicKeyOf(keysFile(repo));

    const rules = await loadRules(join(repo.dir, ".sops.yaml"));
    expect(rules).toHaveLength(2);
    expect(rules[0]!.sealedSecrets).toEqual({ cert: join(repo.dir, "certs/sealed-secrets.pem"), scope: "namespace-wide" });
    expect(rules[0]!.pathRegex).toBe("\\.sealed\\.(ya?ml|json)$");
    expect(readFileSync(join(repo.dir, "certs/sealed-secrets.pem"), "utf8")).toBe(readFileSync(CERT, "utf8"));
    expect(rules[1]!.recipientGroups).toEqual([[{ type: "age", recipient }]]);
    expect(rules[1]!.selectors.encryptedRegex).toBe("^(data|stringData)$");
    expect(rules[1]!.pathRegex).toBeUndefined();

    // the SOPS route works with those rules and that key (found in HOME as sops finds it)
    const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2\n";
    writeFileSync(join(repo.dir, "secret.yaml"), secret);
    expect((await run(repo, ["encrypt", "-i", "secret.yaml"])).status).toBe(0);
    const encrypted = readFileSync(join(repo.dir, "secret.yaml"), "utf8");
    expect(encrypted).not.toContain("hunter2");
    expect(encrypted).toContain("name: db"); // encrypted_regex kept metadata readable
    expect(encrypted).toContain(recipient);
    const decrypted = await run(repo, ["decrypt", "secret.yaml"]);
    expect(YAML.parse(decrypted.stdout)).toEqual(YAML.parse(secret)); // sops re-indents by 4

    // and the Sealed Secrets route: cert and scope from the sealed_secrets rule
    writeFileSync(join(repo.dir, "plain.yaml"), secret);
    const sealed = await run(repo, ["seal", "plain.yaml", "-o", "db.sealed.yaml"]);
    expect(sealed.stderr).toBe("");
    const out = readFileSync(join(repo.dir, "db.sealed.yaml"), "utf8");
    expect(out).toContain("kind: SealedSecret");
    expect(out).toContain("sealedsecrets.bitnami.com/namespace-wide");
  });

  it("installs the git hooks in a git repository, and skips them with --no-hooks", async () => {
    const repo = newRepo();
    const r = await run(repo, ["init", "--age", publicKeyOf(FIXTURE_KEYS)]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(repo.dir, ".git/hooks/pre-commit"), "utf8")).toContain("git pre-commit");
    const other = newRepo();
    expect((await run(other, ["init", "--age", publicKeyOf(FIXTURE_KEYS), "--no-hooks"])).status).toBe(0);
    expect(existsSync(join(other.dir, ".git/hooks/pre-commit"))).toBe(false);
  });

  it("--json tells a script the new key's recipient and the paths written, on stdout only", async () => {
    const repo = newRepo();
    const r = await run(repo, ["init", "--generate-key", "--yes", "--json", "--no-hooks"]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.generatedKey).toEqual({ recipient: publicKeyOf(keysFile(repo)), path: keysFile(repo) });
    expect(report.configPath).toBe(join(repo.dir, ".sops.yaml"));
    expect(report.rules.age).toEqual([report.generatedKey.recipient]);
    expect(r.stderr).toContain("wrote");
  });

  it("refuses to guess: no key flags and no terminal is an error listing the flags, and nothing is written", async () => {
    const repo = newRepo();
    const r = await run(repo, ["init"]);
    expect(r.status).toBe(8);
    expect(r.stdout).toBe("");
    for (const flag of ["--age", "--generate-key", "--kms", "--cert", "--fetch-cert", "--path-regex", "--encrypted-regex", "--yes"]) expect(r.stderr).toContain(flag);
    expect(existsSync(join(repo.dir, ".sops.yaml"))).toBe(false);
    expect(existsSync(keysFile(repo))).toBe(false);
  });

  it("never replaces an existing .sops.yaml without --force", async () => {
    const repo = newRepo();
    const mine = "creation_rules:\n  - age: age1mine\n";
    writeFileSync(join(repo.dir, ".sops.yaml"), mine);
    const r = await run(repo, ["init", "--generate-key", "--yes"]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("--force");
    expect(readFileSync(join(repo.dir, ".sops.yaml"), "utf8")).toBe(mine);
    expect(existsSync(keysFile(repo))).toBe(false); // checked before any key is made

    const recipient = publicKeyOf(FIXTURE_KEYS);
    expect((await run(repo, ["init", "--age", recipient, "--path-regex", "secrets/.*", "--force"])).status).toBe(0);
    const rules = await loadRules(join(repo.dir, ".sops.yaml"));
    expect(rules.map((rule) => [rule.pathRegex, rule.recipientGroups])).toEqual([["secrets/.*", [[{ type: "age", recipient }]]]]);
  });

  it("refuses a malformed recipient or regex, writing nothing", async () => {
    const repo = newRepo();
    const bad = await run(repo, ["init", "--age", "age1notakey"]);
    expect(bad.status).toBe(111);
    expect(bad.stderr).toContain("age1notakey");
    const regex = await run(repo, ["init", "--age", publicKeyOf(FIXTURE_KEYS), "--path-regex", "(unclosed"]);
    expect(regex.status).toBe(8);
    expect(regex.stderr).toContain("--path-regex");
    expect(existsSync(join(repo.dir, ".sops.yaml"))).toBe(false);
  });

  it("refuses a certificate URL with a user, password, query or fragment: .sops.yaml is committed", async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? "");
      res.end(readFileSync(CERT));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const repo = newRepo();
      const withSecrets = [base.replace("//", "//user:Pa55-in-url@") + "/cert.pem", `${base}/cert.pem?token=Tok-in-query`, `${base}/cert.pem#Tok-in-fragment`];
      for (const url of withSecrets) {
        const r = await run(repo, ["init", "--generate-key", "--cert", url]);
        expect(r.status, r.stderr).toBe(8);
        expect(r.stderr).toContain(`--cert ${base}/cert.pem: `);
        expect(r.stderr).toContain("committed to Git");
        expect(r.stderr).toContain("download the certificate");
        expect(r.stderr).not.toMatch(/Pa55-in-url|Tok-in-/);
      }
      expect(requests).toEqual([]); // refused before it is fetched
      expect(existsSync(join(repo.dir, ".sops.yaml"))).toBe(false);
      expect(existsSync(keysFile(repo))).toBe(false);

      // a URL without them is checked (fetched) and written as given
      const r = await run(repo, ["init", "--generate-key", "--cert", `${base}/cert.pem`]);
      expect(r.status, r.stderr).toBe(0);
      expect(requests).toEqual(["/cert.pem"]);
      expect((await loadRules(join(repo.dir, ".sops.yaml")))[0]!.sealedSecrets).toEqual({ cert: `${base}/cert.pem`, scope: "strict" });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("--generate-key adds to an existing keys file and keeps every key it had", async () => {
    const repo = newRepo();
    mkdirSync(join(repo.home, ".config/sops/age"), { recursive: true });
    const before = readFileSync(FIXTURE_KEYS, "utf8");
    writeFileSync(keysFile(repo), before, { mode: 0o600 });
    expect((await run(repo, ["init", "--generate-key"])).status).toBe(0);
    const after = readFileSync(keysFile(repo), "utf8");
    expect(after.startsWith(before)).toBe(true);
    const publics = execFileSync("age-keygen", ["-y", keysFile(repo)], { encoding: "utf8" }).trim().split("\n");
    expect(publics).toHaveLength(2);
    const rules = await loadRules(join(repo.dir, ".sops.yaml"));
    expect(rules[0]!.recipientGroups).toEqual([[{ type: "age", recipient: publics[1] }]]);
  });

  describe("--fetch-cert", () => {
    let server: Server;
    let kubeconfig: string;
    let paths: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        paths.push(req.url ?? "");
        // the Service (its first port is named http, as the controller's manifests name it), then the proxy
        if (req.url === "/api/v1/namespaces/kube-system/services/sealed-secrets-controller") res.end(JSON.stringify({ kind: "Service", spec: { ports: [{ name: "http", port: 8080 }] } }));
        else if (req.url === "/api/v1/namespaces/kube-system/services/http:sealed-secrets-controller:http/proxy/v1/cert.pem") res.end(readFileSync(CERT));
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as AddressInfo).port;
      kubeconfig = join(tempDir(), "kubeconfig");
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:${port}\ncontexts:\n- name: test\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    token: t0ken\n`,
      );
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("stores the controller's certificate in the repository and names it in the rule", async () => {
      const repo = newRepo();
      paths = [];
      const r = await run(repo, ["init", "--fetch-cert", "--kubeconfig", kubeconfig, "--cert-output", "clusters/prod/cert.pem"]);
      expect(r.stderr).not.toContain("error");
      expect(r.status).toBe(0);
      expect(paths).toHaveLength(2);
      expect(readFileSync(join(repo.dir, "clusters/prod/cert.pem"), "utf8")).toBe(readFileSync(CERT, "utf8"));
      const rules = await loadRules(join(repo.dir, ".sops.yaml"));
      expect(rules).toHaveLength(1);
      expect(rules[0]!.sealedSecrets).toEqual({ cert: join(repo.dir, "clusters/prod/cert.pem"), scope: "strict" });
    });

    it("writes nothing when the controller cannot be reached", async () => {
      const repo = newRepo();
      const r = await run(repo, ["init", "--fetch-cert", "--kubeconfig", kubeconfig, "--controller-name", "nope", "--generate-key"]);
      expect(r.status).toBe(72);
      expect(existsSync(join(repo.dir, ".sops.yaml"))).toBe(false);
      expect(existsSync(keysFile(repo))).toBe(false);
    });
  });
});

describe.skipIf(!HAS_SCRIPT)("sealbox init on a terminal", () => {
  it("offers the key already in the sops keys file, asks the rest, and writes what was chosen", async () => {
    const repo = newRepo();
    mkdirSync(join(repo.home, ".config/sops/age"), { recursive: true });
    writeFileSync(keysFile(repo), readFileSync(FIXTURE_KEYS), { mode: 0o600 });
    const recipient = publicKeyOf(FIXTURE_KEYS);
    const pty = new Pty(["init", "--no-hooks"], { cwd: repo.dir, env: repo.env });
    await pty.expect("Which age key");
    await pty.expect(recipient.slice(0, 40));
    pty.send(KEY.enter); // the existing key is listed first
    await pty.expect("Sealed Secrets controller?");
    pty.send(KEY.down + KEY.enter); // yes, with a certificate file
    await pty.expect("Certificate file or URL:");
    pty.send(CERT + KEY.enter);
    await pty.expect("Sealing scope");
    pty.send(KEY.down + KEY.down + KEY.enter); // cluster-wide
    await pty.expect("Which files are SealedSecrets");
    pty.send(KEY.enter); // default
    await pty.expect("Which files should SOPS encrypt");
    pty.send("secrets/" + KEY.enter);
    await pty.expect("Which values should be encrypted?");
    pty.send(KEY.down + KEY.enter); // data and stringData
    await pty.expect("Write this to");
    pty.send(KEY.enter);
    expect(await pty.exit()).toBe(0);

    const rules = await loadRules(join(repo.dir, ".sops.yaml"));
    expect(rules).toHaveLength(2);
    // the certificate lived outside the repository: it was copied in
    expect(rules[0]!.sealedSecrets).toEqual({ cert: join(repo.dir, "certs/sealed-secrets.pem"), scope: "cluster-wide" });
    expect(rules[1]!.pathRegex).toBe("secrets/");
    expect(rules[1]!.recipientGroups).toEqual([[{ type: "age", recipient }]]);
    expect(rules[1]!.selectors.encryptedRegex).toBe("^(data|stringData)$");
  });

  it("re-asks a certificate URL with a token instead of writing it to .sops.yaml", async () => {
    const repo = newRepo();
    const pty = new Pty(["init", "--no-hooks", "--age", publicKeyOf(FIXTURE_KEYS), "--path-regex", "", "--encrypted-regex", ""], { cwd: repo.dir, env: repo.env });
    await pty.expect("Sealed Secrets controller?");
    pty.send(KEY.down + KEY.enter); // yes, with a certificate file or URL
    await pty.expect("Certificate file or URL:");
    const signed = "https://127.0.0.1:9/cert.pem?token=Tok-in-query";
    pty.send(signed + KEY.enter);
    await pty.expect("committed to Git");
    pty.send("\x7f".repeat(signed.length) + CERT + KEY.enter);
    await pty.expect("Sealing scope");
    pty.send(KEY.enter);
    await pty.expect("Which files are SealedSecrets");
    pty.send(KEY.enter);
    await pty.expect("Write this to");
    pty.send(KEY.enter);
    expect(await pty.exit()).toBe(0);
    expect(readFileSync(join(repo.dir, ".sops.yaml"), "utf8")).not.toContain("Tok-in-query");
    const rules = await loadRules(join(repo.dir, ".sops.yaml"));
    expect(rules[0]!.sealedSecrets).toEqual({ cert: join(repo.dir, "certs/sealed-secrets.pem"), scope: "strict" });
  });

  it("re-asks a malformed recipient instead of failing", async () => {
    const repo = newRepo();
    const recipient = publicKeyOf(FIXTURE_KEYS);
    const pty = new Pty(["init", "--no-hooks", "--encrypted-regex", "", "--path-regex", ""], { cwd: repo.dir, env: repo.env });
    await pty.expect("Which age key");
    pty.send(KEY.down + KEY.enter); // no keys found: generate is first, enter is second
    await pty.expect("age recipients, comma-separated:");
    pty.send("age1bogus" + KEY.enter);
    await pty.expect("not an age recipient");
    for (let i = 0; i < 9; i++) pty.send("\x7f"); // backspace over the bad answer
    pty.send(recipient + KEY.enter);
    await pty.expect("Sealed Secrets controller?");
    pty.send(KEY.enter); // no
    await pty.expect("Write this to");
    pty.send(KEY.enter);
    expect(await pty.exit()).toBe(0);
    const rules = await loadRules(join(repo.dir, ".sops.yaml"));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.recipientGroups).toEqual([[{ type: "age", recipient }]]);
  });

  it("Ctrl-C stops the wizard with status 85 and writes nothing", async () => {
    const repo = newRepo();
    const pty = new Pty(["init"], { cwd: repo.dir, env: repo.env });
    await pty.expect("Which age key");
    pty.send("\x03");
    expect(await pty.exit()).toBe(85);
    expect(existsSync(join(repo.dir, ".sops.yaml"))).toBe(false);
    expect(existsSync(keysFile(repo))).toBe(false);
  });

  it("answering no at the end writes nothing, not even the new key", async () => {
    const repo = newRepo();
    const pty = new Pty(["init", "--no-hooks", "--path-regex", "", "--encrypted-regex", ""], { cwd: repo.dir, env: repo.env });
    await pty.expect("Which age key");
    pty.send(KEY.enter); // generate a new key (the first choice when none exists)
    await pty.expect("Sealed Secrets controller?");
    pty.send(KEY.enter); // no
    await pty.expect("Write this to");
    pty.send("n" + KEY.enter);
    expect(await pty.exit()).toBe(85);
    expect(existsSync(join(repo.dir, ".sops.yaml"))).toBe(false);
    expect(existsSync(keysFile(repo))).toBe(false);
  });

  it("--yes on a terminal asks nothing", async () => {
    const repo = newRepo();
    const pty = new Pty(["init", "--yes", "--age", publicKeyOf(FIXTURE_KEYS), "--no-hooks"], { cwd: repo.dir, env: repo.env });
    expect(await pty.exit()).toBe(0);
    expect(pty.output).not.toContain("?");
    expect(existsSync(join(repo.dir, ".sops.yaml"))).toBe(true);
  });
});
