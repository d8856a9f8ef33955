// Secret hygiene, proven on real processes: run the commands (failing and succeeding, with --debug
// and --verbose) on fixtures whose secret values are known, and grep every output stream that is not
// the requested data for those values. Decrypted files are 0600; the edit temp file is 0600 in a
// 0700 directory and is gone after success, error, SIGINT, SIGTERM and an editor crash; decrypted
// output is never written over a file git tracks without --force.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encrypt } from "../../src/ops/sops-ops.js";
import { cleanEnv, type CliResult, sealbox, spawnSealbox } from "../helpers/cli.js";
import { ROOT, ageKey, stackLines, tempDir, type AgeKey } from "./helpers.js";

// Distinctive values: any of them in an error, warning, debug or audit line is a leak.
const SECRETS = ["Hunter2-Zq9-YAML", "Tok3n-Env-Xw7", "Js0n-Pa55-Vv2", "Ini-S3cr3t-Qq1", "Comment-Secret-Kk5"];
const PLAINS: Record<string, string> = {
  "app.yaml": `db:\n    user: admin\n    password: ${SECRETS[0]}\n# ${SECRETS[4]}\nport: 5432\n`,
  "app.env": `API_TOKEN=${SECRETS[1]}\nDEBUG=false\n`,
  "app.json": `{\n\t"password": "${SECRETS[2]}",\n\t"n": 1\n}`,
  "app.ini": `[db]\npassword = ${SECRETS[3]}\n`,
};

let dir: string;
let key: AgeKey;
let other: AgeKey;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = tempDir();
  key = ageKey(dir);
  other = ageKey(dir, "other.txt");
  env = cleanEnv({ SOPS_AGE_KEY_FILE: key.file });
  for (const [name, text] of Object.entries(PLAINS)) {
    writeFileSync(join(dir, `plain-${name}`), text);
    writeFileSync(join(dir, `enc-${name}`), await encrypt(Buffer.from(text), { filename: name, age: [key.recipient], cwd: dir, env: {} }));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function leaks(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s));
}

