// A small AWS KMS (and STS AssumeRole) stand-in on 127.0.0.1 for tests. It speaks the real wire
// protocols, so the real @aws-sdk/client-kms talks to it through AWS_ENDPOINT_URL_KMS:
//  - KMS: POST /, Content-Type application/x-amz-json-1.1, X-Amz-Target TrentService.<Op>, JSON errors
//    with `__type`; STS: the awsQuery form body and XML answers.
//  - Every request must carry a valid AWS SigV4 signature (verified, not just present) from a known
//    access key; session credentials must bring their X-Amz-Security-Token.
//  - Ciphertext blobs are AES-256-GCM under a per-key secret with the encryption context as AAD, so a
//    changed context, another key or a damaged blob is refused as real KMS refuses it.
//  - Faults on demand: throttle / fail with a status / stall (never answer) the next N requests.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const TEST_ACCOUNT = "111122223333";
export const TEST_CREDENTIALS = { accessKeyId: "AKIASEALBOXTEST00001", secretAccessKey: "sealbox/test/secret/key/not/a/real/one/0001" };

export interface TestKey {
  id: string;
  arn: string;
  region: string;
  /** Alias ARNs pointing at this key. */
  aliasArns: string[];
  /**
   * When set, only these callers may use the key (others get AccessDeniedException): access key ids,
   * or role ARNs, meaning any credentials STS issued for that role.
   */
  allow?: string[];
}

export interface RecordedCall {
  service: "kms" | "sts";
  action: string;
  accessKeyId?: string;
  region?: string;
  status: number;
  error?: string;
  /** For STS AssumeRole: the role and session name asked for. */
  roleArn?: string;
  roleSessionName?: string;
}

interface Credential {
  secret: string;
  sessionToken?: string;
  /** The role these session credentials were issued for. */
  role?: string;
}

interface Fault {
  kind: "throttle" | "status" | "stall";
  status?: number;
  remaining: number;
}

