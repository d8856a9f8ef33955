// The X25519 keys behind the native age recipient: built from raw bytes (JWK `d`), public halves as
// OpenSSL works them out on import, and fresh ephemeral keys that never go through generateKeyPairSync
// (exporting a key it made can deadlock Node 20 when a garbage collection lands inside the export).
import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NativeX25519Identity, NativeX25519Recipient, x25519, x25519Ephemeral, x25519PrivateKey, x25519RawPublic } from "../../src/keys/age-x25519.js";
import { ROOT } from "../helpers/fixtures.js";

const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const BASE_POINT = Uint8Array.of(9, ...new Uint8Array(31));

describe("X25519 keys from raw bytes", () => {
  it("a private key from its scalar is the key PKCS #8 gives, and its public half is OpenSSL's", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (scalar) => {
        const ours = x25519PrivateKey(scalar);
        const viaDer = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, scalar]), format: "der", type: "pkcs8" });
        const openssl = Buffer.from(createPublicKey(viaDer).export({ format: "jwk" }).x!, "base64url");
        expect(Buffer.from(x25519RawPublic(ours))).toEqual(openssl);
        // and it is the scalar times the base point (u = 9), worked out independently
        expect(Buffer.from(x25519(ours, BASE_POINT))).toEqual(openssl);
      }),
      { numRuns: 100 },
    );
  });

  it("an ephemeral share agrees with the recipient's side, and each is fresh", () => {
    const identity = x25519PrivateKey(randomBytes(32));
    const point = x25519RawPublic(identity);
    const { privateKey, share } = x25519Ephemeral();
    expect(Buffer.from(x25519(privateKey, point))).toEqual(Buffer.from(x25519(identity, share)));
    expect(Buffer.from(x25519Ephemeral().share)).not.toEqual(Buffer.from(share));
  });

  it("wraps and unwraps a file key", () => {
    const identity = new NativeX25519Identity(randomBytes(32));
    const fileKey = randomBytes(16);
    const stanzas = new NativeX25519Recipient(identity.recipient).wrapFileKey(fileKey);
    expect(Buffer.from(identity.unwrapFileKey(stanzas)!)).toEqual(fileKey);
  });

  it("tens of thousands of ephemeral keys under constant garbage collection (no deadlock)", async () => {
    // A 1 MB young generation collects every few keys. With generateKeyPairSync and a JWK export,
    // five of six such runs hung within 20,000 keys; two run here at once, each must finish.
    const module = join(ROOT, "dist", "keys", "age-x25519.js");
    const script = `
      import { x25519Ephemeral } from ${JSON.stringify(module)};
      for (let i = 0; i < 20000; i++) x25519Ephemeral();
      console.log("done");`;
    const run = (): Promise<string> =>
      new Promise((resolve) => {
        execFile(process.execPath, ["--max-semi-space-size=1", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 }, (error, stdout) => resolve(error ? String(error.signal ?? error.message) : stdout.trim()));
      });
    expect(await Promise.all([run(), run()])).toEqual(["done", "done"]);
  }, 40_000);
});
