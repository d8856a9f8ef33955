// The test KMS must be strict for the KMS tests to mean anything: these prove it refuses what real
// KMS refuses before any of our code is involved.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { startKmsServer, TEST_CREDENTIALS } from "../helpers/kms-server.js";
import type { KmsServer } from "../helpers/kms-server.js";

let server: KmsServer;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true"; // sealbox's own clients do this
  server = await startKmsServer();
});

afterAll(async () => {
  await server.close();
});

function client(region: string, secretAccessKey = TEST_CREDENTIALS.secretAccessKey): KMSClient {
  return new KMSClient({ region, endpoint: server.url, maxAttempts: 1, credentials: { accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey } });
}

async function post(headers: Record<string, string>, body: string): Promise<{ status: number; type: string }> {
  const res = await fetch(server.url, { method: "POST", headers, body });
  return { status: res.status, type: ((await res.json()) as { __type: string }).__type };
}

describe("the test KMS server", () => {
  it("refuses unsigned and malformed-signature requests", async () => {
    const key = server.createKey({ region: "eu-west-1" });
    const body = JSON.stringify({ KeyId: key.arn, Plaintext: randomBytes(32).toString("base64") });
    const headers = { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Encrypt" };
    expect(await post(headers, body)).toEqual({ status: 400, type: "MissingAuthenticationTokenException" });
    expect(await post({ ...headers, Authorization: "Bearer something" }, body)).toEqual({ status: 400, type: "IncompleteSignatureException" });
    const forged = `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
    expect(await post({ ...headers, Authorization: forged, "X-Amz-Date": "20260101T000000Z" }, body)).toEqual({ status: 400, type: "InvalidSignatureException" });
  });

  it("refuses a request signed with the wrong secret key", async () => {
    const key = server.createKey({ region: "eu-west-1" });
    const bad = client("eu-west-1", "wrong/secret/key/000000000000000000000000");
    await expect(bad.send(new EncryptCommand({ KeyId: key.arn, Plaintext: randomBytes(32) }))).rejects.toMatchObject({ name: "InvalidSignatureException" });
  });

  it("binds the encryption context and the key region", async () => {
    const key = server.createKey({ region: "eu-west-1" });
    const kms = client("eu-west-1");
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from("k"), EncryptionContext: { a: "1", b: "2" } }));
    // Order of the pairs does not matter; their content does.
    const ok = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { b: "2", a: "1" } }));
    expect(Buffer.from(ok.Plaintext!).toString()).toBe("k");
    await expect(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: "1" } }))).rejects.toMatchObject({ name: "InvalidCiphertextException" });
    // The same key ARN sent to another region's endpoint is not found there.
    await expect(client("us-east-1").send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from("k") }))).rejects.toMatchObject({ name: "NotFoundException" });
  });

  it("generates data keys that decrypt under the same key", async () => {
    const key = server.createKey({ region: "eu-west-1" });
    const kms = client("eu-west-1");
    const generated = await kms.send(new GenerateDataKeyCommand({ KeyId: key.arn, KeySpec: "AES_256" }));
    expect(generated.Plaintext).toHaveLength(32);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, KeyId: key.arn }));
    expect(Buffer.from(back.Plaintext!)).toEqual(Buffer.from(generated.Plaintext!));
  });
});