export interface KmsServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  calls: RecordedCall[];
  createKey(options: { region: string; alias?: string; allow?: string[] }): TestKey;
  /** Another access key the server accepts (e.g. a profile's), returned for use in a credentials file. */
  addCredential(accessKeyId: string, secretAccessKey: string): void;
  /** Lets `allowedCallers` (access key ids; all known keys when omitted) assume `roleArn` through STS. */
  allowRole(roleArn: string, allowedCallers?: string[]): void;
  /** The access key ids STS issued for a role, so keys can be restricted to the role. */
  roleAccessKeys(roleArn: string): string[];
  throttleNext(n: number): void;
  failNext(n: number, status?: number): void;
  /** Holds the next n requests open without ever answering (Infinity: all of them). */
  stallNext(n: number): void;
  clearFaults(): void;
  /** Environment for a child process (or process.env) pointing the SDK here with the test credentials. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

interface KeyRecord extends TestKey {
  secret: Buffer;
}

const BLOB_MAGIC = Buffer.from("SBXK");

export async function startKmsServer(): Promise<KmsServer> {
  const keys: KeyRecord[] = [];
  const credentials = new Map<string, Credential>([[TEST_CREDENTIALS.accessKeyId, { secret: TEST_CREDENTIALS.secretAccessKey }]]);
  const roles = new Map<string, { allowedCallers?: string[]; issued: string[] }>();
  const calls: RecordedCall[] = [];
  const faults: Fault[] = [];

  function resolveKey(keyId: string | undefined, region: string): KeyRecord | undefined {
    if (!keyId) return undefined;
    if (keyId.startsWith("arn:")) return keys.find((k) => (k.arn === keyId || k.aliasArns.includes(keyId)) && k.region === region);
    if (keyId.startsWith("alias/")) return keys.find((k) => k.region === region && k.aliasArns.some((a) => a.endsWith(`:${keyId}`)));
    return keys.find((k) => k.id === keyId && k.region === region);
  }

  function seal(key: KeyRecord, plaintext: Buffer, context: unknown): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key.secret, iv);
    cipher.setAAD(contextAad(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const arn = Buffer.from(key.arn);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(arn.length);
    return Buffer.concat([BLOB_MAGIC, len, arn, iv, body]);
  }

  /** Returns the key and plaintext, or the KMS error type. */
  function open(blob: Buffer, context: unknown): { key: KeyRecord; plaintext: Buffer } | { error: string } {
    if (blob.length < 6 + 12 + 16 || !blob.subarray(0, 4).equals(BLOB_MAGIC)) return { error: "InvalidCiphertextException" };
    const arnLength = blob.readUInt16BE(4);
    const arn = blob.subarray(6, 6 + arnLength).toString();
    const key = keys.find((k) => k.arn === arn);
    if (!key) return { error: "InvalidCiphertextException" };
    const iv = blob.subarray(6 + arnLength, 18 + arnLength);
    const body = blob.subarray(18 + arnLength);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.secret, iv);
      decipher.setAAD(contextAad(context));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return { key, plaintext: Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]) };
    } catch {
      return { error: "InvalidCiphertextException" };
    }
  }

  function kms(action: string, input: Record<string, unknown>, caller: Caller, reply: Reply): void {
    const keyId = typeof input.KeyId === "string" ? input.KeyId : undefined;
    const usable = (key: KeyRecord | undefined): key is KeyRecord => {
      if (!key) {
        reply.kmsError(400, "NotFoundException", `Key '${keyId ?? ""}' does not exist`);
        return false;
      }
      const role = credentials.get(caller.accessKeyId)?.role;
      if (key.allow && !key.allow.includes(caller.accessKeyId) && !(role && key.allow.includes(role))) {
        reply.kmsError(400, "AccessDeniedException", `User ${caller.accessKeyId} is not authorized to perform kms:${action} on ${key.arn}`);
        return false;
      }
      return true;
    };
    switch (action) {
      case "Encrypt":
      case "GenerateDataKey": {
        const key = resolveKey(keyId, caller.region);
        if (!usable(key)) return;
        let plaintext: Buffer;
        if (action === "Encrypt") {
          if (typeof input.Plaintext !== "string") return reply.kmsError(400, "ValidationException", "Plaintext is required");
          plaintext = Buffer.from(input.Plaintext, "base64");
          if (plaintext.length === 0 || plaintext.length > 4096) return reply.kmsError(400, "ValidationException", "Plaintext must be 1 to 4096 bytes");
        } else {
          const n = typeof input.NumberOfBytes === "number" ? input.NumberOfBytes : input.KeySpec === "AES_128" ? 16 : 32;
          plaintext = randomBytes(n);
        }
        const blob = seal(key, plaintext, input.EncryptionContext);
        const out: Record<string, unknown> = { KeyId: key.arn, CiphertextBlob: blob.toString("base64"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
        if (action === "GenerateDataKey") out.Plaintext = plaintext.toString("base64");
        return reply.json(200, out);
      }
      case "Decrypt": {
        if (typeof input.CiphertextBlob !== "string") return reply.kmsError(400, "ValidationException", "CiphertextBlob is required");
        const opened = open(Buffer.from(input.CiphertextBlob, "base64"), input.EncryptionContext);
        if ("error" in opened) return reply.kmsError(400, opened.error, "");
        if (opened.key.region !== caller.region) return reply.kmsError(400, "InvalidCiphertextException", "");
        if (keyId !== undefined) {
          const named = resolveKey(keyId, caller.region);
          if (!named) return reply.kmsError(400, "NotFoundException", `Key '${keyId}' does not exist`);
          if (named !== opened.key) return reply.kmsError(400, "IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.");
        }
        if (!usable(opened.key)) return;
        return reply.json(200, { KeyId: opened.key.arn, Plaintext: opened.plaintext.toString("base64"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" });
      }
      default:
        return reply.kmsError(400, "UnknownOperationException", "");
    }
  }

  function sts(form: URLSearchParams, caller: Caller, reply: Reply, call: RecordedCall): void {
    const action = form.get("Action") ?? "";
    call.action = action;
    if (action !== "AssumeRole") return reply.xmlError(400, "InvalidAction", `Could not find operation ${action}`);
    const roleArn = form.get("RoleArn") ?? "";
    const sessionName = form.get("RoleSessionName") ?? "";
    call.roleArn = roleArn;
    call.roleSessionName = sessionName;
    const role = roles.get(roleArn);
    if (!role || (role.allowedCallers && !role.allowedCallers.includes(caller.accessKeyId))) {
      return reply.xmlError(403, "AccessDenied", `User: ${caller.accessKeyId} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) return reply.xmlError(400, "ValidationError", "RoleSessionName is invalid");
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const secret = randomBytes(30).toString("base64");
    const sessionToken = randomBytes(48).toString("base64");
    credentials.set(accessKeyId, { secret, sessionToken, role: roleArn });
    role.issued.push(accessKeyId);
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    reply.xml(
      200,
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey>` +
        `<SessionToken>${sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROATEST:${sessionName}</AssumedRoleId><Arn>${roleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/${sessionName}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const target = header(req, "x-amz-target");
      const service: "kms" | "sts" = target ? "kms" : "sts";
      const call: RecordedCall = { service, action: target?.replace(/^TrentService\./, "") ?? "", status: 0 };
      calls.push(call);
      const reply = makeReply(res, service, call);

      const fault = faults[0];
      if (fault) {
        if (--fault.remaining <= 0) faults.shift();
        if (fault.kind === "stall") return; // never answer; close() destroys the socket
        if (fault.kind === "throttle") return reply.kmsError(400, "ThrottlingException", "Rate exceeded");
        return reply.kmsError(fault.status ?? 500, "KMSInternalException", "injected server error");
      }

      if (req.method !== "POST" || req.url !== "/") return reply.kmsError(404, "UnknownOperationException", "");
      const auth = verifySignature(req, body, credentials, service);
      if (auth.error !== undefined) return service === "kms" ? reply.kmsError(400, auth.error, auth.message) : reply.xmlError(403, auth.error, auth.message);
      call.accessKeyId = auth.accessKeyId;
      call.region = auth.region;

      if (service === "kms") {
        if (header(req, "content-type") !== "application/x-amz-json-1.1") return reply.kmsError(400, "SerializationException", "expected application/x-amz-json-1.1");
        let input: unknown;
        try {
          input = JSON.parse(body.toString("utf8") || "{}");
        } catch {
          return reply.kmsError(400, "SerializationException", "body is not JSON");
        }
        if (typeof input !== "object" || input === null) return reply.kmsError(400, "SerializationException", "body is not an object");
        return kms(call.action, input as Record<string, unknown>, auth, reply);
      }
      return sts(new URLSearchParams(body.toString("utf8")), auth, reply, call);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    createKey({ region, alias, allow }) {
      const id = randomUUID();
      const key: KeyRecord = {
        id,
        region,
        arn: `arn:aws:kms:${region}:${TEST_ACCOUNT}:key/${id}`,
        aliasArns: alias ? [`arn:aws:kms:${region}:${TEST_ACCOUNT}:alias/${alias}`] : [],
        allow,
        secret: randomBytes(32),
      };
      keys.push(key);
      const { secret: _secret, ...visible } = key;
      return visible;
    },
    addCredential(accessKeyId, secretAccessKey) {
      credentials.set(accessKeyId, { secret: secretAccessKey });
    },
    allowRole(roleArn, allowedCallers) {
      roles.set(roleArn, { allowedCallers, issued: [] });
    },
    roleAccessKeys(roleArn) {
      return roles.get(roleArn)?.issued ?? [];
    },
    throttleNext(n) {
      faults.push({ kind: "throttle", remaining: n });
    },
    failNext(n, status = 500) {
      faults.push({ kind: "status", status, remaining: n });
    },
    stallNext(n) {
      faults.push({ kind: "stall", remaining: n });
    },
    clearFaults() {
      faults.length = 0;
    },
    env(extra = {}) {
      return {
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_KMS: url,
        AWS_ENDPOINT_URL_STS: url,
        // Keep the SDK away from the real machine's AWS setup and instance metadata.
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: "/nonexistent/sealbox-test/aws-config",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/sealbox-test/aws-credentials",
        ...extra,
      };
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

interface Caller {
  accessKeyId: string;
  region: string;
}

interface Reply {
  json(status: number, body: unknown): void;
  kmsError(status: number, type: string, message: string): void;
  xml(status: number, body: string): void;
  xmlError(status: number, code: string, message: string): void;
}

function makeReply(res: ServerResponse, service: "kms" | "sts", call: RecordedCall): Reply {
  const send = (status: number, type: string, body: string) => {
    call.status = status;
    res.writeHead(status, { "Content-Type": type, "x-amzn-RequestId": randomUUID() });
    res.end(body);
  };
  const reply: Reply = {
    json: (status, body) => send(status, "application/x-amz-json-1.1", JSON.stringify(body)),
    kmsError: (status, type, message) => {
      call.error = type;
      if (service === "sts") return reply.xmlError(status, type, message);
      send(status, "application/x-amz-json-1.1", JSON.stringify({ __type: type, message }));
    },
    xml: (status, body) => send(status, "text/xml", body),
    xmlError: (status, code, message) => {
      call.error = code;
      send(status, "text/xml", `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
    },
  };
  return reply;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** The encryption context as KMS binds it: order-independent, so canonical JSON of sorted pairs. */
function contextAad(context: unknown): Buffer {
  const entries = context && typeof context === "object" ? Object.entries(context as Record<string, unknown>) : [];
  return Buffer.from(JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** Verifies an AWS Signature Version 4 header signature over the request as received. */
function verifySignature(req: IncomingMessage, body: Buffer, credentials: Map<string, Credential>, service: string): (Caller & { error?: undefined }) | { error: string; message: string } {
  const authorization = header(req, "authorization");
  if (!authorization) return { error: "MissingAuthenticationTokenException", message: "Request is missing Authentication Token" };
  const m = AUTHORIZATION.exec(authorization);
  if (!m) return { error: "IncompleteSignatureException", message: "Authorization header is not a well-formed SigV4 signature" };
  const [, accessKeyId, day, region, signedService, signedHeaders, signature] = m as unknown as string[];
  const credential = credentials.get(accessKeyId!);
  if (!credential) return { error: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
  if (signedService !== service) return { error: "InvalidSignatureException", message: `Credential should be scoped to correct service: '${service}'.` };
  if (credential.sessionToken && header(req, "x-amz-security-token") !== credential.sessionToken) {
    return { error: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
  }
  const amzDate = header(req, "x-amz-date");
  if (!amzDate || !amzDate.startsWith(day!)) return { error: "IncompleteSignatureException", message: "X-Amz-Date is missing or does not match the credential scope" };
  const names = signedHeaders!.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) return { error: "IncompleteSignatureException", message: "host and x-amz-date must be signed" };
  const canonicalHeaders = names.map((n) => `${n}:${(header(req, n) ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const payloadHash = header(req, "x-amz-content-sha256") ?? sha256(body);
  if (payloadHash !== sha256(body)) return { error: "InvalidSignatureException", message: "payload hash does not match the body" };
  const [path = "/", query = ""] = (req.url ?? "/").split("?");
  const canonicalQuery = query
    .split("&")
    .filter(Boolean)
    .sort()
    .join("&");
  const canonicalRequest = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${day}/${region}/${signedService}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(Buffer.from(canonicalRequest))].join("\n");
  let signingKey = hmac(`AWS4${credential.secret}`, day!);
  for (const part of [region!, signedService!, "aws4_request"]) signingKey = hmac(signingKey, part);
  const expected = createHmac("sha256", signingKey).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature!, "hex"))) {
    return { error: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided." };
  }
  return { accessKeyId: accessKeyId!, region: region! };
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}
