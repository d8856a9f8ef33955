// `seal --validate` and `seal --re-encrypt`: kubeseal's two questions to a live controller, asked
// through an HTTPS stand-in of the Kubernetes API server on 127.0.0.1 whose service proxy plays the
// controller's /v1/verify and /v1/rotate. The stand-in opens values with openssl (not our code) and
// re-seals with node:crypto, as the controller does with its newest key.
import { execFileSync } from "node:child_process";
import { createCipheriv, publicEncrypt, randomBytes, constants } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { cleanEnv, sealbox } from "../helpers/cli.js";
import { CERT, KEY, VECTORS, makeKeyPair, opensslOpen, tempDir, type KeyPair } from "./helpers.js";

const PROXY = "/api/v1/namespaces/kube-system/services/http:sealed-secrets-controller:http/proxy";
const TOKEN = "controller-test-token-42";

interface SealedJson {
  kind?: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: { encryptedData: Record<string, string>; template?: unknown };
}

/** The label a SealedSecret's values are sealed under, from its scope annotations. */
function labelOf(s: SealedJson): string {
  const a = s.metadata.annotations ?? {};
  if (a["sealedsecrets.bitnami.com/cluster-wide"] === "true") return "";
  if (a["sealedsecrets.bitnami.com/namespace-wide"] === "true") return s.metadata.namespace ?? "";
  return `${s.metadata.namespace ?? ""}/${s.metadata.name}`;
}

/** Sealed Secrets' hybrid format, written here independently of src/: uint16 length, RSA-OAEP(session key), AES-GCM. */
function sealTo(certPem: string, plain: Buffer, label: string): string {
  const sessionKey = randomBytes(32);
  const wrapped = publicEncrypt({ key: certPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(label) }, sessionKey);
  const cipher = createCipheriv("aes-256-gcm", sessionKey, Buffer.alloc(12));
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(wrapped.length);
  return Buffer.concat([length, wrapped, body]).toString("base64");
}

let dir: string;
let newKey: KeyPair;
let otherKey: KeyPair;
let api: ReturnType<typeof createHttpsServer>;
let kubeconfig: string;
const requests: { method?: string; url?: string; body: string }[] = [];
/** How many POSTs the stand-in turns away next with 429, as the controller's rate limit does. */
let limited = 0;
/** Bytes of white space the stand-in's /v1/rotate puts after its (valid) answer. */
let padding = 0;
/** Changes the stand-in's /v1/rotate answer, as a broken or hostile controller or proxy might. */
let tamper: ((answer: { spec: { encryptedData: Record<string, unknown> } }) => unknown) | undefined;

beforeAll(async () => {
  dir = tempDir();
  newKey = makeKeyPair(dir, "newest");
  otherKey = makeKeyPair(dir, "other-cluster");
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "api.key", "-subj", "/CN=kube-apiserver", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2", "-out", "api.crt");

  // The controller's keys: the fixture key pair opens; a re-encrypt seals to the newest one.
  const open = (s: SealedJson): Record<string, Buffer> | undefined => {
    try {
      return Object.fromEntries(Object.entries(s.spec.encryptedData).map(([k, v]) => [k, opensslOpen(v, labelOf(s), KEY)]));
    } catch {
      return undefined;
    }
  };
  api = createHttpsServer({ key: readFileSync(join(dir, "api.key")), cert: readFileSync(join(dir, "api.crt")) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method, url: req.url, body });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return res.writeHead(401).end();
      if (req.method === "GET" && req.url === "/api/v1/namespaces/kube-system/services/sealed-secrets-controller") {
        return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Service", spec: { ports: [{ name: "http", port: 8080 }] } }));
      }
      if (limited > 0 && req.method === "POST") {
        limited--;
        return res.writeHead(429, { "retry-after": "1" }).end("limit exceeded");
      }
      let posted: SealedJson;
      try {
        posted = JSON.parse(body) as SealedJson;
      } catch {
        return res.writeHead(500).end();
      }
      if (posted.kind !== "SealedSecret") return res.writeHead(500).end();
      const values = open(posted);
      if (req.method === "POST" && req.url === `${PROXY}/v1/verify`) return res.writeHead(values ? 200 : 409).end();
      if (req.method === "POST" && req.url === `${PROXY}/v1/rotate`) {
        if (!values) return res.writeHead(500).end();
        const cert = readFileSync(newKey.cert, "utf8");
        const encryptedData = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, sealTo(cert, v, labelOf(posted))]));
        // the controller builds a new object: server fields, its own template
        const answer = { kind: "SealedSecret", apiVersion: "bitnami.com/v1alpha1", metadata: { ...posted.metadata, creationTimestamp: null }, spec: { template: { metadata: { creationTimestamp: null } }, encryptedData } };
        return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(tamper ? tamper(answer) : answer) + " ".repeat(padding));
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  kubeconfig = join(dir, "kubeconfig");
  const server = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
  writeFileSync(
    kubeconfig,
    YAML.stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "main",
      clusters: [{ name: "c", cluster: { server, "certificate-authority": join(dir, "api.crt") } }],
      users: [{ name: "u", user: { token: TOKEN } }],
      contexts: [{ name: "main", context: { cluster: "c", user: "u" } }],
    }),
  );
});
afterAll(() => {
  api.close();
});

