// Our native age recipients and identities against the real age binary (Debian age 1.1.1), in both
// directions, for every type it supports: X25519, ssh-ed25519, ssh-rsa (OpenSSH and PEM keys).
// Keys come from the real age-keygen and ssh-keygen.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decrypter, Encrypter, armor, generateHybridIdentity, identityToRecipient } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SealboxError } from "../../src/errors.js";
import { loadAgeIdentities, parseIdentityFile } from "../../src/keys/age-identities.js";
import { parseIdentities, parseRecipient, type AgeIdentity } from "../../src/keys/age-recipients.js";
import { parseSshIdentityFile } from "../../src/keys/age-ssh.js";
import { NativeX25519Identity, NativeX25519Recipient } from "../../src/keys/age-x25519.js";

const AGE = "/usr/bin/age";
let dir: string;
const path = (name: string): string => join(dir, name);
const read = (name: string): string => readFileSync(path(name), "utf8");

function sshKeygen(name: string, args: string[]): void {
  execFileSync("ssh-keygen", ["-q", "-f", path(name), "-C", `${name}@sealbox-test`, ...args]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sealbox-age-bin-"));
  execFileSync("age-keygen", ["-o", path("x25519.txt")], { stdio: "ignore" });
  execFileSync("age-keygen", ["-o", path("other.txt")], { stdio: "ignore" });
  sshKeygen("id_ed25519", ["-t", "ed25519", "-N", ""]);
  sshKeygen("other_ed25519", ["-t", "ed25519", "-N", ""]);
  sshKeygen("id_rsa", ["-t", "rsa", "-b", "2048", "-N", ""]);
  sshKeygen("id_rsa_pem", ["-t", "rsa", "-b", "2048", "-N", "", "-m", "PEM"]);
  sshKeygen("locked_ed25519", ["-t", "ed25519", "-N", "open sesame"]);
  sshKeygen("locked_rsa_pem", ["-t", "rsa", "-b", "2048", "-N", "open sesame", "-m", "PEM"]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const x25519Recipient = (file: string): string => execFileSync("age-keygen", ["-y", path(file)]).toString().trim();

async function encryptOurs(recipient: string, plaintext: string): Promise<Uint8Array> {
  const e = new Encrypter();
  e.addRecipient(parseRecipient(recipient));
  return e.encrypt(plaintext);
}

function ageDecrypt(file: Uint8Array, identityFile: string): string {
  writeFileSync(path("in.age"), file);
  return execFileSync(AGE, ["-d", "-i", path(identityFile), path("in.age")], { stdio: ["ignore", "pipe", "pipe"] }).toString();
}

function ageEncrypt(plaintext: string, recipientArgs: string[], armored = false): Uint8Array {
  return execFileSync(AGE, [...(armored ? ["-a"] : []), ...recipientArgs], { input: plaintext });
}

async function decryptOurs(file: Uint8Array, identities: AgeIdentity[]): Promise<string> {
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  return d.decrypt(file, "text");
}

const sshIdentities = (name: string) => parseSshIdentityFile(read(name), path(name));

/** The stanza lines of an age file's header. */
function stanzaLines(file: Uint8Array): string[] {
  return Buffer.from(file).toString("latin1").split("\n").filter((l) => l.startsWith("-> "));
}

function sshTagOf(pubFile: string): string {
  const wire = Buffer.from(read(pubFile).split(" ")[1]!, "base64");
  return createHash("sha256").update(wire).digest().subarray(0, 4).toString("base64").replace(/=+$/, "");
}

describe("X25519 against the age binary", () => {
  it("age -d decrypts what our native recipient wraps", async () => {
    const recipient = x25519Recipient("x25519.txt");
    expect(parseRecipient(recipient)).toBeInstanceOf(NativeX25519Recipient);
    expect(ageDecrypt(await encryptOurs(recipient, "to age"), "x25519.txt")).toBe("to age");
  });

  it("our native identity decrypts what age -r encrypts (binary and armored)", async () => {
    const identities = parseIdentities(read("x25519.txt"), "x25519.txt");
    expect(identities[0]).toBeInstanceOf(NativeX25519Identity);
    expect(await decryptOurs(ageEncrypt("from age", ["-r", x25519Recipient("x25519.txt")]), identities)).toBe("from age");
    const armored = ageEncrypt("armored", ["-r", x25519Recipient("x25519.txt")], true);
    expect(await decryptOurs(armor.decode(armored.toString()), identities)).toBe("armored");
  });

  it("finds its stanza among several recipients and refuses a file for someone else", async () => {
    const mine = parseIdentities(read("x25519.txt"), "x25519.txt");
    const file = ageEncrypt("many", ["-r", x25519Recipient("other.txt"), "-R", path("id_ed25519.pub"), "-r", x25519Recipient("x25519.txt")]);
    expect(await decryptOurs(file, mine)).toBe("many");
    await expect(decryptOurs(ageEncrypt("not yours", ["-r", x25519Recipient("other.txt")]), mine)).rejects.toThrow(/no identity matched/);
  });

  it("derives the same recipient from an identity as age-keygen -y", () => {
    const [id] = parseIdentities(read("x25519.txt"), "x25519.txt");
    expect((id as NativeX25519Identity).recipient).toBe(x25519Recipient("x25519.txt"));
  });
});

describe.each([
  { type: "ssh-ed25519", key: "id_ed25519" },
  { type: "ssh-rsa", key: "id_rsa" },
  { type: "ssh-rsa", key: "id_rsa_pem" },
])("$type ($key) against the age binary", ({ type, key }) => {
  it("age -d -i <ssh key> decrypts what our recipient wraps, in age's exact stanza format", async () => {
    const file = await encryptOurs(read(`${key}.pub`), `to age via ${type}`);
    const [line] = stanzaLines(file);
    const tag = sshTagOf(`${key}.pub`);
    expect(line).toMatch(type === "ssh-ed25519" ? new RegExp(`^-> ssh-ed25519 ${tag.replace(/[+/]/g, "\\$&")} [A-Za-z0-9+/]{43}$`) : new RegExp(`^-> ssh-rsa ${tag.replace(/[+/]/g, "\\$&")}$`));
    expect(ageDecrypt(file, key)).toBe(`to age via ${type}`);
  });

  it("our identity decrypts what age -R <key.pub> encrypts, and age writes the same tag we do", async () => {
    const file = ageEncrypt(`from age via ${type}`, ["-R", path(`${key}.pub`)]);
    expect(stanzaLines(file)[0]).toContain(`-> ${type} ${sshTagOf(`${key}.pub`)}`);
    expect(await decryptOurs(file, sshIdentities(key))).toBe(`from age via ${type}`);
  });

  it("returns no match for a file encrypted to another ssh key", async () => {
    const file = ageEncrypt("other", ["-R", path("other_ed25519.pub")]);
    await expect(decryptOurs(file, sshIdentities(key))).rejects.toThrow(/no identity matched/);
  });
});

describe("ssh keys as sops loads them", () => {
  it("an ssh-ed25519 key also decrypts files for its ssh-to-age X25519 recipient", async () => {
    const identities = sshIdentities("id_ed25519");
    const x25519 = identities.find((id): id is NativeX25519Identity => id instanceof NativeX25519Identity)!;
    // The age1… recipient of the converted key, encrypted to by the real age binary.
    const file = ageEncrypt("ssh-to-age", ["-r", x25519.recipient]);
    expect(await decryptOurs(file, identities.filter((id) => id === x25519))).toBe("ssh-to-age");
  });

  it("a passphrase-protected OpenSSH key stays out of the way until a file needs it, then says why it cannot help", async () => {
    const env = { HOME: path("nohome"), SOPS_AGE_SSH_PRIVATE_KEY_FILE: path("locked_ed25519"), SOPS_AGE_KEY_FILE: path("x25519.txt") };
    const identities = await loadAgeIdentities(env);
    expect(await decryptOurs(ageEncrypt("still fine", ["-r", x25519Recipient("x25519.txt")]), identities)).toBe("still fine");
    const locked = ageEncrypt("locked", ["-R", path("locked_ed25519.pub")]);
    const error = await decryptOurs(locked, identities).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SealboxError);
    expect((error as SealboxError).describe()).toMatch(/locked_ed25519: the ssh-ed25519 key is passphrase-protected/);
  });

  it("a passphrase-protected PEM RSA key asks for its passphrase only when a file is encrypted to it", async () => {
    let asked = 0;
    const passphrase = async (source: string): Promise<string> => {
      asked++;
      expect(source).toBe(path("locked_rsa_pem"));
      return "open sesame";
    };
    const env = { HOME: path("nohome"), SOPS_AGE_SSH_PRIVATE_KEY_FILE: path("locked_rsa_pem"), SOPS_AGE_KEY_FILE: path("x25519.txt") };
    const identities = await loadAgeIdentities(env, { passphrase });
    expect(await decryptOurs(ageEncrypt("x", ["-r", x25519Recipient("x25519.txt")]), identities)).toBe("x");
    expect(asked).toBe(0);
    expect(await decryptOurs(ageEncrypt("rsa pem", ["-R", path("locked_rsa_pem.pub")]), identities)).toBe("rsa pem");
    expect(await decryptOurs(ageEncrypt("again", ["-R", path("locked_rsa_pem.pub")]), identities)).toBe("again");
    expect(asked).toBe(1);

    const wrong = await loadAgeIdentities(env, { passphrase: async () => "wrong" });
    await expect(decryptOurs(ageEncrypt("rsa pem", ["-R", path("locked_rsa_pem.pub")]), wrong)).rejects.toThrow(/incorrect passphrase/);
  });
});

/** Runs the age binary under `script` so it gets the terminal it reads passphrases from. */
function ageWithTty(args: string[], passphrase: string): Promise<void> {
  const command = [AGE, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (/passphrase/i.test(text)) child.stdin.write(`${passphrase}\n`);
    });
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`age under script failed (${code}): ${output}`));
    });
  });
}

