// Kubeconfig users that log in through an exec credential plugin (aws eks get-token,
// gke-gcloud-auth-plugin, kubelogin), run as client-go runs them. The plugins are small sh scripts
// that record what they were given and print an ExecCredential; the API server is an HTTPS stand-in
// on 127.0.0.1 that takes a bearer token or the client certificate a plugin hands out.
import { execFile, execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { cleanEnv, sealbox } from "../helpers/cli.js";
import { HAS_SCRIPT, Pty } from "../cli/pty.js";
import { CERT, ROOT, VECTORS, tempDir } from "./helpers.js";

const SERVICE = "/api/v1/namespaces/kube-system/services/sealed-secrets-controller";
const PROXY = "/api/v1/namespaces/kube-system/services/http:sealed-secrets-controller:http/proxy";
// what a plugin hands out: never to be seen in sealbox's messages
const TOKEN = "k8s-aws-v1.ZXhlYy1wbHVnaW4tdG9rZW4tc2VjcmV0";
const V1 = "client.authentication.k8s.io/v1";
const V1BETA1 = "client.authentication.k8s.io/v1beta1";

let dir: string;
let bin: string;
let api: ReturnType<typeof createHttpsServer>;
let server: string;
let clientCert: string;
let clientKey: string;
const seen: { url?: string; auth?: string; certFingerprint?: string }[] = [];

beforeAll(async () => {
  dir = tempDir();
  bin = join(dir, "bin");
  mkdirSync(bin);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "api.key", "-subj", "/CN=kube-apiserver", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2", "-out", "api.crt");
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-subj", "/CN=exec-user", "-days", "2", "-out", "client.crt");
  clientCert = readFileSync(join(dir, "client.crt"), "utf8");
  clientKey = readFileSync(join(dir, "client.key"), "utf8");
  const clientFingerprint = new X509Certificate(clientCert).fingerprint256;

  // Any client certificate is taken at the TLS layer; only the plugin's one logs in.
  api = createHttpsServer({ key: readFileSync(join(dir, "api.key")), cert: readFileSync(join(dir, "api.crt")), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const certFingerprint = (req.socket as TLSSocket).getPeerCertificate().fingerprint256 || undefined;
    seen.push({ url: req.url, auth: req.headers.authorization, certFingerprint });
    req.resume();
    if (req.headers.authorization !== `Bearer ${TOKEN}` && certFingerprint !== clientFingerprint) return res.writeHead(401).end();
    if (req.url === SERVICE) return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Service", spec: { ports: [{ name: "http", port: 8080 }] } }));
    if (req.url === `${PROXY}/v1/cert.pem`) return res.writeHead(200).end(readFileSync(CERT));
    if (req.method === "POST" && req.url === `${PROXY}/v1/verify`) return res.writeHead(200).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  server = `https://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(() => {
  api.close();
});

/** An executable sh script at `path` (in bin/ unless it has a directory), with `body` after a shebang. */
function plugin(path: string, body: string): string {
  const file = path.includes("/") ? path : join(bin, path);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A plugin that records its request, arguments and one variable under `record`, then prints `credential`. */
function recordingPlugin(name: string, record: string, credential: unknown): string {
  writeFileSync(`${record}.credential`, JSON.stringify(credential));
  return plugin(
    name,
    `printf '%s\\n' "$KUBERNETES_EXEC_INFO" > "${record}.info"\nprintf '%s\\n' "$@" > "${record}.args"\nprintf '%s|%s\\n' "$PLUGIN_GREETING" "$FROM_SEALBOX" > "${record}.env"\necho run >> "${record}.runs"\ncat "${record}.credential"`,
  );
}

const credential = (status: Record<string, unknown>, apiVersion = V1) => ({ apiVersion, kind: "ExecCredential", status });

function kubeconfig(name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.kubeconfig`);
  writeFileSync(
    file,
    YAML.stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "main",
      clusters: [{ name: "c", cluster: { server, "certificate-authority": join(dir, "api.crt"), ...cluster } }],
      users: [{ name: "eks-admin", user }],
      contexts: [{ name: "main", context: { cluster: "c", user: "eks-admin" } }],
    }),
  );
  return file;
}

const env = (extra: NodeJS.ProcessEnv = {}) => cleanEnv({ PATH: `${bin}${delimiter}${process.env.PATH}`, ...extra });
const lines = (file: string) => readFileSync(file, "utf8").trimEnd().split("\n");

describe("exec credential plugins", () => {
  it("runs the command found on PATH with its args and env, sends the token it returns, and tells it the request in KUBERNETES_EXEC_INFO", async () => {
    const record = join(dir, "token");
    recordingPlugin("sealbox-test-token-plugin", record, credential({ token: TOKEN }));
    const exec = {
      apiVersion: V1,
      command: "sealbox-test-token-plugin",
      args: ["eks", "get-token", "--cluster-name", "two words"],
      env: [{ name: "PLUGIN_GREETING", value: "hello" }],
      interactiveMode: "Never",
    };
    seen.length = 0;
    const result = await sealbox(["cert", "fetch", "--kubeconfig", kubeconfig("token", { exec })], { env: env({ FROM_SEALBOX: "kept" }) });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(CERT, "utf8"));
    expect(seen.map((s) => [s.url, s.auth])).toEqual([
      [SERVICE, `Bearer ${TOKEN}`],
      [`${PROXY}/v1/cert.pem`, `Bearer ${TOKEN}`],
    ]);
    expect(JSON.parse(readFileSync(`${record}.info`, "utf8"))).toEqual({ apiVersion: V1, kind: "ExecCredential", spec: { interactive: false } });
    expect(lines(`${record}.args`)).toEqual(exec.args);
    // the kubeconfig's env is added to sealbox's own environment
    expect(lines(`${record}.env`)).toEqual(["hello|kept"]);
    expect(lines(`${record}.runs`)).toHaveLength(1);
  });

  it("presents the client certificate a v1beta1 plugin returns; a command with a directory is relative to the kubeconfig; provideClusterInfo sends the cluster", async () => {
    const configDir = join(dir, "configs");
    mkdirSync(join(configDir, "plugins"), { recursive: true });
    const record = join(dir, "cert");
    recordingPlugin(join(configDir, "plugins", "cert-plugin"), record, credential({ clientCertificateData: clientCert, clientKeyData: clientKey }, V1BETA1));
    const config = join(configDir, "kubeconfig");
    writeFileSync(
      config,
      YAML.stringify({
        "current-context": "main",
        clusters: [
          {
            name: "c",
            cluster: {
              server,
              "certificate-authority-data": readFileSync(join(dir, "api.crt")).toString("base64"),
              "tls-server-name": "localhost",
              extensions: [{ name: "client.authentication.k8s.io/exec", extension: { audience: "sealbox-test" } }],
            },
          },
        ],
        // v1beta1 without interactiveMode: IfAvailable, as client-go defaults it
        users: [{ name: "gke-user", user: { exec: { apiVersion: V1BETA1, command: "./plugins/cert-plugin", provideClusterInfo: true } } }],
        contexts: [{ name: "main", context: { cluster: "c", user: "gke-user" } }],
      }),
    );
    seen.length = 0;
    const result = await sealbox(["cert", "fetch", "--kubeconfig", config], { cwd: dir, env: env() });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(CERT, "utf8"));
    expect(seen.map((s) => [s.auth, s.certFingerprint])).toEqual([0, 1].map(() => [undefined, new X509Certificate(clientCert).fingerprint256]));
    expect(JSON.parse(readFileSync(`${record}.info`, "utf8"))).toEqual({
      apiVersion: V1BETA1,
      kind: "ExecCredential",
      // stdin is no terminal here, so IfAvailable is not interactive
      spec: {
        interactive: false,
        cluster: {
          server,
          "tls-server-name": "localhost",
          "certificate-authority-data": readFileSync(join(dir, "api.crt")).toString("base64"),
          config: { audience: "sealbox-test" },
        },
      },
    });
  });

  it("runs the plugin once for all of --validate's requests, and again only when what it returned has expired", async () => {
    const list = join(dir, "two.sealed.yaml");
    writeFileSync(list, ["stringdata-strict.sealed.yaml", "cluster-wide.sealed.yaml"].map((f) => readFileSync(join(VECTORS, f), "utf8")).join("---\n"));
    for (const [name, expirationTimestamp, runs] of [
      ["lasting", new Date(Date.now() + 3600_000).toISOString(), 1],
      ["expired", "2020-01-01T00:00:00Z", 2],
    ] as const) {
      const record = join(dir, name);
      recordingPlugin(`sealbox-test-${name}`, record, credential({ token: TOKEN, expirationTimestamp }));
      seen.length = 0;
      const config = kubeconfig(name, { exec: { apiVersion: V1, command: `sealbox-test-${name}`, interactiveMode: "Never" } });
      const result = await sealbox(["seal", "--validate", list, "--kubeconfig", config], { env: env() });
      expect(result.stderr).toContain("the controller can decrypt all 2 SealedSecrets");
      expect(result.status).toBe(0);
      expect(seen.filter((s) => s.url === `${PROXY}/v1/verify` && s.auth === `Bearer ${TOKEN}`)).toHaveLength(2);
      expect(lines(`${record}.runs`)).toHaveLength(runs);
    }
  });

  it("library: a call with another environment (another AWS_PROFILE, say) runs the plugin again instead of reusing a credential got with the first", async () => {
    const record = join(dir, "profiles");
    plugin("sealbox-test-profiles", `echo "$PROFILE" >> "${record}.runs"\necho '${JSON.stringify(credential({ token: TOKEN }))}'`);
    const config = kubeconfig("profiles", { exec: { apiVersion: V1, command: "sealbox-test-profiles", interactiveMode: "Never" } });
    const script = `
      import { fetchControllerCert } from ${JSON.stringify(join(ROOT, "dist/index.js"))};
      for (const PROFILE of ["a", "b", "a"]) {
        const env = { PATH: ${JSON.stringify(`${bin}${delimiter}${process.env.PATH}`)}, PROFILE };
        await fetchControllerCert({ kubeconfig: ${JSON.stringify(config)}, controllerName: "sealed-secrets-controller", controllerNamespace: "kube-system", timeoutMs: 10000, env });
      }`;
    await new Promise<void>((done, fail) => execFile(process.execPath, ["--input-type=module", "-e", script], { env: cleanEnv() }, (error, _out, stderr) => (error ? fail(new Error(stderr)) : done())));
    expect(lines(`${record}.runs`)).toEqual(["a", "b"]);
  });

  it("uses the user's own token over its plugin, as client-go does", async () => {
    const record = join(dir, "unused");
    recordingPlugin("sealbox-test-unused", record, credential({ token: "not-this-one" }));
    seen.length = 0;
    const config = kubeconfig("own-token", { token: TOKEN, exec: { apiVersion: V1, command: "sealbox-test-unused", interactiveMode: "Never" } });
    const result = await sealbox(["cert", "fetch", "--kubeconfig", config], { env: env() });
    expect(result.status).toBe(0);
    expect(seen.every((s) => s.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(() => readFileSync(`${record}.runs`)).toThrow();
  });
});

describe("exec plugins that fail", () => {
  const fetchWith = (name: string, exec: Record<string, unknown>, args: string[] = []) =>
    sealbox(["cert", "fetch", "--kubeconfig", kubeconfig(name, { exec: { apiVersion: V1, interactiveMode: "Never", ...exec } }), ...args], { env: env() });

  it("passes on what a failing plugin says, and names the user, command and exit code (72)", async () => {
    plugin("sealbox-test-expired-sso", `echo "Error loading SSO Token: Token for my-sso has expired. Run aws sso login" >&2\nexit 255`);
    seen.length = 0;
    const result = await fetchWith("failing", { command: "sealbox-test-expired-sso" });
    expect(result.status).toBe(72);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Run aws sso login\n");
    expect(result.stderr).toContain(`failing.kubeconfig: the exec plugin of kubeconfig user "eks-admin" (sealbox-test-expired-sso) failed with exit code 255`);
    expect(seen).toEqual([]);
  });

  it("says a plugin is not installed as client-go does, with the kubeconfig's installHint", async () => {
    const result = await fetchWith("absent", { command: "gke-gcloud-auth-plugin-not-here", installHint: "Install gke-gcloud-auth-plugin for use with kubectl by following\n    https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin" });
    expect(result.status).toBe(72);
    expect(result.stderr).toContain('the exec plugin of kubeconfig user "eks-admin" (gke-gcloud-auth-plugin-not-here) was not found');
    expect(result.stderr).toContain("https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins");
    expect(result.stderr).toContain("  Install gke-gcloud-auth-plugin for use with kubectl by following\n");
    const notExecutable = join(dir, "not-executable");
    writeFileSync(notExecutable, "#!/bin/sh\n");
    const denied = await fetchWith("denied", { command: notExecutable });
    expect(denied.status).toBe(72);
    expect(denied.stderr).toContain("is not executable");
  });

  it("refuses what is not an ExecCredential with a usable credential, and never shows the token it held", async () => {
    const cases: [string, string, string][] = [
      ["truncated", `{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"${TOKEN}"`, "printed something that is not JSON"],
      ["other-version", JSON.stringify(credential({ token: TOKEN }, V1BETA1)), `is configured for ${V1}, and printed an ExecCredential of apiVersion "${V1BETA1}"`],
      ["token-as-version", JSON.stringify(credential({ token: "x" }, TOKEN)), "printed an ExecCredential of apiVersion of another group, or none"],
      ["token-as-kind", JSON.stringify({ ...credential({ token: TOKEN }), kind: TOKEN }), "printed JSON that is not an ExecCredential"],
      ["no-status", JSON.stringify({ apiVersion: V1, kind: "ExecCredential" }), "without a status"],
      ["empty-status", JSON.stringify(credential({})), "neither a token nor a client certificate and key"],
      ["cert-alone", JSON.stringify(credential({ clientCertificateData: clientCert })), "a client certificate or a key, not both"],
      ["key-mismatch", JSON.stringify(credential({ clientCertificateData: readFileSync(join(dir, "api.crt"), "utf8"), clientKeyData: clientKey })), "not a matching PEM pair"],
      ["token-newline", JSON.stringify(credential({ token: `${TOKEN}\n` })), "characters an HTTP header cannot carry"],
      ["bad-expiry", JSON.stringify(credential({ token: TOKEN, expirationTimestamp: "tomorrow" })), "expirationTimestamp is not a time"],
    ];
    for (const [name, output, problem] of cases) {
      writeFileSync(join(dir, `${name}.out`), output);
      plugin(`sealbox-test-${name}`, `cat "${join(dir, `${name}.out`)}"`);
      seen.length = 0;
      const result = await fetchWith(name, { command: `sealbox-test-${name}` });
      expect(result.status, name).toBe(72);
      expect(result.stderr, name).toContain(`the exec plugin of kubeconfig user "eks-admin" (sealbox-test-${name}) `);
      expect(result.stderr, name).toContain(problem);
      expect(result.stderr, name).not.toContain(TOKEN);
      expect(result.stderr, name).not.toContain("PRIVATE KEY");
      expect(seen, name).toEqual([]);
    }
  });

  it("gives up on a plugin that does not finish within --timeout", async () => {
    plugin("sealbox-test-hangs", "exec sleep 30");
    const result = await fetchWith("hangs", { command: "sealbox-test-hangs" }, ["--timeout", "1"]);
    expect(result.status).toBe(72);
    expect(result.stderr).toContain('the exec plugin of kubeconfig user "eks-admin" (sealbox-test-hangs) did not finish within 1s (--timeout)');
    expect(result.ms).toBeLessThan(5000);
  });

  it("does not run a bare command found through a relative PATH entry (an empty one or \".\"), as Go's exec.LookPath refuses it: it would run what the current directory holds", async () => {
    const checkout = join(dir, "untrusted-checkout");
    mkdirSync(checkout);
    const ran = join(dir, "ran-from-checkout");
    plugin(join(checkout, "sealbox-test-in-cwd"), `touch "${ran}"\necho '${JSON.stringify(credential({ token: TOKEN }))}'`);
    const config = kubeconfig("relative", { exec: { apiVersion: V1, interactiveMode: "Never", command: "sealbox-test-in-cwd" } });
    for (const path of [`${process.env.PATH}${delimiter}`, `.${delimiter}${process.env.PATH}`]) {
      seen.length = 0;
      const result = await sealbox(["cert", "fetch", "--kubeconfig", config], { cwd: checkout, env: cleanEnv({ PATH: path }) });
      expect(result.status, path).toBe(72);
      expect(result.stderr, path).toContain('the exec plugin of kubeconfig user "eks-admin" (sealbox-test-in-cwd) was found on PATH only relative to the current directory');
      expect(seen, path).toEqual([]);
    }
    expect(existsSync(ran)).toBe(false);
    // the same directory named absolutely on PATH is where it is looked for
    const result = await sealbox(["cert", "fetch", "--kubeconfig", config], { cwd: checkout, env: cleanEnv({ PATH: `${checkout}${delimiter}${process.env.PATH}` }) });
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(ran)).toBe(true);
  });

  it("gives up within --timeout on a plugin whose own child holds stderr, and that child does not keep a caller reading sealbox's stderr waiting", async () => {
    const pidFile = join(dir, "grandchild.pid");
    // sh waits for a child of its own, which has the plugin's stderr and outlives sh's SIGTERM
    plugin("sealbox-test-hangs-in-child", `sleep 30 &\necho $! > "${pidFile}"\nwait`);
    try {
      const result = await fetchWith("hangs-in-child", { command: "sealbox-test-hangs-in-child" }, ["--timeout", "1"]);
      expect(result.status).toBe(72);
      expect(result.stderr).toContain("(sealbox-test-hangs-in-child) did not finish within 1s (--timeout)");
      expect(result.ms).toBeLessThan(5000);
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, "utf8")));
      } catch {
        // gone already
      }
    }
  });

  it("takes the credential of a plugin that has exited, though a process it left behind still holds its stderr (client-go waits for stdout only)", async () => {
    const pidFile = join(dir, "lingering.pid");
    writeFileSync(join(dir, "lingering.credential"), JSON.stringify(credential({ token: TOKEN })));
    // a helper it starts (a local login server, say) keeps the plugin's stderr, not its stdout
    plugin("sealbox-test-leaves-helper", `sleep 30 >/dev/null &\necho $! > "${pidFile}"\ncat "${join(dir, "lingering.credential")}"`);
    try {
      const result = await fetchWith("leaves-helper", { command: "sealbox-test-leaves-helper" }, ["--timeout", "20"]);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(readFileSync(CERT, "utf8"));
      expect(result.ms).toBeLessThan(5000);
    } finally {
      process.kill(Number(readFileSync(pidFile, "utf8")));
    }
  });

  it("checks the exec section as client-go does before running anything", async () => {
    const ran = join(dir, "never-ran");
    plugin("sealbox-test-never", `touch "${ran}"`);
    const cases: [Record<string, unknown>, string][] = [
      [{ apiVersion: "client.authentication.k8s.io/v1alpha1" }, 'apiVersion "client.authentication.k8s.io/v1alpha1" is not supported'],
      [{ apiVersion: undefined }, "apiVersion is missing"],
      [{ interactiveMode: undefined }, "interactiveMode is missing"],
      [{ interactiveMode: "Sometimes" }, "interactiveMode is not Never, IfAvailable or Always"],
      [{ env: [{ value: "x" }] }, "env has an entry without a name"],
      [{ args: "--region eu" }, "args is not a list of strings"],
      // without a terminal on stdin, a plugin that must have one cannot run (client-go's words, near enough)
      [{ interactiveMode: "Always" }, "needs a terminal (interactiveMode Always), and standard input is not one"],
    ];
    for (const [exec, problem] of cases) {
      const result = await fetchWith("checked", { command: "sealbox-test-never", ...exec });
      expect(result.status, problem).toBe(72);
      expect(result.stderr, problem).toContain("eks-admin");
      expect(result.stderr, problem).toContain(problem);
    }
    expect(() => readFileSync(ran)).toThrow();
  });

  it("still refuses an auth-provider user, naming the provider", async () => {
    const config = kubeconfig("auth-provider", { "auth-provider": { name: "gcp", config: { "access-token": TOKEN } } });
    const result = await sealbox(["cert", "fetch", "--kubeconfig", config], { env: env() });
    expect(result.status).toBe(72);
    expect(result.stderr).toContain('user "eks-admin" authenticates with the "gcp" auth-provider, which sealbox does not run');
    expect(result.stderr).not.toContain(TOKEN);
  });
});

