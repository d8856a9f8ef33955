// Private keys for recovery (unseal, reencrypt, scope): PEM (PKCS#1 or PKCS#8, several per file), the
// controller's key Secret (`tls.key`), or a `v1 List` of them as `kubectl get secret -l
// sealedsecrets.bitnami.com/sealed-secrets-key -o yaml` backs them up.
import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { SealboxError, failureReason } from "../errors.js";
import { parseManifests } from "./manifest.js";
import { listItems } from "./objects.js";

export interface NamedPrivateKey {
  /** file, and the Secret's name for a key Secret, for messages. */
  name: string;
  key: KeyObject;
}

const PEM_BLOCK = /-----BEGIN ((?:RSA )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/g;

export async function loadPrivateKeys(paths: readonly string[]): Promise<NamedPrivateKey[]> {
  const keys: NamedPrivateKey[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new SealboxError("CouldNotReadInputFile", `cannot read the private key: ${failureReason(error)}`, { file: path, cause: error });
    }
    keys.push(...parsePrivateKeys(text, path));
  }
  return keys;
}

export function parsePrivateKeys(text: string, source: string): NamedPrivateKey[] {
  if (text.includes("-----BEGIN")) {
    const blocks = text.match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) throw new SealboxError("CouldNotReadInputFile", "no RSA PRIVATE KEY or PRIVATE KEY PEM block found (encrypted keys are not supported)", { file: source });
    return blocks.map((pem, i) => ({ name: blocks.length > 1 ? `${source} #${i + 1}` : source, key: rsaKey(pem, source) }));
  }
  const keys: NamedPrivateKey[] = [];
  for (const doc of parseManifests(text, source).docs) {
    if (doc.value === null) continue;
    for (const item of listItems(doc.value, ["List", "SecretList"]) ?? [doc.value]) keys.push(keyFromSecret(item, source, doc.line));
  }
  if (keys.length === 0) throw new SealboxError("CouldNotReadInputFile", "no private key found", { file: source });
  return keys;
}

function keyFromSecret(item: unknown, source: string, line: number): NamedPrivateKey {
  const secret = item as { kind?: string; metadata?: { name?: string }; data?: Record<string, string>; stringData?: Record<string, string> };
  if (secret?.kind !== "Secret") {
    throw new SealboxError("CouldNotReadInputFile", "expected a PEM private key, a key Secret or a List of key Secrets", { file: source, line });
  }
  const name = `${source} (${secret.metadata?.name ?? "unnamed Secret"})`;
  const encoded = secret.data?.["tls.key"];
  const pem = encoded !== undefined ? Buffer.from(encoded, "base64").toString("utf8") : secret.stringData?.["tls.key"];
  if (!pem) throw new SealboxError("CouldNotReadInputFile", `the Secret ${secret.metadata?.name ?? ""} has no tls.key`, { file: source, line });
  return { name, key: rsaKey(pem, name) };
}

function rsaKey(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new SealboxError("CouldNotReadInputFile", "not a readable private key (encrypted keys are not supported)", { file: source, cause: error });
  }
  if (key.asymmetricKeyType !== "rsa") throw new SealboxError("CouldNotReadInputFile", `the key is ${key.asymmetricKeyType}, not RSA`, { file: source });
  return key;
}
