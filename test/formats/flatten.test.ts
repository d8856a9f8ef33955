import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Branch, type Value } from "../../src/tree/tree.js";
import { flattenMetadata, unflattenMetadata } from "../../src/formats/flatten.js";
import { SealboxError } from "../../src/errors.js";

const b = (entries: Record<string, Value>): Branch => new Branch(Object.entries(entries).map(([key, value]) => ({ key, value })));

describe("flattened sops metadata", () => {
  const metadata = b({
    age: [b({ enc: "-----BEGIN AGE ENCRYPTED FILE-----\nAAAA\n-----END AGE ENCRYPTED FILE-----\n", recipient: "age1xyz" })],
    key_groups: [b({ age: [b({ enc: "e1", recipient: "r1" }), b({ enc: "e2", recipient: "r2" })], hc_vault: [] }), b({ kms: [b({ arn: "arn:aws:kms:eu-west-1:1:key/k", context: b({ Env: "prod" }) })] })],
    lastmodified: "2026-11-23T04:28:16Z",
    mac: "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",
    mac_only_encrypted: true,
    shamir_threshold: 2n,
    unencrypted_suffix: "_unencrypted",
    version: "3.13.2",
  });

  it("writes the separators, newline escapes and text forms sops writes, sorted by key", () => {
    expect(flattenMetadata(metadata)).toEqual([
      ["age__list_0__map_enc", "-----BEGIN AGE ENCRYPTED FILE-----\\nAAAA\\n-----END AGE ENCRYPTED FILE-----\\n"],
      ["age__list_0__map_recipient", "age1xyz"],
      ["key_groups__list_0__map_age__list_0__map_enc", "e1"],
      ["key_groups__list_0__map_age__list_0__map_recipient", "r1"],
      ["key_groups__list_0__map_age__list_1__map_enc", "e2"],
      ["key_groups__list_0__map_age__list_1__map_recipient", "r2"],
      ["key_groups__list_1__map_kms__list_0__map_arn", "arn:aws:kms:eu-west-1:1:key/k"],
      ["key_groups__list_1__map_kms__list_0__map_context__map_Env", "prod"],
      ["lastmodified", "2026-11-23T04:28:16Z"],
      ["mac", "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]"],
      ["mac_only_encrypted", "true"],
      ["shamir_threshold", "2"],
      ["unencrypted_suffix", "_unencrypted"],
      ["version", "3.13.2"],
    ]);
  });

  it("reads back the nested branch with sorted keys and string values", () => {
    const back = unflattenMetadata(flattenMetadata(metadata).map(([key, value]) => ({ key, value })));
    const groups = back.get("key_groups") as Value[];
    expect((((groups[0] as Branch).get("age") as Value[])[1] as Branch).get("recipient")).toBe("r2");
    expect((((groups[1] as Branch).get("kms") as Value[])[0] as Branch).get("context")).toEqual(b({ Env: "prod" }));
    expect(back.get("shamir_threshold")).toBe("2");
    expect(back.get("mac_only_encrypted")).toBe("true");
    expect(((back.get("age") as Value[])[0] as Branch).get("enc")).toBe("-----BEGIN AGE ENCRYPTED FILE-----\nAAAA\n-----END AGE ENCRYPTED FILE-----\n");
    expect(back.items.map((i) => i.key)).toEqual(["age", "key_groups", "lastmodified", "mac", "mac_only_encrypted", "shamir_threshold", "unencrypted_suffix", "version"]);
  });

  it("leaves holes in a list as null and keeps the last of a repeated key", () => {
    const back = unflattenMetadata([
      { key: "age__list_2__map_enc", value: "x" },
      { key: "version", value: "1" },
      { key: "version", value: "2" },
    ]);
    expect(back.get("age")).toEqual([null, null, b({ enc: "x" })]);
    expect(back.get("version")).toBe("2");
  });

  it("refuses keys that contradict each other's shape, naming the key and line", () => {
    let error: unknown;
    try {
      unflattenMetadata([
        { key: "age", value: "x", line: 3 },
        { key: "age__list_0__map_enc", value: "y", line: 4 },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SealboxError);
    expect((error as SealboxError).code).toBe("CouldNotReadInputFile");
    expect((error as SealboxError).message).toContain("age__list_0__map_enc");
    expect((error as SealboxError).line).toBe(4);
    expect(() => unflattenMetadata([{ key: "age__list_99999999__map_enc", value: "x" }])).toThrow(SealboxError);
  });

  it("round-trips any metadata-shaped branch of strings", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
    const text = fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !s.includes("\\n"));
    const leaf = fc.oneof(text, fc.array(fc.dictionary(name, text, { minKeys: 1, maxKeys: 3 }), { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(fc.dictionary(name, leaf, { minKeys: 1, maxKeys: 5 }), (raw) => {
        const toValue = (v: unknown): Value =>
          typeof v === "string" ? v : Array.isArray(v) ? v.map(toValue) : sorted(v as Record<string, unknown>);
        const sorted = (o: Record<string, unknown>): Branch => b(Object.fromEntries(Object.keys(o).sort().map((k) => [k, toValue(o[k])])));
        const branch = sorted(raw);
        const flat = flattenMetadata(branch);
        expect(unflattenMetadata(flat.map(([key, value]) => ({ key, value })))).toEqual(branch);
      }),
    );
  });
});

describe("metadata through the flat stores", () => {
  // The real metadata writer and reader around our codecs: two key groups, a threshold, a KMS
  // context with a ':' in its key and mac_only_encrypted, written as dotenv and as INI.
  it.each([
    ["dotenv", "A=1\n# note\nB=two\\nlines\n"],
    ["ini", "[s]\nA = 1\n; note\nB = x\n"],
  ] as const)("a %s file sealbox encrypts reads back with the same metadata and values", async (format, plain) => {
    const { codecFor } = await import("../../src/formats/index.js");
    const { encryptWithKey, emitEncrypted, loadEncrypted, decryptWithKey } = await import("../../src/sops/sops-file.js");
    const codec = await codecFor(format);
    const age = { type: "age" as const, recipient: "age1example", enc: "-----BEGIN AGE ENCRYPTED FILE-----\nAAAA\n-----END AGE ENCRYPTED FILE-----\n" };
    const kms = { type: "kms" as const, arn: "arn:aws:kms:eu-west-1:111122223333:key/k", created_at: "2026-11-23T04:28:16Z", enc: "QUJD", aws_profile: "", context: { "app:tier": "web", Env: "prod" } };
    const metadata = {
      keyGroups: [[age], [kms]],
      shamirThreshold: 2,
      lastModified: "",
      mac: "",
      selectors: { unencryptedSuffix: "_unencrypted", macOnlyEncrypted: true },
      version: "3.13.2",
    };
    const dataKey = new Uint8Array(32).fill(7);
    const docs = codec.parsePlain(Buffer.from(plain), `x.${format}`);
    const encrypted = encryptWithKey(docs, metadata, dataKey);
    const bytes = emitEncrypted(codec, encrypted);
    const loaded = loadEncrypted(codec, bytes, `x.${format}`);
    expect(loaded.metadata).toEqual(encrypted.metadata);
    expect(Buffer.from(emitEncrypted(codec, loaded)).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(codec.emitPlain(decryptWithKey(loaded, dataKey, false))).toString()).toBe(Buffer.from(codec.emitPlain(docs)).toString());
  });
});
