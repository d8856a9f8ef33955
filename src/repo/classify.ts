// What a file is, from its bytes alone: a SOPS document (metadata parsed, values untouched), a file of
// SealedSecrets, a plaintext file (with any plaintext Kubernetes Secrets in it), or unreadable. Shared
// by rotate, updatekeys, audit and the pre-commit guard so they never disagree. Reads no key.
import { SealboxError } from "../errors.js";
import { codecFor, formatForPath } from "../formats/index.js";
import type { Codec, FormatName } from "../formats/types.js";
import { hasMetadata, splitMetadata, type EncryptedFile } from "../sops/sops-file.js";
import type { ManifestDoc, ManifestFile } from "../sealed/manifest.js";
import { isRecord, listItems } from "../sealed/objects.js";

export interface PlainSecret {
  line: number;
  name: string;
  namespace?: string;
  /** Key names only, never values. */
  keys: string[];
  /** Set when the file says `kind: Secret` but does not parse: its values cannot be told apart, so it counts as plaintext. */
  unparsed?: boolean;
}

// `kind: Secret` as text, in block (also a list item), flow or JSON style: what a manifest that does
// not parse says it is. A line's indent is spaces, tabs and list dashes only: \s there would run on
// over the following lines, from every line start, and take quadratic time on blank lines.
const SECRET_KIND = /(?:^[ \t-]*|[{,]\s*)["']?kind["']?\s*:\s*["']?Secret\b/m;
const TEMPLATE_ACTION = /\{\{/;

export type Classified =
  | { kind: "sops"; format: FormatName; codec: Codec; file: EncryptedFile }
  | { kind: "sealed"; manifests: ManifestFile; sealed: ManifestDoc[]; plainSecrets: PlainSecret[] }
  | { kind: "plain"; plainSecrets: PlainSecret[]; empty: boolean }
  /** plainSecrets: a damaged encrypted Secret, whose values added in clear text cannot be told apart. */
  | { kind: "unreadable"; error: SealboxError; plainSecrets: PlainSecret[] };

const MANIFEST_FORMATS = new Set<FormatName>(["yaml", "json"]);

function mapKeys(v: unknown): string[] {
  return isRecord(v) ? Object.keys(v) : [];
}

/** The plaintext Secrets among parsed manifests (a v1 List counts by its items); empty ones are harmless. */
function plainSecretsOf(docs: ManifestDoc[]): PlainSecret[] {
  const out: PlainSecret[] = [];
  for (const doc of docs) {
    for (const item of listItems(doc.value) ?? [doc.value]) {
      if (!isRecord(item) || item.kind !== "Secret") continue;
      const keys = [...new Set([...mapKeys(item.data), ...mapKeys(item.stringData)])];
      if (keys.length === 0) continue;
      const meta = isRecord(item.metadata) ? item.metadata : {};
      out.push({ line: doc.line, name: typeof meta.name === "string" ? meta.name : "(unnamed)", namespace: typeof meta.namespace === "string" ? meta.namespace : undefined, keys });
    }
  }
  return out;
}

/** A manifest that does not parse but says `kind: Secret`: its values cannot be told apart, so it counts as plaintext. */
function unparsedSecrets(text: string): PlainSecret[] {
  // a Helm (or other Go) template does not parse until rendered, and its values come from elsewhere
  if (TEMPLATE_ACTION.test(text)) return [];
  const at = SECRET_KIND.exec(text);
  if (!at) return [];
  const line = text.slice(0, text.indexOf("kind", at.index)).split("\n").length;
  return [{ line, name: "(unparsed)", keys: [], unparsed: true }];
}

function asError(error: unknown, file: string): SealboxError {
  if (error instanceof SealboxError) return error.inFile(file);
  return new SealboxError("CouldNotReadInputFile", error instanceof Error ? error.message : String(error), { file, cause: error });
}

/** Classifies one file's bytes; `file` names errors and picks the format (by its name's ending, as sops does) unless `format` is given. */
export async function classify(file: string, bytes: Uint8Array, format: FormatName = formatForPath(file)): Promise<Classified> {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Every sops layout spells the metadata key "sops" (yaml/json key, sops_ in dotenv, [sops] in INI).
  if (text.includes("sops")) {
    try {
      const codec = await codecFor(format);
      const docs = codec.parseEncrypted(bytes, file);
      if (hasMetadata(docs)) return { kind: "sops", format, codec, file: splitMetadata(docs) };
    } catch (error) {
      // A file that names sops but does not parse as a sops document is either damaged or plain.
      if (text.includes("ENC[AES256_GCM,")) {
        // a hand edit that broke an encrypted Secret may have put a value in it in clear text
        const plainSecrets = MANIFEST_FORMATS.has(format) ? unparsedSecrets(text.toString("utf8")) : [];
        return { kind: "unreadable", error: asError(error, file), plainSecrets };
      }
    }
  }
  const latin1 = text.toString("latin1");
  // a Helm (or other Go) template is not YAML until rendered, and its values come from elsewhere
  if (MANIFEST_FORMATS.has(format) && /\bkind\b/.test(latin1) && !TEMPLATE_ACTION.test(latin1)) {
    const { parseManifests, isSealedSecret } = await import("../sealed/manifest.js");
    let manifests: ManifestFile;
    try {
      manifests = parseManifests(text.toString("utf8"), file);
    } catch {
      // a Secret written wrong still holds its values in plaintext: the guard and audit must see it
      const plain = text.toString("utf8");
      return { kind: "plain", plainSecrets: unparsedSecrets(plain), empty: plain.trim() === "" };
    }
    const sealed = manifests.docs.filter((d) => isSealedSecret(d.value));
    const plainSecrets = plainSecretsOf(manifests.docs);
    if (sealed.length) return { kind: "sealed", manifests, sealed, plainSecrets };
    return { kind: "plain", plainSecrets, empty: false };
  }
  return { kind: "plain", plainSecrets: [], empty: text.toString("utf8").trim() === "" };
}
