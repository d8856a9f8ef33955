// age's ssh-ed25519 and ssh-rsa recipient types, so the ssh keys sops users already encrypt to keep
// working. Byte-for-byte the stanzas of filippo.io/age/agessh: `-> ssh-ed25519 <tag> <share>` and
// `-> ssh-rsa <tag>`, where tag = the first 4 bytes of SHA-256 of the ssh wire-format public key.
import { constants, createHash, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { createRequire } from "node:module";
import { Stanza } from "./age-stanza.js";
import type { Identity, Recipient } from "age-encryption";
import { SealboxError } from "../errors.js";
import { decodeStdBase64 } from "../core/base64.js";
import {
  base64NoPad,
  concat,
  decodeBase64NoPad,
  hkdfSha256,
  NativeX25519Identity,
  openFileKey,
  sealFileKey,
  x25519,
  x25519Ephemeral,
  x25519PrivateKey,
  x25519PublicKey,
  x25519RawPublic,
} from "./age-x25519.js";

const ED25519_LABEL = "age-encryption.org/v1/ssh-ed25519";
const RSA_LABEL = "age-encryption.org/v1/ssh-rsa";
const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(RSA_LABEL) } as const;

// ---- ssh wire format (RFC 4251 §5: uint32-length-prefixed strings and mpints) ----

