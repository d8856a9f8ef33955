import { describe, expect, it } from "vitest";
import { encryptionContextFromRule, parseEncryptionContext, parseKmsArns } from "../../src/keys/kms.js";

const A = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const B = "arn:aws:kms:us-east-1:111122223333:alias/sops";
const ROLE = "arn:aws:iam::111122223333:role/sops-decrypt";

describe("--kms / SOPS_KMS_ARN lists", () => {
  it("reads comma-separated ARNs with sops's ARN+ROLE_ARN form, ignoring spaces", () => {
    expect(parseKmsArns(` ${A} , ${B}+${ROLE}`)).toEqual([
      { type: "kms", arn: A },
      { type: "kms", arn: B, role: ROLE },
    ]);
  });

  it("gives every key the context and profile", () => {
    expect(parseKmsArns(`${A},${B}`, { env: "prod" }, "ops")).toEqual([
      { type: "kms", arn: A, context: { env: "prod" }, awsProfile: "ops" },
      { type: "kms", arn: B, context: { env: "prod" }, awsProfile: "ops" },
    ]);
  });

  it("accepts other partitions and an empty list", () => {
    expect(parseKmsArns("arn:aws-cn:kms:cn-north-1:111122223333:key/abc+arn:aws-cn:iam::111122223333:role/r")).toEqual([
      { type: "kms", arn: "arn:aws-cn:kms:cn-north-1:111122223333:key/abc", role: "arn:aws-cn:iam::111122223333:role/r" },
    ]);
    expect(parseKmsArns("")).toEqual([]);
  });

  it("refuses something that is not a KMS key ARN, naming it", () => {
    expect(() => parseKmsArns(`${A},arn:aws:s3:::bucket`)).toThrow(/not an AWS KMS key ARN: arn:aws:s3:::bucket/);
    expect(() => parseKmsArns("1234abcd-12ab-34cd-56ef-1234567890ab")).toThrow(/not an AWS KMS key ARN/);
  });
});

describe("--encryption-context", () => {
  it("reads k:v pairs", () => {
    expect(parseEncryptionContext("app:billing,env:prod")).toEqual({ app: "billing", env: "prod" });
    expect(parseEncryptionContext("")).toEqual({});
  });

  it("refuses a pair without exactly one colon, as sops does", () => {
    for (const bad of ["app", "app:billing,env", "url:https://x", "a:b:c"]) {
      expect(() => parseEncryptionContext(bad)).toThrow(expect.objectContaining({ code: "InvalidKmsEncryptionContext" }));
    }
  });

  it("takes a rule's context as a map of strings or a string, and refuses non-string values", () => {
    expect(encryptionContextFromRule({ env: "prod" })).toEqual({ env: "prod" });
    expect(encryptionContextFromRule("env:prod")).toEqual({ env: "prod" });
    expect(encryptionContextFromRule(undefined)).toBeUndefined();
    expect(() => encryptionContextFromRule({ port: 443 })).toThrow(/must be a string/);
    expect(() => encryptionContextFromRule(["env:prod"])).toThrow(/map of strings/);
  });
});
