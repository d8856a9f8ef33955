// Offline re-encryption to a new certificate and scope changes: the old key stops working, the new
// one works, and everything else in the files stays as it was.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { sealbox } from "../helpers/cli.js";
import { CERT, KEY, VECTORS, makeKeyPair, maskSealed, opensslOpen, tempDir, type KeyPair } from "./helpers.js";

let fresh: KeyPair;
let keysDir: string;
beforeAll(() => {
  keysDir = tempDir();
  fresh = makeKeyPair(keysDir, "new");
});

describe("reencrypt", () => {
  it("re-seals to the new certificate: the old key fails, the new key works, the template is kept", async () => {
    const file = join(VECTORS, "dockerconfigjson.sealed.yaml");
    const result = await sealbox(["reencrypt", file, "--cert", fresh.cert, "--private-key", KEY]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(maskSealed(result.stdout)).toBe(maskSealed(readFileSync(file, "utf8")));
    const dir = tempDir();
    const out = join(dir, "re.yaml");
    writeFileSync(out, result.stdout);
    const old = await sealbox(["unseal", out, "--private-key", KEY]);
    expect(old.status).toBe(70);
    expect(old.stdout).toBe("");
    const now = await sealbox(["unseal", out, "--private-key", fresh.key, "--format", "json"]);
    expect(now.status).toBe(0);
    const secret = JSON.parse(now.stdout);
    expect(secret.metadata.labels).toEqual({ "app.kubernetes.io/name": "builder", tier: "backend" });
    expect(secret.metadata.annotations).toEqual({ owner: "platform-team" });
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    const value = YAML.parse(result.stdout).spec.encryptedData[".dockerconfigjson"];
    expect(opensslOpen(value, "ci/regcred", fresh.key).toString("base64")).toBe(secret.data[".dockerconfigjson"]);
  });

  it("rewrites a whole directory in place, YAML and JSON, and leaves other manifests alone", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "apps/team-a"), { recursive: true });
    copyFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), join(dir, "db.yaml"));
    copyFileSync(join(VECTORS, "namespace-wide.sealed.json"), join(dir, "apps/team-a/shared.json"));
    copyFileSync(join(VECTORS, "cluster-wide.sealed.yaml"), join(dir, "apps/global.yml"));
    const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: b\n";
    writeFileSync(join(dir, "apps/configmap.yaml"), configMap);
    writeFileSync(join(dir, "apps/notes.yaml"), "{ not: [valid yaml\n");
    const result = await sealbox(["reencrypt", "-i", dir, "--cert", fresh.cert, "--private-key", KEY]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr.match(/re-encrypted 1 SealedSecret in/g)).toHaveLength(3);
    expect(readFileSync(join(dir, "apps/configmap.yaml"), "utf8")).toBe(configMap);
    const json = readFileSync(join(dir, "apps/team-a/shared.json"), "utf8");
    expect(maskSealed(json)).toBe(maskSealed(readFileSync(join(VECTORS, "namespace-wide.sealed.json"), "utf8")));
    expect(opensslOpen(JSON.parse(json).spec.encryptedData["api-key"], "team-a", fresh.key).toString()).toBe("ns-wide-value-42");
    for (const f of ["db.yaml", "apps/global.yml"]) {
      expect((await sealbox(["unseal", join(dir, f), "--private-key", KEY])).status).toBe(70);
      expect((await sealbox(["unseal", join(dir, f), "--private-key", fresh.key])).status).toBe(0);
    }
  });

  it("writes nothing at all when one file cannot be opened", async () => {
    const dir = tempDir();
    copyFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), join(dir, "a.yaml"));
    copyFileSync(join(VECTORS, "data-strict.sealed.yaml"), join(dir, "b.yaml"));
    const damaged = YAML.parse(readFileSync(join(VECTORS, "data-strict.sealed.yaml"), "utf8"));
    damaged.metadata.name = "renamed";
    writeFileSync(join(dir, "c.yaml"), YAML.stringify(damaged));
    const result = await sealbox(["reencrypt", "-i", dir, "--cert", fresh.cert, "--private-key", KEY]);
    expect(result.status).toBe(70);
    expect(result.stderr).toContain("c.yaml");
    expect(readFileSync(join(dir, "a.yaml"), "utf8")).toBe(readFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), "utf8"));
    expect(readFileSync(join(dir, "b.yaml"), "utf8")).toBe(readFileSync(join(VECTORS, "data-strict.sealed.yaml"), "utf8"));
  });

  it("needs -i for several files", async () => {
    const result = await sealbox(["reencrypt", join(VECTORS, "data-strict.sealed.yaml"), join(VECTORS, "cluster-wide.sealed.yaml"), "--cert", fresh.cert, "--private-key", KEY]);
    expect(result.status).toBe(8);
    expect(result.stdout).toBe("");
  });
});

