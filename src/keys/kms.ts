// AWS KMS as a sops master key: the data key (or a key group's Shamir share) is sent to KMS Encrypt
// with the encryption context, and the ciphertext blob is stored base64 in the `kms` stanza. This
// module is cheap to import (flag and rule parsing use its helpers); the AWS SDK itself is imported
// on the first KMS call, so start-up and age-only runs never pay for it.
import { hostname } from "node:os";
import type { KMSClient, KMSClientConfig } from "@aws-sdk/client-kms";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { SealboxError } from "../errors.js";
import { isStdBase64 } from "../core/base64.js";
import { shownInMessage } from "../core/redact.js";
import type { KeySource, KmsRecipientSpec, KmsStanza } from "./types.js";

export interface KmsKeySourceOptions {
  /**
   * Upper bound for one Encrypt or Decrypt, retries and role assumption included (default 10 s):
   * a KMS endpoint that is down or stalls fails this key quickly so the file's other keys are tried.
   */
  decryptTimeoutMs?: number;
}

/** Attempts per call: the first plus three retries (throttling, 5xx, timeouts, resets). */
const MAX_ATTEMPTS = 4;
const DEFAULT_TIMEOUT_MS = 10_000;

type Sdk = typeof import("@aws-sdk/client-kms");
let sdkModule: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> => (sdkModule ??= import("@aws-sdk/client-kms"));

// sops's pattern: the region is the ARN's fourth field; any partition (aws, aws-cn, aws-us-gov).
const KMS_ARN = /^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)\/.+$/;
const ROLE_SUFFIX = /\+(arn:aws[\w-]*:iam::.+)$/;

/** Parses `--kms`, SOPS_KMS_ARN or a rule's `kms` string: comma-separated `ARN` or `ARN+ROLE_ARN`. */
export function parseKmsArns(list: string, context?: Record<string, string>, awsProfile?: string): KmsRecipientSpec[] {
  return list
    .replace(/\s+/g, "") // sops removes every space, so "a, b" works
    .split(",")
    .filter((entry) => entry !== "")
    .map((entry) => {
      const role = ROLE_SUFFIX.exec(entry);
      const arn = role ? entry.slice(0, role.index) : entry;
      if (!KMS_ARN.test(arn)) {
        throw new SealboxError("NoEncryptionKeyFound", `not an AWS KMS key ARN: ${arn.startsWith("arn:") ? shownInMessage(arn, "a KMS key ARN") : "(text that is not an ARN, not shown)"} (expected arn:aws:kms:REGION:ACCOUNT:key/ID or …:alias/NAME, optionally +ROLE_ARN)`);
      }
      const spec: KmsRecipientSpec = { type: "kms", arn };
      if (role) spec.role = role[1]!;
      if (context && Object.keys(context).length > 0) spec.context = { ...context };
      if (awsProfile) spec.awsProfile = awsProfile;
      return spec;
    });
}

/** Parses `--encryption-context k:v,k2:v2` as sops does: each pair exactly one `:`; "" is no context. */
export function parseEncryptionContext(text: string): Record<string, string> {
  const context: Record<string, string> = {};
  if (text === "") return context;
  for (const pair of text.split(",")) {
    const parts = pair.split(":");
    if (parts.length !== 2) {
      throw new SealboxError("InvalidKmsEncryptionContext", `invalid KMS encryption context "${pair}": expected key:value pairs separated by commas (k1:v1,k2:v2)`);
    }
    context[parts[0]!] = parts[1]!;
  }
  return context;
}

/**
 * A rule's `context`: a map of strings or a "k:v,…" string. sops silently drops a context with
 * non-string values; we refuse it, since encrypting without the intended context is worse.
 */
export function encryptionContextFromRule(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return parseEncryptionContext(value);
  if (typeof value === "object" && !Array.isArray(value)) {
    const context: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== "string") {
        throw new SealboxError("InvalidKmsEncryptionContext", `KMS encryption context value for "${k}" must be a string (quote it)`);
      }
      context[k] = v;
    }
    return context;
  }
  throw new SealboxError("InvalidKmsEncryptionContext", "KMS encryption context must be a map of strings or \"k:v,k2:v2\"");
}