class WireReader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  uint32(): number {
    if (this.offset + 4 > this.bytes.length) throw new Error("truncated");
    const n = Buffer.from(this.bytes).readUInt32BE(this.offset);
    this.offset += 4;
    return n;
  }

  string(): Uint8Array {
    const length = this.uint32();
    if (this.offset + length > this.bytes.length) throw new Error("truncated");
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  text(): string {
    return Buffer.from(this.string()).toString("latin1");
  }

  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

function wireString(bytes: Uint8Array | string): Uint8Array {
  const body = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return concat(length, body);
}

/** An mpint from unsigned big-endian bytes: minimal, with a 0x00 lead byte when the top bit is set. */
function wireMpint(unsigned: Uint8Array): Uint8Array {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start++;
  const trimmed = unsigned.subarray(start);
  return wireString(trimmed.length > 0 && trimmed[0]! & 0x80 ? concat(new Uint8Array([0]), trimmed) : trimmed);
}

function stripMpint(mpint: Uint8Array): Uint8Array {
  let start = 0;
  while (start < mpint.length - 1 && mpint[start] === 0) start++;
  return mpint.subarray(start);
}

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
const fromB64u = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64url"));

/** The tag that names which ssh key a stanza is for. */
export function sshTag(wireKey: Uint8Array): string {
  return base64NoPad(createHash("sha256").update(wireKey).digest().subarray(0, 4));
}

// ---- public keys ----

export type SshKeyType = "ssh-ed25519" | "ssh-rsa";

export interface SshPublicKey {
  type: SshKeyType;
  /** The ssh wire encoding (what authorized_keys holds in base64). */
  wire: Uint8Array;
  /** ssh-ed25519: the 32-byte Ed25519 point. */
  ed25519?: Uint8Array;
  /** ssh-rsa: the RSA public key. */
  rsa?: KeyObject;
}

function parseWirePublicKey(wire: Uint8Array): SshPublicKey {
  const r = new WireReader(wire);
  const type = r.text();
  if (type === "ssh-ed25519") {
    const point = r.string();
    if (point.length !== 32 || !r.done) throw new Error("malformed ssh-ed25519 public key");
    return { type, wire, ed25519: point };
  }
  if (type === "ssh-rsa") {
    const e = stripMpint(r.string());
    const n = stripMpint(r.string());
    if (!r.done) throw new Error("malformed ssh-rsa public key");
    const rsa = createPublicKey({ key: { kty: "RSA", n: b64u(n), e: b64u(e) }, format: "jwk" });
    return { type, wire, rsa };
  }
  throw new Error(`unsupported ssh key type ${JSON.stringify(type)} (age supports ssh-ed25519 and ssh-rsa)`);
}

function rsaWire(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  return concat(wireString("ssh-rsa"), wireMpint(fromB64u(jwk.e!)), wireMpint(fromB64u(jwk.n!)));
}

/** True for strings that look like an ssh public key line (what sops passes to agessh). */
export function isSshRecipient(s: string): boolean {
  return s.startsWith("ssh-");
}

/** Parses an authorized_keys-style line: `ssh-ed25519 AAAA… [comment]`. Throws on anything else. */
export function parseSshPublicKey(line: string): SshPublicKey {
  const [type, blob] = line.trim().split(/\s+/);
  if (!type || !blob) throw new Error("malformed ssh public key: expected `<type> <base64> [comment]`");
  const wire = decodeKeyBase64(blob);
  const key = parseWirePublicKey(wire);
  if (key.type !== type) throw new Error(`malformed ssh public key: says ${type} but holds ${key.type}`);
  return key;
}

function decodeKeyBase64(s: string): Uint8Array {
  const bytes = s === "" ? undefined : decodeStdBase64(s);
  if (!bytes) throw new Error("malformed ssh public key: bad base64");
  return new Uint8Array(bytes);
}

/** The ssh-ed25519 tweak: HKDF-SHA-256(ikm = "", salt = wire key, info = label), as agessh's hkdf.New(nil, key). */
function ed25519Tweak(wire: Uint8Array): KeyObject {
  return x25519PrivateKey(hkdfSha256(new Uint8Array(0), wire, ED25519_LABEL));
}

// @noble/curves (15 modules, ~15 ms at start-up) loads only when an ssh-ed25519 recipient is parsed;
// require() of an ES module is synchronous on Node >= 20.19, as this constructor needs.
const requireLazily = createRequire(import.meta.url);
function edwardsToMontgomery(point: Uint8Array): Uint8Array {
  const { ed25519 } = requireLazily("@noble/curves/ed25519.js") as typeof import("@noble/curves/ed25519.js");
  return ed25519.utils.toMontgomery(point);
}

// ---- recipients ----

export class SshEd25519Recipient implements Recipient {
  private readonly tag: string;
  private readonly point: KeyObject;
  private readonly montgomery: Uint8Array;
  private readonly tweak: KeyObject;

  constructor(key: SshPublicKey) {
    if (key.type !== "ssh-ed25519" || !key.ed25519) throw new Error("not an ssh-ed25519 key");
    this.tag = sshTag(key.wire);
    this.montgomery = edwardsToMontgomery(key.ed25519);
    this.point = x25519PublicKey(this.montgomery);
    this.tweak = ed25519Tweak(key.wire);
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    const { privateKey, share } = x25519Ephemeral();
    const secret = x25519(this.tweak, x25519(privateKey, this.point));
    const key = hkdfSha256(secret, concat(share, this.montgomery), ED25519_LABEL);
    return [new Stanza(["ssh-ed25519", this.tag, base64NoPad(share)], sealFileKey(key, fileKey))];
  }
}

export class SshRsaRecipient implements Recipient {
  private readonly tag: string;
  private readonly key: KeyObject;

  constructor(key: SshPublicKey) {
    if (key.type !== "ssh-rsa" || !key.rsa) throw new Error("not an ssh-rsa key");
    this.tag = sshTag(key.wire);
    this.key = key.rsa;
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    return [new Stanza(["ssh-rsa", this.tag], new Uint8Array(publicEncrypt({ key: this.key, ...OAEP }, fileKey)))];
  }
}

/** An age recipient for an ssh public key line; throws SealboxError(NoEncryptionKeyFound) if malformed. */
export function parseSshRecipient(line: string): Recipient {
  try {
    const key = parseSshPublicKey(line);
    return key.type === "ssh-ed25519" ? new SshEd25519Recipient(key) : new SshRsaRecipient(key);
  } catch (error) {
    throw new SealboxError("NoEncryptionKeyFound", `not a usable ssh recipient (${(error as Error).message}): ${line.slice(0, 40)}…`);
  }
}

// ---- identities ----

export class SshEd25519Identity implements Identity {
  private readonly tag: string;
  private readonly scalar: KeyObject;
  private readonly montgomery: Uint8Array;
  private readonly tweak: KeyObject;

  /** `seed` is the 32-byte Ed25519 private seed; `wire` the ssh public key it belongs to. */
  constructor(seed: Uint8Array, wire: Uint8Array) {
    this.tag = sshTag(wire);
    this.scalar = x25519PrivateKey(ed25519SeedToX25519(seed));
    this.montgomery = x25519RawPublic(this.scalar);
    this.tweak = ed25519Tweak(wire);
  }

  unwrapFileKey(stanzas: Stanza[]): Uint8Array | null {
    for (const s of stanzas) {
      if (s.args[0] !== "ssh-ed25519") continue;
      // Same order of checks as agessh: a malformed stanza is an error even if it is not ours.
      if (s.args.length !== 3) throw new Error("invalid ssh-ed25519 stanza: expected two arguments");
      const share = decodeBase64NoPad(s.args[2]!, "ssh-ed25519 stanza share");
      if (share.length !== 32) throw new Error("invalid ssh-ed25519 stanza: share is not 32 bytes");
      if (s.args[1] !== this.tag) continue;
      const secret = x25519(this.tweak, x25519(this.scalar, share));
      const key = hkdfSha256(secret, concat(share, this.montgomery), ED25519_LABEL);
      const fileKey = openFileKey(key, s.body, "ssh-ed25519");
      // The tag matched, so a failure here is a damaged stanza, not someone else's (as agessh).
      if (!fileKey) throw new Error("failed to decrypt ssh-ed25519 file key");
      return fileKey;
    }
    return null;
  }
}

export class SshRsaIdentity implements Identity {
  private readonly tag: string;

  constructor(private readonly key: KeyObject) {
    this.tag = sshTag(rsaWire(key));
  }

  unwrapFileKey(stanzas: Stanza[]): Uint8Array | null {
    for (const s of stanzas) {
      if (s.args[0] !== "ssh-rsa") continue;
      if (s.args.length !== 2) throw new Error("invalid ssh-rsa stanza: expected one argument");
      if (s.args[1] !== this.tag) continue;
      try {
        return new Uint8Array(privateDecrypt({ key: this.key, ...OAEP }, s.body));
      } catch {
        throw new Error("failed to decrypt ssh-rsa file key");
      }
    }
    return null;
  }
}

/** Why a locked identity cannot be used: nothing in this run can ask for its passphrase. */
export const NO_PROMPT = "nothing here can ask for its passphrase (the CLI asks on a terminal)";

/**
 * A passphrase-protected ssh key. It stays locked (returns null) until a stanza carries its tag;
 * then it asks for the passphrase if it can use one (PEM keys, via node:crypto), or explains why not.
 */
export class LockedSshIdentity implements Identity {
  private readonly tag: string;
  private unlocked?: Promise<Identity>;

  constructor(
    private readonly key: SshPublicKey,
    private readonly source: string,
    /** Encrypted PEM: a passphrase opens it (`unlock`, when something can ask). OpenSSH format: nothing does. */
    private readonly askable = false,
    private readonly unlock?: () => Promise<Identity>,
  ) {
    this.tag = sshTag(key.wire);
  }

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    if (!stanzas.some((s) => s.args[0] === this.key.type && s.args[1] === this.tag)) return null;
    if (!this.unlock) {
      const why = this.askable ? NO_PROMPT : "sealbox cannot decrypt OpenSSH-format encrypted keys; point SOPS_AGE_SSH_PRIVATE_KEY_FILE at an unencrypted copy or use an age identity";
      throw new SealboxError("CouldNotRetrieveKey", `the ${this.key.type} key is passphrase-protected: ${why}`, { file: this.source });
    }
    this.unlocked ??= this.unlock();
    return (await this.unlocked).unwrapFileKey(stanzas);
  }
}