const run = (args: string[], extra: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> => sealbox(args, { cwd: dir, env: extra.env ?? env, input: extra.input });

describe("no secret value in errors, warnings, --debug, --verbose or audit output", () => {
  /** [what, args, env override, whether stdout is requested data (then only stderr is checked)] */
  const failing: [string, () => string[], (() => NodeJS.ProcessEnv)?][] = [
    ["decrypt with the wrong key", () => ["--debug", "decrypt", "enc-app.yaml"], () => cleanEnv({ SOPS_AGE_KEY_FILE: other.file })],
    ["decrypt with no key", () => ["--debug", "--verbose", "decrypt", "enc-app.env"], () => cleanEnv()],
    ["decrypt a file with a swapped value (MAC mismatch)", () => ["--debug", "decrypt", "tampered.yaml"]],
    ["decrypt --extract of a missing path", () => ["--debug", "decrypt", "--extract", '["nope"]', "enc-app.yaml"]],
    ["decrypt --extract of a path below a value", () => ["--debug", "decrypt", "--extract", '["db"]["password"]["x"]', "enc-app.yaml"]],
    ["encrypt YAML broken on a secret's line", () => ["--debug", "encrypt", "--age", key.recipient, "broken.yaml"]],
    ["encrypt JSON broken next to a secret", () => ["--debug", "encrypt", "--age", key.recipient, "broken.json"]],
    ["encrypt dotenv broken on a secret's line", () => ["--debug", "encrypt", "--age", key.recipient, "broken.env"]],
    ["encrypt an already encrypted file", () => ["--debug", "encrypt", "--age", key.recipient, "enc-app.yaml"]],
    ["set with a value that is not JSON", () => ["--debug", "set", "enc-app.yaml", '["db"]["password"]', SECRETS[0] + "-new"]],
    ["set at a malformed path", () => ["--debug", "set", "enc-app.yaml", "db.password", `"${SECRETS[0]}"`]],
    ["exec-env running a failing command", () => ["--debug", "exec-env", "enc-app.env", "exit 3"]],
    ["exec-file running a failing command", () => ["--debug", "exec-file", "enc-app.json", "false {}"]],
    ["edit with a failing editor", () => ["--debug", "edit", "enc-app.ini"], () => ({ ...env, EDITOR: "false" })],
    ["unseal with a wrong key", () => ["--debug", "unseal", "--private-key", join(dir, "wrong.key"), join(ROOT, "fixtures/interop/sealed/data-strict.sealed.yaml")]],
    ["seal with a broken certificate", () => ["--debug", "seal", "--cert", "plain-app.env", "secret.yaml"]],
    ["rotate without a key", () => ["--debug", "--verbose", "rotate", "enc-app.yaml", "enc-app.env"], () => cleanEnv()],
    ["updatekeys with no rule for the file", () => ["--debug", "updatekeys", "-y", "enc-app.json"]],
    ["scope of a file that is not a SealedSecret", () => ["--debug", "scope", "enc-app.yaml", "--to", "cluster-wide"]],
    // the yaml library's messages quote the token they stumble on: a value written wrong
    ["encrypt YAML with a value on a block indicator's line", () => ["--debug", "encrypt", "--age", key.recipient, "literal.yaml"]],
    ["encrypt YAML with a value that reads as an alias", () => ["--debug", "encrypt", "--age", key.recipient, "alias.yaml"]],
    ["encrypt YAML with a value that reads as a tag", () => ["--debug", "encrypt", "--age", key.recipient, "tag.yaml"]],
    ["seal a manifest broken on a secret's line", () => ["--debug", "seal", "--cert", join(ROOT, "fixtures/interop/sealed/cert.pem"), "literal-secret.yaml"]],
    ["seal a JSON manifest with an unquoted secret", () => ["--debug", "seal", "--cert", join(ROOT, "fixtures/interop/sealed/cert.pem"), "unquoted-secret.json"]],
    ["rotate --json of an encrypted file with a hand-added bad line", () => ["--debug", "rotate", "--json", "hand-edited.yaml"]],
  ];

  beforeAll(() => {
    const enc = readFileSync(join(dir, "enc-app.yaml"), "utf8");
    const values = [...enc.matchAll(/ENC\[[^\]]+\]/g)].map((m) => m[0]);
    writeFileSync(join(dir, "tampered.yaml"), enc.replace(values[0], "§").replace(values[1], values[0]).replace("§", values[1]));
    writeFileSync(join(dir, "broken.yaml"), `a:\n  password: ${SECRETS[0]}\n b: [\n`);
    writeFileSync(join(dir, "broken.json"), `{"password": "${SECRETS[2]}" "x": ${SECRETS[2]}}`);
    writeFileSync(join(dir, "broken.env"), `A=1\n${SECRETS[1]}\n`);
    writeFileSync(join(dir, "secret.yaml"), `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\nstringData: {password: ${SECRETS[0]}}\n`);
    execFileSync("openssl", ["genrsa", "-traditional", "-out", join(dir, "wrong.key"), "2048"], { stdio: "pipe" });
    writeFileSync(join(dir, "literal.yaml"), `user: admin\npassword: | ${SECRETS[0]}\n`);
    writeFileSync(join(dir, "alias.yaml"), `user: admin\npassword: *${SECRETS[0]}\n`);
    writeFileSync(join(dir, "tag.yaml"), `user: admin\npassword: !${SECRETS[0]}!x\n`);
    writeFileSync(join(dir, "literal-secret.yaml"), `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: n\nstringData:\n  password: | ${SECRETS[0]}\n`);
    writeFileSync(join(dir, "unquoted-secret.json"), `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"n"},"stringData":{"password": ${SECRETS[2]}}}`);
    writeFileSync(join(dir, "hand-edited.yaml"), readFileSync(join(dir, "enc-app.yaml"), "utf8") + `extra: !${SECRETS[0]}!x\n`);
  });

  it.each(failing)("%s", async (_what, args, envFor) => {
    const r = await run(args(), { env: envFor?.() });
    expect(r.status).not.toBe(0);
    expect(leaks(r.stderr), r.stderr).toEqual([]);
    expect(leaks(r.stdout), r.stdout).toEqual([]);
  });

  it("a JSON value written without quotes is pointed at by column, not shown, not even its first letter", async () => {
    const r = await run(["seal", "--cert", join(ROOT, "fixtures/interop/sealed/cert.pem"), "unquoted-secret.json"]);
    expect(r.stderr).toMatch(/unquoted-secret\.json:1: not valid JSON: unexpected text at column \d+ \(an unquoted value\?\)/);
    expect(r.stderr).not.toContain(`"${SECRETS[2][0]}"`);
  });

  it("without the text, a failed file's report gives the line (rotate --json and the text report)", async () => {
    const line = readFileSync(join(dir, "hand-edited.yaml"), "utf8").split("\n").length - 1;
    const json = await run(["rotate", "--json", "hand-edited.yaml"]);
    expect(JSON.parse(json.stdout).files[0].error.line).toBe(line);
    const text = await run(["rotate", "hand-edited.yaml"]);
    expect(text.stdout).toContain(`hand-edited.yaml:${line}`);
  });

  it("URL credentials never appear, --debug included", async () => {
    const r = await run(["--debug", "seal", "--cert", "https://user:Pa55-in-url@127.0.0.1:9/cert.pem?token=Tok-in-query", "secret.yaml"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).not.toContain("Pa55-in-url");
    expect(r.stderr).not.toContain("Tok-in-query");
  });

  it("audit (table, json, sarif) of an encrypted file with a hand-added bad line names the problem, not the line", async () => {
    for (const format of ["table", "json", "sarif"]) {
      const r = await run(["--debug", "audit", "--format", format, "hand-edited.yaml"]);
      expect(r.stdout).toContain("hand-edited.yaml");
      expect(leaks(r.stdout + r.stderr)).toEqual([]);
    }
  });

  it("key material given where a path, recipient or ARN belongs is named, never shown", async () => {
    const identity = readFileSync(key.file, "utf8").match(/AGE-SECRET-KEY-1[0-9A-Z]+/)![0];
    const pem = readFileSync(join(dir, "wrong.key"), "utf8");
    const pemBody = pem.split("\n")[1]!;
    const kubeconfig = join(dir, "inline-key.kubeconfig");
    const inlineKey = Buffer.from(pem).toString("base64");
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\ncurrent-context: m\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:9\ncontexts:\n- name: m\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    client-key: ${inlineKey}\n    password: !${SECRETS[0]}\n`);
    const keyCommand = join(dir, "key-cmd.sh");
    writeFileSync(keyCommand, `#!/bin/sh\necho "+ false ${identity}" >&2\nexit 1\n`);
    chmodSync(keyCommand, 0o755);
    const cases: [string[], NodeJS.ProcessEnv][] = [
      [["decrypt", "enc-app.yaml"], cleanEnv({ SOPS_AGE_KEY_FILE: identity })],
      [["decrypt", "enc-app.yaml"], cleanEnv({ SOPS_AGE_KEY_CMD: keyCommand })],
      [["unseal", "--private-key", pem, join(ROOT, "fixtures/interop/sealed/data-strict.sealed.yaml")], env],
      [["encrypt", "--kms", identity, "plain-app.yaml"], env],
      [["encrypt", "--age", identity, "plain-app.yaml"], env],
      [["cert", "fetch", "--kubeconfig", kubeconfig], env],
      [["seal", "--cert", join(ROOT, "fixtures/interop/sealed/cert.pem"), "--kubeconfig", kubeconfig, "secret.yaml"], env],
      // the same, base64-encoded (as a Secret's data holds it), or as the command to run
      [["unseal", "--private-key", Buffer.from(pem).toString("base64"), join(ROOT, "fixtures/interop/sealed/data-strict.sealed.yaml")], env],
      [["decrypt", "enc-app.yaml"], cleanEnv({ SOPS_AGE_KEY_FILE: Buffer.from(identity).toString("base64") })],
      [["decrypt", "enc-app.yaml"], cleanEnv({ SOPS_AGE_KEY_CMD: identity })],
      [["cert", "fetch"], cleanEnv({ KUBECONFIG: `/nonexistent:${identity}` })],
      [["encrypt", "--kms", Buffer.from(identity).toString("base64"), "plain-app.yaml"], env],
    ];
    for (const [args, caseEnv] of cases) {
      const r = await run(["--debug", ...args], { env: caseEnv });
      const shown = r.stderr + (args[0] === "seal" ? "" : r.stdout);
      const encoded = [Buffer.from(pem).toString("base64").slice(100, 140), Buffer.from(identity).toString("base64").slice(20, 50)];
      for (const secret of [identity.slice(16, 40), pemBody, inlineKey.slice(0, 40), SECRETS[0], ...encoded]) expect(shown, args.join(" ")).not.toContain(secret);
    }
  });

  it("succeeding commands with --debug --verbose say nothing secret on stderr", async () => {
    for (const name of Object.keys(PLAINS)) {
      const r = await run(["--debug", "--verbose", "decrypt", `enc-${name}`]);
      expect(r.status, r.stderr).toBe(0);
      expect(leaks(r.stderr)).toEqual([]);
      expect(leaks(r.stdout).length).toBeGreaterThan(0); // the data itself is on stdout, as asked
      const e = await run(["--debug", "--verbose", "encrypt", "--age", key.recipient, `plain-${name}`]);
      expect(e.status, e.stderr).toBe(0);
      expect(leaks(e.stderr + e.stdout)).toEqual([]);
    }
    const warned = await run(["--debug", "decrypt", "--ignore-mac", "tampered.yaml"]);
    expect(warned.stderr).toMatch(/WARNING/);
    expect(leaks(warned.stderr)).toEqual([]);
  });

  it("audit reports plaintext secrets by file and key, never by value (table, json, sarif)", async () => {
    for (const format of ["table", "json", "sarif"]) {
      const r = await run(["--debug", "audit", "--format", format, "."]);
      expect(r.stdout.length, r.stderr).toBeGreaterThan(0);
      expect(leaks(r.stdout + r.stderr), `${format}: ${r.stdout.slice(0, 400)}`).toEqual([]);
      // without --debug, the findings exit says so in one line and no trace
      const plain = await run(["audit", "--format", format, "."]);
      expect(stackLines(plain.stderr)).toEqual([]);
    }
  });
});

describe("decrypted files are private", () => {
  it("decrypt -o writes 0600, decrypt -i makes a 0644 file 0600, unseal -o writes 0600", async () => {
    const out = join(dir, "out.yaml");
    expect((await run(["decrypt", "-o", out, "enc-app.yaml"])).status).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, "inplace.env"), readFileSync(join(dir, "enc-app.env")));
    chmodSync(join(dir, "inplace.env"), 0o644);
    expect((await run(["decrypt", "-i", "inplace.env"])).status).toBe(0);
    expect(statSync(join(dir, "inplace.env")).mode & 0o777).toBe(0o600);
    const secretOut = join(dir, "secret-out.yaml");
    const sealed = join(ROOT, "fixtures/interop/sealed/data-strict.sealed.yaml");
    expect((await run(["unseal", "--private-key", join(ROOT, "fixtures/interop/sealed/key.pem"), "-o", secretOut, sealed])).status).toBe(0);
    expect(statSync(secretOut).mode & 0o777).toBe(0o600);
  });

  it("unseal -o and seal --recovery-unseal -o make an existing 0644 file 0600", async () => {
    const sealed = join(ROOT, "fixtures/interop/sealed/data-strict.sealed.yaml");
    const key = join(ROOT, "fixtures/interop/sealed/key.pem");
    for (const [name, args] of [
      ["unseal-existing.yaml", ["unseal", "--private-key", key, sealed]],
      ["recovery-existing.yaml", ["seal", "--recovery-unseal", "--recovery-private-key", key, sealed]],
    ] as const) {
      const out = join(dir, name);
      writeFileSync(out, "placeholder: true\n", { mode: 0o644 });
      chmodSync(out, 0o644);
      const r = await run([...args, "-o", out]);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(out, "utf8")).toContain("kind: Secret");
      expect(statSync(out).mode & 0o777).toBe(0o600);
    }
  });
});