const env = () => cleanEnv({ KUBECONFIG: kubeconfig });
const fixture = (name: string) => join(VECTORS, name);

describe("seal --validate", () => {
  it("asks the controller's /v1/verify through the service proxy, and says it can decrypt", async () => {
    requests.length = 0;
    const result = await sealbox(["seal", "--validate", fixture("stringdata-strict.sealed.yaml")], { env: env() });
    expect(result.stderr).toContain("the controller can decrypt SealedSecret prod/db-credentials");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /api/v1/namespaces/kube-system/services/sealed-secrets-controller", `POST ${PROXY}/v1/verify`]);
    const posted = JSON.parse(requests[1].body) as SealedJson;
    expect(posted.kind).toBe("SealedSecret");
    expect(posted.spec.encryptedData).toEqual(YAML.parse(readFileSync(fixture("stringdata-strict.sealed.yaml"), "utf8")).spec.encryptedData);
  });

  it("reads a v1 List of SealedSecrets (kubectl get sealedsecrets -o yaml) by its items; --re-encrypt refuses it", async () => {
    const items = ["stringdata-strict.sealed.yaml", "cluster-wide.sealed.yaml"].map((f) => YAML.parse(readFileSync(fixture(f), "utf8")));
    const list = join(dir, "list.yaml");
    writeFileSync(list, YAML.stringify({ apiVersion: "v1", kind: "List", items }));
    requests.length = 0;
    const result = await sealbox(["seal", "--validate", list], { env: env() });
    expect(result.stderr).toContain("all 2 SealedSecrets");
    expect(result.status).toBe(0);
    expect(requests.filter((r) => r.url === `${PROXY}/v1/verify`).map((r) => (JSON.parse(r.body) as SealedJson).metadata.name)).toEqual(items.map((i) => i.metadata.name));
    const reencrypt = await sealbox(["seal", "--re-encrypt", list, "-o", join(dir, "list.out.yaml")], { env: env() });
    expect(reencrypt.status).toBe(8);
    expect(reencrypt.stderr).toContain("items of a v1 List");
    expect(existsSync(join(dir, "list.out.yaml"))).toBe(false);
  });

  it("reads stdin as kubeseal does, and JSON as well as YAML", async () => {
    const result = await sealbox(["seal", "--validate"], { env: env(), input: readFileSync(fixture("cluster-wide.sealed.json")) });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("the controller can decrypt");
  });

  it("fails with exit 70 naming the SealedSecret the controller cannot open (sealed to another cluster), and writes nothing", async () => {
    const secret = join(dir, "other.secret.yaml");
    writeFileSync(secret, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: elsewhere\n  namespace: dev\nstringData:\n  token: s3cr3t-value\n");
    const sealedElsewhere = await sealbox(["seal", "--cert", otherKey.cert, "--format", "yaml", secret], { env: cleanEnv() });
    expect(sealedElsewhere.status).toBe(0);
    const both = join(dir, "both.yaml");
    writeFileSync(both, readFileSync(fixture("stringdata-strict.sealed.yaml"), "utf8") + sealedElsewhere.stdout);
    const result = await sealbox(["seal", "--validate", both], { env: env() });
    expect(result.status).toBe(70);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("cannot decrypt SealedSecret dev/elsewhere");
    expect(result.stderr).not.toContain("db-credentials");
    expect(result.stderr).not.toContain("s3cr3t-value");
  });

  it("asks again after the controller's 429 (it allows 2 requests a second), within --timeout", async () => {
    requests.length = 0;
    limited = 1;
    const result = await sealbox(["seal", "--validate", fixture("stringdata-strict.sealed.yaml")], { env: env() });
    expect(result.stderr).toContain("the controller can decrypt");
    expect(result.status).toBe(0);
    expect(requests.filter((r) => r.method === "POST")).toHaveLength(2);
    limited = 1000;
    const gaveUp = await sealbox(["seal", "--validate", "--timeout", "0.5", fixture("stringdata-strict.sealed.yaml")], { env: env() });
    limited = 0;
    expect(gaveUp.status).toBe(72);
    expect(gaveUp.stderr).toContain("HTTP 429 (too many requests)");
  });

  it("reads every SealedSecret before asking: a damaged one is named with its line, and nothing is sent", async () => {
    const input = join(dir, "damaged.sealed.yaml");
    const first = readFileSync(fixture("stringdata-strict.sealed.yaml"), "utf8");
    writeFileSync(input, first + "---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: x\nspec:\n  encryptedData:\n    k: 5\n");
    requests.length = 0;
    const result = await sealbox(["seal", "--validate", input], { env: env() });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`damaged.sealed.yaml:${first.split("\n").length}: spec.encryptedData.k must be a string`);
    expect(requests).toEqual([]);
  });

  it("refuses sealing flags and an output file, which mean nothing to the controller", async () => {
    const withCert = await sealbox(["seal", "--validate", "--cert", CERT, fixture("stringdata-strict.sealed.yaml")], { env: env() });
    expect(withCert.status).toBe(8);
    expect(withCert.stderr).toContain("--cert does not go with --validate");
    const withOutput = await sealbox(["seal", "--validate", "-o", join(dir, "x.yaml"), fixture("stringdata-strict.sealed.yaml")], { env: env() });
    expect(withOutput.status).toBe(8);
    // --format was refused only when it differed from the input's, as if --validate wrote something
    const withFormat = await sealbox(["seal", "--validate", "--format", "yaml", fixture("stringdata-strict.sealed.yaml")], { env: env() });
    expect(withFormat.status).toBe(8);
    expect(withFormat.stderr).toContain("--validate writes nothing");
    const notSealed = await sealbox(["seal", "--validate", fixture("stringdata-strict.secret.yaml")], { env: env() });
    expect(notSealed.status).toBe(92);
  });
});