describe("scope", () => {
  it("widens strict to namespace-wide, says so plainly, and updates both annotations", async () => {
    const result = await sealbox(["scope", join(VECTORS, "stringdata-strict.sealed.yaml"), "--to", "namespace-wide", "--private-key", KEY]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("widening prod/db-credentials from strict to namespace-wide");
    expect(result.stderr).toContain('under ANY name in namespace "prod"');
    const doc = YAML.parse(result.stdout);
    expect(doc.metadata.annotations).toEqual({ "sealedsecrets.bitnami.com/namespace-wide": "true" });
    expect(doc.spec.template.metadata.annotations).toEqual({ "sealedsecrets.bitnami.com/namespace-wide": "true" });
    expect(opensslOpen(doc.spec.encryptedData.password, "prod").toString()).toBe("s3cr3t-P@ss word!");
    // …so it now opens under another name in the same namespace, as the controller would allow.
    doc.metadata.name = "another-name";
    const dir = tempDir();
    writeFileSync(join(dir, "moved.yaml"), YAML.stringify(doc));
    expect((await sealbox(["unseal", join(dir, "moved.yaml"), "--private-key", KEY])).status).toBe(0);
  });

  it("narrows cluster-wide to strict in place without a warning, and removes the annotations", async () => {
    const dir = tempDir();
    const file = join(dir, "s.json");
    copyFileSync(join(VECTORS, "cluster-wide.sealed.json"), file);
    const result = await sealbox(["scope", file, "--to", "strict", "--private-key", KEY, "-i"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc.metadata.annotations).toBeUndefined();
    expect(doc.spec.template.metadata.annotations).toBeUndefined();
    expect(maskSealed(readFileSync(file, "utf8"))).toBe(maskSealed(readFileSync(join(VECTORS, "cluster-wide.sealed.json"), "utf8")).replace(/,\n\s+"annotations": \{\n[^}]+\}/g, ""));
    expect(opensslOpen(doc.spec.encryptedData["api-key"], "default/global-key").toString()).toBe("cluster-wide-value-7");
  });

  it("widens to cluster-wide from the plaintext Secret with --from-secret and --cert", async () => {
    const result = await sealbox(["scope", join(VECTORS, "data-strict.sealed.yaml"), "--to", "cluster-wide", "--from-secret", join(VECTORS, "data-strict.secret.yaml"), "--cert", CERT]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("ANY namespace");
    const doc = YAML.parse(result.stdout);
    expect(opensslOpen(doc.spec.encryptedData.token, "").toString()).toBe("tok-1234567890");
  });

  it("refuses to narrow a SealedSecret without a namespace: sealed under an empty namespace, it would open nowhere", async () => {
    const dir = tempDir();
    const file = join(dir, "global.yaml");
    // cluster-wide SealedSecrets may go without a namespace (kubectl apply -n places them)
    const doc = YAML.parse(readFileSync(join(VECTORS, "cluster-wide.sealed.yaml"), "utf8"));
    delete doc.metadata.namespace;
    delete doc.spec.template.metadata.namespace;
    writeFileSync(file, YAML.stringify(doc));
    for (const to of ["namespace-wide", "strict"]) {
      const result = await sealbox(["scope", file, "--to", to, "--private-key", KEY, "-i"]);
      expect(result.status).toBe(8);
      expect(result.stderr).toContain(`global.yaml:1: SealedSecret global-key has no metadata.namespace, which a ${to} label needs`);
    }
    expect(YAML.parse(readFileSync(file, "utf8"))).toEqual(doc);
  });

  it("refuses a template whose annotations are no mapping, naming the file, and leaves it as it was", async () => {
    const file = join(tempDir(), "odd.yaml");
    const doc = YAML.parse(readFileSync(join(VECTORS, "annotated-namespace-wide.sealed.yaml"), "utf8"));
    doc.spec.template.metadata.annotations = "x";
    writeFileSync(file, YAML.stringify(doc));
    const before = readFileSync(file, "utf8");
    const result = await sealbox(["scope", file, "--to", "cluster-wide", "--private-key", KEY, "-i"]);
    // was: exit 1 and the yaml library's "Expected YAML collection at annotations", naming no file
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`sealbox: ${file}:1: spec.template.metadata.annotations must be a mapping\n`);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("refuses without a way to open the values", async () => {
    const result = await sealbox(["scope", join(VECTORS, "data-strict.sealed.yaml"), "--to", "cluster-wide"]);
    expect(result.status).toBe(8);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("--private-key");
  });
});
