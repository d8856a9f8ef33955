// Certificates: `cert verify`, pinning with --cert-sha256 on every command that reads one, --cert as a
// URL, and `cert fetch` against an HTTPS stand-in of the Kubernetes API server on 127.0.0.1 with a CA,
// server and client certificates made here with openssl.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { loadKubeTarget } from "../../src/sealed/kube.js";
import { cleanEnv, sealbox } from "../helpers/cli.js";
import { CERT, KEY, VECTORS, makeKeyPair, opensslOpen, tempDir } from "./helpers.js";

const FIXTURE_SHA256 = execFileSync("openssl", ["x509", "-in", CERT, "-noout", "-fingerprint", "-sha256"], { encoding: "utf8" })
  .trim()
  .replace(/^.*=/, "")
  .toLowerCase();
const secretYaml = readFileSync(join(VECTORS, "stringdata-strict.secret.yaml"), "utf8");

let dir: string;
beforeAll(() => {
  dir = tempDir();
});

describe("cert verify", () => {
  it("prints the SHA-256 fingerprint (as openssl computes it) and notAfter", async () => {
    const result = await sealbox(["cert", "verify", CERT]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`sha256:    ${FIXTURE_SHA256}`);
    expect(result.stdout).toContain("RSA 4096 bits");
    const notAfter = execFileSync("openssl", ["x509", "-in", CERT, "-noout", "-enddate"], { encoding: "utf8" }).trim().replace("notAfter=", "");
    expect(result.stdout).toContain(`notAfter:  ${new Date(notAfter).toISOString()}`);
    const json = JSON.parse((await sealbox(["cert", "verify", CERT, "--json"])).stdout);
    expect(json.sha256).toBe(FIXTURE_SHA256);
  });

  it("is quiet about a fresh certificate, and warns about one older than the 30-day renewal period", async () => {
    const fresh = makeKeyPair(dir, "fresh");
    expect((await sealbox(["cert", "verify", fresh.cert])).stderr).toBe("");
    const old = makeKeyPair(dir, "old", { start: "20250101000000Z", end: "20350101000000Z" });
    const result = await sealbox(["cert", "verify", old.cert]);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/warning: the certificate is \d+ days old, more than the controller's 30-day key renewal period/);
  });

  it("refuses an expired certificate (exit 71) after printing which one it is", async () => {
    const expired = makeKeyPair(dir, "expired", { start: "20200101000000Z", end: "20210101000000Z" });
    const result = await sealbox(["cert", "verify", expired.cert]);
    expect(result.status).toBe(71);
    expect(result.stdout).toContain("EXPIRED");
    expect(result.stderr).toContain("expired on 2021-01-01T00:00:00.000Z");
    const seal = await sealbox(["seal", "--cert", expired.cert], { input: secretYaml });
    expect(seal.status).toBe(71);
    expect(seal.stdout).toBe("");
  });

  it("refuses a certificate whose key is not RSA, and a file that is no certificate", async () => {
    const ecKey = join(dir, "ec.key");
    const ecCert = join(dir, "ec.crt");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ecKey, "-subj", "/CN=ec", "-days", "10", "-out", ecCert], { stdio: "pipe" });
    const ec = await sealbox(["cert", "verify", ecCert]);
    expect(ec.status).toBe(71);
    expect(ec.stderr).toContain("needs RSA");
    const junk = await sealbox(["cert", "verify", KEY]);
    expect(junk.status).toBe(71);
    expect(junk.stderr).toContain("not an X.509 certificate");
  });

  it("--cert-sha256 pins the certificate, with or without colons, on verify and seal", async () => {
    expect((await sealbox(["cert", "verify", CERT, "--cert-sha256", FIXTURE_SHA256.toUpperCase()])).status).toBe(0);
    expect((await sealbox(["seal", "--cert", CERT, "--cert-sha256", FIXTURE_SHA256.replace(/:/g, "")], { input: secretYaml })).status).toBe(0);
    const other = makeKeyPair(dir, "pin-other");
    const wrong = await sealbox(["seal", "--cert", other.cert, "--cert-sha256", FIXTURE_SHA256], { input: secretYaml });
    expect(wrong.status).toBe(71);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toContain("does not match --cert-sha256");
    const reencrypt = await sealbox(["reencrypt", join(VECTORS, "data-strict.sealed.yaml"), "--cert", other.cert, "--cert-sha256", FIXTURE_SHA256, "--private-key", KEY]);
    expect(reencrypt.status).toBe(71);
  });

  it("says clearly when there is no certificate", async () => {
    const none = await sealbox(["seal"], { input: secretYaml });
    expect(none.status).toBe(71);
    expect(none.stderr).toContain("--cert");
    const missing = await sealbox(["seal", "--cert", join(dir, "nope.pem")], { input: secretYaml });
    expect(missing.status).toBe(71);
    expect(missing.stderr).toContain("nope.pem");
  });
});

