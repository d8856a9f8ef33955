// Identity discovery the way sops 3.13 does it (age/keysource.go loadIdentities), with real files,
// real commands for SOPS_AGE_KEY_CMD and real ssh-keygen keys.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decrypter, Encrypter } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SealboxError } from "../../src/errors.js";
import { describeIdentitySources, loadAgeIdentities, splitCommandLine } from "../../src/keys/age-identities.js";
import { parseRecipient, type AgeIdentity } from "../../src/keys/age-recipients.js";
import { LockedSshIdentity } from "../../src/keys/age-ssh.js";
import { createAgeKeySource } from "../../src/keys/age.js";

let dir: string;
const p = (...parts: string[]): string => join(dir, ...parts);

/** A fresh age key pair from the real age-keygen: the file text and its recipient. */
function ageKey(): { text: string; recipient: string; secret: string } {
  const text = execFileSync("age-keygen", { stdio: ["ignore", "pipe", "ignore"] }).toString();
  const secret = text.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!;
  const recipient = execFileSync("age-keygen", ["-y"], { input: secret }).toString().trim();
  return { text, recipient, secret };
}

function sshKey(file: string, type: "ed25519" | "rsa", passphrase = ""): string {
  mkdirSync(join(file, ".."), { recursive: true });
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", passphrase, "-f", file, "-C", "t"]);
  return readFileSync(`${file}.pub`, "utf8").trim();
}

async function canDecrypt(identities: AgeIdentity[], recipient: string): Promise<boolean> {
  const e = new Encrypter();
  e.addRecipient(parseRecipient(recipient));
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  try {
    return (await d.decrypt(await e.encrypt("probe"), "text")) === "probe";
  } catch {
    return false;
  }
}

