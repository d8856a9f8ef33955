// Property: flipping any single byte of what protects a secret is refused — never silently accepted,
// never a wrong plaintext. Targets: each ENC[...] value's data, iv, tag and type; the MAC;
// lastmodified (the MAC's AAD); the age stanza's armored file; a KMS stanza's enc and ARN (against
// the SigV4-checking KMS stand-in); a SealedSecret's encryptedData. Two kinds of flip:
//  - "bytes": one bit pattern XORed into one byte of the decoded field, re-encoded cleanly. Always
//    refused: this is the cryptographic claim.
//  - "text": any byte of the field as stored XORed with 1..255. Refused, except that a base64 digit
//    whose unused low bits change can decode to the same bytes; then the plaintext must be exactly
//    the original and the field must decode to the same bytes as before (never a different value).
// ~1,000 mutations in the normal suite, 10,000 with SLOW=1.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SealboxError } from "../../src/errors.js";
import { decrypt, encrypt } from "../../src/ops/sops-ops.js";
import { KeySources } from "../../src/keys/registry.js";
import { parseManifests, asSealedSecret } from "../../src/sealed/manifest.js";
import { unsealSecret } from "../../src/sealed/unseal.js";
import { parsePrivateKeys } from "../../src/sealed/keys.js";
import { startKmsServer, type KmsServer } from "../helpers/kms-server.js";
import { ROOT, ageKey, runs, tempDir, type AgeKey } from "./helpers.js";

type Kind = "value" | "comment" | "mac" | "lastmodified" | "age" | "kms-enc" | "kms-arn" | "sealed";

interface Span {
  kind: Kind;
  start: number;
  end: number;
  /** base64 fields can take a decoded-byte flip */
  base64: boolean;
}

interface Subject {
  name: string;
  text: string;
  spans: Span[];
  /** Opens the (maybe tampered) text; returns the plaintext bytes or throws. */
  open(text: string): Promise<Buffer>;
  plain: Buffer;
}

const PLAIN: Record<string, string> = {
  yaml: "db:\n  user: admin\n  password: s3cr3t-P@ss\n  port: 5432\n  ratio: 0.75\n  enabled: true\nlist:\n  - one\n  - 2\n# a comment\ntoken: tkn_ABCDEFGHIJ\n",
  json: '{\n  "api": {"key": "k-123456", "n": 42, "f": 1.5, "b": false},\n  "arr": ["x", "y"]\n}\n',
  env: "DB_PASSWORD=hunter2hunter2\nAPI_TOKEN=abcdef0123456789\n#comment line\nEMPTYISH=x\n",
  ini: "[database]\npassword = pa55word\nuser = root\n\n[api]\ntoken = t0k3n\n",
};

/** Every span worth flipping in an encrypted SOPS text. */
function sopsSpans(text: string, extra: { kmsEnc?: string; kmsArn?: string } = {}): Span[] {
  const spans: Span[] = [];
  const enc = /ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:(\w+)\]/g;
  for (let m; (m = enc.exec(text)); ) {
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    const kind: Kind = /mac["\s]*[:=]\s*"?$/.test(before) ? "mac" : m[4] === "comment" ? "comment" : "value";
    let at = m.index + "ENC[AES256_GCM,data:".length;
    for (const [i, field] of [m[1], m[2], m[3], m[4]].entries()) {
      if (field.length) spans.push({ kind, start: at, end: at + field.length, base64: i < 3 });
      at += field.length + [",iv:", ",tag:", ",type:", ""][i].length;
    }
  }
  for (const m of text.matchAll(/lastmodified"?\s*[:=]\s*"?([0-9][0-9T:.Z+-]*)/g)) {
    const start = m.index + m[0].length - m[1].length;
    spans.push({ kind: "lastmodified", start, end: start + m[1].length, base64: false });
  }
  for (const m of text.matchAll(/-----BEGIN AGE ENCRYPTED FILE-----[\s\S]*?-----END AGE ENCRYPTED FILE-----/g)) {
    spans.push({ kind: "age", start: m.index, end: m.index + m[0].length, base64: false });
  }
  for (const [kind, needle] of [["kms-enc", extra.kmsEnc], ["kms-arn", extra.kmsArn]] as const) {
    if (!needle) continue;
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) spans.push({ kind, start: i, end: i + needle.length, base64: kind === "kms-enc" });
  }
  return spans;
}

/** The mutated text, and whether the field still decodes to the same bytes as before. */
function mutate(subject: Subject, span: Span, mode: "bytes" | "text", pos: number, xor: number): { text: string; sameBytes: boolean } {
  const field = subject.text.slice(span.start, span.end);
  let changed: string;
  if (mode === "bytes" && span.base64) {
    const bytes = Buffer.from(field, "base64");
    if (bytes.length === 0) return { text: subject.text, sameBytes: true };
    bytes[pos % bytes.length] ^= xor;
    changed = bytes.toString("base64");
  } else {
    const raw = Buffer.from(field, "latin1");
    raw[pos % raw.length] ^= xor;
    changed = raw.toString("latin1");
  }
  const sameBytes = span.base64 && /^[A-Za-z0-9+/]*={0,2}$/.test(changed) && Buffer.from(changed, "base64").equals(Buffer.from(field, "base64"));
  return { text: subject.text.slice(0, span.start) + changed + subject.text.slice(span.end), sameBytes };
}

let dir: string;
let key: AgeKey;
let kms: KmsServer;
const savedEnv = { ...process.env };
const subjects: Subject[] = [];
const tally: Record<string, number> = {};