describe("passphrase-protected age identity files", () => {
  it("unlocks an identity file made by `age -p` and decrypts what age encrypted to it", async () => {
    await ageWithTty(["-p", "-o", path("keys.age"), path("x25519.txt")], "correct horse battery");
    const bytes = readFileSync(path("keys.age"));
    expect(bytes.subarray(0, 21).toString()).toBe("age-encryption.org/v1");
    const asked: string[] = [];
    const env = { HOME: path("nohome"), SOPS_AGE_KEY_FILE: path("keys.age") };
    const identities = await loadAgeIdentities(env, { passphrase: async (source) => (asked.push(source), "correct horse battery") });
    expect(asked).toEqual([]);
    expect(await decryptOurs(ageEncrypt("behind a passphrase", ["-r", x25519Recipient("x25519.txt")]), identities)).toBe("behind a passphrase");
    expect(asked).toEqual([path("keys.age")]);

    const noPrompt = await loadAgeIdentities(env);
    const error = await decryptOurs(ageEncrypt("x", ["-r", x25519Recipient("x25519.txt")]), noPrompt).catch((e: unknown) => e);
    expect((error as SealboxError).describe()).toMatch(/keys\.age: the identity file is passphrase-protected/);

    const wrong = parseIdentityFile(bytes, "keys.age", { passphrase: async () => "wrong" });
    await expect(decryptOurs(ageEncrypt("x", ["-r", x25519Recipient("x25519.txt")]), wrong)).rejects.toThrow(/incorrect passphrase/);

    // beside a locked ssh key: a file for that key asks for the key's passphrase, not the identity file's
    const both: string[] = [];
    const withSsh = await loadAgeIdentities({ ...env, SOPS_AGE_SSH_PRIVATE_KEY_FILE: path("locked_rsa_pem") }, { passphrase: async (source) => (both.push(source), source.endsWith("keys.age") ? "correct horse battery" : "open sesame") });
    expect(await decryptOurs(ageEncrypt("for the rsa key", ["-R", path("locked_rsa_pem.pub")]), withSsh)).toBe("for the rsa key");
    expect(both).toEqual([path("locked_rsa_pem")]);
    expect(await decryptOurs(ageEncrypt("for the file", ["-r", x25519Recipient("x25519.txt")]), withSsh)).toBe("for the file");
    expect(both).toEqual([path("locked_rsa_pem"), path("keys.age")]);
  }, 90_000); // three scrypt unlocks of ~2.5 s each here, several times that on a loaded machine
});

describe("post-quantum recipients (age 1.1.1 has none: proven with age-encryption)", () => {
  it("encrypts to age1pq1… and decrypts with AGE-SECRET-KEY-PQ-1… from an identity file", async () => {
    const identity = await generateHybridIdentity();
    const recipient = await identityToRecipient(identity);
    expect(parseRecipient(recipient)).toBe(recipient);
    const file = await encryptOurs(recipient, "post-quantum");
    expect(stanzaLines(file)[0]).toMatch(/^-> mlkem768x25519 /);
    expect(await decryptOurs(file, parseIdentities(`# created: now\n${identity}\n`, "pq.txt"))).toBe("post-quantum");
  });

  it("the age binary refuses the type, so these files are for age >= 1.3 and sealbox only", async () => {
    const recipient = await identityToRecipient(await generateHybridIdentity());
    expect(() => execFileSync(AGE, ["-r", recipient], { input: "x", stdio: ["pipe", "pipe", "pipe"] })).toThrow();
  });
});