function errorOf(promise: Promise<unknown>): Promise<SealboxError> {
  return promise.then(
    () => {
      throw new Error("expected a SealboxError");
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(SealboxError);
      return e as SealboxError;
    },
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sealbox-age-ids-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadAgeIdentities", () => {
  it("reads every source sops reads and combines them", async () => {
    const home = p("all", "home");
    const [inline, file, cmd, config] = [ageKey(), ageKey(), ageKey(), ageKey()];
    mkdirSync(p("all", "xdg", "sops", "age"), { recursive: true });
    writeFileSync(p("all", "xdg", "sops", "age", "keys.txt"), config.text);
    writeFileSync(p("all", "file.txt"), file.text);
    writeFileSync(p("all", "cmd keys.txt"), cmd.text);
    const explicitSsh = sshKey(p("all", "deploy_ed25519"), "ed25519");
    const homeEd = sshKey(join(home, ".ssh", "id_ed25519"), "ed25519");
    const homeRsa = sshKey(join(home, ".ssh", "id_rsa"), "rsa");
    const env = {
      HOME: home,
      XDG_CONFIG_HOME: p("all", "xdg"),
      SOPS_AGE_KEY: inline.secret,
      SOPS_AGE_KEY_FILE: p("all", "file.txt"),
      SOPS_AGE_KEY_CMD: `cat '${p("all", "cmd keys.txt")}'`,
      SOPS_AGE_SSH_PRIVATE_KEY_FILE: p("all", "deploy_ed25519"),
    };
    const identities = await loadAgeIdentities(env);
    for (const recipient of [inline.recipient, file.recipient, cmd.recipient, config.recipient, explicitSsh, homeEd, homeRsa]) {
      expect(await canDecrypt(identities, recipient), recipient.slice(0, 30)).toBe(true);
    }
    expect(await canDecrypt(identities, ageKey().recipient)).toBe(false);
    // 4 age keys; 2 ed25519 keys as ssh + ssh-to-age X25519 identities; 1 RSA key.
    expect(identities).toHaveLength(9);
  });

  it("reads an ssh private key from SOPS_AGE_SSH_PRIVATE_KEY_CMD's stdout, and names the variable when the command fails", async () => {
    const recipient = sshKey(p("sshcmd", "key"), "ed25519");
    const env = { HOME: p("empty"), SOPS_AGE_SSH_PRIVATE_KEY_CMD: `cat '${p("sshcmd", "key")}'` };
    expect(await canDecrypt(await loadAgeIdentities(env), recipient)).toBe(true);
    expect(describeIdentitySources(env)).toContain("SOPS_AGE_SSH_PRIVATE_KEY_CMD (set)");
    const failed = await errorOf(loadAgeIdentities({ HOME: p("empty"), SOPS_AGE_SSH_PRIVATE_KEY_CMD: "false" }));
    expect(failed.message).toBe("SOPS_AGE_SSH_PRIVATE_KEY_CMD failed (exit status 1)");
  });

  it("uses ~/.config on Linux when XDG_CONFIG_HOME is unset, and ignores a relative XDG_CONFIG_HOME as Go does", async () => {
    const home = p("linux", "home");
    const key = ageKey();
    mkdirSync(join(home, ".config", "sops", "age"), { recursive: true });
    writeFileSync(join(home, ".config", "sops", "age", "keys.txt"), key.text);
    expect(await canDecrypt(await loadAgeIdentities({ HOME: home }, { platform: "linux" }), key.recipient)).toBe(true);
    expect(await loadAgeIdentities({ HOME: home, XDG_CONFIG_HOME: "relative/dir" }, { platform: "linux" })).toEqual([]);
  });

  it("uses ~/Library/Application Support on macOS unless XDG_CONFIG_HOME is set", async () => {
    const home = p("mac", "home");
    const [lib, xdg] = [ageKey(), ageKey()];
    mkdirSync(join(home, "Library", "Application Support", "sops", "age"), { recursive: true });
    writeFileSync(join(home, "Library", "Application Support", "sops", "age", "keys.txt"), lib.text);
    mkdirSync(p("mac", "xdg", "sops", "age"), { recursive: true });
    writeFileSync(p("mac", "xdg", "sops", "age", "keys.txt"), xdg.text);
    const plain = await loadAgeIdentities({ HOME: home }, { platform: "darwin" });
    expect(await canDecrypt(plain, lib.recipient)).toBe(true);
    const withXdg = await loadAgeIdentities({ HOME: home, XDG_CONFIG_HOME: p("mac", "xdg") }, { platform: "darwin" });
    expect([await canDecrypt(withXdg, xdg.recipient), await canDecrypt(withXdg, lib.recipient)]).toEqual([true, false]);
  });

  it("skips missing sources silently and says where it looked", async () => {
    const env = { HOME: p("empty"), SOPS_AGE_KEY_FILE: p("empty", "nope.txt"), SOPS_AGE_SSH_PRIVATE_KEY_FILE: p("empty", "nope_ed25519") };
    expect(await loadAgeIdentities(env, { platform: "linux" })).toEqual([]);
    const described = describeIdentitySources(env, { platform: "linux" });
    expect(described).toContain(`SOPS_AGE_KEY_FILE=${p("empty", "nope.txt")} (missing)`);
    expect(described).toContain("SOPS_AGE_KEY (not set)");
    expect(described).toContain(`${p("empty", ".config", "sops", "age", "keys.txt")} (missing)`);
    expect(described).toContain(`${p("empty", ".ssh", "id_rsa")} (missing)`);
  });

  it("names the file and line of a malformed identity, never the key text", async () => {
    const good = ageKey();
    const broken = good.secret.slice(0, -1) + (good.secret.endsWith("Q") ? "P" : "Q");
    writeFileSync(p("bad.txt"), `# created: today\n${good.secret}\n${broken}\n`);
    const error = await errorOf(loadAgeIdentities({ HOME: p("empty"), SOPS_AGE_KEY_FILE: p("bad.txt") }));
    expect([error.code, error.file, error.line]).toEqual(["CouldNotRetrieveKey", p("bad.txt"), 3]);
    expect(error.describe()).not.toContain(broken.slice(16, 40));
    expect(error.describe()).not.toContain(good.secret.slice(16, 40));

    const inline = await errorOf(loadAgeIdentities({ HOME: p("empty"), SOPS_AGE_KEY: `${good.secret}\nnot-a-key` }));
    expect([inline.file, inline.line]).toEqual(["SOPS_AGE_KEY", 2]);
    expect(inline.describe()).not.toContain("not-a-key");
  });

  it("refuses an explicitly named ssh key it cannot read, but only warns about a broken ~/.ssh fallback", async () => {
    writeFileSync(p("junk_key"), "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
    const error = await errorOf(loadAgeIdentities({ HOME: p("empty"), SOPS_AGE_SSH_PRIVATE_KEY_FILE: p("junk_key") }));
    expect(error.file).toBe(p("junk_key"));
    mkdirSync(p("junkhome", ".ssh"), { recursive: true });
    writeFileSync(p("junkhome", ".ssh", "id_rsa"), "not a key at all\n");
    const warnings: string[] = [];
    expect(await loadAgeIdentities({ HOME: p("junkhome") }, { onWarning: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining(p("junkhome", ".ssh", "id_rsa"))]);
  });

  it("runs SOPS_AGE_KEY_CMD without a shell and reports a failing command by its status", async () => {
    const key = ageKey();
    const ids = await loadAgeIdentities({ HOME: p("empty"), SOPS_AGE_KEY_CMD: `printf '%s\\n' "${key.secret}"` });
    expect(await canDecrypt(ids, key.recipient)).toBe(true);
    // No shell: `|` is just an argument to cat, which then fails.
    const piped = await errorOf(loadAgeIdentities({ HOME: p("empty"), SOPS_AGE_KEY_CMD: `cat ${p("nothing")} | head` }));
    expect(piped.message).toMatch(/^SOPS_AGE_KEY_CMD failed \(exit status 1\)/);
    const missing = await errorOf(loadAgeIdentities({ HOME: p("empty"), SOPS_AGE_KEY_CMD: "no-such-command-sealbox" }));
    expect(missing.message).toContain("cannot run");
    // a key printed on stderr is not repeated, in any form a key comes in
    for (const line of ["AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyMaterialThatLooksLikeBase64Data0123", "QyNTUxOQAAACBz+Yc8Zk9/xQ2mNpT3h1pQ0vWwqg7uBfE1N3o1bQ4e3AAAAJg0nP2aNJz9", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]) {
      const leaky = await errorOf(loadAgeIdentities({ HOME: p("empty"), SOPS_AGE_KEY_CMD: `sh -c 'echo "key: ${line}" >&2; exit 1'` }));
      expect(leaky.message).toBe("SOPS_AGE_KEY_CMD failed (exit status 1): (its last line held key material or data: not shown)");
    }
  });

  it("a failing key command does not hide the other sources' identities, as in sops, and is told when none opens a file", async () => {
    const key = ageKey();
    writeFileSync(p("other.txt"), key.text);
    const env = { HOME: p("empty"), SOPS_AGE_KEY_CMD: "false", SOPS_AGE_KEY_FILE: p("other.txt") };
    expect(await canDecrypt(await loadAgeIdentities(env), key.recipient)).toBe(true);
    const source = createAgeKeySource({ env, onWarning: () => {} });
    const stanza = await source.wrap({ type: "age", recipient: ageKey().recipient }, new Uint8Array(32));
    const error = await errorOf(source.unwrap(stanza));
    expect(error.message).toMatch(/no identity matched this recipient; SOPS_AGE_KEY_CMD failed \(exit status 1\)$/);
  });

  it("puts identities that need a passphrase after all others", async () => {
    const home = p("lockhome");
    sshKey(join(home, ".ssh", "id_ed25519"), "ed25519", "pw");
    const key = ageKey();
    const ids = await loadAgeIdentities({ HOME: home, SOPS_AGE_KEY: key.secret });
    expect(ids.at(-1)).toBeInstanceOf(LockedSshIdentity);
    expect(ids).toHaveLength(2);
  });
});

describe("splitCommandLine (google/shlex rules, as sops splits SOPS_AGE_KEY_CMD)", () => {
  it.each([
    ["pass show age/key", ["pass", "show", "age/key"]],
    [`op read "op://vault/age key/password"`, ["op", "read", "op://vault/age key/password"]],
    [`sh -c 'echo "$X"'`, ["sh", "-c", 'echo "$X"']],
    [String.raw`a\ b "c\"d" e''f`, ["a b", 'c"d', "ef"]],
    ["cmd # a comment", ["cmd"]],
    ['""', [""]],
  ])("%s", (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });

  it("rejects an unclosed quote", () => {
    expect(() => splitCommandLine(`cat "oops`)).toThrow(/unclosed quote/);
  });
});
