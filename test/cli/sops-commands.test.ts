// The SOPS commands as a user runs them: real processes, real files, the fixture age key.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SOPS_VECTORS } from "../helpers/fixtures.js";
import { BIN, cleanEnv, sealboxSync, spawnSealbox } from "../helpers/cli.js";

const KEY_FILE = join(SOPS_VECTORS, "keys.txt");
const RECIPIENT = readFileSync(KEY_FILE, "utf8").match(/public key: (\S+)/)![1];
const RECIPIENT_B = readFileSync(join(SOPS_VECTORS, "keys_b.txt"), "utf8").match(/public key: (\S+)/)![1];
const withKey = (extra: NodeJS.ProcessEnv = {}) => cleanEnv({ SOPS_AGE_KEY_FILE: KEY_FILE, ...extra });

const enc = (dir: string, name: string) => sealboxSync(["encrypt", "-i", "--age", RECIPIENT, name], { cwd: dir });

/** A user's uid and gid, as `id` tells them. */
function idsOf(user: string): { uid: number; gid: number } {
  return { uid: Number(execFileSync("id", ["-u", user]).toString()), gid: Number(execFileSync("id", ["-g", user]).toString()) };
}

/** A file's text once it exists (it is written whole, by a rename), waiting up to 10 s. */
async function contentOnceWritten(path: string): Promise<string | undefined> {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

function workdir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "sealbox-cli-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("encrypt and the rules file", () => {
  it("finds .sops.yaml upward and matches path_regex relative to the rules file", () => {
    const dir = workdir({
      ".sops.yaml": `creation_rules:\n  - path_regex: ^secrets/.*\\.yaml$\n    encrypted_regex: ^password$\n    age: ${RECIPIENT}\n  - path_regex: .*\n    age: ${RECIPIENT_B}\n`,
      "secrets/db.yaml": "user: admin\npassword: hunter2\n",
    });
    const r = sealboxSync(["encrypt", "db.yaml"], { cwd: join(dir, "secrets") });
    expect(r.stderr).toBe("");
    const out = r.stdout.toString();
    expect(out).toContain("user: admin\n");
    expect(out).toMatch(/password: ENC\[/);
    expect(out).toContain(`recipient: ${RECIPIENT}`);
    expect(out).toContain("encrypted_regex: ^password$");
    expect(out).not.toContain(RECIPIENT_B);
  });

  it("reads anchors, aliases and << merge keys in the rules file as sops does: a rule's own keys win, then the first merged mapping", () => {
    const dir = workdir({
      ".sops.yaml": [
        "shared: &shared",
        `  age: ${RECIPIENT}`,
        "  encrypted_regex: ^password$",
        "other: &other",
        `  age: ${RECIPIENT_B}`,
        "creation_rules:",
        "  - path_regex: ^db/",
        "    <<: [*shared, *other]",
        "  - path_regex: ^web/",
        "    <<: *other",
        "    encrypted_regex: ^token$",
        "  - *shared",
        "",
      ].join("\n"),
      "db/s.yaml": "user: admin\npassword: hunter2\n",
      "web/s.yaml": "token: t0k\nurl: x\n",
      "any.yaml": "password: p\nuser: u\n",
    });
    const db = sealboxSync(["encrypt", "db/s.yaml"], { cwd: dir });
    expect(db.stderr).toBe("");
    expect(db.stdout.toString()).toContain(`recipient: ${RECIPIENT}`);
    expect(db.stdout.toString()).not.toContain(RECIPIENT_B);
    expect(db.stdout.toString()).toContain("user: admin\n");
    expect(db.stdout.toString()).toContain("encrypted_regex: ^password$");
    const web = sealboxSync(["encrypt", "web/s.yaml"], { cwd: dir });
    expect(web.stdout.toString()).toContain(`recipient: ${RECIPIENT_B}`);
    expect(web.stdout.toString()).toMatch(/token: ENC\[/);
    expect(web.stdout.toString()).toContain("url: x\n");
    const any = sealboxSync(["encrypt", "any.yaml"], { cwd: dir });
    expect(any.stdout.toString()).toContain(`recipient: ${RECIPIENT}`);
    expect(any.stdout.toString()).toMatch(/password: ENC\[/);
  });

  it("reads the rules' regular expressions as Go's: (?i) and \\z in path_regex and encrypted_regex", () => {
    const dir = workdir({
      ".sops.yaml": `creation_rules:\n  - path_regex: (?i)^secrets/.*\\.yaml\\z\n    encrypted_regex: (?i)^(PASSWORD|token)$\n    age: ${RECIPIENT}\n`,
      "Secrets/app.yaml": "password: a\nToken: b\nuser: c\n",
    });
    const r = sealboxSync(["encrypt", "Secrets/app.yaml"], { cwd: dir });
    expect(r.stderr).toBe("");
    const out = r.stdout.toString();
    expect(out).toMatch(/^password: ENC\[/m);
    expect(out).toMatch(/^Token: ENC\[/m);
    expect(out).toMatch(/^user: c$/m);
    const refused = workdir({ ".sops.yaml": `creation_rules:\n  - path_regex: a(?i)b\n    age: ${RECIPIENT}\n`, "ab.yaml": "a: 1\n" });
    const bad = sealboxSync(["encrypt", "ab.yaml"], { cwd: refused });
    expect(bad.status).toBe(5);
    expect(bad.stderr).toContain(".sops.yaml:2: path_regex is not a valid regular expression: flags are supported only at the very start");
  });

  it("takes one selector at most, the comment regexes included, from the flags and in a file's metadata, as sops", () => {
    const dir = workdir({ "p.yaml": "a: 1\n# sops:enc\nb: 2\n" });
    const both = sealboxSync(["encrypt", "--age", RECIPIENT, "--encrypted-regex", "^a$", "--encrypted-comment-regex", "sops:enc", "p.yaml"], { cwd: dir });
    expect(both.status).toBe(8);
    expect(both.stderr).toContain("cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, unencrypted_comment_regex in the same file");
    expect(both.stdout.toString()).toBe("");
    const one = sealboxSync(["encrypt", "--age", RECIPIENT, "--encrypted-comment-regex", "sops:enc", "p.yaml"], { cwd: dir });
    expect(one.status).toBe(0);
    const encrypted = one.stdout.toString();
    expect(encrypted).toMatch(/^a: 1$/m);
    expect(encrypted).toMatch(/^b: ENC\[/m);
    // a file whose metadata names two (sops's ExtractMetadata refuses it too)
    writeFileSync(join(dir, "two.yaml"), encrypted.replace(/^( *)encrypted_comment_regex: .*$/m, "$&\n$1encrypted_regex: ^a$"));
    const refused = sealboxSync(["decrypt", "two.yaml"], { cwd: dir, env: withKey() });
    expect(refused.status).toBe(8);
    expect(refused.stderr).toContain("cannot use more than one of");
  });

  it("a selector flag replaces only the rule's setting of its own name, as sops's getEncryptConfig: mac_only_encrypted is kept, a second selector refused", () => {
    const dir = workdir({
      ".sops.yaml": `creation_rules:\n  - encrypted_regex: ^data$\n    mac_only_encrypted: true\n    age: ${RECIPIENT}\n`,
      "f.yaml": "data: s3cret\nother: plain\n",
    });
    // --mac-only-encrypted alone keeps the rule's encrypted_regex (it had replaced it with the default suffix: every value encrypted)
    const mac = sealboxSync(["encrypt", "--mac-only-encrypted", "f.yaml"], { cwd: dir });
    expect(mac.stderr).toBe("");
    expect(mac.stdout.toString()).toMatch(/^data: ENC\[/m);
    expect(mac.stdout.toString()).toMatch(/^other: plain$/m);
    expect(mac.stdout.toString()).toContain("encrypted_regex: ^data$");
    expect(mac.stdout.toString()).not.toContain("unencrypted_suffix");
    // --encrypted-regex replaces the rule's regex, and the rule's mac_only_encrypted stays
    const regex = sealboxSync(["encrypt", "--encrypted-regex", "^other$", "f.yaml"], { cwd: dir });
    expect(regex.stdout.toString()).toMatch(/^data: s3cret$/m);
    expect(regex.stdout.toString()).toMatch(/^other: ENC\[/m);
    expect(regex.stdout.toString()).toContain("mac_only_encrypted: true");
    // another selector than the rule's is two in the same file: exit 8, nothing written
    const two = sealboxSync(["encrypt", "-i", "--unencrypted-suffix", "_clear", "f.yaml"], { cwd: dir });
    expect(two.status).toBe(8);
    expect(two.stderr).toContain("f.yaml: cannot use more than one of");
    expect(readFileSync(join(dir, "f.yaml"), "utf8")).toBe("data: s3cret\nother: plain\n");
  });

  it("warns once, as sops does, about a .sops.yml it does not read", () => {
    const dir = workdir({ ".sops.yml": `creation_rules:\n  - age: ${RECIPIENT}\n`, "sub/a.yaml": "a: 1\n" });
    const r = sealboxSync(["encrypt", "a.yaml"], { cwd: join(dir, "sub") });
    expect(r.status).toBe(111);
    expect(r.stderr.match(/warning/g)).toHaveLength(1);
    expect(r.stderr).toContain(`sealbox: warning: ignoring ${join(dir, ".sops.yml")}: the rules file must be called .sops.yaml`);
  });

  it("a << that does not merge a mapping is a bad rule, named with its file and line", () => {
    const dir = workdir({ ".sops.yaml": `creation_rules:\n  - path_regex: .*\n    age: ${RECIPIENT}\n    <<: 5\n`, "a.yaml": "a: 1\n" });
    const r = sealboxSync(["encrypt", "a.yaml"], { cwd: dir });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(".sops.yaml:4: << must merge a mapping, or a list of mappings");
    expect(readdirSync(dir).sort()).toEqual([".sops.yaml", "a.yaml"]);
  });

  it("--shamir-secret-sharing-threshold 0 is sops's default (every key group of the rule); a non-number is refused, writing nothing", () => {
    const dir = workdir({
      ".sops.yaml": `creation_rules:\n  - key_groups:\n      - age: [${RECIPIENT}]\n      - age: [${RECIPIENT_B}]\n`,
      "plain.yaml": "a: 1\n",
    });
    const r = sealboxSync(["encrypt", "--shamir-secret-sharing-threshold", "0", "plain.yaml"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout.toString()).toContain("shamir_threshold: 2");
    const refused = sealboxSync(["encrypt", "-i", "--shamir-secret-sharing-threshold", "2x", "plain.yaml"], { cwd: dir });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("argument '2x' is invalid. a whole number is needed");
    expect(readFileSync(join(dir, "plain.yaml"), "utf8")).toBe("a: 1\n");
    // read as Go's flag package reads an int: 0x2 is 2, 0x_2 too, and _2 or 2_ are no number
    expect(sealboxSync(["encrypt", "--shamir-secret-sharing-threshold", "0x2", "plain.yaml"], { cwd: dir }).stdout.toString()).toContain("shamir_threshold: 2");
    expect(sealboxSync(["encrypt", "--shamir-secret-sharing-threshold", "0x_2", "plain.yaml"], { cwd: dir }).stdout.toString()).toContain("shamir_threshold: 2");
    for (const spelling of ["_2", "2_", "1__0"]) expect(sealboxSync(["encrypt", "--shamir-secret-sharing-threshold", spelling, "plain.yaml"], { cwd: dir }).status).not.toBe(0);
  });

  it("refuses sops's flags and variables for key types it does not have, instead of encrypting to other keys than sops would", () => {
    const dir = workdir({ ".sops.yaml": `creation_rules:\n  - age: ${RECIPIENT}\n`, "a.yaml": "a: 1\n" });
    const pgp = sealboxSync(["encrypt", "-i", "a.yaml"], { cwd: dir, env: cleanEnv({ SOPS_PGP_FP: "85D77543B3D624B63CEA9E6DBC17301B491B3F21" }) });
    expect(pgp.status).toBe(8);
    expect(pgp.stderr).toContain("SOPS_PGP_FP names PGP keys, which sealbox cannot use (age and AWS KMS keys only)");
    const flag = sealboxSync(["encrypt", "-i", "--gcp-kms", "projects/p/locations/global/keyRings/r/cryptoKeys/k", "a.yaml"], { cwd: dir });
    expect(flag.status).toBe(8);
    expect(flag.stderr).toContain("--gcp-kms names GCP KMS keys");
    const rotated = sealboxSync(["rotate", "--add-pgp", "85D77543B3D624B63CEA9E6DBC17301B491B3F21", "a.yaml"], { cwd: dir });
    expect(rotated.status).toBe(8);
    expect(rotated.stderr).toContain("--add-pgp names PGP keys, which sealbox cannot use");
    expect(readFileSync(join(dir, "a.yaml"), "utf8")).toBe("a: 1\n");
  });

  it("refuses a top-level sops key (sops's metadata goes there), in encrypt and in set, writing nothing", () => {
    const dir = workdir({ "plain.yaml": "a: 1\nsops: mine\n" });
    const refused = sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "plain.yaml"], { cwd: dir });
    expect(refused.status).toBe(203);
    expect(refused.stderr).toContain("a top-level key named sops is reserved");
    expect(readFileSync(join(dir, "plain.yaml"), "utf8")).toBe("a: 1\nsops: mine\n");
    writeFileSync(join(dir, "ok.yaml"), "a: 1\n");
    expect(sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "ok.yaml"], { cwd: dir }).status).toBe(0);
    const before = readFileSync(join(dir, "ok.yaml"), "utf8");
    expect(sealboxSync(["set", "ok.yaml", '["sops"]', '"x"'], { cwd: dir, env: withKey() }).status).toBe(203);
    expect(readFileSync(join(dir, "ok.yaml"), "utf8")).toBe(before);
  });

  it("a broken rule is reported with the rules file and its line, exit 5", () => {
    const dir = workdir({ ".sops.yaml": `creation_rules:\n  - path_regex: .*\n    age: ${RECIPIENT}\n  - path_regex: "(unclosed"\n    age: ${RECIPIENT}\n`, "a.yaml": "k: v\n" });
    const r = sealboxSync(["encrypt", "a.yaml"], { cwd: dir });
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/\.sops\.yaml:4: path_regex is not a valid regular expression/);
  });

  it("--config and SOPS_CONFIG name the rules file", () => {
    const dir = workdir({ "rules/my.yaml": `creation_rules:\n  - age: ${RECIPIENT_B}\n`, "a.yaml": "k: v\n" });
    for (const r of [sealboxSync(["encrypt", "--config", "rules/my.yaml", "a.yaml"], { cwd: dir }), sealboxSync(["encrypt", "a.yaml"], { cwd: dir, env: cleanEnv({ SOPS_CONFIG: "rules/my.yaml" }) })]) {
      expect(r.status).toBe(0);
      expect(r.stdout.toString()).toContain(RECIPIENT_B);
    }
  });

  it("encrypting stdin needs --filename-override, as in sops (exit 8): the name picks the store and the rule", () => {
    const dir = workdir({ ".sops.yaml": `creation_rules:\n  - path_regex: \\.yaml$\n    encrypted_regex: ^password$\n    age: ${RECIPIENT}\n` });
    for (const args of [[], ["-"]]) {
      const r = sealboxSync(["encrypt", "--age", RECIPIENT, ...args], { cwd: dir, input: "user: admin\npassword: hunter2\n" });
      expect(r.status).toBe(8);
      expect(r.stderr).toContain("encrypting stdin needs --filename-override");
      expect(r.stdout.toString()).toBe("");
    }
    const named = sealboxSync(["encrypt", "--filename-override", "app.yaml"], { cwd: dir, input: "user: admin\npassword: hunter2\n" });
    expect(named.stderr).toBe("");
    expect(named.stdout.toString()).toMatch(/^user: admin\npassword: ENC\[/);
  });

  it("keys named on the command line encrypt a file no rule matches (sops fails there; docs/migration-from-sops.md)", () => {
    const dir = workdir({ ".sops.yaml": `creation_rules:\n  - path_regex: ^only/\n    age: ${RECIPIENT_B}\n`, "a.yaml": "k: v\n" });
    const r = sealboxSync(["encrypt", "--age", RECIPIENT, "a.yaml"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain(`recipient: ${RECIPIENT}`);
    const unmatched = sealboxSync(["encrypt", "a.yaml"], { cwd: dir });
    expect(unmatched.status).toBe(111);
    expect(unmatched.stderr.toString()).toContain(`no creation rule in ${dir}/.sops.yaml matches this file`);
  });

  it("no recipients anywhere is exit 111 with a hint", () => {
    const dir = workdir({ "a.yaml": "k: v\n" });
    const r = sealboxSync(["encrypt", "a.yaml"], { cwd: dir });
    expect(r.status).toBe(111);
    expect(r.stderr.toString()).toContain("no .sops.yaml here or in any directory above, and no --config; use --age or --kms");
  });

  it("malformed YAML names the file and line, exit 2, and does not echo the text", () => {
    const dir = workdir({ "a.yaml": "ok: 1\nsecret: hunter2\nbad: [unclosed\n" });
    const r = sealboxSync(["encrypt", "--age", RECIPIENT, "a.yaml"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/a\.yaml:\d+: invalid YAML/);
    expect(r.stderr).not.toContain("hunter2");
  });

  it("a top-level list is refused as sops refuses it", () => {
    const dir = workdir({ "a.yaml": "- a\n- b\n" });
    const r = sealboxSync(["encrypt", "--age", RECIPIENT, "a.yaml"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("sequences are not supported");
  });

  it("a YAML file with no document (empty, or comments only) is refused with exit 92, as sops refuses it, in encrypt and edit, writing nothing", () => {
    const dir = workdir({ "empty.yaml": "", "comments.yaml": "# nothing here yet\n", "s.yaml": "password: hunter2\n" });
    for (const name of ["empty.yaml", "comments.yaml"]) {
      const before = readFileSync(join(dir, name), "utf8");
      const r = sealboxSync(["encrypt", "-i", "--age", RECIPIENT, name], { cwd: dir });
      expect(r.status).toBe(92);
      expect(r.stderr).toContain(`${name}: the file cannot be completely empty`);
      expect(readFileSync(join(dir, name), "utf8")).toBe(before);
      expect(sealboxSync(["encrypt", "--age", RECIPIENT, name], { cwd: dir }).stdout.toString()).toBe("");
    }
    // an edit that empties an encrypted file would have written a file without its metadata
    expect(enc(dir, "s.yaml").status).toBe(0);
    const encrypted = readFileSync(join(dir, "s.yaml"), "utf8");
    writeFileSync(join(dir, "empty.sh"), `#!/bin/sh\n: > "$1"\n`);
    chmodSync(join(dir, "empty.sh"), 0o755);
    const emptied = sealboxSync(["edit", "s.yaml"], { cwd: dir, env: withKey({ EDITOR: join(dir, "empty.sh") }) });
    expect(emptied.status).toBe(92);
    expect(emptied.stderr).toContain("(your edit was not saved)");
    expect(emptied.stderr).not.toContain("hunter2");
    expect(readFileSync(join(dir, "s.yaml"), "utf8")).toBe(encrypted);
    const created = sealboxSync(["edit", "--age", RECIPIENT, "new.yaml"], { cwd: dir, env: withKey({ EDITOR: join(dir, "empty.sh") }) });
    expect(created.status).toBe(200); // the new file starts empty: nothing typed is no change
    writeFileSync(join(dir, "comment.sh"), `#!/bin/sh\nprintf '# a comment\\n' > "$1"\n`);
    chmodSync(join(dir, "comment.sh"), 0o755);
    expect(sealboxSync(["edit", "--age", RECIPIENT, "new.yaml"], { cwd: dir, env: withKey({ EDITOR: join(dir, "comment.sh") }) }).status).toBe(92);
    expect(existsSync(join(dir, "new.yaml"))).toBe(false);
  });

  it("a missing file is exit 100", () => {
    const r = sealboxSync(["decrypt", "/nonexistent/x.yaml"]);
    expect(r.status).toBe(100);
    expect(r.stderr).toContain("/nonexistent/x.yaml");
  });

  it("decrypting a file that is not encrypted is exit 1, as sops's 'sops metadata not found'", () => {
    const dir = workdir({ "plain.yaml": "password: hunter2\n" });
    const r = sealboxSync(["decrypt", "plain.yaml"], { cwd: dir, env: withKey() });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("plain.yaml: sops metadata not found");
    expect(r.stderr).not.toContain("hunter2");
  });

  it("-i rewrites many files, and a failure in one leaves every file as it was", () => {
    const dir = workdir({ "a.yaml": "a: 1\n", "b.yaml": "b: 2\n", "bad.yaml": "x: [\n" });
    const before = readFileSync(join(dir, "a.yaml"), "utf8");
    const failed = sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "a.yaml", "bad.yaml", "b.yaml"], { cwd: dir });
    expect(failed.status).toBe(2);
    expect(readFileSync(join(dir, "a.yaml"), "utf8")).toBe(before);
    expect(readFileSync(join(dir, "b.yaml"), "utf8")).toBe("b: 2\n");
    const ok = sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "a.yaml", "b.yaml"], { cwd: dir });
    expect(ok.status).toBe(0);
    expect(readFileSync(join(dir, "a.yaml"), "utf8")).toMatch(/^a: ENC\[/);
    const dec = sealboxSync(["decrypt", "-i", "a.yaml", "b.yaml"], { cwd: dir, env: withKey() });
    expect(dec.status).toBe(0);
    expect(readFileSync(join(dir, "b.yaml"), "utf8")).toBe("b: 2\n");
    expect(statSync(join(dir, "b.yaml")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.includes("sealbox-tmp"))).toEqual([]);
  });
});

describe("in-place rewrites go through a symlink and keep the file's owner, as sops's do", () => {
  const isLink = (path: string): boolean => lstatSync(path).isSymbolicLink();

  it("encrypt -i, set, unset, rotate, updatekeys and decrypt -i of a link rewrite its target; the link stays", () => {
    const dir = workdir({
      ".sops.yaml": `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${RECIPIENT}\n`,
      "store/secret.yaml": "a: 1\nb: two\n",
    });
    const [link, target] = [join(dir, "secret.yaml"), join(dir, "store", "secret.yaml")];
    symlinkSync("store/secret.yaml", link);
    const steps: [string[], (text: string) => boolean][] = [
      [["encrypt", "-i", "secret.yaml"], (text) => text.startsWith("a: ENC[")],
      [["set", "secret.yaml", '["c"]', '"3"'], (text) => text.includes("c: ENC[")],
      [["unset", "secret.yaml", '["a"]'], (text) => !text.startsWith("a: ")],
      [["rotate", "secret.yaml"], (text) => text.includes("c: ENC[")],
      [["updatekeys", "-y", "secret.yaml"], (text) => text.includes(RECIPIENT_B)],
      [["decrypt", "-i", "secret.yaml"], (text) => text === "b: two\nc: \"3\"\n"],
    ];
    for (const [args, done] of steps) {
      // updatekeys has something to do: the rule gains a recipient
      if (args[0] === "updatekeys") writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${RECIPIENT},${RECIPIENT_B}\n`);
      const r = sealboxSync(args, { cwd: dir, env: withKey() });
      expect(r.status, `${args[0]}: ${r.stderr}`).toBe(0);
      expect(isLink(link), args[0]).toBe(true);
      expect(done(readFileSync(target, "utf8")), `${args[0]}: ${readFileSync(target, "utf8")}`).toBe(true);
    }
    expect(readdirSync(join(dir, "store"))).toEqual(["secret.yaml"]);
  });

  it("decrypt -o to a link whose target does not exist yet makes the target, 0600; the link stays", () => {
    const dir = workdir({ "s.yaml": "a: 1\n" });
    enc(dir, "s.yaml");
    mkdirSync(join(dir, "out"));
    symlinkSync("out/plain.yaml", join(dir, "plain.yaml"));
    const r = sealboxSync(["decrypt", "-o", "plain.yaml", "s.yaml"], { cwd: dir, env: withKey() });
    expect(r.status, r.stderr).toBe(0);
    expect(isLink(join(dir, "plain.yaml"))).toBe(true);
    expect(readFileSync(join(dir, "out", "plain.yaml"), "utf8")).toBe("a: 1\n");
    expect(statSync(join(dir, "out", "plain.yaml")).mode & 0o777).toBe(0o600);
  });

  it("run as root, set, decrypt -i and rotate of another user's 0600 file leave it theirs", (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    const nobody = idsOf("nobody");
    const dir = workdir({ ".sops.yaml": `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${RECIPIENT}\n`, "s.yaml": "a: 1\n" });
    enc(dir, "s.yaml");
    const file = join(dir, "s.yaml");
    chownSync(file, nobody.uid, nobody.gid);
    chmodSync(file, 0o600);
    for (const args of [["set", "s.yaml", '["b"]', "2"], ["rotate", "s.yaml"], ["decrypt", "-i", "s.yaml"]]) {
      const r = sealboxSync(args, { cwd: dir, env: withKey() });
      expect(r.status, `${args[0]}: ${r.stderr}`).toBe(0);
      const { uid, gid, mode } = statSync(file);
      expect({ uid, gid, mode: mode & 0o777 }, args[0]).toEqual({ ...nobody, mode: 0o600 });
    }
    expect(readFileSync(file, "utf8")).toBe("a: 1\nb: 2\n");
  });

  it("run as another user, a rewrite of a file it may write but not own still succeeds (only root can give a file away)", (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    const nobody = idsOf("nobody");
    const dir = workdir({ "s.yaml": "a: 1\n" });
    chmodSync(dir, 0o777);
    const file = join(dir, "s.yaml");
    chmodSync(file, 0o666);
    const r = spawnSync(process.execPath, [BIN, "encrypt", "-i", "--age", RECIPIENT, file], { cwd: dir, env: cleanEnv(), uid: nobody.uid, gid: nobody.gid, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^a: ENC\[/);
    const { uid, mode } = statSync(file);
    expect({ uid, mode: mode & 0o777 }).toEqual({ uid: nobody.uid, mode: 0o666 });
  });
});

describe("the store a file's name picks, as sops's formats.FormatForPath", () => {
  it("a file named just .env is dotenv; X.YAML (upper case) is binary, as in sops", () => {
    const dir = workdir({ ".env": "A=1\n", "X.YAML": "a: 1\n" });
    const dotenv = sealboxSync(["encrypt", "--age", RECIPIENT, ".env"], { cwd: dir });
    expect(dotenv.stderr).toBe("");
    expect(dotenv.stdout.toString()).toMatch(/^A=ENC\[AES256_GCM,data:[^\n]*,type:str\]\nsops_age__list_0__map_enc=/);
    writeFileSync(join(dir, ".env"), dotenv.stdout);
    expect(sealboxSync(["decrypt", ".env"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("A=1\n");
    const upper = sealboxSync(["encrypt", "--age", RECIPIENT, "X.YAML"], { cwd: dir });
    expect(JSON.parse(upper.stdout.toString()).data).toMatch(/^ENC\[AES256_GCM,/);
    // a YAML file sealbox encrypted under such a name before: the error says how to read it
    writeFileSync(join(dir, "X.YAML"), sealboxSync(["encrypt", "--age", RECIPIENT, "--input-type", "yaml", "--output-type", "yaml", "X.YAML"], { cwd: dir }).stdout);
    const old = sealboxSync(["decrypt", "X.YAML"], { cwd: dir, env: withKey() });
    expect(old.status).toBe(2);
    expect(old.stderr).toContain("X.YAML is read with the binary store, as sops reads it (a name's ending is case-sensitive): if it is yaml, give --input-type yaml");
    expect(sealboxSync(["decrypt", "--input-type", "yaml", "X.YAML"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("a: 1\n");
    // rotate and updatekeys take sops's --input-type too, and write the file back in that format
    const before = readFileSync(join(dir, "X.YAML"), "utf8");
    expect(sealboxSync(["rotate", "--input-type", "yaml", "X.YAML"], { cwd: dir, env: withKey() }).status).toBe(0);
    expect(readFileSync(join(dir, "X.YAML"), "utf8")).not.toBe(before);
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - age: ${RECIPIENT}\n`);
    const planned = sealboxSync(["updatekeys", "--dry-run", "--input-type", "yaml", "X.YAML"], { cwd: dir, env: withKey() });
    expect(planned.stdout.toString()).toContain("1 unchanged");
    expect(sealboxSync(["decrypt", "--input-type", "yaml", "X.YAML"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("a: 1\n");
  });
});

describe("decrypt, extract, set and unset", () => {

  it("set and unset refuse a change their store could not read back, writing nothing (sops writes such files)", () => {
    const dir = workdir({ "a.env": "K=v\n", "blob.bin": "bytes" });
    enc(dir, "a.env");
    enc(dir, "blob.bin");
    const cases: [string, string[], RegExp][] = [
      ["a.env", ["set", "a.env", '["#x"]', '"v"'], /cannot write the dotenv key "#x": it starts with '#'/],
      ["a.env", ["set", "a.env", '["K=x"]', '"v"'], /cannot write the dotenv key "K=x": it holds '='/],
      ["a.env", ["set", "a.env", '["sops_x"]', '"v"'], /cannot write the dotenv key "sops_x": it starts with 'sops_'/],
      ["blob.bin", ["set", "blob.bin", '["data"]', '{"a": "x"}'], /the binary store keeps the file as one string under "data"/],
      ["blob.bin", ["unset", "blob.bin", '["data"]'], /the binary store keeps the file as one string under "data"/],
    ];
    for (const [file, args, message] of cases) {
      const before = readFileSync(join(dir, file));
      const r = sealboxSync(args, { cwd: dir, env: withKey() });
      expect(r.status).toBe(4);
      expect(r.stderr).toMatch(message);
      expect(readFileSync(join(dir, file))).toEqual(before);
    }
    expect(sealboxSync(["decrypt", "a.env"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("K=v\n");
    expect(sealboxSync(["decrypt", "blob.bin"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("bytes");
  });

  it("--extract prints a string raw, other values and subtrees in the output format", () => {
    const dir = workdir({ "s.yaml": "db:\n  user: admin\n  port: 5432\nlist:\n  - x\n" });
    enc(dir, "s.yaml");
    expect(sealboxSync(["decrypt", "--extract", '["db"]["user"]', "s.yaml"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("admin");
    expect(sealboxSync(["decrypt", "--extract", '["db"]', "s.yaml"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("user: admin\nport: 5432\n");
    // a string is printed raw; anything else the YAML store writes with yaml.Marshal, newline and all
    expect(sealboxSync(["decrypt", "--extract", '["db"]["port"]', "s.yaml"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("5432\n");
    expect(sealboxSync(["decrypt", "--extract", '["db"]["port"]', "--output-type", "json", "s.yaml"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("5432");
    const missing = sealboxSync(["decrypt", "--extract", '["nope"]', "s.yaml"], { cwd: dir, env: withKey() });
    expect(missing.status).toBe(91);
  });

  it("set and unset change one value and keep the data key and recipients", () => {
    const dir = workdir({ "s.yaml": "a: 1\nb: two\n" });
    enc(dir, "s.yaml");
    const stanza = (text: string) => text.match(/-----BEGIN AGE[\s\S]*?-----END AGE ENCRYPTED FILE-----/)![0];
    const before = readFileSync(join(dir, "s.yaml"), "utf8");
    expect(sealboxSync(["set", "s.yaml", '["c"]["d"]', '{"e": [1, "x"]}'], { cwd: dir, env: withKey() }).status).toBe(0);
    expect(sealboxSync(["unset", "s.yaml", '["a"]'], { cwd: dir, env: withKey() }).status).toBe(0);
    const after = readFileSync(join(dir, "s.yaml"), "utf8");
    expect(stanza(after)).toBe(stanza(before));
    expect(sealboxSync(["decrypt", "s.yaml"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("b: two\nc:\n    d:\n        e:\n            - 1\n            - x\n");
    expect(sealboxSync(["unset", "s.yaml", '["a"]'], { cwd: dir, env: withKey() }).status).toBe(1);
    expect(sealboxSync(["unset", "--idempotent", "s.yaml", '["a"]'], { cwd: dir, env: withKey() }).status).toBe(0);
  });

  it("set goes through a scalar or a scalar list item as sops's TreeBranch.Set does, building the rest of the path there", () => {
    const dir = workdir({ "s.yaml": "a: 1\nm:\n  k: v\nlist:\n  - x\n  - z\n" });
    enc(dir, "s.yaml");
    const original = readFileSync(join(dir, "s.yaml"));
    const env = withKey();
    const rest = "m:\n    k: v\nlist:\n    - x\n    - z\n";
    const cases: [string, string, string][] = [
      // a key on a scalar: the scalar becomes a one-key map
      ['["a"]["b"]', '"s3cr3t"', `a:\n    b: s3cr3t\n${rest}`],
      // a key on a list item that is a scalar: the item becomes a map
      ['["list"][0]["k"]', "1", "a: 1\nm:\n    k: v\nlist:\n    - k: 1\n    - z\n"],
      // an index on a scalar: a one-item list, whatever the index
      ['["a"][3]', '"v"', `a:\n    - v\n${rest}`],
      ['["a"][0]["b"]', "true", `a:\n    - b: true\n${rest}`],
      // an index on a mapping: sops changes nothing, and succeeds
      ['["m"][0]', '"v"', `a: 1\n${rest}`],
      ["[0]", '"v"', `a: 1\n${rest}`],
    ];
    for (const [path, value, decrypted] of cases) {
      writeFileSync(join(dir, "s.yaml"), original);
      const r = sealboxSync(["set", "s.yaml", path, value], { cwd: dir, env });
      expect(r.stderr, path).toBe("");
      expect(r.status, path).toBe(0);
      expect(sealboxSync(["decrypt", "s.yaml"], { cwd: dir, env }).stdout.toString(), path).toBe(decrypted);
      if (value === '"s3cr3t"') expect(readFileSync(join(dir, "s.yaml"), "utf8")).toMatch(/^ {4}b: ENC\[AES256_GCM,/m);
    }
    // sops crashes on a negative index into a list: refused, the file untouched
    writeFileSync(join(dir, "s.yaml"), original);
    const negative = sealboxSync(["set", "s.yaml", '["list"][-1]', '"v"'], { cwd: dir, env });
    expect(negative.status).toBe(91);
    expect(negative.stderr).toContain('["list"] is a list: [-1] cannot index it');
    expect(readFileSync(join(dir, "s.yaml"))).toEqual(original);
  });

  it("unset fails on a missing key or index as sops's TreeBranch.Unset does (exit 1; --idempotent forgives only that), and on a scalar on the way", () => {
    const dir = workdir({ "s.yaml": "a: 1\nlist:\n  - x\n" });
    enc(dir, "s.yaml");
    const before = readFileSync(join(dir, "s.yaml"));
    const env = withKey();
    const cases: [string[], number, string][] = [
      [["unset", "s.yaml", '["b"]'], 1, '["b"] not found in the document'],
      [["unset", "s.yaml", '["list"][1]'], 1, '["list"][1] not found in the document'],
      [["unset", "--idempotent", "s.yaml", '["list"][1]'], 0, ""],
      [["unset", "--idempotent", "s.yaml", '["list"][0]["k"]'], 1, '["list"][0] is neither a mapping nor a list: there is no ["k"] in it to unset'],
      [["unset", "--idempotent", "s.yaml", '["a"][0]'], 1, '["a"] is neither a mapping nor a list: there is no [0] in it to unset'],
      [["unset", "--idempotent", "s.yaml", '["list"]["k"]'], 91, '["list"] is a list: ["k"] cannot index it'],
    ];
    for (const [args, status, message] of cases) {
      const r = sealboxSync(args, { cwd: dir, env });
      expect(r.status, args.join(" ")).toBe(status);
      expect(r.stderr, args.join(" ")).toBe(message ? `sealbox: s.yaml: ${message}\n` : "");
      expect(readFileSync(join(dir, "s.yaml"))).toEqual(before);
    }
  });

  it("set and unset answer a path or value that does not parse with exit 7 (sops's ErrorInvalidSetFormat), writing nothing", () => {
    const dir = workdir({ "s.yaml": "a: 1\n" });
    enc(dir, "s.yaml");
    const before = readFileSync(join(dir, "s.yaml"));
    const env = withKey();
    for (const args of [["set", "s.yaml", "a.b", '"v"'], ["set", "s.yaml", '["a"]', "v"], ["unset", "s.yaml", '["a"'], ["--set", '[a] "v"', "s.yaml"]]) {
      const r = sealboxSync(args, { cwd: dir, env });
      expect(r.status, args.join(" ")).toBe(7);
      expect(readFileSync(join(dir, "s.yaml"))).toEqual(before);
    }
  });

  it("set --value-file names the value's file in the third argument, --value-stdin reads stdin, as in sops", () => {
    const dir = workdir({ "s.yaml": "a: 1\n", "value.json": '{"uid": [1000]}\n' });
    enc(dir, "s.yaml");
    const env = withKey();
    // sops's README form (the flag before the file), and the flag after the arguments
    expect(sealboxSync(["set", "--value-file", "s.yaml", '["b"]', "value.json"], { cwd: dir, env }).stderr).toBe("");
    expect(sealboxSync(["set", "s.yaml", '["c"]', "value.json", "--value-file"], { cwd: dir, env }).stderr).toBe("");
    expect(sealboxSync(["set", "--value-stdin", "s.yaml", '["d"]'], { cwd: dir, env, input: '"from stdin"' }).stderr).toBe("");
    expect(sealboxSync(["decrypt", "s.yaml"], { cwd: dir, env }).stdout.toString()).toBe("a: 1\nb:\n    uid:\n        - 1000\nc:\n    uid:\n        - 1000\nd: from stdin\n");
    const both = sealboxSync(["set", "--value-stdin", "s.yaml", '["e"]', '"x"'], { cwd: dir, env, input: '"y"' });
    expect(both.status).toBe(7);
    expect(both.stderr).toContain("give no third argument");
    expect(sealboxSync(["set", "--value-file", "s.yaml", '["e"]'], { cwd: dir, env }).status).toBe(7);
  });

  it("set and unset take --ignore-mac (saying so) and --decryption-order, as sops's do", () => {
    const dir = workdir({ "s.yaml": "a: 1\nb: 2\n" });
    enc(dir, "s.yaml");
    const env = withKey();
    // a value removed behind sops's back: the MAC no longer matches
    writeFileSync(join(dir, "s.yaml"), readFileSync(join(dir, "s.yaml"), "utf8").replace(/^b: .*\n/m, ""));
    expect(sealboxSync(["set", "s.yaml", '["c"]', "3"], { cwd: dir, env }).status).toBe(51);
    const forced = sealboxSync(["set", "--ignore-mac", "--decryption-order", "age", "s.yaml", '["c"]', "3"], { cwd: dir, env });
    expect(forced.status).toBe(0);
    expect(forced.stderr).toContain("--ignore-mac: the file's integrity is NOT checked");
    expect(sealboxSync(["decrypt", "s.yaml"], { cwd: dir, env }).stdout.toString()).toBe("a: 1\nc: 3\n");
    expect(sealboxSync(["unset", "--ignore-mac", "s.yaml", '["c"]'], { cwd: dir, env }).status).toBe(0);
  });

  it("decrypt -o writes the plaintext with mode 0600", () => {
    const dir = workdir({ "s.json": '{"k": "v"}' });
    enc(dir, "s.json");
    const r = sealboxSync(["decrypt", "-o", "plain.json", "s.json"], { cwd: dir, env: withKey() });
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, "plain.json"), "utf8")).toBe('{\n\t"k": "v"\n}\n');
    expect(statSync(join(dir, "plain.json")).mode & 0o777).toBe(0o600);
  });

  it("--output-type converts between formats", () => {
    const dir = workdir({ "s.yaml": "k: v\nn: 3\n" });
    enc(dir, "s.yaml");
    const r = sealboxSync(["decrypt", "--output-type", "json", "s.yaml"], { cwd: dir, env: withKey() });
    expect(r.stdout.toString()).toBe('{\n\t"k": "v",\n\t"n": 3\n}\n');
  });
});

describe("exec-env, exec-file, filestatus, keygen, edit", () => {
  it("exec-env passes top-level values as environment variables", () => {
    const dir = workdir({ "app.env": "DB_USER=admin\nDB_PASS=hunter2\n" });
    sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "app.env"], { cwd: dir });
    const r = sealboxSync(["exec-env", "app.env", 'printf "%s/%s" "$DB_USER" "$DB_PASS"'], { cwd: dir, env: withKey() });
    expect(r.stdout.toString()).toBe("admin/hunter2");
    expect(sealboxSync(["exec-env", "app.env", "exit 7"], { cwd: dir, env: withKey() }).status).toBe(7);
  });

  it("exec-env --user runs the command as that user, as sops's does (root only), and refuses an unknown user before decrypting", () => {
    const dir = workdir({ "app.env": "DB_USER=admin\n" });
    sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "app.env"], { cwd: dir });
    const nobody = execFileSync("id", ["-u", "nobody"]).toString().trim();
    const r = sealboxSync(["exec-env", "--user", "nobody", "app.env", 'printf "%s/%s" "$(id -u)" "$DB_USER"'], { cwd: dir, env: withKey() });
    if (process.getuid?.() === 0) {
      expect(r.stdout.toString()).toBe(`${nobody}/admin`);
    } else {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("needs sealbox to run as root");
    }
    const unknown = sealboxSync(["exec-env", "--user", "no-such-user-sealbox", "app.env", "true"], { cwd: dir, env: withKey() });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("--user no-such-user-sealbox: no such user");
  });

  it("exec-env refuses a map or list value, as sops does, naming the key and not the value, running nothing", () => {
    const dir = workdir({ "app.yaml": "USER: admin\nDB:\n  password: hunter2\n" });
    sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "app.yaml"], { cwd: dir });
    const r = sealboxSync(["exec-env", "app.yaml", "touch ran"], { cwd: dir, env: withKey() });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot use a complex value (a map or list) in the environment: DB");
    expect(r.stderr).not.toContain("hunter2");
    expect(existsSync(join(dir, "ran"))).toBe(false);
  });

  it("exec-env refuses a key or value with a NUL byte (the environment cannot hold it), naming the key and not the value", () => {
    const dir = workdir({ "p.json": '{"API_TOKEN": "Zq9-secret\\u0000tail"}', "k.json": '{"A\\u0000B": "Zq9-secret"}' });
    for (const file of ["p.json", "k.json"]) {
      expect(sealboxSync(["encrypt", "-i", "--age", RECIPIENT, file], { cwd: dir }).status).toBe(0);
      for (const debug of [[], ["--debug"]]) {
        const r = sealboxSync([...debug, "exec-env", file, "touch ran"], { cwd: dir, env: withKey() });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(file === "p.json" ? /cannot use a value with a NUL byte in the environment: API_TOKEN/ : /cannot use a key with a NUL byte in the environment: "A\\u0000B"/);
        expect(r.stderr).not.toContain("Zq9-secret");
      }
    }
    expect(existsSync(join(dir, "ran"))).toBe(false);
  });

  it("exec-env takes no --extract or --output-type (sops's has neither: every top-level value is exported)", () => {
    const dir = workdir({ "app.env": "A=1\n" });
    sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "app.env"], { cwd: dir });
    for (const flag of [["--extract", '["A"]'], ["--output-type", "json"]]) {
      const r = sealboxSync(["exec-env", ...flag, "app.env", "true"], { cwd: dir, env: withKey() });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`unknown option '${flag[0]}'`);
    }
  });

  it("exec-file hands a private 0600 file to the command and removes it afterwards", () => {
    const dir = workdir({ "c.yaml": "k: v\n" });
    sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "c.yaml"], { cwd: dir });
    const r = sealboxSync(["exec-file", "c.yaml", 'cat {}; stat -c %a {}; echo {} > where'], { cwd: dir, env: withKey() });
    expect(r.stdout.toString()).toBe("k: v\n600\n");
    const path = readFileSync(join(dir, "where"), "utf8").trim();
    expect(existsSync(path)).toBe(false);
    // --filename names the temp file: its last part, which must be a file's name
    const named = sealboxSync(["exec-file", "--filename", "sub/app.conf", "c.yaml", "basename {}"], { cwd: dir, env: withKey() });
    expect(named.stdout.toString()).toBe("app.conf\n");
    for (const bad of ["..", ".", "sub/.."]) {
      const refused = sealboxSync(["exec-file", "--filename", bad, "c.yaml", "echo ran"], { cwd: dir, env: withKey() });
      expect(refused.status).toBe(1);
      expect(refused.stdout.toString()).toBe("");
      expect(refused.stderr.toString()).toContain(`argument '${bad}' is invalid. a file name is needed`);
    }
  });

  it("exec-file pastes the temp file's path into the command as text, as sops does, so {} works inside single or double quotes, bare, twice, and in a nested sh -c", () => {
    const dir = workdir({ "c.yaml": "k: v\n" });
    enc(dir, "c.yaml");
    const command = `cat '{}'; cat "{}"; cat {}; cmp {} {} && echo same; sh -c 'wc -l < {}'; printf '%s\\n' '{}' > where`;
    const r = sealboxSync(["exec-file", "c.yaml", command], { cwd: dir, env: withKey() });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(r.stdout.toString()).toBe("k: v\nk: v\nk: v\nsame\n1\n");
    const path = readFileSync(join(dir, "where"), "utf8").trim();
    expect(path).toMatch(/^\/.*\/sealbox-[A-Za-z0-9]+\/c\.yaml$/);
    expect(existsSync(path)).toBe(false);
  });

  it("exec-file runs nothing that a file's name holds: the temp file takes the name with every character but letters, digits and ._+- made _, keeping its extension", () => {
    // each would run under a raw paste in one of the quoting contexts below
    const name = `my secrets $(touch pwned1) \`touch pwned2\`; touch pwned3; x'y"z.enc.yaml`;
    const dir = workdir({ [name]: "k: v\n" });
    expect(enc(dir, name).status).toBe(0);
    const r = sealboxSync(["exec-file", name, `cat '{}'; cat "{}"; cat {}; basename {}`], { cwd: dir, env: withKey() });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(r.stdout.toString()).toBe("k: v\nk: v\nk: v\nmy_secrets___touch_pwned1___touch_pwned2___touch_pwned3__x_y_z.enc.yaml\n");
    expect(readdirSync(dir).filter((f) => f.startsWith("pwned"))).toEqual([]);
  });

  it("exec-file --filename: a name with characters that are not safe in a command line is refused before anything runs; only the name's last part counts", () => {
    const dir = workdir({ "c.yaml": "k: v\n" });
    enc(dir, "c.yaml");
    for (const bad of ["app conf", "x;touch pwned", "$(touch pwned)", "a'b", 'a"b']) {
      const r = sealboxSync(["exec-file", "--filename", bad, "c.yaml", "touch ran; cat {}"], { cwd: dir, env: withKey() });
      expect({ status: r.status, stdout: r.stdout.toString() }, bad).toEqual({ status: 1, stdout: "" });
      expect(r.stderr, bad).toContain(`argument '${bad}' is invalid. the temp file's name is pasted into the command line for {}: use only letters, digits and . _ + -`);
    }
    expect(readdirSync(dir).sort()).toEqual(["c.yaml"]);
    const named = sealboxSync(["exec-file", "--filename", "my dir/app.conf", "c.yaml", "printf '%s\\n' '{}'"], { cwd: dir, env: withKey() });
    expect(named.stdout.toString()).toMatch(/\/sealbox-[A-Za-z0-9]+\/app\.conf\n$/);
  });

  it("exec-file refuses a TMPDIR whose path is not safe to paste into a command line, before decrypting: nothing run, no temp file", () => {
    const dir = workdir({ "c.yaml": "k: v\n" });
    enc(dir, "c.yaml");
    const tmp = mkdtempSync(join(tmpdir(), "sealbox tmp $(touch pwned)-"));
    for (const env of [cleanEnv({ TMPDIR: tmp }), withKey({ TMPDIR: tmp })]) {
      const r = sealboxSync(["exec-file", "c.yaml", "touch ran; cat {}"], { cwd: dir, env });
      expect({ status: r.status, stdout: r.stdout.toString() }).toEqual({ status: 1, stdout: "" });
      expect(r.stderr).toBe(`sealbox: exec-file makes its temp file under ${tmp} (TMPDIR), whose path is pasted into the command line for {} and must hold only letters, digits and / . _ + -: set TMPDIR to such a directory\n`);
    }
    expect(readdirSync(dir).sort()).toEqual(["c.yaml"]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("exec-env --background exits 0 once the command has started; the command runs on after sealbox, with the values (as that --user, run as root), its output on /dev/null", async () => {
    const dir = workdir({ "app.env": "DB_USER=admin\n" });
    enc(dir, "app.env");
    chmodSync(dir, 0o777); // for the command run as nobody
    const users = process.getuid?.() === 0 ? [undefined, "nobody"] : [undefined];
    for (const user of users) {
      const marker = join(dir, `marker-${user ?? "self"}`);
      // waits (10 s at most) for a file the test makes only after sealbox has exited
      const command = `echo out; echo err >&2; i=0; while [ ! -e go ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; printf "%s/%s" "$DB_USER" "$(id -u)" > '${marker}.part'; mv '${marker}.part' '${marker}'`;
      const r = sealboxSync(["exec-env", "--background", ...(user ? ["--user", user] : []), "app.env", command], { cwd: dir, env: withKey(), timeoutMs: 8_000 });
      expect(r.status, r.stderr).toBe(0);
      expect({ stdout: r.stdout.toString(), stderr: r.stderr }).toEqual({ stdout: "", stderr: "" });
      expect(existsSync(marker)).toBe(false);
      writeFileSync(join(dir, "go"), "");
      expect(await contentOnceWritten(marker)).toBe(`admin/${user ? idsOf(user).uid : process.getuid?.()}`);
      rmSync(join(dir, "go"));
    }
  });

  it("exec-env --background with --same-process is refused before anything is decrypted (exit 8, as sops)", () => {
    const dir = workdir({ "app.env": "A=1\n" });
    enc(dir, "app.env");
    const r = sealboxSync(["exec-env", "--background", "--same-process", "app.env", "touch ran"], { cwd: dir, env: cleanEnv() });
    expect(r.status).toBe(8);
    expect(r.stderr).toBe("sealbox: --background and --same-process do not go together (as in sops)\n");
    expect(existsSync(join(dir, "ran"))).toBe(false);
  });

  it("exec-file --background is refused (exit 1) with the reason and what to do instead, before decrypting: no command run, no temp file, not offered in help", () => {
    const dir = workdir({ "c.yaml": "k: v\n" });
    enc(dir, "c.yaml");
    const tmp = mkdtempSync(join(tmpdir(), "sealbox-tmpdir-"));
    for (const env of [cleanEnv({ TMPDIR: tmp }), withKey({ TMPDIR: tmp })]) {
      const r = sealboxSync(["exec-file", "--background", "c.yaml", "cp {} copy"], { cwd: dir, env });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^sealbox: exec-file --background is not supported: the temp file must be gone when sealbox exits, .*\(sealbox exec-file FILE CMD &: .*exec-env --background\n$/);
    }
    expect(existsSync(join(dir, "copy"))).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
    expect(sealboxSync(["help", "exec-file"]).stdout.toString()).not.toContain("--background");
  });

  it("exec-file --user gives the temp file to that user and nobody else (root only): theirs 0600, in a directory of root's that only their group may enter, removed afterwards", async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    const nobody = idsOf("nobody");
    const dir = workdir({ "c.yaml": "k: v\n" });
    enc(dir, "c.yaml");
    // stops at `read` until the test has looked at the file from outside
    const child = spawnSealbox(["exec-file", "--user", "nobody", "c.yaml", 'id -u; cat {}; stat -c "%u %g %a" {} "$(dirname {})"; echo {}; read _'], { cwd: dir, env: withKey() });
    let stdout = "";
    child.stdout.on("data", (c) => (stdout += c));
    const exited = new Promise<number | null>((done) => child.on("close", done));
    for (let i = 0; i < 200 && stdout.split("\n").length < 6; i++) await new Promise((r) => setTimeout(r, 50));
    const [uid, plain, fileStat, dirStat, path] = stdout.split("\n");
    expect({ uid, plain }).toEqual({ uid: String(nobody.uid), plain: "k: v" });
    expect(fileStat).toBe(`${nobody.uid} ${nobody.gid} 600`);
    expect(dirStat).toBe(`0 ${nobody.gid} 710`);
    // another user cannot enter the directory; another member of nobody's group cannot read the file
    for (const other of [{ uid: 54321, gid: 54321 }, { uid: 54321, gid: nobody.gid }]) {
      const r = spawnSync("cat", [path], { ...other, encoding: "utf8" });
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: "" });
    }
    child.stdin.end("\n");
    expect(await exited).toBe(0);
    expect(existsSync(join(path, ".."))).toBe(false);
  });

  it("a command run as another --user is not given the variables sealbox reads its keys from (root's key to every file, where it is given one file's values); the file's own values and the rest of the environment it gets", (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    const dir = workdir({ "app.env": "DB_USER=admin\nSOPS_AGE_KEY_CMD=from-the-file\n", "c.yaml": "k: v\n" });
    enc(dir, "app.env");
    enc(dir, "c.yaml");
    chmodSync(dir, 0o755);
    const key = readFileSync(KEY_FILE, "utf8").match(/AGE-SECRET-KEY-\S+/)![0];
    const env = withKey({ SOPS_AGE_KEY: key, SOPS_AGE_KEY_CMD: `echo ${key}`, SOPS_AGE_SSH_PRIVATE_KEY_FILE: "/root/.ssh/id", SOPS_AGE_SSH_PRIVATE_KEY_CMD: "cat /root/.ssh/id", KEPT: "yes" });
    const names = ["SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD", "SOPS_AGE_SSH_PRIVATE_KEY_FILE", "SOPS_AGE_SSH_PRIVATE_KEY_CMD", "KEPT", "DB_USER"];
    const show = `printf '%s\\n' ${names.map((name) => `"\${${name}-unset}"`).join(" ")}`;
    const run = (args: string[]) => {
      const r = sealboxSync(args, { cwd: dir, env });
      expect(r.stderr, args[0]).toBe("");
      return r.stdout.toString().trimEnd().split("\n");
    };
    expect(run(["exec-env", "--user", "nobody", "app.env", show])).toEqual(["unset", "unset", "from-the-file", "unset", "unset", "yes", "admin"]);
    expect(run(["exec-file", "--user", "nobody", "c.yaml", show])).toEqual(["unset", "unset", "unset", "unset", "unset", "yes", "unset"]);
    // without --user the command has sealbox's whole environment, as in sops
    expect(run(["exec-file", "c.yaml", show])).toEqual([key, KEY_FILE, `echo ${key}`, "/root/.ssh/id", "cat /root/.ssh/id", "yes", "unset"]);
  });

  it("exec-env and exec-file look --user up before anything is decrypted: an unknown user fails first, even with no key to decrypt", () => {
    const dir = workdir({ "app.env": "A=1\n", "c.yaml": "k: v\n" });
    enc(dir, "app.env");
    enc(dir, "c.yaml");
    for (const [command, file] of [["exec-env", "app.env"], ["exec-file", "c.yaml"]]) {
      const r = sealboxSync([command, "--user", "no-such-user-sealbox", file, "touch ran"], { cwd: dir, env: cleanEnv() });
      expect({ status: r.status, stderr: r.stderr }, command).toEqual({ status: 1, stderr: "sealbox: --user no-such-user-sealbox: no such user\n" });
    }
    expect(existsSync(join(dir, "ran"))).toBe(false);
  });

  it("--user needs sealbox to run as root: exec-env and exec-file refuse it otherwise, running nothing and leaving no temp file", () => {
    const dir = workdir({ "app.env": "A=1\n", "c.yaml": "k: v\n" });
    enc(dir, "app.env");
    enc(dir, "c.yaml");
    chmodSync(dir, 0o755);
    const tmp = mkdtempSync(join(tmpdir(), "sealbox-tmpdir-"));
    chmodSync(tmp, 0o777);
    // run as root, the tests run sealbox as nobody
    const asUser = process.getuid?.() === 0 ? idsOf("nobody") : {};
    for (const args of [["exec-env", "app.env", "echo ran"], ["exec-file", "c.yaml", "echo ran; cat {}"]]) {
      const r = spawnSync(process.execPath, [BIN, args[0], "--user", "root", ...args.slice(1)], { cwd: dir, env: withKey({ TMPDIR: tmp }), ...asUser, encoding: "utf8" });
      expect({ status: r.status, stdout: r.stdout }, args[0]).toEqual({ status: 1, stdout: "" });
      expect(r.stderr).toBe("sealbox: --user runs the command as another user, which needs sealbox to run as root\n");
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("filestatus tells encrypted from plain", () => {
    const dir = workdir({ "p.yaml": "k: v\n", "e.yaml": "k: v\n" });
    sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "e.yaml"], { cwd: dir });
    expect(sealboxSync(["filestatus", "p.yaml"], { cwd: dir }).stdout.toString()).toBe('{"encrypted":false}\n');
    expect(sealboxSync(["filestatus", "e.yaml"], { cwd: dir }).stdout.toString()).toBe('{"encrypted":true}\n');
    // as sops's cfs: a sops block without a version or a MAC is not encrypted; YAML that cannot be read is an error
    const encrypted = readFileSync(join(dir, "e.yaml"), "utf8");
    writeFileSync(join(dir, "nomac.yaml"), encrypted.replace(/^ {4}mac: .*\n/m, ""));
    expect(sealboxSync(["filestatus", "nomac.yaml"], { cwd: dir }).stdout.toString()).toBe('{"encrypted":false}\n');
    writeFileSync(join(dir, "broken.yaml"), "k: [unclosed\n");
    const broken = sealboxSync(["filestatus", "broken.yaml"], { cwd: dir });
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toContain("broken.yaml:");
    expect(broken.stdout.toString()).toBe("");
    // sops's binary store reads JSON: a plain binary file is an error there too, and a JSON one without metadata is not encrypted
    writeFileSync(join(dir, "blob.bin"), Buffer.from([0, 1, 2, 255]));
    expect(sealboxSync(["filestatus", "blob.bin"], { cwd: dir }).status).not.toBe(0);
    writeFileSync(join(dir, "data.bin"), '{"data": "x"}');
    expect(sealboxSync(["filestatus", "data.bin"], { cwd: dir }).stdout.toString()).toBe('{"encrypted":false}\n');
  });

  it("keygen writes an identity 0600 that decrypts what its recipient encrypts, and never overwrites", () => {
    const dir = workdir({ "s.yaml": "k: v\n" });
    const r = sealboxSync(["keygen", "-o", "id.txt"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(statSync(join(dir, "id.txt")).mode & 0o777).toBe(0o600);
    const recipient = r.stderr.match(/age1[0-9a-z]+/)![0];
    sealboxSync(["encrypt", "-i", "--age", recipient, "s.yaml"], { cwd: dir });
    expect(sealboxSync(["decrypt", "s.yaml"], { cwd: dir, env: cleanEnv({ SOPS_AGE_KEY_FILE: join(dir, "id.txt") }) }).stdout.toString()).toBe("k: v\n");
    expect(sealboxSync(["keygen", "-o", "id.txt"], { cwd: dir }).status).toBe(3);
  });

  it("keygen -o makes the key file's missing directories, private (a fresh ~/.config/sops/age)", () => {
    const dir = workdir();
    const r = sealboxSync(["keygen", "-o", "home/.config/sops/age/keys.txt"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(statSync(join(dir, "home/.config/sops/age")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "home/.config/sops/age/keys.txt")).mode & 0o777).toBe(0o600);
  });

  it("edit re-encrypts a change with the same data key, exits 200 when nothing changed, and leaves no temp file", () => {
    const dir = workdir({ "s.yaml": "password: old\n" });
    sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "s.yaml"], { cwd: dir });
    const editor = join(dir, "editor.sh");
    writeFileSync(editor, `#!/bin/sh\necho "$1" > "${dir}/temp-path"; stat -c %a "$1" > "${dir}/temp-mode"; stat -c %a "$(dirname "$1")" > "${dir}/dir-mode"\n[ -n "$NEW" ] && sed -i "s/old/$NEW/" "$1"\nexit 0\n`);
    chmodSync(editor, 0o755);
    const stanza = () => readFileSync(join(dir, "s.yaml"), "utf8").match(/-----BEGIN AGE[\s\S]*?-----END/)![0];
    const before = stanza();
    const unchanged = sealboxSync(["edit", "s.yaml"], { cwd: dir, env: withKey({ EDITOR: editor }) });
    expect(unchanged.status).toBe(200);
    const changed = sealboxSync(["edit", "s.yaml"], { cwd: dir, env: withKey({ EDITOR: editor, NEW: "n3w" }) });
    expect(changed.status).toBe(0);
    expect(stanza()).toBe(before);
    expect(sealboxSync(["decrypt", "s.yaml"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("password: n3w\n");
    expect(readFileSync(join(dir, "temp-mode"), "utf8").trim()).toBe("600");
    expect(readFileSync(join(dir, "dir-mode"), "utf8").trim()).toBe("700");
    expect(existsSync(readFileSync(join(dir, "temp-path"), "utf8").trim())).toBe(false);
  });

  it("an editor that fails or cannot be found is exit 201, sops's 'Could not run editor', and the file stays as it was", () => {
    const dir = workdir({ "s.yaml": "password: old\n", "fail.sh": `#!/bin/sh\nsed -i s/old/new/ "$1"\nexit 3\n` });
    chmodSync(join(dir, "fail.sh"), 0o755);
    expect(enc(dir, "s.yaml").status).toBe(0);
    const before = readFileSync(join(dir, "s.yaml"), "utf8");
    const failed = sealboxSync(["edit", "s.yaml"], { cwd: dir, env: withKey({ EDITOR: join(dir, "fail.sh") }) });
    expect(failed.status).toBe(201);
    expect(failed.stderr).toContain("could not run the editor: the editor exited with status 3; s.yaml was left as it was");
    const missing = sealboxSync(["edit", "s.yaml"], { cwd: dir, env: withKey({ SOPS_EDITOR: join(dir, "no-such-editor") }) });
    expect(missing.status).toBe(201);
    expect(missing.stderr).toContain(`the editor (${join(dir, "no-such-editor")}) was not found`);
    expect(readFileSync(join(dir, "s.yaml"), "utf8")).toBe(before);
  });

  it("edit of a new file checks its recipients before the editor opens, so nothing typed is lost", () => {
    const dir = workdir({ "ran.sh": `#!/bin/sh\ntouch "${"$"}(dirname "$0")/editor-ran"\n` });
    chmodSync(join(dir, "ran.sh"), 0o755);
    const none = sealboxSync(["edit", "new.yaml"], { cwd: dir, env: withKey({ EDITOR: join(dir, "ran.sh") }) });
    expect(none.status).toBe(111);
    const pgp = sealboxSync(["edit", "--age", RECIPIENT, "new.yaml"], { cwd: dir, env: withKey({ EDITOR: join(dir, "ran.sh"), SOPS_PGP_FP: "85D77543B3D624B63CEA9E6DBC17301B491B3F21" }) });
    expect(pgp.status).toBe(8);
    // the data key is wrapped before the editor too, as sops does: a recipient that cannot be used fails first
    const bogus = sealboxSync(["edit", "--age", "age1bogus", "new.yaml"], { cwd: dir, env: withKey({ EDITOR: join(dir, "ran.sh") }) });
    expect(bogus.status).toBe(111);
    expect(existsSync(join(dir, "editor-ran"))).toBe(false);
    expect(existsSync(join(dir, "new.yaml"))).toBe(false);
    // and with a usable recipient, what was typed is encrypted to it
    writeFileSync(join(dir, "type.sh"), `#!/bin/sh\nprintf 'typed: text\\n' > "$1"\n`);
    chmodSync(join(dir, "type.sh"), 0o755);
    expect(sealboxSync(["edit", "--age", RECIPIENT, "new.yaml"], { cwd: dir, env: withKey({ EDITOR: join(dir, "type.sh") }) }).status).toBe(0);
    expect(sealboxSync(["decrypt", "new.yaml"], { cwd: dir, env: withKey() }).stdout.toString()).toBe("typed: text\n");
  });
});

describe("the binary store, file to file a slice at a time", () => {
  const binary = ["--input-type", "binary", "--output-type", "binary"];

  it("round-trips a large file byte for byte, the same as through stdout, plaintext 0600; a tampered file fails, prints nothing and leaves the old output and no temp file", () => {
    const dir = workdir();
    const bytes = randomBytes(20 * 1024 * 1024 + 2);
    writeFileSync(join(dir, "blob.bin"), bytes);
    expect(sealboxSync(["encrypt", ...binary, "--age", RECIPIENT, "-o", "blob.sops", "blob.bin"], { cwd: dir }).status).toBe(0);
    const viaStdout = sealboxSync(["encrypt", ...binary, "--age", RECIPIENT, "blob.bin"], { cwd: dir });
    expect(viaStdout.stdout.subarray(0, 64).toString()).toMatch(/^\{\n\t"data": "ENC\[AES256_GCM,data:[A-Za-z0-9+/]+$/);
    writeFileSync(join(dir, "stdout.sops"), viaStdout.stdout);
    expect(sealboxSync(["decrypt", ...binary, "stdout.sops"], { cwd: dir, env: withKey() }).stdout.equals(bytes)).toBe(true);
    const dec = sealboxSync(["decrypt", ...binary, "-o", "out.bin", "blob.sops"], { cwd: dir, env: withKey() });
    expect(dec.stderr).toBe("");
    expect(readFileSync(join(dir, "out.bin")).equals(bytes)).toBe(true);
    expect(statSync(join(dir, "out.bin")).mode & 0o777).toBe(0o600);
    expect(sealboxSync(["decrypt", ...binary, "blob.sops"], { cwd: dir, env: withKey() }).stdout.equals(bytes)).toBe(true);

    const file = readFileSync(join(dir, "blob.sops"));
    const at = file.indexOf("data:") + 10_000_000;
    file[at] = file[at] === 0x41 ? 0x42 : 0x41;
    writeFileSync(join(dir, "bad.sops"), file);
    writeFileSync(join(dir, "out.bin"), "old");
    const bad = sealboxSync(["decrypt", ...binary, "-o", "out.bin", "bad.sops"], { cwd: dir, env: withKey() });
    expect(bad.status).toBe(25);
    expect(bad.stderr).toContain("authentication failed");
    expect(readFileSync(join(dir, "out.bin"), "utf8")).toBe("old");
    expect(readdirSync(dir).filter((name) => name.includes("sealbox-tmp"))).toEqual([]);
    const toStdout = sealboxSync(["decrypt", ...binary, "bad.sops"], { cwd: dir, env: withKey() });
    expect(toStdout.status).toBe(25);
    expect(toStdout.stdout.length).toBe(0);
  }, 60_000);
});

describe("directories", () => {
  it("encrypt -i DIR takes the plain files a creation rule matches; decrypt -i DIR undoes it", () => {
    const dir = workdir({
      ".sops.yaml": `creation_rules:\n  - path_regex: ^secrets/.*\\.(yaml|json)$\n    age: ${RECIPIENT}\n`,
      "secrets/a.yaml": "a: 1\n",
      "secrets/sub/b.json": '{"b": 2}',
      "secrets/notes.txt": "not covered by a rule\n",
      "other/c.yaml": "c: 3\n",
    });
    const enc = sealboxSync(["encrypt", "-i", "secrets"], { cwd: dir });
    expect(enc.stderr).toBe("");
    expect(readFileSync(join(dir, "secrets/a.yaml"), "utf8")).toMatch(/^a: ENC\[/);
    expect(readFileSync(join(dir, "secrets/sub/b.json"), "utf8")).toContain('"b": "ENC[');
    expect(readFileSync(join(dir, "secrets/notes.txt"), "utf8")).toBe("not covered by a rule\n");
    // a second run skips what is already encrypted instead of failing
    expect(sealboxSync(["encrypt", "-i", "secrets"], { cwd: dir }).status).toBe(0);
    expect(sealboxSync(["encrypt", "secrets"], { cwd: dir }).status).toBe(8);
    const dec = sealboxSync(["decrypt", "-i", "secrets"], { cwd: dir, env: withKey() });
    expect(dec.status).toBe(0);
    expect(readFileSync(join(dir, "secrets/a.yaml"), "utf8")).toBe("a: 1\n");
    expect(readFileSync(join(dir, "other/c.yaml"), "utf8")).toBe("c: 3\n");
  });

  it("encrypt -i DIR and decrypt -i DIR take a plain file the binary store reads (text that is not JSON) as plain, not as a broken file", () => {
    const dir = workdir({
      ".sops.yaml": `creation_rules:\n  - path_regex: ^secrets/\n    age: ${RECIPIENT}\n`,
      "secrets/a.yaml": "a: 1\n",
      "secrets/notes.txt": "plain text, not JSON\n",
    });
    // decrypt -i DIR passes over it while it is plain ...
    expect(enc(dir, "secrets/a.yaml").status).toBe(0);
    const passOver = sealboxSync(["decrypt", "-i", "secrets"], { cwd: dir, env: withKey() });
    expect(passOver.stderr).toBe("");
    expect(readFileSync(join(dir, "secrets/a.yaml"), "utf8")).toBe("a: 1\n");
    expect(readFileSync(join(dir, "secrets/notes.txt"), "utf8")).toBe("plain text, not JSON\n");
    // ... encrypt -i DIR encrypts it (sops's binary envelope), and a second run skips it
    const first = sealboxSync(["encrypt", "-i", "secrets"], { cwd: dir });
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const encrypted = readFileSync(join(dir, "secrets/notes.txt"), "utf8");
    expect(encrypted).toMatch(/^\{\n\t"data": "ENC\[/);
    expect(sealboxSync(["encrypt", "-i", "secrets"], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, "secrets/notes.txt"), "utf8")).toBe(encrypted);
    expect(sealboxSync(["decrypt", "-i", "secrets"], { cwd: dir, env: withKey() }).status).toBe(0);
    expect(readFileSync(join(dir, "secrets/notes.txt"), "utf8")).toBe("plain text, not JSON\n");
  });
});

describe("--output-type at the stores' edges, against sops's stores", () => {
  const MULTI = "a: secret-one\n---\nb: secret-two\n";

  it("a multi-document YAML file is not written as one JSON or dotenv file (sops writes the first document only; encrypted, the MAC then fails)", () => {
    const dir = workdir({ "m.yaml": MULTI });
    enc(dir, "m.yaml");
    for (const type of ["json", "dotenv"]) {
      const store = type === "json" ? "JSON" : "dotenv";
      const message = `sealbox: m.yaml: cannot write 2 documents as one ${store} file (sops would write only the first): use --output-type yaml, or split the documents\n`;
      const dec = sealboxSync(["decrypt", "--output-type", type, "m.yaml"], { cwd: dir, env: withKey() });
      expect([dec.status, dec.stdout.toString(), dec.stderr]).toEqual([4, "", message]);
      const plain = workdir({ "m.yaml": MULTI });
      const encrypted = sealboxSync(["encrypt", "--age", RECIPIENT, "--output-type", type, "m.yaml"], { cwd: plain });
      expect([encrypted.status, encrypted.stdout.toString(), encrypted.stderr]).toEqual([4, "", message]);
    }
    // INI takes every document's sections, in order, as sops's INI store does; YAML keeps the documents
    const sections = workdir({ "s.yaml": "one:\n  k: v1\n---\ntwo:\n  k: v2\n" });
    enc(sections, "s.yaml");
    expect(sealboxSync(["decrypt", "--output-type", "ini", "s.yaml"], { cwd: sections, env: withKey() }).stdout.toString()).toBe("[one]\nk = v1\n\n[two]\nk = v2\n");
    expect(sealboxSync(["decrypt", "--output-type", "yaml", "m.yaml"], { cwd: dir, env: withKey() }).stdout.toString()).toBe(MULTI);
  });

  it("an explicit [DEFAULT] is go-ini's second DEFAULT section: JSON shows both as sops does, YAML (which cannot hold a key twice) only the one with keys", () => {
    const ini = "[DEFAULT]\nowner = ops\n\n[db]\nuser = admin\n";
    const dir = workdir({ "s.ini": ini });
    enc(dir, "s.ini");
    const run = (args: string[]) => sealboxSync(args, { cwd: dir, env: withKey() });
    expect(run(["decrypt", "s.ini"]).stdout.toString()).toBe(ini);
    expect(run(["decrypt", "--output-type", "json", "s.ini"]).stdout.toString()).toBe('{\n\t"DEFAULT": {},\n\t"DEFAULT": {\n\t\t"owner": "ops"\n\t},\n\t"db": {\n\t\t"user": "admin"\n\t}\n}\n');
    expect(run(["decrypt", "--output-type", "yaml", "s.ini"]).stdout.toString()).toBe("DEFAULT:\n    owner: ops\ndb:\n    user: admin\n");
    // encrypted to YAML, the file decrypts again (with the empty DEFAULT beside it, neither sops nor sealbox could read it)
    writeFileSync(join(dir, "p.ini"), ini);
    writeFileSync(join(dir, "p.enc.yaml"), sealboxSync(["encrypt", "--age", RECIPIENT, "--output-type", "yaml", "p.ini"], { cwd: dir }).stdout);
    const back = run(["decrypt", "--output-type", "ini", "p.enc.yaml"]);
    expect([back.status, back.stdout.toString()]).toEqual([0, "owner = ops\n\n[db]\nuser = admin\n"]);
    // keys before any header stay in the implicit DEFAULT, written without a header, as go-ini writes it
    writeFileSync(join(dir, "pre.ini"), "top = 1\n[s]\nk = v\n");
    enc(dir, "pre.ini");
    expect(run(["decrypt", "pre.ini"]).stdout.toString()).toBe("top = 1\n\n[s]\nk = v\n");
    expect(run(["decrypt", "--output-type", "json", "pre.ini"]).stdout.toString()).toBe('{\n\t"DEFAULT": {\n\t\t"top": "1"\n\t},\n\t"s": {\n\t\t"k": "v"\n\t}\n}\n');
  });

  it("empty and comment-only files, and top-level values sops refuses, as sops's stores treat them", () => {
    const dir = workdir({ "empty.env": "", "comments.env": "#c1\n# c2\n", "null.yaml": "---\n", "empty.ini": "" });
    const expected: Record<string, Record<string, string>> = {
      "empty.env": { dotenv: "", ini: "", json: "{}\n", yaml: "{}\n" },
      "comments.env": { dotenv: "#c1\n# c2\n", ini: "", json: "{}\n", yaml: "#c1\n# c2\n{}\n" },
      "null.yaml": { dotenv: "", ini: "", json: "{}\n", yaml: "{}\n" },
      "empty.ini": { ini: "", json: '{\n\t"DEFAULT": {}\n}\n', yaml: "DEFAULT: {}\n" },
    };
    for (const [file, outputs] of Object.entries(expected)) {
      expect(enc(dir, file).status).toBe(0);
      for (const [type, text] of Object.entries(outputs)) {
        const r = sealboxSync(["decrypt", "--output-type", type, file], { cwd: dir, env: withKey() });
        expect([file, type, r.status, r.stdout.toString()]).toEqual([file, type, 0, text]);
      }
    }
    const refused = workdir({ "arr.json": "[1, 2]\n", "scalar.json": '"s"\n', "list.yaml": "- a\n", "scalar.yaml": "hello\n", "comment.yaml": "# only\n" });
    for (const [file, status, message] of [
      ["arr.json", 2, "sealbox: arr.json:1: JSON documents must be an object at the top level\n"],
      ["scalar.json", 2, "sealbox: scalar.json:1: JSON documents must be an object at the top level\n"],
      ["list.yaml", 2, "sealbox: list.yaml:1: YAML documents that are sequences are not supported (sops refuses a top-level list)\n"],
      ["scalar.yaml", 2, "sealbox: scalar.yaml:1: YAML documents that are values are not supported\n"],
      ["comment.yaml", 92, "sealbox: comment.yaml: the file cannot be completely empty: it must hold at least one document to carry the sops metadata\n"],
    ] as const) {
      // the input store refuses before any output store is asked
      for (const type of ["yaml", "dotenv"]) {
        const r = sealboxSync(["encrypt", "--age", RECIPIENT, "--output-type", type, file], { cwd: refused });
        expect([file, type, r.status, r.stderr]).toEqual([file, type, status, message]);
      }
    }
  });
});
