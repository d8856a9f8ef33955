// The reference SealedSecrets (made by the real sealed-secrets code) open with sealbox, and what
// sealbox seals opens with openssl and has kubeseal's exact layout.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { sealbox } from "../helpers/cli.js";
import { CERT, KEY, VECTORS, maskSealed, opensslOpen } from "./helpers.js";

interface Expected {
  label: string;
  scope: string;
  values_base64: Record<string, string>;
}
const expected: Record<string, Expected> = JSON.parse(readFileSync(join(VECTORS, "expected.json"), "utf8"));
const sealedFiles = readdirSync(VECTORS).filter((f) => /\.sealed\.(ya?ml|json)$/.test(f));
const cases = readdirSync(VECTORS)
  .filter((f) => f.endsWith(".secret.yaml"))
  .map((f) => f.replace(".secret.yaml", ""));

/** The kubeseal flags each reference case was made with (vectors README). */
const FLAGS: Record<string, string[]> = {
  "namespace-wide": ["--scope", "namespace-wide"],
  "cluster-wide": ["--scope", "cluster-wide"],
  "immutable-nsflag": ["--namespace", "team-a"],
};

describe("reference SealedSecrets", () => {
  it("covers every sealed vector in expected.json", () => {
    expect(sealedFiles.sort()).toEqual(Object.keys(expected).sort());
    expect(sealedFiles.length).toBeGreaterThanOrEqual(14);
  });

  it.each(sealedFiles)("unseals %s to exactly the expected values", async (file) => {
    const result = await sealbox(["unseal", join(VECTORS, file), "--private-key", KEY, "--format", "json"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const secret = JSON.parse(result.stdout);
    expect(secret.kind).toBe("Secret");
    expect(secret.data).toEqual(expected[file].values_base64);
    // The Secret keeps the template: name, namespace, labels, type.
    const sealed = file.endsWith(".json") ? JSON.parse(readFileSync(join(VECTORS, file), "utf8")) : YAML.parse(readFileSync(join(VECTORS, file), "utf8"));
    expect(secret.metadata.name).toBe(sealed.metadata.name);
    expect(secret.metadata.namespace).toBe(sealed.metadata.namespace);
    expect(secret.type).toBe(sealed.spec.template.type);
  });

  it("takes kubeseal's --recovery-unseal --recovery-private-key on seal: the same Secret, JSON by default as kubeseal prints it", async () => {
    const file = join(VECTORS, "stringdata-strict.sealed.yaml");
    const kubesealStyle = await sealbox(["seal", "--recovery-unseal", "--recovery-private-key", `${KEY},${KEY}`], { input: readFileSync(file) });
    expect(kubesealStyle.status).toBe(0);
    const unsealed = await sealbox(["unseal", file, "--private-key", KEY, "--format", "json"]);
    expect(kubesealStyle.stdout).toBe(unsealed.stdout);
    // keys without --recovery-unseal are a forgotten flag (kubeseal only warns), and sealing flags do not go with it
    expect((await sealbox(["seal", "--recovery-private-key", KEY, file])).status).toBe(8);
    expect((await sealbox(["seal", "--recovery-unseal", "--recovery-private-key", KEY, "--cert", CERT, file])).status).toBe(8);
    expect((await sealbox(["seal", "--recovery-unseal", file])).status).toBe(8);
    // nor --fetch-cert, which would go to the cluster and drop the keys unsaid
    const fetch = await sealbox(["seal", "--fetch-cert", "--recovery-private-key", KEY]);
    expect(fetch.status).toBe(8);
    expect(fetch.stderr).toContain("--fetch-cert and --recovery-private-key do not go together");
  });

  it("prints the unsealed Secret as YAML by default", async () => {
    const result = await sealbox(["unseal", join(VECTORS, "dockerconfigjson.sealed.yaml"), "--private-key", KEY]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        "---",
        "apiVersion: v1",
        "data:",
        `  .dockerconfigjson: ${expected["dockerconfigjson.sealed.yaml"].values_base64[".dockerconfigjson"]}`,
        "kind: Secret",
        "metadata:",
        "  annotations:",
        "    owner: platform-team",
        "  labels:",
        "    app.kubernetes.io/name: builder",
        "    tier: backend",
        "  name: regcred",
        "  namespace: ci",
        "type: kubernetes.io/dockerconfigjson",
        "",
      ].join("\n"),
    );
  });

  it.each(["raw-strict", "raw-namespace-wide", "raw-cluster-wide"])("opens the raw value %s under its scope's label", async (name) => {
    const { hybridDecrypt } = await import("../../src/core/hybrid.js");
    const { createPrivateKey } = await import("node:crypto");
    const labels: Record<string, string> = { "raw-strict": "prod/db-credentials", "raw-namespace-wide": "team-a", "raw-cluster-wide": "" };
    const sealed = readFileSync(join(VECTORS, `${name}.sealed.txt`), "utf8");
    const plain = hybridDecrypt([createPrivateKey(readFileSync(KEY))], Buffer.from(sealed, "base64"), Buffer.from(labels[name]));
    expect(Buffer.from(plain)).toEqual(readFileSync(join(VECTORS, `${name}.value`)));
    expect(() => hybridDecrypt([createPrivateKey(readFileSync(KEY))], Buffer.from(sealed, "base64"), Buffer.from("other/label"))).toThrow(/label/);
  });
});

describe("sealing every reference input", () => {
  for (const name of cases) {
    for (const format of ["yaml", "json"] as const) {
      it(`${name} --format ${format}: kubeseal's layout, and openssl opens every value`, async () => {
        const input = readFileSync(join(VECTORS, `${name}.secret.yaml`), "utf8");
        const result = await sealbox(["seal", "--cert", CERT, "--format", format, ...(FLAGS[name] ?? [])], { input });
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const reference = readFileSync(join(VECTORS, `${name}.sealed.${format}`), "utf8");
        expect(maskSealed(result.stdout)).toBe(maskSealed(reference));
        expect(result.stdout).not.toBe(reference); // fresh randomness, not a copy

        const ours = format === "json" ? JSON.parse(result.stdout) : YAML.parse(result.stdout);
        const want = expected[`${name}.sealed.${format}`];
        const opened: Record<string, string> = {};
        for (const [key, value] of Object.entries(ours.spec.encryptedData as Record<string, string>)) {
          opened[key] = opensslOpen(value, want.label).toString("base64");
        }
        expect(opened).toEqual(want.values_base64);
      });
    }
  }

  it("never copies last-applied-configuration (it holds plaintext)", async () => {
    const result = await sealbox(["seal", "--cert", CERT, join(VECTORS, "dockerconfigjson.secret.yaml")]);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain("last-applied");
    expect(result.stdout).not.toContain("must-not-be-copied");
  });

  it("seals several documents into several SealedSecrets, in order", async () => {
    const input = ["stringdata-strict", "namespace-wide"].map((n) => readFileSync(join(VECTORS, `${n}.secret.yaml`), "utf8")).join("---\n");
    const yaml = await sealbox(["seal", "--cert", CERT, "--format", "yaml"], { input });
    expect(yaml.status).toBe(0);
    const docs = YAML.parseAllDocuments(yaml.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.name)).toEqual(["db-credentials", "shared-key"]);
    const json = await sealbox(["seal", "--cert", CERT], { input });
    expect(json.stdout.split('\n}\n').length).toBe(3); // two objects, kubeseal's JSON stream
    // …and a JSON stream reads back: unseal takes it whole.
    const unsealed = await sealbox(["unseal", "-", "--private-key", KEY, "--format", "json"], { input: json.stdout });
    expect(unsealed.status).toBe(0);
    expect(unsealed.stdout.match(/"kind": "Secret"/g)).toHaveLength(2);
  });
});