describe("the edit temp file", () => {
  // The fake editor records where it was asked to edit and the modes it found, then acts as told.
  const editor = (): string => join(dir, "fake-editor.sh");
  beforeAll(() => {
    writeFileSync(
      editor(),
      `#!/bin/sh
f="$1"
# as vim does: Ctrl-C and Ctrl-\ are keys to it, the edit goes on and is saved; handled from the
# start, as the test sends them once the record below exists
if [ "$EDIT_ACTION" = trap ]; then trap 'printf "db:\\n    password: changed\\n" > "$f"; exit 0' INT QUIT; fi
# written whole, then renamed: the test reads the record as soon as it exists
printf '%s\\n%s\\n%s\\n%s\\n' "$f" "$(stat -c %a "$f")" "$(stat -c %a "$(dirname "$f")")" $$ > "$EDIT_RECORD.part"
mv "$EDIT_RECORD.part" "$EDIT_RECORD"
case "$EDIT_ACTION" in
  change) printf 'db:\\n    password: changed\\n' > "$f" ;;
  garbage) printf 'a: [\\n' > "$f" ;;
  fail) exit 1 ;;
  crash) kill -9 $$ ;;
  sleep) exec sleep 30 ;;
  trap) while :; do sleep 0.05; done ;;
esac
`,
    );
    chmodSync(editor(), 0o755);
  });

  function record(file: string): { path: string; mode: string; dirMode: string; pid: number } {
    const [path, mode, dirMode, pid] = readFileSync(file, "utf8").trim().split("\n");
    return { path, mode, dirMode, pid: Number(pid) };
  }

  /**
   * Runs edit with the fake editor doing `action`; `signal` is sent once the editor runs: SIGINT and
   * SIGQUIT to the whole process group, as the terminal sends Ctrl-C and Ctrl-\, others to sealbox.
   */
  async function edit(action: string, signal?: NodeJS.Signals): Promise<{ status: number | null; stderr: string; rec: ReturnType<typeof record>; target: string }> {
    const target = join(dir, `edit-${action}-${signal ?? "none"}.yaml`);
    writeFileSync(target, readFileSync(join(dir, "enc-app.yaml")));
    const rec = join(dir, `record-${action}-${signal ?? "none"}`);
    const fromTerminal = signal === "SIGINT" || signal === "SIGQUIT";
    const child = spawnSealbox(["edit", target], { env: { ...env, EDITOR: editor(), EDIT_ACTION: action, EDIT_RECORD: rec }, cwd: dir, detached: fromTerminal });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    // "exit", not "close": an editor left sleeping after a signal still holds the inherited stderr
    const closed = new Promise<number | null>((done) => child.on("exit", (status, sig) => done(status ?? (sig ? -1 : null))));
    if (signal) {
      for (let i = 0; i < 200 && !existsSync(rec); i++) await new Promise((r) => setTimeout(r, 50));
      if (fromTerminal) process.kill(-child.pid!, signal);
      else child.kill(signal);
    }
    const status = await closed;
    const found = record(rec);
    if (signal) {
      try {
        process.kill(found.pid, "SIGKILL"); // the sleeping editor, left behind by design of the test
      } catch {
        // already gone
      }
    }
    return { status, stderr, rec: found, target };
  }

  it.each([
    ["change", undefined, 0],
    ["garbage", undefined, 2],
    // an editor that fails or dies is sops's "Could not run editor" (NoEditorFound)
    ["fail", undefined, 201],
    ["crash", undefined, 201],
    // Ctrl-C and Ctrl-\ that end the editor end the edit, as the signal would
    ["sleep", "SIGINT", 130],
    ["sleep", "SIGQUIT", 131],
    ["sleep", "SIGTERM", 143],
    ["sleep", "SIGHUP", 129],
  ] as const)("editor %s %s: 0600 file in a 0700 dir, removed afterwards (exit %s)", async (action, signal, exit) => {
    const { status, stderr, rec } = await edit(action, signal);
    expect(rec.mode).toBe("600");
    expect(rec.dirMode).toBe("700");
    expect(existsSync(rec.path)).toBe(false);
    expect(existsSync(join(rec.path, ".."))).toBe(false);
    expect(status, stderr).toBe(exit);
    expect(leaks(stderr)).toEqual([]);
  });

  it.each(["SIGINT", "SIGQUIT"] as const)("%s from the terminal that the editor handles does not end the edit: it is saved, exit 0, temp file removed", async (signal) => {
    const { status, stderr, rec, target } = await edit("trap", signal);
    expect(status, stderr).toBe(0);
    expect(existsSync(join(rec.path, ".."))).toBe(false);
    const decrypted = await run(["decrypt", target]);
    expect(decrypted.stdout).toBe("db:\n    password: changed\n");
  });
});