export function createKmsKeySource(options: KmsKeySourceOptions = {}): KeySource<KmsStanza, KmsRecipientSpec> {
  const totalMs = options.decryptTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  // One attempt may use a third of the budget, so a single stalled connection still leaves room to retry.
  const attemptMs = Math.max(250, Math.min(5_000, Math.floor(totalMs / 3)));
  const clients = new Map<string, KMSClient>();

  function clientFor(sdk: Sdk, key: KmsRecipientSpec | KmsStanza): KMSClient {
    const region = regionOf(key.arn);
    const profile = ("enc" in key ? key.aws_profile : key.awsProfile) || undefined;
    const id = JSON.stringify([region, profile ?? "", key.role ?? ""]);
    let client = clients.get(id);
    if (!client) {
      const base = clientConfig(region, profile, attemptMs);
      client = withoutSdkNodeNotice(() => new sdk.KMSClient(key.role ? { ...base, credentials: assumedRole(sdk, key.role, base) } : base));
      clients.set(id, client);
    }
    return client;
  }

  /** Runs one KMS call within the time budget; every failure becomes `ARN: why`. */
  async function call<T>(key: KmsRecipientSpec | KmsStanza, verb: string, send: (sdk: Sdk, client: KMSClient, signal: AbortSignal) => Promise<T>): Promise<T> {
    const name = describeKey(key);
    let sdk: Sdk;
    let client: KMSClient;
    try {
      sdk = await loadSdk();
      client = clientFor(sdk, key);
    } catch (e) {
      throw retrievalError(name, verb, e, totalMs);
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // The abort cancels the HTTP request; the race also bounds what the abort cannot reach
    // (credential resolution, role assumption).
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const timeout = new Error(`no answer from AWS KMS within ${seconds(totalMs)}`);
        timeout.name = "SealboxDeadline";
        controller.abort(timeout);
        reject(timeout);
      }, totalMs);
    });
    try {
      return await Promise.race([send(sdk, client, controller.signal), deadline]);
    } catch (e) {
      throw retrievalError(name, verb, controller.signal.aborted ? controller.signal.reason : e, totalMs);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    type: "kms",

    async wrap(recipient, dataKey) {
      const context = nonEmpty(recipient.context);
      const out = await call(recipient, "encrypt", (sdk, client, abortSignal) =>
        client.send(new sdk.EncryptCommand({ KeyId: recipient.arn, Plaintext: dataKey, EncryptionContext: context }), { abortSignal }),
      );
      if (!out.CiphertextBlob) throw new SealboxError("CouldNotRetrieveKey", `${describeKey(recipient)}: KMS Encrypt returned no ciphertext`);
      const stanza: KmsStanza = {
        type: "kms",
        arn: recipient.arn,
        created_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        enc: Buffer.from(out.CiphertextBlob).toString("base64"),
        aws_profile: recipient.awsProfile ?? "",
      };
      if (recipient.role) stanza.role = recipient.role;
      if (context) stanza.context = context;
      return stanza;
    },

    async unwrap(stanza) {
      const name = describeKey(stanza);
      if (!isStdBase64(stanza.enc) || stanza.enc === "") {
        throw new SealboxError("CouldNotRetrieveKey", `${name}: the stored data key (enc) is not valid base64`);
      }
      const out = await call(stanza, "decrypt", (sdk, client, abortSignal) =>
        client.send(
          new sdk.DecryptCommand({
            CiphertextBlob: Buffer.from(stanza.enc, "base64"),
            EncryptionContext: nonEmpty(stanza.context),
            // Pinning a key ARN makes KMS refuse a blob made under another key. Not for an alias: it may
            // have been pointed at a new key since, and sops (which never pins) would still decrypt.
            KeyId: /:key\//.test(stanza.arn) ? stanza.arn : undefined,
          }),
          { abortSignal },
        ),
      );
      if (!out.Plaintext) throw new SealboxError("CouldNotRetrieveKey", `${name}: KMS Decrypt returned no plaintext`);
      return out.Plaintext;
    },
  };
}

/**
 * The SDK warns once per process, on stderr, that its releases after January 2027 need Node 22.
 * That notice is for sealbox's maintainers, not for someone decrypting a file, so it is switched
 * off while the client is built (and only then, so child processes see the user's environment).
 */
function withoutSdkNodeNotice<T>(build: () => T): T {
  const name = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";
  if (process.env[name] !== undefined) return build();
  process.env[name] = "true";
  try {
    return build();
  } finally {
    delete process.env[name];
  }
}

/** How a key is named in messages: `ARN`, or `ARN+ROLE` as it was given. */
function describeKey(key: KmsRecipientSpec | KmsStanza): string {
  return key.role ? `${key.arn}+${key.role}` : key.arn;
}

function regionOf(arn: string): string {
  const m = KMS_ARN.exec(arn);
  if (!m) throw new SealboxError("CouldNotRetrieveKey", `${arn}: not a valid AWS KMS ARN`);
  return m[1]!;
}

