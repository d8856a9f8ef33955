// Recipient strings as sops users write them: validation, the post-quantum mixing rule, and
// SOPS_AGE_RECIPIENTS lists.
import { execFileSync } from "node:child_process";
import { generateHybridIdentity, identityToRecipient } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import { SealboxError } from "../../src/errors.js";
import { assertCompatibleRecipients, parseAgeRecipientList, parseIdentities, parseRecipient } from "../../src/keys/age-recipients.js";
import { SshEd25519Recipient, SshRsaRecipient } from "../../src/keys/age-ssh.js";
import { NativeX25519Recipient } from "../../src/keys/age-x25519.js";

let x25519: string;
let pq: string;
beforeAll(async () => {
  x25519 = execFileSync("age-keygen", { stdio: ["ignore", "pipe", "ignore"] }).toString().match(/public key: (age1\S+)/)![1]!;
  pq = await identityToRecipient(await generateHybridIdentity());
});

const ECDSA_PUB = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg= test";
const ED25519_PUB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGi4bsLU9ZDP25mSP949fuoLbRR/CmKFopdI6RkKYH8F test@example";

function refusal(recipient: string): SealboxError {
  try {
    parseRecipient(recipient);
  } catch (e) {
    expect(e).toBeInstanceOf(SealboxError);
    return e as SealboxError;
  }
  throw new Error(`accepted ${recipient}`);
}

describe("parseRecipient", () => {
  it("gives native objects for X25519 and ssh keys, the string for post-quantum, and parses each string once", () => {
    expect(parseRecipient(x25519)).toBeInstanceOf(NativeX25519Recipient);
    expect(parseRecipient(x25519)).toBe(parseRecipient(x25519));
    expect(parseRecipient(ED25519_PUB)).toBeInstanceOf(SshEd25519Recipient);
    const rsa = execFileSync("sh", ["-c", 'd=$(mktemp -d) && ssh-keygen -q -t rsa -b 2048 -N "" -f "$d/k" && cat "$d/k.pub" && rm -r "$d"']).toString().trim();
    expect(parseRecipient(rsa)).toBeInstanceOf(SshRsaRecipient);
    expect(parseRecipient(pq)).toBe(pq);
  });

  it.each([
    ["a bad checksum", () => x25519.slice(0, -1) + (x25519.endsWith("q") ? "p" : "q"), /bad checksum/],
    ["upper case", () => x25519.toUpperCase(), /expected age1/],
    ["an age plugin", () => "age1yubikey1qwerty", /plugin/],
    ["a truncated post-quantum key", () => pq.slice(0, 200), /post-quantum/],
    ["an ecdsa key (not ssh-…, so not routed to ssh, as in sops)", () => ECDSA_PUB, /expected age1… or an ssh public key/],
    ["an ssh key type age cannot use", () => "ssh-dss AAAAB3NzaC1kc3M= old", /unsupported ssh key type "ssh-dss"/],
    ["an ssh line whose blob is another type", () => ED25519_PUB.replace("ssh-ed25519", "ssh-rsa"), /holds ssh-ed25519/],
    ["something else", () => "not-a-key", /expected age1/],
  ])("refuses %s with NoEncryptionKeyFound", (_what, make, message) => {
    const error = refusal(make());
    expect(error.code).toBe("NoEncryptionKeyFound");
    expect(error.message).toMatch(message);
  });
});

describe("assertCompatibleRecipients", () => {
  it("refuses to mix post-quantum and classic recipients in one age file, as age does", () => {
    expect(() => assertCompatibleRecipients([x25519, pq])).toThrow(SealboxError);
    expect(() => assertCompatibleRecipients([pq, ED25519_PUB])).toThrow(/post-quantum/);
  });

  it("allows all-classic and all-post-quantum sets", () => {
    expect(() => assertCompatibleRecipients([x25519, ED25519_PUB])).not.toThrow();
    expect(() => assertCompatibleRecipients([pq, pq])).not.toThrow();
    expect(() => assertCompatibleRecipients([])).not.toThrow();
  });
});

describe("parseAgeRecipientList (SOPS_AGE_RECIPIENTS, --age)", () => {
  it("splits on commas and trims, as sops does", () => {
    expect(parseAgeRecipientList(` ${x25519} ,${pq}`)).toEqual([x25519, pq]);
    expect(parseAgeRecipientList("")).toEqual([]);
    expect(parseAgeRecipientList(undefined)).toEqual([]);
  });

  it("refuses an empty entry or a malformed recipient", () => {
    expect(() => parseAgeRecipientList(`${x25519},,${x25519}`)).toThrow(/empty entry/);
    expect(() => parseAgeRecipientList(`${x25519},age1nope`)).toThrow(SealboxError);
  });
});

describe("parseIdentities", () => {
  it("refuses plugin identities and malformed post-quantum identities by line", async () => {
    const pqIdentity = await generateHybridIdentity();
    expect(parseIdentities(`\n# c\n${pqIdentity}\r\n`, "k.txt")).toEqual([pqIdentity]);
    expect(() => parseIdentities(`${pqIdentity.slice(0, -2)}\n`, "k.txt")).toThrow(/post-quantum/);
    try {
      parseIdentities("# x\nAGE-PLUGIN-YUBIKEY-1QQQQ\n", "k.txt");
      throw new Error("accepted a plugin identity");
    } catch (e) {
      expect([(e as SealboxError).file, (e as SealboxError).line, (e as SealboxError).message]).toEqual(["k.txt", 2, "age plugin identities are not supported"]);
    }
  });
});