/** age's conversion of an Ed25519 private seed to an X25519 scalar: SHA-512(seed)[:32]. */
export function ed25519SeedToX25519(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new Error("Ed25519 seed must be 32 bytes");
  return new Uint8Array(createHash("sha512").update(seed).digest().subarray(0, 32));
}

export interface SshIdentityOptions {
  /** Asked for the passphrase of an encrypted PEM key, when a file is encrypted to it. */
  passphrase?: (source: string) => Promise<string>;
  /** The matching `.pub` file's text, for encrypted PEM keys (which do not carry their public key). */
  publicKey?: string;
}

/**
 * Identities from an ssh private key file: the ssh identity and, for Ed25519 keys, the X25519
 * identity of the same key (ssh-to-age), as sops loads both. Throws SealboxError naming `source`.
 */
export function parseSshIdentityFile(text: string, source: string, options: SshIdentityOptions = {}): Identity[] {
  try {
    if (text.includes("-----BEGIN OPENSSH PRIVATE KEY-----")) return parseOpenSshPrivateKey(text, source);
    if (/-----BEGIN (RSA |ENCRYPTED |)PRIVATE KEY-----/.test(text)) return parsePemPrivateKey(text, source, options);
  } catch (error) {
    if (error instanceof SealboxError) throw error.inFile(source);
    throw new SealboxError("CouldNotRetrieveKey", `malformed ssh private key (${(error as Error).message})`, { file: source });
  }
  throw new SealboxError("CouldNotRetrieveKey", "not an ssh private key this version reads (expected OpenSSH or PEM ssh-ed25519/ssh-rsa)", { file: source });
}