function nonEmpty(context: Record<string, string> | undefined): Record<string, string> | undefined {
  return context && Object.keys(context).length > 0 ? context : undefined;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** What a KMS or STS client needs: the region, the profile, bounded retries and timeouts. */
function clientConfig(region: string, profile: string | undefined, attemptMs: number): KMSClientConfig {
  return {
    region,
    profile,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: {
      connectionTimeout: Math.min(3_000, attemptMs),
      requestTimeout: attemptMs,
      throwOnRequestTimeout: true,
      socketTimeout: attemptMs,
    },
    // The SDK logs nothing by default, except one console.warn when a key's aws_profile meets
    // AWS_ACCESS_KEY_ID in the environment; it blames AWS_PROFILE, which the user may never have set.
    // The profile wins (as it does in sops), and a test holds the SDK to that.
    logger: SILENT,
  };
}

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Credentials from STS AssumeRole, made with the profile's (or the default chain's) credentials,
 * cached until shortly before they expire. The session is named `sops@HOST` as sops names it, so
 * role trust policies and CloudTrail filters written for sops keep matching.
 */
function assumedRole(sdk: Sdk, role: string, base: KMSClientConfig): AwsCredentialIdentityProvider {
  // The caller's own credentials (the profile's, or the default chain's), resolved the way a KMS
  // client without a role resolves them.
  const callerCredentials = new sdk.KMSClient(base).config.credentials;
  let cached: Promise<AwsCredentialIdentity> | undefined;
  const fetchCredentials = async (): Promise<AwsCredentialIdentity> => {
    // The SDK's own STS client, shipped inside client-kms's credential chain (@aws-sdk/client-sts is not installed).
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/nested-clients/sts");
    const sts = new STSClient({ region: base.region, credentials: callerCredentials, maxAttempts: base.maxAttempts, retryMode: base.retryMode, requestHandler: base.requestHandler });
    try {
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: sessionName() }));
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("STS returned no credentials");
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    } catch (e) {
      throw new RoleError(role, e);
    } finally {
      sts.destroy();
    }
  };
  return async () => {
    const current = cached ? await cached.catch(() => undefined) : undefined;
    if (!current || (current.expiration && current.expiration.getTime() - Date.now() < 60_000)) {
      cached = fetchCredentials();
    }
    return cached!;
  };
}

class RoleError extends Error {
  constructor(
    readonly role: string,
    readonly reason: unknown,
  ) {
    super(`cannot assume role ${role}`);
  }
}

/** `sops@HOST` limited to what STS allows in a session name ([\w+=,.@-], at most 64 characters). */
function sessionName(): string {
  return `sops@${hostname()}`.replace(/[^\w+=,.@-]/g, "").slice(0, 64);
}

/** One line saying why this key could not be used; SDK messages never carry the data key. */
function retrievalError(name: string, verb: string, e: unknown, totalMs: number): SealboxError {
  if (e instanceof SealboxError) return new SealboxError("CouldNotRetrieveKey", e.message.startsWith(name) ? e.message : `${name}: ${e.message}`);
  if (e instanceof RoleError) return new SealboxError("CouldNotRetrieveKey", `${name}: cannot assume role ${e.role}: ${reasonOf(e.reason, totalMs, "AWS STS")}`);
  return new SealboxError("CouldNotRetrieveKey", `${name}: KMS ${verb} failed: ${reasonOf(e, totalMs, "AWS KMS")}`);
}

function reasonOf(e: unknown, totalMs: number, service: string): string {
  if (!(e instanceof Error)) return String(e);
  const err = e as Error & { code?: string; $metadata?: { httpStatusCode?: number; attempts?: number }; $fault?: string };
  const attempts = err.$metadata?.attempts;
  const after = attempts && attempts > 1 ? ` (after ${attempts} attempts)` : "";
  const message = oneLine(err.message);
  switch (err.name) {
    case "SealboxDeadline":
      return err.message;
    case "NotFoundException":
      return `key not found in this account and region (NotFoundException: ${message})`;
    case "InvalidCiphertextException":
      return `KMS refused the ciphertext: the encryption context or the key does not match what it was encrypted with (InvalidCiphertextException)`;
    case "IncorrectKeyException":
      return `the stored data key was encrypted under another KMS key (IncorrectKeyException)`;
    case "AccessDeniedException":
    case "AccessDenied":
      return `access denied (${message})`;
    case "CredentialsProviderError":
      return `no AWS credentials found (${message})`;
    case "TimeoutError":
      return `no answer from ${service} in time${after}`;
    case "AbortError":
      return `no answer from ${service} within ${seconds(totalMs)}`;
  }
  if (/Throttl/.test(err.name)) return `throttled by ${service}${after} (${err.name})`;
  const status = err.$metadata?.httpStatusCode;
  if (status && status >= 500) return `${service} service error, HTTP ${status}${after} (${err.name})`;
  if (err.code && /^E[A-Z]+$/.test(err.code)) return `cannot reach the ${service} endpoint (${err.code}: ${message})${after}`;
  return `${err.name}: ${message}${after}`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
