// The library as a user imports it: the built package entry, round-tripping a value on both routes
// with real keys from the interop fixtures, and errors as typed SealboxErrors.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as sealbox from "../../dist/index.js";
import { decrypt, encrypt, loadCertificate, loadPrivateKeys, parseManifests, asSealedSecret, seal, unseal, SealboxError } from "../../dist/index.js";

const ROOT = join(import.meta.dirname, "../..");
const KEYS = join(ROOT, "fixtures/interop/sops/keys.txt");
const CERT = join(ROOT, "fixtures/interop/sealed/cert.pem");
const PRIVATE_KEY = join(ROOT, "fixtures/interop/sealed/key.pem");
const recipient = execFileSync("age-keygen", ["-y", KEYS], { encoding: "utf8" }).trim().split("\n")[0]!;

describe("the library API", () => {
  it("encrypts and decrypts a SOPS document", async () => {
    const plain = Buffer.from("db:\n    user: app\n    password: hunter2\n");
    const encrypted = await encrypt(plain, { filename: "app.yaml", age: [recipient], env: {} });
    expect(Buffer.from(encrypted).toString()).not.toContain("hunter2");
    expect(Buffer.from(encrypted).toString()).toContain(recipient);
    const decrypted = await decrypt(encrypted, { filename: "app.yaml", env: { SOPS_AGE_KEY_FILE: KEYS } });
    expect(Buffer.from(decrypted).toString()).toBe(plain.toString());
    const one = await decrypt(encrypted, { filename: "app.yaml", env: { SOPS_AGE_KEY_FILE: KEYS }, extract: '["db"]["password"]' });
    expect(Buffer.from(one).toString()).toBe("hunter2");
  });

  it("refuses a wrong-typed selector instead of matching nothing and leaving every value in clear", async () => {
    const plain = Buffer.from("data:\n  password: hunter2\n");
    const wrong: [object, string][] = [
      [{ encryptedSuffix: {} }, "selectors.encryptedSuffix must be a string, got an object (Object)"],
      [{ encryptedRegex: 5 }, "selectors.encryptedRegex must be a string, got number"],
      [{ macOnlyEncrypted: "yes" }, "selectors.macOnlyEncrypted must be a boolean, got string"],
    ];
    for (const [selectors, message] of wrong) {
      await expect(encrypt(plain, { filename: "a.yaml", age: [recipient], env: {}, selectors: selectors as never })).rejects.toThrow(new TypeError(message));
    }
    const chosen = Buffer.from(await encrypt(plain, { filename: "a.yaml", age: [recipient], env: {}, selectors: { encryptedRegex: "^pass" } })).toString();
    expect(chosen).not.toContain("hunter2");
  });

  it("refuses wrong-typed input and options at the door with a TypeError naming them, never the value", async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => encrypt(undefined as never), "encrypt(): input must be bytes (a Uint8Array or Buffer), got undefined"],
      [() => decrypt("db: x" as never), "decrypt(): input must be bytes (a Uint8Array or Buffer), got string"],
      [() => sealbox.fileStatus(Buffer.from("a: b"), null as never), "fileStatus(): options must be an object, got null"],
      [() => sealbox.openEncrypted(Buffer.from("a: b"), { filename: 5 as never }), "openEncrypted(): options.filename must be a string, got number"],
      [() => encrypt(Buffer.from("a: b"), { age: recipient as never }), "encrypt(): options.age must be an array of recipient strings, got string"],
      [() => encrypt(Buffer.from("a: b"), { kms: {} as never }), "encrypt(): options.kms must be an array, got an object (Object)"],
    ];
    for (const [call, message] of cases) await expect(call()).rejects.toThrow(new TypeError(message));
  });

  it("lays YAML and JSON out as the rules file's stores: say, or as options.indent says", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbox-api-"));
    const configPath = join(dir, "rules.yaml");
    writeFileSync(configPath, "stores:\n  yaml:\n    indent: 2\n");
    const plain = Buffer.from("db:\n    user: app\n");
    const encrypted = Buffer.from(await encrypt(plain, { filename: "app.yaml", age: [recipient], env: {}, configPath })).toString();
    expect(encrypted).toMatch(/^db:\n  user: ENC\[/);
    const keys = { SOPS_AGE_KEY_FILE: KEYS };
    expect(Buffer.from(await decrypt(Buffer.from(encrypted), { filename: "app.yaml", env: keys, configPath })).toString()).toBe("db:\n  user: app\n");
    expect(Buffer.from(await decrypt(Buffer.from(encrypted), { filename: "app.yaml", env: keys, configPath, indent: 3 })).toString()).toBe("db:\n   user: app\n");
    const json = await decrypt(Buffer.from(encrypted), { filename: "app.yaml", outputType: "json", env: keys, configPath, indent: 0 });
    expect(Buffer.from(json).toString()).toBe('{\n"db": {\n"user": "app"\n}\n}\n');
    // what the CLI refuses as not a whole number, the library refuses too, for every format
    for (const indent of [2.5, Number.NaN, Infinity, "2" as unknown as number, 2 ** 60]) {
      for (const outputType of ["yaml", "json", "dotenv"] as const) {
        const error = await decrypt(Buffer.from(encrypted), { filename: "app.yaml", outputType, env: keys, configPath, indent }).catch((e: unknown) => e);
        expect(error, `${String(indent)} ${outputType}`).toBeInstanceOf(SealboxError);
        expect((error as SealboxError).code).toBe("ErrorDumpingTree");
      }
    }
  });

  it("fails with a typed error, never the plaintext, when no key can open the file", async () => {
    const encrypted = await encrypt(Buffer.from("token: s3cr3t-value\n"), { filename: "t.yaml", age: [recipient], env: {} });
    const error = await decrypt(encrypted, { filename: "t.yaml", env: { HOME: "/nonexistent" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SealboxError);
    expect((error as SealboxError).code).toBe("CouldNotRetrieveKey");
    expect((error as SealboxError).exitStatus).toBe(128);
    expect((error as SealboxError).describe()).not.toContain("s3cr3t-value");
  });

  it("seals a Secret and unseals it again with the controller's private key", async () => {
    const cert = await loadCertificate(CERT);
    const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2\n";
    const sealedText = seal(secret, "secret.yaml", { publicKey: cert.publicKey, format: "yaml" });
    expect(sealedText).toContain("kind: SealedSecret");
    expect(sealedText).not.toContain("hunter2");
    const doc = parseManifests(sealedText, "sealed.yaml").docs[0]!;
    const keys = (await loadPrivateKeys([PRIVATE_KEY])).map((k) => k.key);
    const opened = unseal(asSealedSecret(doc.value, "sealed.yaml"), keys);
    expect(Buffer.from(opened.data!.password!, "base64").toString()).toBe("hunter2");
  });

  it("refuses wrong-typed sealing and unsealing arguments at the call, naming them", async () => {
    const cert = await loadCertificate(CERT);
    const keys = (await loadPrivateKeys([PRIVATE_KEY])).map((k) => k.key);
    const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2\n";
    const sealedDoc = asSealedSecret(parseManifests(seal(secret, "s.yaml", { publicKey: cert.publicKey, format: "yaml" }), "sealed.yaml").docs[0]!.value, "sealed.yaml");
    const cases: [() => unknown, string][] = [
      [() => seal(5 as never, "s.yaml", { publicKey: cert.publicKey, format: "yaml" }), "seal(): text must be a string (the manifest file's text), got number"],
      [() => seal(secret, "s.yaml", undefined as never), "seal(): options must be an object, got undefined"],
      [() => seal(secret, "s.yaml", { publicKey: "-----BEGIN CERTIFICATE-----" as never, format: "yaml" }), "seal(): options.publicKey must be a KeyObject (loadCertificate(…).publicKey), got string"],
      [() => seal(secret, "s.yaml", { publicKey: cert.publicKey, format: "xml" as never }), 'seal(): options.format must be one of "yaml", "json", got "xml"'],
      [() => seal(secret, "s.yaml", { publicKey: cert.publicKey, format: "yaml", scope: "bogus" as never }), 'seal(): options.scope must be one of "strict", "namespace-wide", "cluster-wide", got "bogus"'],
      [() => sealbox.sealRaw(Buffer.from("v"), { publicKey: cert.publicKey } as never), 'sealRaw(): options.scope must be one of "strict", "namespace-wide", "cluster-wide", got undefined'],
      [() => sealbox.sealValue(cert.publicKey, "v" as never, Buffer.from("l")), "sealValue(): plaintext must be bytes, got string"],
      [() => unseal(sealedDoc, "key.pem" as never), "unseal(): keys must be an array of private KeyObjects (loadPrivateKeys(…)), got string"],
      [() => unseal(undefined as never, keys), "unseal(): sealed must be a SealedSecret (asSealedSecret(…)), got undefined"],
    ];
    for (const [call, message] of cases) expect(call).toThrow(new TypeError(message));
    // the raw path's scope and keys still work as before
    expect(sealbox.sealRaw(Buffer.from("v"), { publicKey: cert.publicKey, scope: "cluster-wide" })).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(unseal(sealedDoc, keys).data!.password!, "base64").toString()).toBe("hunter2");
  });

  it("exports the very functions the CLI calls, under the package's own name too", async () => {
    const ops = await import("../../dist/ops/sops-ops.js");
    const sealed = await import("../../dist/sealed/seal.js");
    const unsealed = await import("../../dist/sealed/unseal.js");
    expect(sealbox.encrypt).toBe(ops.encrypt);
    expect(sealbox.decrypt).toBe(ops.decrypt);
    expect(sealbox.seal).toBe(sealed.sealManifests);
    expect(sealbox.unseal).toBe(unsealed.unsealSecret);
    // package.json "exports" makes `import … from "sealbox"` resolve to the same entry
    const byName = execFileSync(process.execPath, ["--input-type=module", "-e", 'import * as s from "sealbox"; console.log(typeof s.encrypt, typeof s.seal, s.VERSION)'], { cwd: ROOT, encoding: "utf8" });
    expect(byName.trim()).toBe(`function function ${sealbox.VERSION}`);
  });
});

describe("the library API over a repository", () => {
  it("audits a directory (finding a plaintext Secret) and rotates its encrypted files", async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "sealbox-api-repo-"));
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: .*\\.yaml$\n    age: ${recipient}\n`);
    writeFileSync(join(dir, "leak.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  password: hunter2\n");
    writeFileSync(join(dir, "app.yaml"), await encrypt(Buffer.from("k: v\n"), { filename: join(dir, "app.yaml"), age: [recipient], env: {} }));
    const report = await sealbox.audit({ paths: ["."], cwd: dir, env: {} });
    expect(sealbox.reachesThreshold(report, "error")).toBeTruthy();
    expect(sealbox.formatReport(report, "json")).not.toContain("hunter2");
    const before = readFileSync(join(dir, "app.yaml"), "utf8");
    await sealbox.rotatePaths({ paths: ["app.yaml"], cwd: dir, env: { SOPS_AGE_KEY_FILE: KEYS } });
    const after = readFileSync(join(dir, "app.yaml"), "utf8");
    expect(after).not.toBe(before);
    expect(Buffer.from(await decrypt(Buffer.from(after), { filename: "app.yaml", env: { SOPS_AGE_KEY_FILE: KEYS } })).toString()).toBe("k: v\n");
  });
});