describe("the exec-file temp file", () => {
  it.each(["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const)("is removed when sealbox gets %s while the command runs (exit 128+signal)", async (signal) => {
    const record = join(dir, `exec-file-${signal}`);
    const child = spawnSealbox(["exec-file", "enc-app.yaml", `echo {} $$ > '${record}.part'; mv '${record}.part' '${record}'; exec sleep 30`], { env, cwd: dir });
    const exited = new Promise<number | null>((done) => child.on("exit", (status) => done(status)));
    for (let i = 0; i < 200 && !existsSync(record); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill(signal);
    const status = await exited;
    const [path, pid] = readFileSync(record, "utf8").trim().split(" ");
    process.kill(Number(pid), "SIGKILL"); // the sleeping command, left running by sealbox's exit
    expect(status).toBe({ SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143 }[signal]);
    expect(existsSync(join(path, ".."))).toBe(false);
  });
});

describe("decrypted output over a git-tracked file", () => {
  let repo: string;
  beforeAll(() => {
    repo = tempDir("sealbox-git-");
    const g = (...args: string[]): string => execFileSync("git", ["-C", repo, ...args], { stdio: "pipe", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } }).toString();
    g("init", "-q");
    writeFileSync(join(repo, "secrets.enc.yaml"), readFileSync(join(dir, "enc-app.yaml")));
    writeFileSync(join(repo, "tracked.yaml"), "placeholder: true\n");
    mkdirSync(join(repo, "sub"));
    writeFileSync(join(repo, "sub", "tracked.yaml"), "placeholder: true\n");
    g("add", ".");
    g("commit", "-q", "-m", "x");
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("decrypt -i of a tracked file is refused (exit 3, file untouched); --force does it, 0600", async () => {
    const file = join(repo, "secrets.enc.yaml");
    const before = readFileSync(file);
    const r = await sealbox(["decrypt", "-i", file], { env, cwd: repo });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^sealbox: ${file}: refusing to write decrypted output over a file git tracks .*--force`));
    expect(readFileSync(file).equals(before)).toBe(true);
    const forced = await sealbox(["decrypt", "-i", "--force", file], { env, cwd: repo });
    expect(forced.status, forced.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toContain(SECRETS[0]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("decrypt -o over a tracked file is refused; an untracked output in the same repo is fine", async () => {
    const src = join(dir, "enc-app.yaml");
    const refused = await sealbox(["decrypt", "-o", join(repo, "tracked.yaml"), src], { env, cwd: repo });
    expect(refused.status).toBe(3);
    expect(readFileSync(join(repo, "tracked.yaml"), "utf8")).toBe("placeholder: true\n");
    const ok = await sealbox(["decrypt", "-o", join(repo, "untracked.yaml"), src], { env, cwd: repo });
    expect(ok.status, ok.stderr).toBe(0);
  });

  it("unseal -o and seal --recovery-unseal -o over a tracked file are refused (exit 3, file untouched); unseal --force does it", async () => {
    const tracked = join(repo, "tracked.yaml");
    const sealed = join(ROOT, "fixtures/interop/sealed/data-strict.sealed.yaml");
    const key = join(ROOT, "fixtures/interop/sealed/key.pem");
    const unseal = await sealbox(["unseal", "--private-key", key, sealed, "-o", tracked], { env, cwd: repo });
    expect(unseal.status).toBe(3);
    expect(unseal.stderr).toBe(`sealbox: ${tracked}: refusing to write decrypted output over a file git tracks (use --force to do it anyway)\n`);
    const recovery = await sealbox(["seal", "--recovery-unseal", "--recovery-private-key", key, sealed, "-o", tracked], { env, cwd: repo });
    expect(recovery.status).toBe(3);
    // seal has no --force: the way to force it is named instead
    expect(recovery.stderr).toBe(`sealbox: ${tracked}: refusing to write decrypted output over a file git tracks (\`sealbox unseal --force\` does it anyway)\n`);
    expect(readFileSync(tracked, "utf8")).toBe("placeholder: true\n");
    const forced = await sealbox(["unseal", "--force", "--private-key", key, sealed, "-o", tracked], { env, cwd: repo });
    expect(forced.status, forced.stderr).toBe(0);
    expect(readFileSync(tracked, "utf8")).toContain("kind: Secret");
    expect(statSync(tracked).mode & 0o777).toBe(0o600);
    execFileSync("git", ["-C", repo, "checkout", "--", "tracked.yaml"]);
  });

  it("decrypt -o to a symlink (outside the repository) whose target git tracks is refused: the plaintext would land in the target", async () => {
    const outside = tempDir("sealbox-outside-");
    symlinkSync(join(repo, "tracked.yaml"), join(outside, "out.yaml"));
    const refused = await sealbox(["decrypt", "-o", join(outside, "out.yaml"), join(dir, "enc-app.yaml")], { env, cwd: outside });
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(/refusing to write decrypted output over a file git tracks/);
    expect(readFileSync(join(repo, "tracked.yaml"), "utf8")).toBe("placeholder: true\n");
  });

  it("decrypt -o over a tracked file reached through a symlink from outside the repository is refused too", async () => {
    // the link leads to a subdirectory: no .git beside it or above its own path, yet git finds the
    // repository from the real path (found in review)
    const outside = tempDir("sealbox-outside-");
    symlinkSync(join(repo, "sub"), join(outside, "link"));
    const refused = await sealbox(["decrypt", "-o", join(outside, "link", "tracked.yaml"), join(dir, "enc-app.yaml")], { env, cwd: outside });
    expect(refused.status).toBe(3);
    expect(readFileSync(join(repo, "sub", "tracked.yaml"), "utf8")).toBe("placeholder: true\n");
  });
});