describe("--cert as a URL", () => {
  let server: ReturnType<typeof createHttpServer>;
  let base: string;
  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      if (req.url === "/v1/cert.pem") res.end(readFileSync(CERT));
      else res.writeHead(404).end("not found");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it("reads http:// and file:// URLs", async () => {
    const http = await sealbox(["seal", "--cert", `${base}/v1/cert.pem`, "--cert-sha256", FIXTURE_SHA256], { input: secretYaml });
    expect(http.stderr).toBe("");
    expect(http.status).toBe(0);
    const file = await sealbox(["seal", "--cert", pathToFileURL(CERT).href], { input: secretYaml });
    expect(file.status).toBe(0);
    const gone = await sealbox(["seal", "--cert", `${base}/missing.pem`], { input: secretYaml });
    expect(gone.status).toBe(71);
    expect(gone.stderr).toContain("HTTP 404");
  });
});

describe("cert fetch through the API server's service proxy", () => {
  // kubeseal's two requests: the Service (for its first port's name, "http" since controller 0.17.1),
  // then the proxy to that port; a controller whose port has no name is proxied with an empty one
  const SERVICE_PATH = "/api/v1/namespaces/kube-system/services/sealed-secrets-controller";
  const PROXY_PATH = "/api/v1/namespaces/kube-system/services/http:sealed-secrets-controller:http/proxy/v1/cert.pem";
  const LEGACY_SERVICE_PATH = "/api/v1/namespaces/kube-system/services/old-controller";
  const LEGACY_PROXY_PATH = "/api/v1/namespaces/kube-system/services/http:old-controller:/proxy/v1/cert.pem";
  const TOKEN = "test-bearer-token-0123456789";
  let pki: Record<string, string>;
  let api: ReturnType<typeof createHttpsServer>;
  let apiUrl: string;
  let silent: Server;
  const silentSockets: Socket[] = [];
  let silentUrl: string;
  const seen: { path?: string; auth?: string; clientCert?: string }[] = [];

  beforeAll(async () => {
    pki = {};
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    for (const name of ["ca", "server", "client", "otherca"]) {
      pki[`${name}.key`] = join(dir, `${name}.key`);
      pki[`${name}.crt`] = join(dir, `${name}.crt`);
      openssl("genrsa", "-out", pki[`${name}.key`], "2048");
    }
    for (const ca of ["ca", "otherca"]) openssl("req", "-x509", "-new", "-key", `${ca}.key`, "-subj", `/CN=${ca}`, "-days", "2", "-out", `${ca}.crt`);
    writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl("req", "-new", "-key", "server.key", "-subj", "/CN=kube-apiserver", "-out", "server.csr");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.crt");
    openssl("req", "-new", "-key", "client.key", "-subj", "/CN=admin/O=system:masters", "-out", "client.csr");
    openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", "client.crt");

    api = createHttpsServer(
      { key: readFileSync(pki["server.key"]), cert: readFileSync(pki["server.crt"]), ca: readFileSync(pki["ca.crt"]), requestCert: true, rejectUnauthorized: false },
      (req: IncomingMessage, res: ServerResponse) => {
        const socket = req.socket as import("node:tls").TLSSocket;
        const cn = socket.authorized ? socket.getPeerCertificate().subject?.CN : undefined;
        const clientCert = typeof cn === "string" ? cn : undefined;
        seen.push({ path: req.url, auth: req.headers.authorization, clientCert });
        if (!clientCert && req.headers.authorization !== `Bearer ${TOKEN}`) {
          res.writeHead(401, { "content-type": "application/json" }).end('{"kind":"Status","code":401,"reason":"Unauthorized"}');
        } else if (req.url === SERVICE_PATH || req.url === LEGACY_SERVICE_PATH) {
          const ports = req.url === SERVICE_PATH ? [{ name: "http", port: 8080, targetPort: 8080 }] : [{ port: 8080 }];
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Service", apiVersion: "v1", spec: { ports } }));
        } else if (req.url === PROXY_PATH || req.url === LEGACY_PROXY_PATH) {
          res.writeHead(200, { "content-type": "text/plain" }).end(readFileSync(CERT));
        } else {
          res.writeHead(404, { "content-type": "application/json" }).end('{"kind":"Status","code":404,"reason":"NotFound"}');
        }
      },
    );
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
    apiUrl = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
    // Accepts connections and never says a word.
    silent = createTcpServer((s) => silentSockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    silentUrl = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    api.close();
    for (const s of silentSockets) s.destroy();
    silent.close();
  });

  function kubeconfig(name: string, options: { server?: string; ca?: string; user: Record<string, string>; namespace?: string }): string {
    const file = join(dir, `${name}.kubeconfig`);
    const config = {
      apiVersion: "v1",
      kind: "Config",
      "current-context": "main",
      clusters: [{ name: "c", cluster: { server: options.server ?? apiUrl, "certificate-authority": options.ca ?? pki["ca.crt"] } }],
      users: [{ name: "u", user: options.user }],
      contexts: [
        { name: "main", context: { cluster: "c", user: "u", ...(options.namespace ? { namespace: options.namespace } : {}) } },
        { name: "other", context: { cluster: "c", user: "nobody" } },
      ],
    };
    writeFileSync(file, YAML.stringify(config));
    return file;
  }

  const clientCertUser = () => ({
    "client-certificate-data": readFileSync(pki["client.crt"]).toString("base64"),
    "client-key": pki["client.key"],
  });

  it("fetches with a client certificate from --kubeconfig, verifying the server against the kubeconfig's CA", async () => {
    const config = kubeconfig("client-cert", { user: clientCertUser() });
    seen.length = 0;
    const result = await sealbox(["cert", "fetch", "--kubeconfig", config]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(CERT, "utf8"));
    expect(seen).toEqual([SERVICE_PATH, PROXY_PATH].map((path) => ({ path, auth: undefined, clientCert: "admin" })));
    // a controller older than 0.17.1 (its port has no name) is proxied with an empty port name
    seen.length = 0;
    const legacy = await sealbox(["cert", "fetch", "--kubeconfig", config, "--controller-name", "old-controller"]);
    expect(legacy.status).toBe(0);
    expect(legacy.stdout).toBe(readFileSync(CERT, "utf8"));
    expect(seen.map((s) => s.path)).toEqual([LEGACY_SERVICE_PATH, LEGACY_PROXY_PATH]);
  });

  it("fetches with a bearer token from KUBECONFIG, writes -o atomically, and honours the pin", async () => {
    const config = kubeconfig("token", { user: { token: TOKEN } });
    const out = join(dir, "fetched.pem");
    seen.length = 0;
    const result = await sealbox(["cert", "fetch", "-o", out, "--cert-sha256", FIXTURE_SHA256], { env: cleanEnv({ KUBECONFIG: config }) });
    expect(result.status).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(CERT, "utf8"));
    expect(seen[0].auth).toBe(`Bearer ${TOKEN}`);
    const pinned = await sealbox(["cert", "fetch", "--cert-sha256", "00".repeat(32)], { env: cleanEnv({ KUBECONFIG: config }) });
    expect(pinned.status).toBe(71);
    expect(pinned.stdout).toBe("");
  });

  it("uses --controller-name and --controller-namespace, and says clearly when the service is not there", async () => {
    const config = kubeconfig("token2", { user: { token: TOKEN } });
    seen.length = 0;
    const result = await sealbox(["cert", "fetch", "--kubeconfig", config, "--controller-name", "sealed-secrets", "--controller-namespace", "infra"]);
    expect(result.status).toBe(72);
    expect(result.stdout).toBe("");
    expect(seen.map((s) => s.path)).toEqual(["/api/v1/namespaces/infra/services/sealed-secrets"]);
    expect(result.stderr).toContain('"sealed-secrets" in namespace "infra"');
  });

  it("reports refused credentials, an unknown context and an untrusted server certificate (exit 72)", async () => {
    const noCreds = await sealbox(["cert", "fetch", "--kubeconfig", kubeconfig("nocreds", { user: {} })]);
    expect(noCreds.status).toBe(72);
    expect(noCreds.stderr).toContain("HTTP 401");
    const ctx = await sealbox(["cert", "fetch", "--kubeconfig", kubeconfig("ctx", { user: { token: TOKEN } }), "--context", "missing"]);
    expect(ctx.status).toBe(72);
    expect(ctx.stderr).toContain('context "missing" not found');
    const wrongCa = await sealbox(["cert", "fetch", "--kubeconfig", kubeconfig("wrongca", { user: { token: TOKEN }, ca: pki["otherca.crt"] })]);
    expect(wrongCa.status).toBe(72);
    expect(wrongCa.stderr).toMatch(/cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(context "main"\): .*(certificate|self.signed)/i);
    expect(wrongCa.stdout).toBe("");
  });

  it("refuses a kubeconfig token no HTTP header can carry with exit 72 and the file, never the token", async () => {
    const config = kubeconfig("token-newline", { user: { token: `${TOKEN}\nX-Injected: yes` } });
    const result = await sealbox(["cert", "fetch", "--kubeconfig", config]);
    expect(result.status).toBe(72);
    expect(result.stderr).toContain(`user "u" has a token with characters an HTTP header cannot carry`);
    expect(result.stderr).toContain(config);
    expect(result.stderr).not.toContain(TOKEN);
    expect(result.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
  });

  it("gives up on a server that never answers, within the timeout", async () => {
    const started = Date.now();
    const result = await sealbox(["cert", "fetch", "--kubeconfig", kubeconfig("silent", { server: silentUrl, user: { token: TOKEN } }), "--timeout", "1"]);
    const elapsed = Date.now() - started;
    expect(result.status).toBe(72);
    expect(result.stderr).toContain("no answer within 1s");
    expect(elapsed).toBeLessThan(5000);
    // past Node's longest timer (24.8 days) a timeout would fire at once: refused, not a quick failure
    const endless = await sealbox(["cert", "fetch", "--kubeconfig", kubeconfig("silent", { server: silentUrl, user: { token: TOKEN } }), "--timeout", "3000000"]);
    expect(endless.status).toBe(8);
    expect(endless.stderr).toContain("--timeout must be a positive number of seconds up to");
  });

  it("reports a refused connection", async () => {
    const closed = createTcpServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const result = await sealbox(["cert", "fetch", "--kubeconfig", kubeconfig("refused", { server: `https://127.0.0.1:${port}`, user: { token: TOKEN } })]);
    expect(result.status).toBe(72);
    expect(result.stderr).toContain("connection refused");
  });

  it("takes a server written host:port, as kubectl does: https with the kubeconfig's CA", async () => {
    const config = kubeconfig("hostport", { server: apiUrl.replace("https://", ""), user: { token: TOKEN } });
    const result = await sealbox(["cert", "fetch", "--kubeconfig", config]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(CERT, "utf8"));
  });

  it("refuses a server that is not a URL, naming the kubeconfig, cluster and context (exit 72), in cert fetch and seal", async () => {
    const input = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  namespace: team\nstringData:\n  k: v\n";
    for (const server of ["not a url", "kube.example:6443/prefix", "ftp://kube.example", "https://admin:Pa55-in-url@kube example:6443"]) {
      const config = kubeconfig("not-a-url", { server, user: { token: TOKEN } });
      const fetched = await sealbox(["cert", "fetch", "--kubeconfig", config]);
      const sealed = await sealbox(["seal"], { cwd: dir, input, env: cleanEnv({ KUBECONFIG: config }) });
      for (const result of [fetched, sealed]) {
        expect(result.status, result.stderr).toBe(72);
        expect(result.stderr).toContain(`sealbox: ${config}: `);
        expect(result.stderr).toContain('cluster "c" of context "main" has server "');
        expect(result.stderr).toContain("the server must be https://host[:port] (or http://)");
        expect(result.stderr).not.toContain("Pa55-in-url");
      }
    }
  });

  it("seal without a certificate fetches the controller's, as kubeseal does; --fetch-cert prints it", async () => {
    const config = kubeconfig("seal-fetch", { user: { token: TOKEN } });
    const input = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  namespace: team\nstringData:\n  k: fetched\n";
    seen.length = 0;
    const sealed = await sealbox(["seal", "--format", "yaml"], { cwd: dir, input, env: cleanEnv({ KUBECONFIG: config }) });
    expect(sealed.stderr).toBe("sealbox: no certificate named: sealing with the controller's, fetched from service kube-system/sealed-secrets-controller (kubeconfig current context)\n");
    expect(sealed.status).toBe(0);
    expect(seen.map((s) => s.path)).toEqual([SERVICE_PATH, PROXY_PATH]);
    const sealedFile = join(dir, "fetched-seal.yaml");
    writeFileSync(sealedFile, sealed.stdout);
    const unsealed = await sealbox(["unseal", "--private-key", KEY, sealedFile]);
    expect(unsealed.status).toBe(0);
    expect(YAML.parse(unsealed.stdout).data.k).toBe(Buffer.from("fetched").toString("base64"));
    // a pin that does not match refuses the fetched certificate
    const pinned = await sealbox(["seal", "--cert-sha256", "00".repeat(32)], { cwd: dir, input, env: cleanEnv({ KUBECONFIG: config }) });
    expect(pinned.status).toBe(71);
    expect(pinned.stdout).toBe("");
    const printed = await sealbox(["seal", "--fetch-cert", "--kubeconfig", config]);
    expect(printed.status).toBe(0);
    expect(printed.stdout).toBe(readFileSync(CERT, "utf8"));
    // with --cert, as kubeseal: that certificate is printed, and the controller is not asked
    const asked = seen.length;
    const named = await sealbox(["seal", "--fetch-cert", "--cert", CERT, "--kubeconfig", config]);
    expect(named.status).toBe(0);
    expect(named.stdout).toBe(readFileSync(CERT, "utf8"));
    expect(seen.length).toBe(asked);
  });

  it("seal does not fetch from the cluster in a repository with rules: they name its certificates", async () => {
    const config = kubeconfig("seal-rules", { user: { token: TOKEN } });
    const repo = tempDir();
    writeFileSync(join(repo, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.sealed\\.yaml$\n    sealed_secrets:\n      cert: ${CERT}\n`);
    const input = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  namespace: team\nstringData:\n  k: v\n";
    seen.length = 0;
    // stdin matches no rule by path: before, this sealed to whatever cluster the kubeconfig named
    const fromStdin = await sealbox(["seal"], { cwd: repo, input, env: cleanEnv({ KUBECONFIG: config }) });
    expect(fromStdin.status).toBe(71);
    expect(fromStdin.stderr).toContain("seal does not fetch one from the current cluster");
    expect(seen).toEqual([]);
    // a path the rule matches takes the rule's certificate, also without the cluster
    const ruled = await sealbox(["seal", "-o", "x.sealed.yaml"], { cwd: repo, input, env: cleanEnv({ KUBECONFIG: config }) });
    expect(ruled.status).toBe(0);
    expect(seen).toEqual([]);
  });

  it("seal says why when no certificate is named and the controller cannot be reached", async () => {
    const config = kubeconfig("seal-gone", { user: { token: TOKEN } });
    const input = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  namespace: team\nstringData:\n  k: v\n";
    const result = await sealbox(["seal", "--controller-namespace", "elsewhere"], { cwd: dir, input, env: cleanEnv({ KUBECONFIG: config }) });
    expect(result.status).toBe(72);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no certificate was named (--cert, SEALED_SECRETS_CERT or a sealed_secrets rule in .sops.yaml)");
    expect(result.stderr).toContain('in namespace "elsewhere"');
  });

  it("seal takes a Secret's missing namespace from the kubeconfig context, as kubeseal does", async () => {
    const config = kubeconfig("ns", { user: { token: TOKEN }, namespace: "from-context" });
    const input = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  k: v\n";
    const result = await sealbox(["seal", "--cert", CERT, "--format", "yaml"], { input, env: cleanEnv({ KUBECONFIG: config }) });
    expect(result.status).toBe(0);
    expect(YAML.parse(result.stdout).metadata.namespace).toBe("from-context");
    // a context that names no namespace gives "default", as kubectl's
    const plain = kubeconfig("ns-none", { user: { token: TOKEN } });
    const fallback = await sealbox(["seal", "--cert", CERT, "--format", "yaml"], { input, env: cleanEnv({ KUBECONFIG: plain }) });
    expect(YAML.parse(fallback.stdout).metadata.namespace).toBe("default");
    // no kubeconfig at all: the Secret must say (kubeseal: "cannot infer the namespace")
    const none = await sealbox(["seal", "--cert", CERT, "--format", "yaml"], { input });
    expect(none.status).toBe(8);
    expect(none.stdout).toBe("");
  });

  it("the context's namespace holds also when its user logs in through an exec plugin, which sealing with --cert does not run", async () => {
    const config = kubeconfig("exec-ns", { user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "aws" } } as unknown as Record<string, string>, namespace: "team-a" });
    const input = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  k: v\n";
    const result = await sealbox(["seal", "--cert", CERT, "--format", "yaml"], { input, env: cleanEnv({ KUBECONFIG: config }) });
    expect(result.status).toBe(0);
    expect(YAML.parse(result.stdout).metadata.namespace).toBe("team-a");
  });

  it("a kubeconfig that cannot be read fails a Secret without a namespace, not one that has its own", async () => {
    const broken = join(dir, "broken.kubeconfig");
    writeFileSync(broken, "current-context: main\ncontexts: [\n");
    const env = cleanEnv({ KUBECONFIG: broken });
    const without = await sealbox(["seal", "--cert", CERT], { input: "kind: Secret\nmetadata:\n  name: x\nstringData:\n  k: v\n", env });
    expect(without.status).toBe(72);
    expect(without.stdout).toBe("");
    expect(without.stderr).toContain("has no namespace");
    expect(without.stderr).toContain("broken.kubeconfig");
    const withOwn = await sealbox(["seal", "--cert", CERT], { input: "kind: Secret\nmetadata:\n  name: x\n  namespace: prod\nstringData:\n  k: v\n", env });
    expect(withOwn.status).toBe(0);
    expect(JSON.parse(withOwn.stdout).metadata.namespace).toBe("prod");
  });

  it("a kubeconfig of the wrong shape is such an error too, never a crash for a Secret that has its own namespace", async () => {
    const noNamespace = "kind: Secret\nmetadata:\n  name: x\nstringData:\n  k: v\n";
    const ownNamespace = "kind: Secret\nmetadata:\n  name: x\n  namespace: prod\nstringData:\n  k: v\n";
    for (const [name, text, problem] of [
      ["contexts-scalar", "current-context: main\ncontexts: main\n", "contexts is not a list"],
      ["namespace-list", "current-context: main\ncontexts:\n- name: main\n  context:\n    namespace: [a]\n", "is not a string"],
      ["context-scalar", "current-context: main\ncontexts:\n- name: main\n  context: team-a\n", "is not a mapping"],
    ]) {
      const file = join(dir, `${name}.kubeconfig`);
      writeFileSync(file, text);
      const env = cleanEnv({ KUBECONFIG: file });
      const without = await sealbox(["seal", "--cert", CERT], { input: noNamespace, env });
      expect(without.stderr).toContain(problem);
      expect(without.status).toBe(72);
      expect(without.stdout).toBe("");
      const withOwn = await sealbox(["seal", "--cert", CERT], { input: ownNamespace, env });
      expect(withOwn.stderr).toBe("");
      expect(JSON.parse(withOwn.stdout).metadata.namespace).toBe("prod");
    }
  });

  it("a --kubeconfig that does not exist is an error for a Secret without a namespace, as kubectl's, not a silent default", async () => {
    const input = "kind: Secret\nmetadata:\n  name: x\nstringData:\n  k: v\n";
    const result = await sealbox(["seal", "--cert", CERT, "--kubeconfig", join(dir, "typo.kubeconfig")], { input });
    expect(result.status).toBe(72);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("typo.kubeconfig");
    // a KUBECONFIG that names no file is no kubeconfig: as kubeseal, the Secret must name its namespace
    const unset = await sealbox(["seal", "--cert", CERT, "--format", "yaml"], { input, env: cleanEnv({ KUBECONFIG: join(dir, "typo.kubeconfig") }) });
    expect(unset.status).toBe(8);
    expect(unset.stdout).toBe("");
    expect(unset.stderr).toContain("has no namespace, and there is no kubeconfig context");
  });

  it("a cluster-wide Secret without a namespace stays without one, kubeconfig or not, as kubeseal leaves it", async () => {
    const input = "kind: Secret\nmetadata:\n  name: shared\n  annotations:\n    sealedsecrets.bitnami.com/cluster-wide: \"true\"\nstringData:\n  k: v\n";
    const config = kubeconfig("ns-cw", { user: { token: TOKEN }, namespace: "from-context" });
    for (const env of [cleanEnv(), cleanEnv({ KUBECONFIG: config })]) {
      const result = await sealbox(["seal", "--cert", CERT, "--format", "yaml"], { input, env });
      expect(result.status).toBe(0);
      const sealed = YAML.parse(result.stdout);
      expect(sealed.metadata.namespace).toBeUndefined();
      expect(sealed.spec.template.metadata.namespace).toBeUndefined();
      expect(opensslOpen(sealed.spec.encryptedData.k, "").toString()).toBe("v");
    }
    // --scope cluster-wide likewise, and -n does not name one either: kubeseal's -n only fills in the
    // namespace of a Secret sealed to a narrower scope (cmd/kubeseal/main.go seal()); a namespace the
    // Secret has is kept, whatever -n says
    const flagged = await sealbox(["seal", "--cert", CERT, "--scope", "cluster-wide", "-n", "tools"], { input: "kind: Secret\nmetadata:\n  name: s\nstringData:\n  k: v\n" });
    expect(flagged.status).toBe(0);
    expect(JSON.parse(flagged.stdout).metadata.namespace).toBeUndefined();
    const own = await sealbox(["seal", "--cert", CERT, "--scope", "cluster-wide", "-n", "tools"], { input: "kind: Secret\nmetadata:\n  name: s\n  namespace: apps\nstringData:\n  k: v\n" });
    expect(own.status).toBe(0);
    expect(JSON.parse(own.stdout).metadata.namespace).toBe("apps");
  });
});

describe("the kubeconfig's server, as client-go reads it", () => {
  const target = (cluster: Record<string, unknown>) => {
    const file = join(dir, "server.kubeconfig");
    writeFileSync(file, YAML.stringify({ "current-context": "main", clusters: [{ name: "c", cluster }], contexts: [{ name: "main", context: { cluster: "c" } }] }));
    return loadKubeTarget({ kubeconfig: file });
  };

  it("a bare host:port is https with TLS settings, http without; a URL is kept as written", async () => {
    expect((await target({ server: "kube.example:6443", "insecure-skip-tls-verify": true })).server).toBe("https://kube.example:6443");
    expect((await target({ server: "kube.example:6443", "certificate-authority-data": readFileSync(CERT).toString("base64") })).server).toBe("https://kube.example:6443");
    expect((await target({ server: "127.0.0.1:8001" })).server).toBe("http://127.0.0.1:8001");
    expect((await target({ server: "https://kube.example/prefix/" })).server).toBe("https://kube.example/prefix/");
  });
});
