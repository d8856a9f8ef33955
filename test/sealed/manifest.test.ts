// kubeseal's output rules that the reference vectors do not exercise: Go's JSON escaping, go-yaml's
// list style, kept and dropped template fields, and the input checks.
import { createPublicKey, createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { emitJsonAsGoYamlV2 } from "../../src/formats/yaml-emit.js";
import { formatManifest, goYaml, parseManifests, readSecrets, type SealedSecretManifest } from "../../src/sealed/manifest.js";
import { sealManifests, sealSecret } from "../../src/sealed/seal.js";
import { unsealManifests, unsealSecret } from "../../src/sealed/unseal.js";
import { SealboxError } from "../../src/errors.js";
import { KEY } from "./helpers.js";

const privateKey = createPrivateKey(readFileSync(KEY));
const publicKey = createPublicKey(privateKey);

function secretFrom(yaml: string) {
  return readSecrets(yaml, "test.yaml")[0];
}

describe("kubeseal's layout details", () => {
  const input = secretFrom(`apiVersion: v1
kind: Secret
metadata:
  name: s
  namespace: "n"
  generateName: s-
  finalizers: [example.com/keep]
  annotations:
    note: "a<b> & c"
    z-last: "1"
    a-first: "yes"
  ownerReferences: [{apiVersion: v1, kind: Pod, name: p, uid: u}]
  managedFields: [{manager: kubectl}]
  generation: 3
immutable: false
type: Opaque
stringData:
  k10: a
  k9: b
  K: c
  _under: d
`);
  const sealed = sealSecret(input, { publicKey });

  it("writes JSON in Go struct order with Go's HTML-safe escaping", () => {
    const json = formatManifest(sealed, "json");
    expect(json).toContain('"note": "a\\u003cb\\u003e \\u0026 c"');
    const template = JSON.parse(json).spec.template;
    expect(Object.keys(template)).toEqual(["metadata", "type", "immutable"]);
    expect(template.immutable).toBe(false); // a *bool false is not omitted
    expect(Object.keys(template.metadata)).toEqual(["name", "generateName", "namespace", "annotations", "finalizers"]);
    expect(Object.keys(JSON.parse(json).spec.encryptedData)).toEqual(["K", "_under", "k10", "k9"]);
  });

  it("writes YAML with go-yaml's natural key order, unindented lists and YAML 1.1 quoting", () => {
    const yaml = formatManifest(sealed, "yaml");
    expect(yaml.startsWith("---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n")).toBe(true);
    expect(yaml).toMatch(/encryptedData:\n {4}_under: \S+\n {4}K: \S+\n {4}k9: \S+\n {4}k10: \S+\n/);
    expect(yaml).toContain("      finalizers:\n      - example.com/keep\n");
    expect(yaml).toContain('        a-first: "yes"\n');
    expect(yaml).not.toMatch(/ownerReferences|managedFields|generation/);
  });

  it("writes plain maps directly exactly as the go-yaml v2 emitter writes them", () => {
    // (the emitter itself is checked against go-yaml: test/sealed/sigs-yaml.test.ts)
    // YAML 1.1 words and numbers, indicators, spaces and colons next to strings that stay plain
    const tricky = fc.constantFrom("yes", "N", "Off", "null", "~", "0x1F", "0777", "1:20", "1_000", "1e3", "2001-12-14", ".inf", "-a", "a: b", "a#b", "---", "<<", "=", "é", "AgA+/=");
    const text = fc.oneof(tricky, fc.string({ maxLength: 6 }), fc.stringMatching(/^[\w./+=:-]{1,10}$/));
    const key = fc.oneof(text, fc.constant("__proto__"));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: "small" }, text, text, fc.boolean(), fc.integer(), fc.constant(null), fc.array(fc.oneof(text, tie("tree")), { maxLength: 3 }), fc.dictionary(key, tie("tree"), { maxKeys: 4 })),
    }));
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 5 }), (value) => {
        expect(goYaml(value)).toBe(emitJsonAsGoYamlV2(value));
      }),
      { numRuns: process.env.SLOW ? 100_000 : 3_000 },
    );
  });

  it("keeps a key named __proto__ through sealing and unsealing (plain assignment would drop it)", () => {
    const text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: a\ndata:\n  __proto__: YQ==\n  b: Yg==\n";
    const out = sealManifests(text, "in.yaml", { publicKey, format: "yaml" });
    expect(out).toMatch(/\n {4}__proto__: Ag/);
    const [doc] = parseManifests(out, "out.yaml").docs;
    const secret = unsealSecret(doc.value as SealedSecretManifest, [privateKey]);
    expect(Object.keys(secret.data!)).toEqual(["__proto__", "b"]);
    expect(Object.getOwnPropertyDescriptor(secret.data, "__proto__")?.value).toBe("YQ==");
  });

  it("round-trips through unseal to the same values and metadata", () => {
    const secret = unsealSecret(sealed, [privateKey]);
    expect(secret.data).toEqual({ k10: "YQ==", k9: "Yg==", K: "Yw==", _under: "ZA==" });
    expect(secret.metadata.finalizers).toEqual(["example.com/keep"]);
    expect(secret.immutable).toBe(false);
  });
});