beforeAll(async () => {
  dir = tempDir();
  key = ageKey(dir);
  kms = await startKmsServer();
  Object.assign(process.env, kms.env());
  for (const v of ["AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"]) delete process.env[v];
  const sources = new KeySources({ age: { env: { SOPS_AGE_KEY_FILE: key.file } } });

  for (const [ext, plain] of Object.entries(PLAIN)) {
    const filename = join(dir, `secret.${ext}`);
    const text = Buffer.from(await encrypt(Buffer.from(plain), { filename, age: [key.recipient], cwd: dir, env: {} })).toString("latin1");
    subjects.push({ name: ext, text, spans: sopsSpans(text), plain: Buffer.from(plain), open: async (t) => Buffer.from(await decrypt(Buffer.from(t, "latin1"), { filename, sources })) });
  }

  const kmsKey = kms.createKey({ region: "eu-west-1" });
  const kmsFile = join(dir, "kms.yaml");
  const kmsText = Buffer.from(await encrypt(Buffer.from(PLAIN.yaml), { filename: kmsFile, kms: [{ type: "kms", arn: kmsKey.arn, context: { app: "x" } }], cwd: dir, env: {} })).toString("latin1");
  const kmsEnc = /\benc: (\S+)/.exec(kmsText)![1];
  const kmsSources = new KeySources({ age: { env: {} }, kms: { decryptTimeoutMs: 5_000 } });
  subjects.push({
    name: "kms",
    text: kmsText,
    spans: sopsSpans(kmsText, { kmsEnc, kmsArn: kmsKey.arn }),
    plain: Buffer.from(PLAIN.yaml),
    open: async (t) => Buffer.from(await decrypt(Buffer.from(t, "latin1"), { filename: kmsFile, sources: kmsSources })),
  });

  const sealedDir = join(ROOT, "fixtures/interop/sealed");
  const privateKeys = parsePrivateKeys(readFileSync(join(sealedDir, "key.pem"), "utf8"), "key.pem").map((k) => k.key);
  const sealedText = readFileSync(join(sealedDir, "data-strict.sealed.yaml"), "latin1");
  const openSealed = async (t: string): Promise<Buffer> => {
    const manifests = parseManifests(t, "sealed.yaml");
    const secret = unsealSecret(asSealedSecret(manifests.docs[0].value, "sealed.yaml"), privateKeys);
    return Buffer.from(JSON.stringify(secret));
  };
  const values = Object.values(asSealedSecret(parseManifests(sealedText, "s").docs[0].value, "s").spec.encryptedData);
  subjects.push({
    name: "sealed",
    text: sealedText,
    spans: values.map((v) => ({ kind: "sealed" as const, start: sealedText.indexOf(v), end: sealedText.indexOf(v) + v.length, base64: true })),
    plain: await openSealed(sealedText),
    open: openSealed,
  });
  // What each opens to untouched (YAML comes back in sops's 4-space layout): the reference plaintext.
  for (const s of subjects) s.plain = await s.open(s.text);
  expect(subjects.find((s) => s.name === "env")!.plain.toString()).toContain("hunter2hunter2");
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await kms.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`tamper mutations by target: ${JSON.stringify(tally)}`);
});

describe("single-byte tampering", () => {
  it("covers every kind of target in every subject", () => {
    const kinds = new Set(subjects.flatMap((s) => s.spans.map((x) => `${s.name}:${x.kind}`)));
    for (const name of ["yaml", "json", "env", "ini"]) for (const k of ["value", "mac", "lastmodified", "age"]) expect(kinds).toContain(`${name}:${k}`);
    for (const name of ["yaml", "env"]) for (const k of ["comment"]) expect(kinds).toContain(`${name}:${k}`);
    for (const k of ["kms-enc", "kms-arn"]) expect(kinds).toContain(`kms:${k}`);
    expect(kinds).toContain("sealed:sealed");
  });

  it("is refused, or (base64 slack bits only) yields exactly the original plaintext", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(subjects.length - 1),
        fc.nat(),
        fc.nat(),
        fc.constantFrom("bytes" as const, "text" as const),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (s, kindIndex, spanIndex, mode, pos, xor) => {
          // subject, then kind, then span: the few MAC/age/KMS spans get as many flips as the values
          const subject = subjects[s];
          const kinds = [...new Set(subject.spans.map((x) => x.kind))];
          const ofKind = subject.spans.filter((x) => x.kind === kinds[kindIndex % kinds.length]);
          const span = ofKind[spanIndex % ofKind.length];
          const { text, sameBytes } = mutate(subject, span, mode, pos, xor);
          if (text === subject.text) return;
          const id = `${subject.name}:${span.kind}:${mode}`;
          tally[id] = (tally[id] ?? 0) + 1;
          let out: Buffer | undefined;
          let error: unknown;
          try {
            out = await subject.open(text);
          } catch (e) {
            error = e;
          }
          if (error !== undefined) {
            expect(error, `${id}: refused with a SealboxError, not ${String(error)}`).toBeInstanceOf(SealboxError);
            expect(String((error as SealboxError).describe())).not.toMatch(/s3cr3t|hunter2|pa55word|k-123456/);
            return;
          }
          const where = `${id} at ${JSON.stringify(subject.text.slice(span.start - 20, span.end))} → ${JSON.stringify(text.slice(span.start - 20, span.end + 4))}`;
          expect(sameBytes, `${where}: a change that alters the stored bytes was accepted`).toBe(true);
          expect(out!.equals(subject.plain), `${id}: accepted with a different plaintext`).toBe(true);
        },
      ),
      { numRuns: runs(1000, 10_000) },
    );
  }, 600_000);
});