describe.runIf(HAS_SCRIPT)("an exec plugin on a terminal", () => {
  let config: string;
  const record = () => join(dir, "tty");
  beforeAll(() => {
    plugin(
      "sealbox-test-mfa",
      `printf '%s\\n' "$KUBERNETES_EXEC_INFO" > "${record()}.info"\nprintf 'MFA code: ' >&2\nread code\nprintf '{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"%s"}}' "$code"`,
    );
    config = kubeconfig("tty", { exec: { apiVersion: V1, command: "sealbox-test-mfa", interactiveMode: "IfAvailable" } });
  });

  it("IfAvailable: the plugin is told it is interactive and reads its answer from the terminal (an MFA code, say)", async () => {
    seen.length = 0;
    const pty = new Pty(["cert", "fetch", "--kubeconfig", config, "-o", join(dir, "tty.pem")], { env: env() });
    await pty.expect("MFA code: ");
    pty.send(`${TOKEN}\r`);
    expect(await pty.exit()).toBe(0);
    expect(JSON.parse(readFileSync(`${record()}.info`, "utf8")).spec).toEqual({ interactive: true });
    expect(readFileSync(join(dir, "tty.pem"), "utf8")).toBe(readFileSync(CERT, "utf8"));
    expect(seen.map((s) => s.auth)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it("has the terminal to itself after seal has read the Secret from it", async () => {
    seen.length = 0;
    const out = join(dir, "tty.sealed.yaml");
    const pty = new Pty(["seal", "--format", "yaml", "-o", out], { env: env({ KUBECONFIG: config }), cwd: dir });
    await pty.expect("end with Ctrl-D");
    pty.send("kind: Secret\rmetadata:\r  name: x\r  namespace: team\rstringData:\r  k: v\r\x04");
    await pty.expect("MFA code: ");
    pty.send(`${TOKEN}\r`);
    expect(await pty.exit()).toBe(0);
    expect(seen.map((s) => s.auth)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(YAML.parse(readFileSync(out, "utf8")).spec.encryptedData.k).toMatch(/^Ag/);
  });
});