function identitiesForEd25519(seed: Uint8Array, wire: Uint8Array): Identity[] {
  return [new SshEd25519Identity(seed, wire), new NativeX25519Identity(ed25519SeedToX25519(seed))];
}

// PROTOCOL.key of OpenSSH: "openssh-key-v1\0", cipher, kdf, kdf options, key count, public keys, private section.
function parseOpenSshPrivateKey(text: string, source: string): Identity[] {
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (body === undefined) throw new Error("missing END line");
  const bytes = new Uint8Array(Buffer.from(body.replace(/\s+/g, ""), "base64"));
  const magic = Buffer.from("openssh-key-v1\0", "latin1");
  if (!Buffer.from(bytes.subarray(0, magic.length)).equals(magic)) throw new Error("bad magic");
  const r = new WireReader(bytes.subarray(magic.length));
  const cipher = r.text();
  r.text(); // kdf name
  r.string(); // kdf options
  if (r.uint32() !== 1) throw new Error("expected exactly one key");
  const publicKey = parseWirePublicKey(r.string());
  const encrypted = r.string();
  if (cipher !== "none") return [new LockedSshIdentity(publicKey, source)];

  const p = new WireReader(encrypted);
  if (p.uint32() !== p.uint32()) throw new Error("check bytes differ");
  const type = p.text();
  if (type !== publicKey.type) throw new Error("private and public key types differ");
  if (type === "ssh-ed25519") {
    p.string(); // public point, repeated
    const secret = p.string(); // seed || public point
    if (secret.length !== 64) throw new Error("bad ed25519 private key length");
    return identitiesForEd25519(secret.subarray(0, 32), publicKey.wire);
  }
  const [n, e, d, iqmp, pp, q] = [p.string(), p.string(), p.string(), p.string(), p.string(), p.string()].map(stripMpint) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const big = (b: Uint8Array): bigint => BigInt("0x" + (Buffer.from(b).toString("hex") || "0"));
  const bytesOf = (v: bigint): Uint8Array => { const hex = v.toString(16); return new Uint8Array(Buffer.from(hex.length % 2 ? "0" + hex : hex, "hex")); };
  const dp = bytesOf(big(d) % (big(pp) - 1n));
  const dq = bytesOf(big(d) % (big(q) - 1n));
  const key = createPrivateKey({ key: { kty: "RSA", n: b64u(n), e: b64u(e), d: b64u(d), p: b64u(pp), q: b64u(q), dp: b64u(dp), dq: b64u(dq), qi: b64u(iqmp) }, format: "jwk" });
  return [new SshRsaIdentity(key)];
}

function parsePemPrivateKey(text: string, source: string, options: SshIdentityOptions): Identity[] {
  const encrypted = /Proc-Type:\s*4,ENCRYPTED|-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text);
  if (encrypted) {
    if (!options.publicKey) throw new Error("passphrase-protected PEM key without its .pub file");
    const publicKey = parseSshPublicKey(options.publicKey);
    const ask = options.passphrase;
    const unlock = ask
      ? async (): Promise<Identity> => {
          // asked outside the try: "no terminal" or a cancelled prompt is not a wrong passphrase
          const passphrase = await ask(source);
          let key: KeyObject;
          try {
            key = createPrivateKey({ key: text, format: "pem", passphrase });
          } catch {
            throw new SealboxError("CouldNotRetrieveKey", "incorrect passphrase for the ssh key", { file: source });
          }
          return pemIdentities(key)[0]!;
        }
      : undefined;
    return [new LockedSshIdentity(publicKey, source, true, unlock)];
  }
  return pemIdentities(createPrivateKey({ key: text, format: "pem" }));
}

function pemIdentities(key: KeyObject): Identity[] {
  if (key.asymmetricKeyType === "rsa") return [new SshRsaIdentity(key)];
  if (key.asymmetricKeyType === "ed25519") {
    const jwk = key.export({ format: "jwk" });
    const point = fromB64u(jwk.x!);
    return identitiesForEd25519(fromB64u(jwk.d!), concat(wireString("ssh-ed25519"), wireString(point)));
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? "unknown"} (age supports ssh-ed25519 and ssh-rsa)`);
}
