// Key groups end to end through the SOPS core: the sops-written vector, and files we write with a
// KMS group (served by the test KMS over real HTTP) next to age groups.
import { readFileSync } from "node:fs";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SealboxError } from "../../src/errors.js";
import { yamlCodec } from "../../src/formats/yaml.js";
import { KeySources } from "../../src/keys/registry.js";
import type { RecipientGroup } from "../../src/keys/types.js";
import { decryptFile, emitEncrypted, encryptNew, loadEncrypted } from "../../src/sops/sops-file.js";
import { startKmsServer } from "../helpers/kms-server.js";
import type { KmsServer } from "../helpers/kms-server.js";

const VECTORS = new URL("../../fixtures/interop/sops/key_groups/", import.meta.url);
const vector = () => loadEncrypted(yamlCodec, readFileSync(new URL("key_groups.enc.yaml", VECTORS)), "key_groups.enc.yaml");
const plainText = readFileSync(new URL("key_groups.plain.yaml", VECTORS), "utf8");
/** keys_12.txt: the identities of groups 1 and 2 (group 3's is deliberately not published). */
const [group1, group2] = readFileSync(new URL("keys_12.txt", VECTORS), "utf8")
  .split("\n")
  .filter((l) => l.startsWith("AGE-SECRET-KEY-"));

function sources(identities: string[], decryptTimeoutMs?: number): KeySources {
  return new KeySources({ age: { identities }, kms: { decryptTimeoutMs } });
}

async function refusal(promise: Promise<unknown>): Promise<SealboxError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(SealboxError);
    return e as SealboxError;
  }
  throw new Error("expected a refusal");
}

const plainYaml = (docs: Parameters<typeof yamlCodec.emitPlain>[0]) => Buffer.from(yamlCodec.emitPlain(docs)).toString("utf8");

describe("the sops 3.13.2 key-groups file (3 age groups, shamir_threshold 2)", () => {
  it("decrypts with groups 1 and 2", async () => {
    const file = vector();
    expect(file.metadata.shamirThreshold).toBe(2);
    expect(file.metadata.keyGroups).toHaveLength(3);
    const { docs } = await decryptFile(file, { sources: sources([group1!, group2!]) });
    expect(plainYaml(docs)).toBe(plainText);
  });

  it("refuses with only one group's key, saying how many groups opened", async () => {
    for (const only of [group1!, group2!]) {
      const error = await refusal(decryptFile(vector(), { sources: sources([only]) }));
      expect(error.code).toBe("CouldNotRetrieveKey");
      expect(error.message).toMatch(/1 of the 2 key groups/);
    }
  });
});

describe("key groups with a KMS group (test KMS over HTTP)", () => {
  let server: KmsServer;
  const saved = { ...process.env };
  const ageB = { identity: "", recipient: "" };
  const ageC = { identity: "", recipient: "" };
  let groups: RecipientGroup[];

  beforeAll(async () => {
    server = await startKmsServer();
    Object.assign(process.env, server.env());
    for (const who of [ageB, ageC]) {
      who.identity = await generateIdentity();
      who.recipient = await identityToRecipient(who.identity);
    }
    const key = server.createKey({ region: "eu-west-1" });
    groups = [
      [{ type: "kms", arn: key.arn, context: { team: "payments" } }],
      [{ type: "age", recipient: ageB.recipient }],
      [{ type: "age", recipient: ageC.recipient }],
    ];
  });

  afterAll(async () => {
    process.env = saved;
    await server.close();
  });

  async function writeFile(): Promise<Uint8Array> {
    const docs = yamlCodec.parsePlain(Buffer.from(plainText), "plain.yaml");
    const encrypted = await encryptNew(docs, { sources: sources([]), recipientGroups: groups, shamirThreshold: 2, selectors: {} });
    return emitEncrypted(yamlCodec, encrypted);
  }

  it("writes the KMS stanza and threshold as sops does, and decrypts with any 2 of the 3 groups", async () => {
    const bytes = await writeFile();
    const text = Buffer.from(bytes).toString("utf8");
    expect(text).toMatch(/\n {4}shamir_threshold: 2\n/);
    // Keys sorted as sops 3.13 writes them: hc_vault (always, in groups) before kms; arn, aws_profile,
    // context, created_at, enc. yaml.v3 aligns the nested context to the 4-space grid (column 16).
    expect(text).toMatch(/ {8}- hc_vault: \[\]\n {10}kms:\n {12}- arn: arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f-]+\n {14}aws_profile: ""\n {14}context:\n {16}team: payments\n {14}created_at: "[0-9T:-]+Z"\n {14}enc: [A-Za-z0-9+/=]+\n/);

    for (const identities of [[ageB.identity], [ageC.identity], [ageB.identity, ageC.identity]]) {
      const file = loadEncrypted(yamlCodec, bytes, "groups.enc.yaml");
      const { docs } = await decryptFile(file, { sources: sources(identities) });
      expect(plainYaml(docs)).toBe(plainText);
    }
  });

  it("refuses with one group: KMS alone, or one age key while KMS is down", async () => {
    const bytes = await writeFile();
    const kmsOnly = await refusal(decryptFile(loadEncrypted(yamlCodec, bytes, "g.yaml"), { sources: sources([]) }));
    expect(kmsOnly.message).toMatch(/1 of the 2 key groups/);

    server.stallNext(Infinity);
    try {
      const start = Date.now();
      const down = await refusal(decryptFile(loadEncrypted(yamlCodec, bytes, "g.yaml"), { sources: sources([ageB.identity], 1000) }));
      expect(Date.now() - start).toBeLessThan(4000);
      expect(down.details.join("\n")).toMatch(/arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f-]+: KMS decrypt failed: no answer from AWS KMS within 1 s/);
    } finally {
      server.clearFaults();
    }
  });

  it("decrypts a one-group file from its age key when KMS is down", async () => {
    const key = server.createKey({ region: "eu-west-1" });
    const docs = yamlCodec.parsePlain(Buffer.from(plainText), "plain.yaml");
    const encrypted = await encryptNew(docs, {
      sources: sources([]),
      recipientGroups: [[{ type: "kms", arn: key.arn }, { type: "age", recipient: ageB.recipient }]],
      selectors: {},
    });
    const bytes = emitEncrypted(yamlCodec, encrypted);
    server.stallNext(Infinity);
    try {
      // KMS first, so the stalled KMS is really tried and really times out before age is used.
      const file = loadEncrypted(yamlCodec, bytes, "one.yaml");
      const start = Date.now();
      const { docs: out } = await decryptFile(file, { sources: sources([ageB.identity], 1000), decryptionOrder: ["kms", "age"] });
      expect(plainYaml(out)).toBe(plainText);
      expect(Date.now() - start).toBeGreaterThanOrEqual(900);
      expect(Date.now() - start).toBeLessThan(4000);
    } finally {
      server.clearFaults();
    }
  });
});
