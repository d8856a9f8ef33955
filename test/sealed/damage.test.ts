// Damaged or moved SealedSecrets are refused as the controller refuses them: exit 70, nothing on
// stdout, the failing keys named, no value shown. And backed-up keys are read in every form.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { sealbox } from "../helpers/cli.js";
import { KEY, VECTORS, makeKeyPair, tempDir, type KeyPair } from "./helpers.js";

const reference = readFileSync(join(VECTORS, "stringdata-strict.sealed.yaml"), "utf8");
const PLAINTEXTS = ["s3cr3t-P@ss word!", "admin", "czNjcjN0LVBAc3Mgd29yZCE=", "YWRtaW4="];

function edit(change: (doc: { metadata: Record<string, any>; spec: { encryptedData: Record<string, string> } }) => void): string {
  const doc = YAML.parse(reference);
  change(doc);
  return YAML.stringify(doc);
}

function mangle(value: string, f: (bytes: Buffer) => Buffer): string {
  return f(Buffer.from(value, "base64")).toString("base64");
}

function flip(at: (b: Buffer) => number) {
  return (b: Buffer) => {
    const c = Buffer.from(b);
    c[at(c)] ^= 0x01;
    return c;
  };
}

let dir: string;
let other: KeyPair;
beforeAll(() => {
  dir = tempDir();
  other = makeKeyPair(dir, "other");
});

const cases: [string, () => string, string[]][] = [
  ["renamed (label mismatch)", () => edit((d) => (d.metadata.name = "db-credentials-2")), ["password", "username"]],
  ["moved to another namespace", () => edit((d) => (d.metadata.namespace = "staging")), ["password", "username"]],
  ["scope widened by editing the annotation", () => edit((d) => (d.metadata.annotations = { "sealedsecrets.bitnami.com/cluster-wide": "true" })), ["password", "username"]],
  ["a flipped byte in the RSA block", () => edit((d) => (d.spec.encryptedData.password = mangle(d.spec.encryptedData.password, flip(() => 100)))), ["password"]],
  ["a flipped byte in the AES-GCM body", () => edit((d) => (d.spec.encryptedData.username = mangle(d.spec.encryptedData.username, flip((b) => b.length - 20)))), ["username"]],
  ["a flipped GCM tag byte", () => edit((d) => (d.spec.encryptedData.username = mangle(d.spec.encryptedData.username, flip((b) => b.length - 1)))), ["username"]],
  ["a truncated value", () => edit((d) => (d.spec.encryptedData.password = mangle(d.spec.encryptedData.password, (b) => b.subarray(0, b.length - 7)))), ["password"]],
  ["a value cut to its length prefix", () => edit((d) => (d.spec.encryptedData.password = mangle(d.spec.encryptedData.password, (b) => b.subarray(0, 40)))), ["password"]],
  ["bad base64", () => edit((d) => (d.spec.encryptedData.password = "!!not-base64!!")), ["password"]],
];