describe("seal --fetch-cert with --validate or --re-encrypt", () => {
  it("is refused before anything is asked: kubeseal would do the other, and one of them would be dropped", async () => {
    requests.length = 0;
    for (const flag of ["--validate", "--re-encrypt"]) {
      const result = await sealbox(["seal", "--fetch-cert", flag, fixture("stringdata-strict.sealed.yaml")], { env: env() });
      expect(result.status).toBe(8);
      expect(result.stderr).toContain(`--fetch-cert and ${flag} do not go together`);
      expect(result.stdout).toBe("");
    }
    expect(requests).toEqual([]);
  });
});

describe("seal --re-encrypt", () => {
  it("takes the controller's new encryptedData and keeps the rest of the file: comments, template metadata, format", async () => {
    const input = join(dir, "annotated.sealed.yaml");
    const original = "# owned by team-a\n" + readFileSync(fixture("annotated-namespace-wide.sealed.yaml"), "utf8");
    writeFileSync(input, original);
    const out = join(dir, "annotated.reencrypted.yaml");
    const result = await sealbox(["seal", "--re-encrypt", input, "-o", out], { env: env() });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const before = YAML.parse(original);
    const after = YAML.parse(readFileSync(out, "utf8"));
    expect(readFileSync(out, "utf8").startsWith("# owned by team-a\n")).toBe(true);
    expect(after.spec.template).toEqual(before.spec.template);
    expect(after.metadata).toEqual(before.metadata);
    expect(Object.keys(after.spec.encryptedData)).toEqual(Object.keys(before.spec.encryptedData));
    for (const key of Object.keys(before.spec.encryptedData)) expect(after.spec.encryptedData[key]).not.toBe(before.spec.encryptedData[key]);
    // the newest key opens the result to the same Secret; the old one no longer does
    const oldSecret = await sealbox(["unseal", "--private-key", KEY, input]);
    const newSecret = await sealbox(["unseal", "--private-key", newKey.key, out]);
    expect(newSecret.status).toBe(0);
    expect(newSecret.stdout).toBe(oldSecret.stdout);
    expect((await sealbox(["unseal", "--private-key", KEY, out])).status).toBe(70);
  });

  it("prints JSON for JSON input on stdout, as kubeseal --re-encrypt < ss.json does", async () => {
    const result = await sealbox(["seal", "--re-encrypt"], { env: env(), input: readFileSync(fixture("data-strict.sealed.json")) });
    expect(result.status).toBe(0);
    const after = JSON.parse(result.stdout) as SealedJson;
    expect(after.metadata.name).toBe(JSON.parse(readFileSync(fixture("data-strict.sealed.json"), "utf8")).metadata.name);
    const reopened = await sealbox(["unseal", "--private-key", newKey.key, "-"], { input: result.stdout });
    const original = await sealbox(["unseal", "--private-key", KEY, fixture("data-strict.sealed.json")]);
    expect(reopened.stdout).toBe(original.stdout);
  });

  it("writes nothing when the controller cannot open a SealedSecret (exit 70)", async () => {
    const secret = join(dir, "lost.secret.yaml");
    writeFileSync(secret, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: lost\n  namespace: dev\nstringData:\n  k: v\n");
    const sealed = await sealbox(["seal", "--cert", otherKey.cert, "--format", "yaml", secret], { env: cleanEnv() });
    const input = join(dir, "lost.sealed.yaml");
    writeFileSync(input, sealed.stdout);
    const out = join(dir, "lost.out.yaml");
    const result = await sealbox(["seal", "--re-encrypt", input, "-o", out], { env: env() });
    expect(result.status).toBe(70);
    expect(result.stderr).toContain("could not re-encrypt");
    expect(existsSync(out)).toBe(false);
  });

  it("rewrites the -f file in place when there is no -o, as kubeseal --re-encrypt -f does; the FILE argument goes to stdout", async () => {
    const input = join(dir, "in-place.sealed.yaml");
    const original = "# kept\n" + readFileSync(fixture("stringdata-strict.sealed.yaml"), "utf8");
    writeFileSync(input, original, { mode: 0o640 });
    const result = await sealbox(["seal", "--re-encrypt", "-f", input], { env: env() });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    const rewritten = readFileSync(input, "utf8");
    expect(rewritten.startsWith("# kept\n")).toBe(true);
    expect(YAML.parse(rewritten).spec.encryptedData).not.toEqual(YAML.parse(original).spec.encryptedData);
    expect((await sealbox(["unseal", "--private-key", newKey.key, input])).status).toBe(0);
    expect(statSync(input).mode & 0o777).toBe(0o640);
    writeFileSync(input, original);
    const printed = await sealbox(["seal", "--re-encrypt", input], { env: env() });
    expect(printed.status).toBe(0);
    expect(printed.stdout).toContain("kind: SealedSecret");
    expect(readFileSync(input, "utf8")).toBe(original);
  });

  it("takes only base64 strings under the same own keys from the answer, and writes nothing else", async () => {
    const out = join(dir, "tampered.out.yaml");
    const cases: [string, (a: { spec: { encryptedData: Record<string, unknown> } }) => unknown][] = [
      ["a value that is not base64", (a) => ({ ...a, spec: { ...a.spec, encryptedData: { ...a.spec.encryptedData, password: "line\n---\nkind: Other" } } })],
      ["encryptedData as a list", (a) => ({ ...a, spec: { ...a.spec, encryptedData: Object.values(a.spec.encryptedData) } })],
      ["an empty value", (a) => ({ ...a, spec: { ...a.spec, encryptedData: { ...a.spec.encryptedData, password: "" } } })],
    ];
    for (const [what, change] of cases) {
      tamper = change;
      const result = await sealbox(["seal", "--re-encrypt", fixture("stringdata-strict.sealed.yaml"), "-o", out], { env: env() });
      tamper = undefined;
      expect(result.status, what).toBe(70);
      expect(result.stderr, what).toContain("is not that SealedSecret with the same keys and base64 values");
      expect(existsSync(out), what).toBe(false);
    }
  });

  it("names the file and line of the SealedSecret the controller fails on", async () => {
    const secret = join(dir, "second.secret.yaml");
    writeFileSync(secret, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: second\n  namespace: dev\nstringData:\n  k: v\n");
    const elsewhere = await sealbox(["seal", "--cert", otherKey.cert, "--format", "yaml", secret], { env: cleanEnv() });
    const input = join(dir, "two.sealed.yaml");
    const first = readFileSync(fixture("stringdata-strict.sealed.yaml"), "utf8");
    writeFileSync(input, first + elsewhere.stdout);
    const result = await sealbox(["seal", "--re-encrypt", input], { env: env() });
    expect(result.status).toBe(70);
    expect(result.stderr).toContain(`two.sealed.yaml:${first.split("\n").length}: `);
    expect(result.stdout).toBe("");
  });

  it("refuses an answer of more than 16 MiB (a SealedSecret is at most 1.5 MiB) and writes nothing", async () => {
    const out = join(dir, "padded.out.yaml");
    padding = 17 * 1024 * 1024;
    const result = await sealbox(["seal", "--re-encrypt", fixture("stringdata-strict.sealed.yaml"), "-o", out], { env: env() });
    padding = 0;
    expect(result.stderr).toContain("answered with more than 16 MiB");
    expect(result.status).toBe(72);
    expect(existsSync(out)).toBe(false);
  });

  it("keeps the input's format: --format asking for another is refused", async () => {
    const result = await sealbox(["seal", "--re-encrypt", "--format", "yaml", fixture("data-strict.sealed.json")], { env: env() });
    expect(result.status).toBe(8);
    expect(result.stderr).toContain("keeps the input's format (json)");
  });
});
