// What a message may show of text the user gave: names and paths as they are, key material and data
// given in their place named instead, URLs without credentials or query.
import { describe, expect, it } from "vitest";
import { shownInMessage, withoutKeyMaterial } from "../../src/core/redact.js";

const HIDDEN = /not shown/;

describe("text shown in messages", () => {
  it("paths and file names stay as they are, long ones included", () => {
    for (const path of ["secrets/db.yaml", "/home/me/.config/sops/age/keys.txt", "clusters-production-eu-west-1-database-credentials.sealed.yaml", "app-configuration.production-values.yaml", "my_long_secret_name_without_extension_really_long"]) {
      expect(shownInMessage(path)).toBe(path);
    }
  });

  it("key material and data given as a path are named, never shown", () => {
    const identity = "AGE-SECRET-KEY-18M5ANM5F572RVZZLF3FW2XJUAPR6MK42NFKN24YS4JQL644NK23QXJCWWR";
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAtOKJ1xk8\n-----END RSA PRIVATE KEY-----\n";
    for (const data of [identity, identity.toLowerCase(), pem, Buffer.from(pem).toString("base64"), Buffer.from(identity).toString("base64"), "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0c2VjcmV0.c2lnbmF0dXJl", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY0123456789", "x".repeat(300)]) {
      expect(shownInMessage(data)).toMatch(HIDDEN);
    }
  });

  it("URLs lose their user, password, query and fragment, in messages and in traces", () => {
    expect(shownInMessage("https://ci:glpat-SECRET@git.example/cert.pem?token=T0K#frag")).toBe("https://git.example/cert.pem");
    const trace = "TypeError: Request cannot be constructed from a URL that includes credentials: https://u:Pa55@127.0.0.1:9/cert.pem?x=1\n    at fetch";
    expect(withoutKeyMaterial(trace)).not.toMatch(/Pa55|x=1/);
    expect(withoutKeyMaterial(`open '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----'`)).not.toContain("MIIE");
    expect(withoutKeyMaterial("cannot run AGE-SECRET-KEY-1ABCDEF")).not.toContain("ABCDEF");
  });
});