describe("input checks", () => {
  const base = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: a\n";

  it("unseals every SealedSecret of a file, all or none, and refuses one in another namespace than the option says", () => {
    const two = sealManifests(`${base}stringData:\n  k: v1\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: t\nstringData:\n  k: v2\n`, "in.yaml", { publicKey, format: "yaml", namespace: "a" });
    const opened = YAML.parseAllDocuments(unsealManifests(two, "in.yaml", [privateKey], { format: "yaml", namespace: "a" })).map((d) => d.toJS());
    expect(opened.map((s) => [s.metadata.name, s.metadata.namespace, Buffer.from(s.data.k, "base64").toString()])).toEqual([
      ["s", "a", "v1"],
      ["t", "a", "v2"],
    ]);
    expect(() => unsealManifests(two, "in.yaml", [privateKey], { format: "json", namespace: "b" })).toThrow(/differs from --namespace "b"/);
    expect(() => unsealManifests("", "in.yaml", [privateKey], { format: "yaml" })).toThrow("no SealedSecret in this file");
  });

  it("refuses a namespace or name that clashes with the flags", () => {
    expect(() => sealSecret(secretFrom(base + "stringData: {k: v}\n"), { publicKey, namespace: "b" })).toThrow(/namespace "a" differs from --namespace "b"/);
    expect(() => sealSecret(secretFrom(base + "stringData: {k: v}\n"), { publicKey, name: "t" })).toThrow(/name "s" differs/);
  });

  it("refuses --name for an input of several Secrets, which it would seal all under one name", () => {
    const unnamed = "apiVersion: v1\nkind: Secret\nmetadata:\n  namespace: a\nstringData: {k: v}\n";
    expect(JSON.parse(sealManifests(unnamed, "one.yaml", { publicKey, name: "db", format: "json" })).metadata.name).toBe("db");
    for (const text of [`${unnamed}---\n${unnamed}`, JSON.stringify({ apiVersion: "v1", kind: "List", items: [secretFrom(unnamed), secretFrom(unnamed)] })]) {
      try {
        sealManifests(text, "two.yaml", { publicKey, name: "db", format: "json" });
        expect.unreachable();
      } catch (error) {
        expect((error as SealboxError).message).toBe("--name names one Secret, and the input holds more: name each in its metadata.name");
        expect((error as SealboxError).exitStatus).toBe(8);
      }
    }
  });

  it("refuses empty data unless allowed, then writes an empty encryptedData", () => {
    expect(() => sealSecret(secretFrom(base), { publicKey })).toThrow(/--allow-empty-data/);
    const json = formatManifest(sealSecret(secretFrom(base), { publicKey, allowEmptyData: true }), "json");
    expect(JSON.parse(json).spec.encryptedData).toEqual({});
  });

  it("reads data whose base64 is wrapped over lines, as Go's decoder (kubectl, kubeseal) does", () => {
    const wrapped = Buffer.from("x".repeat(100)).toString("base64").replace(/(.{76})/, "$1\n");
    const block = secretFrom(base + `data:\n  crt: |\n    ${wrapped.replace("\n", "\n    ")}\n`);
    expect(block.data).toEqual({ crt: wrapped.replace("\n", "") });
    const json = readSecrets(JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "a" }, data: { crt: wrapped.replace("\n", "\r\n") } }), "in.json")[0];
    const unsealed = unsealSecret(sealSecret(json, { publicKey }), [privateKey]);
    expect(Buffer.from(unsealed.data!.crt, "base64").toString()).toBe("x".repeat(100));
    // a line break is all that is skipped: a space is still not base64
    expect(() => secretFrom(base + "data:\n  crt: eHh4 eHh4\n")).toThrow(/data\.crt is not valid base64/);
  });

  it("refuses non-base64 data and non-string stringData, naming the key", () => {
    expect(() => secretFrom(base + "data:\n  token: not base64!\n")).toThrow(/data\.token is not valid base64/);
    expect(() => secretFrom(base + "stringData:\n  port: 5432\n")).toThrow(/stringData\.port must be a string/);
  });

  it("refuses metadata, type and immutable that Kubernetes would not take, rather than copying or dropping them", () => {
    const secret = (fields: string) => `apiVersion: v1\nkind: Secret\n${fields}stringData: {k: v}\n`;
    const refused: [string, RegExp][] = [
      // copied as they were, these made a SealedSecret whose template the controller cannot decode
      ["metadata: {name: s, namespace: a, labels: {enabled: true}}\n", /^metadata\.labels\.enabled must be a string \(quote it\)$/],
      ["metadata: {name: s, namespace: a, annotations: {replicas: 3}}\n", /^metadata\.annotations\.replicas must be a string/],
      ["metadata: {name: s, namespace: a, labels: [x]}\n", /^metadata\.labels must be a mapping of names to strings$/],
      ["metadata: {name: s, namespace: a, finalizers: example.com/keep}\n", /^metadata\.finalizers must be a list of strings$/],
      ["metadata: s\n", /^metadata must be a mapping$/],
      // dropped silently, these lost the Secret's type or its immutability (`immutable: yes` is true, as kubeseal reads YAML 1.1)
      ["metadata: {name: s, namespace: a}\ntype: 5\n", /^type must be a string/],
      ["metadata: {name: s, namespace: a}\nimmutable: \"true\"\n", /^immutable must be true or false$/],
    ];
    for (const [fields, message] of refused) {
      let error: unknown;
      try {
        readSecrets(secret(fields), "in.yaml");
      } catch (e) {
        error = e;
      }
      expect(error, fields).toBeInstanceOf(SealboxError);
      expect((error as SealboxError).message, fields).toMatch(message);
      expect((error as SealboxError).exitStatus).toBe(2);
    }
    // the refusal names the field's own line, found once there is an error to show
    const lines = (text: string): number | undefined => {
      try {
        readSecrets(text, "in.yaml");
      } catch (e) {
        return (e as SealboxError).line;
      }
      return undefined;
    };
    expect(lines("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: a\nstringData:\n  k: v\n  p: 5\n")).toBe(8);
    expect(lines("kind: List\nitems:\n- kind: Secret\n  metadata: {name: s, namespace: a}\n  type: 5\n")).toBe(5);
    const fine = secretFrom(secret("metadata: {name: s, namespace: a, labels: {enabled: \"true\"}, annotations: null, finalizers: [a/b]}\ntype: Opaque\nimmutable: true\n"));
    expect(fine.metadata.labels).toEqual({ enabled: "true" });
    expect(fine.immutable).toBe(true);
    expect(sealSecret(fine, { publicKey }).spec.template).toMatchObject({ type: "Opaque", immutable: true, metadata: { finalizers: ["a/b"] } });
  });

  it("refuses a SOPS-encrypted Secret: sealing it would hand the cluster the ENC[…] texts", () => {
    const encrypted = base + "stringData:\n  password: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]\nsops:\n  mac: ENC[…]\n  version: 3.9.0\n";
    expect(() => secretFrom(encrypted)).toThrow(/this Secret is SOPS-encrypted \(it has a sops block\): decrypt it first/);
    // sops encrypts `kind` too, unless a rule leaves it in clear
    expect(() => secretFrom(encrypted.replace("kind: Secret", "kind: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]"))).toThrow(/SOPS-encrypted/);
    // a field merely named so is no sops block
    expect(secretFrom(base + "stringData:\n  sops: x\n").stringData).toEqual({ sops: "x" });
  });

  it("refuses what is not a Secret, with the line of the document", () => {
    try {
      readSecrets(base + "stringData: {k: v}\n---\nkind: ConfigMap\n", "in.yaml");
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe("expected a Secret, found ConfigMap");
      expect((error as { line?: number }).line).toBe(7);
    }
  });
});
