// `sealbox seal` without --cert takes the certificate and scope from the matching creation rule's
// `sealed_secrets` entry in .sops.yaml (sops ignores the key).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { cleanEnv, sealbox } from "../helpers/cli.js";
import { CERT, VECTORS, opensslOpen, tempDir } from "./helpers.js";

function repo(): string {
  const dir = tempDir();
  mkdirSync(join(dir, "certs"));
  mkdirSync(join(dir, "clusters/prod"), { recursive: true });
  copyFileSync(CERT, join(dir, "certs/prod.pem"));
  copyFileSync(join(VECTORS, "stringdata-strict.secret.yaml"), join(dir, "secret.yaml"));
  writeFileSync(
    join(dir, ".sops.yaml"),
    [
      "creation_rules:",
      "  - path_regex: clusters/prod/.*\\.sealed\\.yaml$",
      "    sealed_secrets: { cert: certs/prod.pem, scope: namespace-wide }",
      "  - path_regex: secrets/.*\\.yaml$",
      "    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
      "",
    ].join("\n"),
  );
  return dir;
}

describe("certificate and scope from the rules file", () => {
  it("seals to the rule's certificate in the rule's scope, matched on the -o path", async () => {
    const dir = repo();
    const result = await sealbox(["seal", "secret.yaml", "--format", "yaml", "-o", "clusters/prod/db.sealed.yaml"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const doc = YAML.parse(readFileSync(join(dir, "clusters/prod/db.sealed.yaml"), "utf8"));
    expect(doc.metadata.annotations).toEqual({ "sealedsecrets.bitnami.com/namespace-wide": "true" });
    expect(opensslOpen(doc.spec.encryptedData.password, "prod").toString()).toBe("s3cr3t-P@ss word!");
  });

  it("reads a rule's certificate URL whatever the case of its scheme", async () => {
    const dir = repo();
    const rules = readFileSync(join(dir, ".sops.yaml"), "utf8").replace("cert: certs/prod.pem", `cert: "FILE://${join(dir, "certs/prod.pem")}"`);
    writeFileSync(join(dir, ".sops.yaml"), rules);
    const result = await sealbox(["seal", "secret.yaml", "-o", "clusters/prod/db.sealed.yaml"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("lets --scope override the rule's scope", async () => {
    const dir = repo();
    const result = await sealbox(["seal", "secret.yaml", "--scope", "strict", "-o", "clusters/prod/db.sealed.yaml"], { cwd: dir });
    expect(result.status).toBe(0);
    const doc = YAML.parse(readFileSync(join(dir, "clusters/prod/db.sealed.yaml"), "utf8"));
    expect(opensslOpen(doc.spec.encryptedData.password, "prod/db-credentials").toString()).toBe("s3cr3t-P@ss word!");
  });

  it("says which rule lacks sealed_secrets, and asks for --cert when none matches", async () => {
    const dir = repo();
    const sops = await sealbox(["seal", "secret.yaml", "-o", "secrets/db.yaml"], { cwd: dir });
    expect(sops.status).toBe(71);
    expect(sops.stderr).toMatch(/\.sops\.yaml:4: seal needs --cert: the creation rule matching secrets\/db\.yaml has no sealed_secrets entry/);
    const none = await sealbox(["seal", "secret.yaml", "-o", "elsewhere.yaml"], { cwd: dir });
    expect(none.status).toBe(71);
    expect(none.stderr).toContain("--cert PATH|URL");
  });

  it("falls back to SEALED_SECRETS_CERT, as kubeseal does, when no rule matches", async () => {
    const dir = repo();
    const result = await sealbox(["seal", "secret.yaml", "-o", "elsewhere.json"], { cwd: dir, env: cleanEnv({ SEALED_SECRETS_CERT: join(dir, "certs/prod.pem") }) });
    expect(result.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, "elsewhere.json"), "utf8"));
    expect(opensslOpen(doc.spec.encryptedData.username, "prod/db-credentials").toString()).toBe("admin");
  });
});