describe("refusing damaged or moved SealedSecrets", () => {
  it.each(cases)("%s: exit 70, nothing on stdout, names the failing keys only", async (_name, make, failing) => {
    const file = join(dir, "damaged.yaml");
    writeFileSync(file, make());
    const result = await sealbox(["unseal", file, "--private-key", KEY]);
    expect(result.status).toBe(70);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/cannot unseal SealedSecret/);
    for (const key of ["password", "username"]) {
      if (failing.includes(key)) expect(result.stderr).toMatch(new RegExp(`^\\s+${key}: `, "m"));
      else expect(result.stderr).not.toMatch(new RegExp(`^\\s+${key}: `, "m"));
    }
    for (const plain of PLAINTEXTS) expect(result.stderr).not.toContain(plain);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("refuses another controller's key", async () => {
    const result = await sealbox(["unseal", join(VECTORS, "data-strict.sealed.json"), "--private-key", other.key]);
    expect(result.status).toBe(70);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("prod/api-token");
    expect(result.stderr).toMatch(/config\.json: no private key opens/);
  });

  it("refuses a value spliced in from another SealedSecret", async () => {
    const donor = YAML.parse(readFileSync(join(VECTORS, "data-strict.sealed.yaml"), "utf8"));
    const file = join(dir, "spliced.yaml");
    writeFileSync(file, edit((d) => (d.spec.encryptedData.password = donor.spec.encryptedData.token)));
    const result = await sealbox(["unseal", file, "--private-key", KEY]);
    expect(result.status).toBe(70);
    expect(result.stdout).toBe("");
  });
});

describe("a List of SealedSecrets", () => {
  it("unseals every item of a `kubectl get sealedsecrets -o yaml` List", async () => {
    const file = join(dir, "list.yaml");
    const items = ["stringdata-strict.sealed.yaml", "cluster-wide.sealed.yaml"].map((f) => YAML.parse(readFileSync(join(VECTORS, f), "utf8")));
    writeFileSync(file, YAML.stringify({ apiVersion: "v1", kind: "List", items }));
    const result = await sealbox(["unseal", file, "--private-key", KEY]);
    expect(result.status).toBe(0);
    expect(YAML.parseAllDocuments(result.stdout).map((d) => d.toJS().metadata.name)).toEqual(["db-credentials", "global-key"]);
  });
});

describe("SealedSecrets without a namespace", () => {
  it("asks for the namespace they are applied in, and opens with --namespace", async () => {
    const file = join(dir, "no-namespace.yaml");
    writeFileSync(file, edit((d) => delete d.metadata.namespace));
    const without = await sealbox(["unseal", file, "--private-key", KEY]);
    expect(without.status).toBe(8);
    expect(without.stderr).toContain("--namespace");
    expect(without.stdout).toBe("");
    const right = await sealbox(["unseal", file, "--private-key", KEY, "--namespace", "prod", "--format", "json"]);
    expect(right.status).toBe(0);
    expect(JSON.parse(right.stdout).metadata.namespace).toBe("prod");
    const wrong = await sealbox(["unseal", file, "--private-key", KEY, "--namespace", "dev"]);
    expect(wrong.status).toBe(70);
  });
});

describe("backed-up keys", () => {
  const keyPem = () => readFileSync(KEY, "utf8");
  const keySecret = (name: string, pem: string) => ({
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name, namespace: "kube-system", labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" } },
    data: { "tls.crt": "", "tls.key": Buffer.from(pem).toString("base64") },
  });

  it("reads the controller's key Secret YAML", async () => {
    const file = join(dir, "key-secret.yaml");
    writeFileSync(file, YAML.stringify(keySecret("sealed-secrets-keyabcde", keyPem())));
    const result = await sealbox(["unseal", join(VECTORS, "namespace-wide.sealed.yaml"), "--private-key", file, "--format", "json"]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).data["api-key"]).toBe("bnMtd2lkZS12YWx1ZS00Mg==");
  });

  it("reads a `kubectl get secret -o yaml` v1 List backup and tries every key in it", async () => {
    const file = join(dir, "backup.yaml");
    const list = { apiVersion: "v1", kind: "List", items: [keySecret("old", readFileSync(other.key, "utf8")), keySecret("current", keyPem())], metadata: { resourceVersion: "" } };
    writeFileSync(file, YAML.stringify(list));
    const result = await sealbox(["unseal", join(VECTORS, "cluster-wide.sealed.json"), "--private-key", file, "--format", "json"]);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).data["api-key"]).toBe("Y2x1c3Rlci13aWRlLXZhbHVlLTc=");
  });

  it("reads PKCS#8 PEM, and several --private-key flags", async () => {
    const pkcs8 = join(dir, "key.pk8.pem");
    execFileSync("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", KEY, "-out", pkcs8]);
    expect(readFileSync(pkcs8, "utf8")).toContain("BEGIN PRIVATE KEY");
    const result = await sealbox(["unseal", join(VECTORS, "annotated-namespace-wide.sealed.yaml"), "--private-key", other.key, "--private-key", pkcs8, "--format", "json"]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).data.value).toBe("c2NvcGUtZnJvbS1hbm5vdGF0aW9u");
  });

  it("says which key file it cannot read", async () => {
    const file = join(dir, "not-a-key.pem");
    writeFileSync(file, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    const result = await sealbox(["unseal", join(VECTORS, "cluster-wide.sealed.json"), "--private-key", file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("not-a-key.pem");
    expect(result.stdout).toBe("");
  });
});
